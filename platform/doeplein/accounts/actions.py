"""Every change to an account or profile goes through these functions."""

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import APIToken

from doeplein.access import can
from doeplein.activity.actions import record

from .models import Profile, ProfileEntry, User

CIVIL_SERVANTS = "Civil servants"
PLATFORM_ADMINISTRATORS = "Platform administrators"
ROLE_GROUPS = {"civil_servant": CIVIL_SERVANTS, "platform_admin": PLATFORM_ADMINISTRATORS}


def ensure_profile(user) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def role_group(role) -> Group:
    """The Django group that carries a platform role (created with its permissions on first use)."""
    from django.contrib.auth.models import Permission

    group, created = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    if created:
        group.permissions.add(
            Permission.objects.get(codename="open_workspace", content_type__app_label="accounts")
        )
    return group


@transaction.atomic
def do_grant_role(*, actor, user, role) -> None:
    """Make ``user`` a civil servant or platform administrator. ``actor`` None means the platform."""
    if role not in ROLE_GROUPS:
        raise ValueError(f"unknown role {role!r}")
    if actor is not None and not can(actor, "administer"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only platform administrators can grant roles."))
    user.groups.add(role_group(role))
    if role == "platform_admin" and not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    record(
        actor=actor or user, verb="account.role_granted", target=user, audience="only_me", data={"role": role}
    )


def is_civil_servant_email(email) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in settings.CIVIL_SERVANT_EMAIL_DOMAINS)


@transaction.atomic
def do_confirm_email(*, user, email) -> None:
    """After e-mail confirmation: civil-servant role for configured domains, a welcome, activity."""
    ensure_profile(user)
    record(actor=user, verb="account.confirmed", target=user, audience="only_me")
    if is_civil_servant_email(email) and not user.groups.filter(name=CIVIL_SERVANTS).exists():
        do_grant_role(actor=None, user=user, role="civil_servant")
    from doeplein.spaces.actions import do_accept_invitations_for_email

    # Someone invited by e-mail who registers with that address lands in the space at once.
    do_accept_invitations_for_email(user=user, email=email)
    from .tasks import welcome_task

    welcome_task.delay_on_commit(user.pk)


@transaction.atomic
def do_update_profile(*, user, profile, data, audience, entries=None) -> Profile:
    """Save profile fields, their audiences and the experience/education entries."""
    if profile.user_id != user.pk and not user.is_superuser:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    # From the database: a ModelForm has already put the new file on ``profile`` while validating.
    old_avatar = Profile.objects.filter(pk=profile.pk).values_list("avatar", flat=True).first() or ""
    for name, value in data.items():
        if name in ("first_name", "last_name"):
            setattr(profile.user, name, value)
        elif name == "skills":
            profile.skills.set(value, clear=True)
        elif name == "themes":
            profile.themes.set(value)
        else:
            setattr(profile, name, value)
    profile.audience = {f: audience.get(f, profile.audience_for(f)) for f in Profile.PRIVATE_FIELDS}
    profile.audience[Profile.FINDABLE] = audience.get(Profile.FINDABLE, profile.findable_by())
    profile.user.save(update_fields=["first_name", "last_name"])
    profile.save()
    if old_avatar and old_avatar != profile.avatar.name:
        # A replaced or cleared picture leaves the storage too, once the change is committed.
        storage = profile.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    if entries is not None:
        profile.entries.all().delete()
        ProfileEntry.objects.bulk_create([ProfileEntry(profile=profile, **entry) for entry in entries])
    record(actor=user, verb="profile.updated", target=profile, audience=profile.audience_for("bio"))
    return profile


@transaction.atomic
def do_delete_account(*, user) -> User:
    """Anonymise in place: content stays, attributed to "deleted user"; personal data is gone."""
    from django.contrib.contenttypes.models import ContentType

    from doeplein.activity.models import Activity

    from .models import ProfileTag

    profile = ensure_profile(user)
    if profile.avatar:
        profile.avatar.delete(save=False)
    # Straight to the tables: the profile is a modelcluster ClusterableModel, whose relation managers
    # only defer changes until profile.save(), and the profile is updated with .update() below.
    ProfileEntry.objects.filter(profile=profile).delete()
    ProfileTag.objects.filter(content_object=profile).delete()
    Profile.themes.through.objects.filter(profile=profile).delete()
    Profile.objects.filter(pk=profile.pk).update(
        organisation="", job_title="", avatar="", bio="", audience={}, suggestible=False
    )
    from doeplein.teams.profiles import forget

    forget(user.pk)  # the activity profile and interaction graph go with the account
    # Activity rows stay (they are the person's contributions), but labels that name the person go.
    for target in (user, profile):
        Activity.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        ).update(target_label="")
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    user.groups.clear()
    user.user_permissions.clear()
    user.emailaddress_set.all().delete()
    user.notifications.all().delete()
    user.email = f"deleted-{user.pk}-{secrets.token_hex(4)}@deleted.invalid"
    user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.is_deleted = True
    user.set_unusable_password()
    user.save()
    record(actor=user, verb="account.deleted", target=None, audience="only_me")
    return user


def export_data(*, user) -> dict:
    """Everything the platform holds about ``user``, as a JSON-able dict (GDPR article 20)."""
    from doeplein.activity.models import Activity
    from doeplein.notifications.models import Notification

    profile = ensure_profile(user)
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "profile": {
            "organisation": profile.organisation,
            "job_title": profile.job_title,
            "avatar": profile.avatar.url if profile.avatar else None,
            "bio": profile.bio,
            "skills": sorted(profile.skills.names()),
            "themes": sorted(profile.themes.values_list("name", flat=True)),
            "audience": {f: profile.audience_for(f) for f in Profile.PRIVATE_FIELDS},
            "suggestible": profile.suggestible,
            "entries": list(
                profile.entries.values(
                    "kind", "title", "organisation", "start_year", "end_year", "description"
                )
            ),
        },
        "memberships": [
            {
                "space": m.space.name,
                "kind": m.space.kind,
                "role": m.get_role_display(),
                "since": m.created_at.isoformat(),
            }
            for m in user.memberships.select_related("space")
        ],
        "activity": [
            {"verb": a.verb, "on": a.target_label, "when": a.created_at.isoformat()}
            for a in Activity.objects.filter(actor=user).order_by("created_at")
        ],
        "notifications": [
            {"message": n.message, "when": n.created_at.isoformat(), "read": n.read_at is not None}
            for n in Notification.objects.filter(recipient=user)
        ],
        "api_tokens": [
            {"name": t.name, "created": t.created.isoformat(), "revoked": t.revoked_at is not None}
            for t in user.api_tokens.all()
        ],
    }


@transaction.atomic
def do_create_api_token(*, user, name) -> tuple:
    """Create a Wagtail API token; returns ``(token, plaintext)``. The plaintext is shown once."""
    return APIToken.create_token(user=user, name=(name or "API")[:100])


def do_revoke_api_token(*, user, token_id) -> bool:
    token = APIToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        return False
    token.revoke()
    return True


def new_user_signed_up(*, user) -> None:
    ensure_profile(user)
    record(actor=user, verb="account.registered", target=user, audience="logged_in")


__all__ = [
    "User",
    "do_confirm_email",
    "do_create_api_token",
    "do_delete_account",
    "do_grant_role",
    "do_revoke_api_token",
    "do_update_profile",
    "export_data",
]


def do_set_language(*, user, language):
    """Remember the language a logged-in person chose (pages, notifications and e-mails follow it)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    profile = ensure_profile(user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
    return profile


def do_mark_digest_sent(*, user, when=None):
    Profile.objects.filter(user=user).update(digest_sent_at=when or timezone.now())

"""Membership actions for every kind of space: join, request, invite, roles, leave, archive.

Each is one function: check access, write in a transaction, record activity, notify after commit.
Pages, the API, admin actions and tasks all call these.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from doeplein.access import can, check, role_in
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError
from doeplein.live import access_changed_on_commit
from doeplein.notifications.actions import do_notify

from .eligibility import _option, check_may_join, check_may_leave, check_may_request, membership_options  # noqa: F401
from .kinds import is_personal, space_url
from .models import Invitation, JoinPolicy, JoinRequest, Membership, Role, Space

INVITATION_DAYS = getattr(settings, "INVITATION_VALID_DAYS", 14)


def _url(space):
    return space_url(space) or "/"


def free_slug(user, queryset, slug, *, max_length=80) -> str:
    """The web address a new space gets: ``slug`` itself when free; a 409 when a space the person may
    find already has it; and when only a space hidden from the person has it, the same answer as for a
    free one, made unique with a suffix ("-2", "-3" …), so that the answer never reveals a secret space.

    ``queryset``: the spaces the slug must be unique among (all workspaces; the groups of one parent).
    """
    from doeplein.access import discoverable

    if not queryset.filter(slug=slug).exists():
        return slug
    if discoverable(user, queryset.filter(slug=slug)).exists():
        raise ActionError(
            _("The web address %(slug)s is taken.") % {"slug": slug}, code="duplicate_slug", status=409
        )
    taken = set(queryset.filter(slug__startswith=slug).values_list("slug", flat=True))
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = slug[: max_length - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def _managers(space):
    return [
        m.user
        for m in Membership.objects.filter(space=space, role__gte=Role.COMMUNITY_MANAGER).select_related(
            "user"
        )
    ]


def _not_archived(space):
    if space.is_archived:
        raise ActionError(
            _("This space is archived: it can be read, not changed."), code="archived", status=409
        )


def _check_not_archived(user, action, space):
    """The gate refuses every change in an archived space; say why to those who may see it."""
    check(user, "view", space)
    if user.is_authenticated:
        _not_archived(space)
    check(user, action, space)


def _check_not_personal(space, user=None):
    """One person's own space (a kind marked ``personal``) never gets another member."""
    if not is_personal(space):
        return
    if user is not None and Membership.objects.filter(space=space, user=user).exists():
        return
    if user is not None and not Membership.objects.filter(space=space).exists():
        return  # its first member: the person it is made for
    raise ActionError(
        _("This is someone's own space: nobody else can be added to it."), code="personal_space", status=409
    )


def _add_member(space, user, role):
    _check_not_personal(space, user)
    membership, created = Membership.objects.get_or_create(space=space, user=user, defaults={"role": role})
    if created:
        Space.objects.filter(pk=space.pk).update(member_count=F("member_count") + 1)
    elif membership.role < role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership, created


def _remove_member(space, membership):
    membership.delete()
    # Open live connections of this person re-check their access at once (and close if it is gone).
    access_changed_on_commit(user_ids=[membership.user_id], reason="membership_ended")
    Space.objects.filter(pk=space.pk, member_count__gt=0).update(member_count=F("member_count") - 1)


def _owner_count(space):
    return Membership.objects.filter(space=space, role=Role.OWNER).count()


def _welcome(space, user):
    if space.welcome_message:
        do_notify(
            recipient=user,
            verb="space.welcome",
            params={"space": space.name, "text": space.welcome_message[:400]},
            url=_url(space),
        )


def own_space_of(user, kind):
    """The space of ``kind`` that ``user`` owns as their own (a personal blog, their files), or None."""
    membership = (
        Membership.objects.filter(user=user, role=Role.OWNER, space__kind=kind)
        .select_related("space")
        .order_by("pk")
        .first()
    )
    return membership.space if membership is not None else None


@transaction.atomic
def do_ensure_own_space(*, user, kind, name, visibility) -> Space:
    """The person's own space of ``kind``, made the first time it is needed, once (also when two of
    their requests arrive together: the person's row is locked while it is made). Invitation only, one
    owner, who may not leave it."""
    space = own_space_of(user, kind)
    if space is not None:
        return space
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    space = own_space_of(user, kind)
    if space is not None:
        return space
    space = Space.objects.create(
        kind=kind,
        name=str(name)[:200],
        visibility=visibility,
        join_policy=JoinPolicy.INVITATION,
        allow_leaving=False,
        member_count=1,
    )
    Membership.objects.create(space=space, user=user, role=Role.OWNER)
    return space


@transaction.atomic
def do_create_space_membership(*, space, user, role=Role.OWNER) -> Membership:
    """The creator of a space becomes its first owner (called by the plugins' create actions)."""
    membership, _created = _add_member(space, user, role)
    return membership


@transaction.atomic
def do_join(*, user, space) -> Membership:
    """Join an open space. On-request spaces need :func:`do_request_to_join`; others an invitation."""
    check_may_join(user, space)
    membership, _created = _add_member(space, user, Role.MEMBER)
    record(actor=user, verb="space.joined", target=space, space=space)
    _welcome(space, user)
    return membership


@transaction.atomic
def do_request_to_join(*, user, space, message="") -> JoinRequest:
    # Members-only spaces can be found and asked to join; secret ones answer 404 (or: by invitation).
    check_may_request(user, space)
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(space=space, user=user, message=message[:1000])
    except IntegrityError:  # a parallel request
        raise ActionError(
            _("You have already asked to join; the managers will answer."),
            code="duplicate_request",
            status=409,
        ) from None
    record(actor=user, verb="space.join_requested", target=space, space=space)
    for manager in _managers(space):
        do_notify(
            recipient=manager,
            verb="space.join_requested",
            params={"name": user.display_name, "space": space.name},
            actor=user,
            url=reverse("spaces:requests", kwargs={"space_id": space.pk}),
        )
    return request


@transaction.atomic
def do_decide_request(*, actor, request_id, approve, message="") -> JoinRequest:
    """Approve or reject a pending request. Safe against two managers deciding at once."""
    request = (
        JoinRequest.objects.select_for_update().select_related("space", "user").filter(pk=request_id).first()
    )
    if request is None:
        raise ActionError(_("This request does not exist."), code="not_found", status=404)
    space = request.space
    _check_not_archived(actor, "moderate", space)
    if request.status != JoinRequest.Status.PENDING:
        raise ActionError(_("This request has already been decided."), code="already_decided", status=409)
    request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_message = message[:1000]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_message"])
    if approve:
        _add_member(space, request.user, Role.MEMBER)
        record(
            actor=actor,
            verb="space.request_approved",
            target=space,
            space=space,
            data={"user": request.user.pk},
        )
    else:
        record(
            actor=actor,
            verb="space.request_rejected",
            target=space,
            space=space,
            audience="only_me",
            data={"user": request.user.pk},
        )
    verb = f"space.request_{request.status}" + ("_with_message" if message else "")
    do_notify(
        recipient=request.user,
        verb=verb,
        params={"space": space.name, "message": message[:300]},
        actor=actor,
        url=_url(space),
    )
    if approve:
        _welcome(space, request.user)
    return request


@transaction.atomic
def do_withdraw_request(*, user, space) -> int:
    return JoinRequest.objects.filter(space=space, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )


@transaction.atomic
def do_leave(*, user, space) -> None:
    if not user.is_authenticated:
        raise PermissionDenied
    membership = Membership.objects.select_for_update().filter(space=space, user=user).first()
    check_may_leave(user, space, membership=membership)
    _remove_member(space, membership)
    record(actor=user, verb="space.left", target=space, space=space)


def check_may_give_role(actor, space, role) -> None:
    """Only owners give roles above member, by invitation or directly (community managers invite members
    and guests)."""
    if Role(role) > Role.MEMBER and not can(actor, "manage", space):
        raise PermissionDenied(_("Only owners can give a role above member."))


@transaction.atomic
def do_change_role(*, actor, space, user, role) -> Membership:
    """Owners set roles. The last owner keeps their role until someone else is owner."""
    check(actor, "manage", space)
    check_may_give_role(actor, space, role)
    _not_archived(space)
    role = Role(role)
    membership = Membership.objects.select_for_update().filter(space=space, user=user).first()
    if membership is None:
        raise ActionError(_("This person is not a member."), code="not_member", status=404)
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(space) <= 1:
        raise ActionError(
            _("The last owner cannot be demoted; make someone else owner first."),
            code="last_owner",
            status=409,
        )
    narrowed = role < membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    if narrowed:
        access_changed_on_commit(user_ids=[user.pk], reason="role_changed")
    record(
        actor=actor,
        verb="space.role_changed",
        target=space,
        space=space,
        data={"user": user.pk, "role": int(role)},
    )
    do_notify(
        recipient=user,
        verb="space.role_changed",
        params={"space": space.name, "role": int(role)},
        actor=actor,
        url=_url(space),
    )
    return membership


@transaction.atomic
def do_transfer_ownership(*, actor, space, user) -> None:
    """Make ``user`` owner; the actor stays on as community manager."""
    check(actor, "manage", space)
    if not Membership.objects.filter(space=space, user=user).exists():
        raise ActionError(_("Only a member can become owner."), code="not_member", status=409)
    do_change_role(actor=actor, space=space, user=user, role=Role.OWNER)
    if actor != user and Membership.objects.filter(space=space, user=actor, role=Role.OWNER).exists():
        do_change_role(actor=actor, space=space, user=actor, role=Role.COMMUNITY_MANAGER)


@transaction.atomic
def do_remove_member(*, actor, space, user) -> None:
    """Owners remove anyone but the last owner; community managers remove members and guests."""
    _check_not_archived(actor, "moderate", space)
    membership = Membership.objects.select_for_update().filter(space=space, user=user).first()
    if membership is None:
        raise ActionError(_("This person is not a member."), code="not_member", status=404)
    actor_role = role_in(actor, space) or (Role.OWNER if actor.is_superuser else None)
    if membership.role >= Role.COMMUNITY_MANAGER and not (actor_role == Role.OWNER or actor.is_superuser):
        raise PermissionDenied(_("Only owners can remove managers and owners."))
    if membership.role == Role.OWNER and _owner_count(space) <= 1:
        raise ActionError(_("The last owner cannot be removed."), code="last_owner", status=409)
    _remove_member(space, membership)
    record(actor=actor, verb="space.member_removed", target=space, space=space, data={"user": user.pk})


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _send_invitation(invitation, token):
    space = invitation.space
    from doeplein.accounts.language import language_of
    from doeplein.core.mail import send_templated_mail

    send_templated_mail(
        template="invitation",
        to=[invitation.email],
        language=language_of(invitation.user) if invitation.user_id else None,
        context={
            "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
            "space": space.name,
            "link": f"{settings.SITE_URL}/invitations/{token}/",
            "until": invitation.expires_at,
        },
    )
    if invitation.user_id:
        do_notify(
            recipient=invitation.user,
            verb="space.invited",
            params={
                "space": space.name,
                "name": invitation.invited_by.display_name if invitation.invited_by else "",
            },
            actor=invitation.invited_by,
            url=f"/invitations/{token}/",
        )
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])


@transaction.atomic
def do_invite(*, actor, space, email, role=Role.MEMBER) -> tuple[Invitation, str]:
    """Invite an existing person or an e-mail address. Returns ``(invitation, token)``."""
    from doeplein.accounts.models import User

    _check_not_archived(actor, "moderate", space)
    _check_not_personal(space)
    email = email.strip().lower()
    role = Role(role)
    if role == Role.OWNER:
        raise ActionError(_("Invite as member first; ownership is handed over later."), code="bad_role")
    check_may_give_role(actor, space, role)
    user = User.objects.filter(email__iexact=email, is_active=True, is_deleted=False).first()
    if user and Membership.objects.filter(space=space, user=user).exists():
        raise ActionError(
            _("%(email)s is already a member.") % {"email": email}, code="already_member", status=409
        )
    open_invitation = Invitation.objects.filter(
        space=space,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    if open_invitation:
        raise ActionError(
            _("%(email)s has an open invitation already; resend it instead.") % {"email": email},
            code="duplicate_invitation",
            status=409,
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        space=space,
        email=email,
        user=user,
        role=role,
        token_hash=_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    record(
        actor=actor,
        verb="space.invited",
        target=space,
        space=space,
        audience="only_me",
        data={"email": email},
    )
    _send_invitation(invitation, token)
    return invitation, token


INVITE_SKIP_REASONS = {
    "already_member": lambda: _("already a member"),
    "duplicate_invitation": lambda: _("already invited"),
}


@transaction.atomic
def do_invite_people(*, actor, space, people, role=Role.MEMBER) -> tuple[list, list]:
    """Invite several people (accounts) at once through :func:`do_invite`.

    The actor's right to invite, and to give ``role``, is checked once for all (PermissionDenied,
    Http404 or ActionError as for one); then each person gets an invitation in a savepoint of its own,
    or is skipped with a reason ("already a member", "already invited" …), never naming their address.
    Returns ``(invited people, [(person, reason), …])``."""
    _check_not_archived(actor, "moderate", space)
    _check_not_personal(space)
    role = Role(role)
    if role == Role.OWNER:
        raise ActionError(_("Invite as member first; ownership is handed over later."), code="bad_role")
    check_may_give_role(actor, space, role)
    invited, skipped = [], []
    for person in people:
        try:
            with transaction.atomic():
                do_invite(actor=actor, space=space, email=person.email, role=role)
        except ActionError as e:
            reason = INVITE_SKIP_REASONS.get(e.code)
            skipped.append((person, reason() if reason else str(e)))
        else:
            invited.append(person)
    return invited, skipped


@transaction.atomic
def do_resend_invitation(*, actor, invitation_id) -> tuple[Invitation, str]:
    """A new link (the old one stops working) and a new expiry date."""
    invitation = (
        Invitation.objects.select_for_update().select_related("space").filter(pk=invitation_id).first()
    )
    if invitation is None:
        raise ActionError(_("This invitation does not exist."), code="not_found", status=404)
    check(actor, "moderate", invitation.space)
    if invitation.accepted_at or invitation.revoked_at:
        raise ActionError(_("This invitation was already used or revoked."), code="closed", status=409)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send_invitation(invitation, token)
    return invitation, token


@transaction.atomic
def do_revoke_invitation(*, actor, invitation_id) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("space").filter(pk=invitation_id).first()
    )
    if invitation is None:
        raise ActionError(_("This invitation does not exist."), code="not_found", status=404)
    check(actor, "moderate", invitation.space)
    if invitation.accepted_at:
        raise ActionError(_("This invitation was already accepted."), code="closed", status=409)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(token) -> Invitation:
    """The invitation a link's token names, or an ActionError saying why it does not work."""
    invitation = Invitation.objects.select_related("space").filter(token_hash=_hash(token or "")).first()
    if invitation is None:
        raise ActionError(_("This invitation link is not valid."), code="invalid_token", status=404)
    if invitation.revoked_at:
        raise ActionError(_("This invitation was withdrawn."), code="revoked", status=410)
    if invitation.accepted_at:
        raise ActionError(_("This invitation has already been used."), code="used", status=410)
    if invitation.expires_at <= timezone.now():
        raise ActionError(_("This invitation has expired; ask for a new one."), code="expired", status=410)
    return invitation


@transaction.atomic
def do_accept_invitation(*, user, token) -> Membership:
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().select_related("space").get(pk=invitation.pk)
    if invitation.accepted_at:  # accepted in a parallel request
        raise ActionError(_("This invitation has already been used."), code="used", status=410)
    if invitation.user_id and invitation.user_id != user.pk:
        raise ActionError(_("This invitation is for another account."), code="other_account", status=403)
    return _accept(invitation, user)


def _accept(invitation, user):
    space = invitation.space
    _not_archived(space)
    membership, _created = _add_member(space, user, invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    record(actor=user, verb="space.joined", target=space, space=space)
    _welcome(space, user)
    return membership


@transaction.atomic
def do_accept_invitations_for_email(*, user, email) -> list:
    """After someone confirms an address, open invitations to it are accepted: they land in the space."""
    accepted = []
    for invitation in (
        Invitation.objects.select_for_update()
        .select_related("space")
        .filter(
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
    ):
        if not invitation.space.is_archived:
            accepted.append(_accept(invitation, user))
    return accepted


@transaction.atomic
def do_set_archived(*, actor, space, archived) -> Space:
    check(actor, "manage", space)
    Space.objects.filter(pk=space.pk).update(is_archived=archived)
    space.is_archived = archived
    if archived:
        # Rooms of the space and of the spaces inside it stop taking writes at once.
        access_changed_on_commit(space_ids=[space.pk], reason="archived")
    record(actor=actor, verb="space.archived" if archived else "space.restored", target=space, space=space)
    return space


GRANTS = ("view_space", "contribute_space", "moderate_space", "manage_space")


@transaction.atomic
def do_set_grant(*, actor, space, codename, granted, user=None, group=None) -> bool:
    """Give or take a django-guardian grant on a space (to a person or an auth group). Owners only."""
    from guardian.shortcuts import assign_perm, remove_perm

    check(actor, "manage", space)
    if codename not in GRANTS:
        raise ActionError(_("Unknown permission."), code="bad_permission")
    if (user is None) == (group is None):
        raise ActionError(_("Give the permission to a person or a group."), code="bad_grantee")
    grantee = user or group
    base = Space.objects.get(pk=space.pk)  # grants are on the space itself, whatever its kind
    if granted:
        assign_perm(f"spaces.{codename}", grantee, base)
    else:
        remove_perm(f"spaces.{codename}", grantee, base)
        if user is not None:
            access_changed_on_commit(user_ids=[user.pk], reason="grant_removed")
        else:
            access_changed_on_commit(
                user_ids=list(group.user_set.values_list("pk", flat=True)), reason="grant_removed"
            )
    record(
        actor=actor,
        verb="space.grant_changed",
        target=space,
        space=space,
        audience="only_me",
        data={"permission": codename, "granted": bool(granted)},
    )
    return granted


def may_join_directly(user, space) -> bool:
    return bool(_option(check_may_join, user, space))

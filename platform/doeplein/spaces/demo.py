"""Demo-data helpers every kind of space uses: the demo people, members, pending requests, invitations."""

import secrets
from datetime import timedelta

from django.utils import timezone

DEMO_OWNER = "ambtenaar@minbzk.nl"
PEOPLE_DOMAIN = "@doeplein.example"


def demo_people():
    """The demo's people (the core demo step made them), in a stable order, without the civil servant."""
    from doeplein.accounts.models import User

    return list(User.objects.filter(email__endswith=PEOPLE_DOMAIN, is_active=True).order_by("pk"))


def ensure_members(space, people, start, roles):
    """Give ``space`` one person per role in ``roles``, taken from ``people`` from ``start`` on."""
    from doeplein.spaces.models import Membership, Role, Space

    # The people of a space inside another space are members of that parent too: the parent's wall
    # applies to everything inside it, so without that they could not see their own space.
    parents = []
    parent = space.parent
    while parent is not None:
        parents.append(parent)
        parent = parent.parent
    for offset, role in enumerate(roles):
        person = people[(start + offset) % len(people)]
        Membership.objects.get_or_create(space=space, user=person, defaults={"role": role})
        for parent in parents:
            Membership.objects.get_or_create(space=parent, user=person, defaults={"role": Role.MEMBER})
    for counted in [space, *parents]:
        Space.objects.filter(pk=counted.pk).update(
            member_count=Membership.objects.filter(space=counted).count()
        )


def ensure_pending_requests(space, people, start, count=2):
    from doeplein.spaces.models import JoinRequest, Membership

    members = set(Membership.objects.filter(space=space).values_list("user_id", flat=True))
    for person in [p for p in people[start:] + people[:start] if p.pk not in members][:count]:
        JoinRequest.objects.get_or_create(
            space=space,
            user=person,
            status=JoinRequest.Status.PENDING,
            defaults={"message": "Ik werk hier ook aan; mag ik meedoen?"},
        )


def ensure_open_invitations(space, inviter, emails):
    """Open invitations, made directly (no e-mail is sent for demo data)."""
    from doeplein.accounts.models import User
    from doeplein.spaces.actions import INVITATION_DAYS, _hash
    from doeplein.spaces.models import Invitation, Membership, Role

    for email in emails:
        user = User.objects.filter(email__iexact=email).first()
        if user and Membership.objects.filter(space=space, user=user).exists():
            continue
        if Invitation.objects.filter(
            space=space,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists():
            continue
        Invitation.objects.create(
            space=space,
            email=email,
            user=user,
            role=Role.MEMBER,
            invited_by=inviter,
            token_hash=_hash(secrets.token_urlsafe(32)),
            sent_at=timezone.now(),
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )

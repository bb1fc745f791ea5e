"""Reading memberships, requests and invitations of a space, through the gate."""

from django.db.models import Q, QuerySet

from doeplein.access import can, check

from .models import Invitation, JoinRequest, Membership, Role


def member_list(*, user, space, q=None, role=None) -> QuerySet:
    """Members of a space, with their profiles, in one query whatever the number of members."""
    check(user, "view", space)
    qs = Membership.objects.filter(space=space, user__is_active=True, user__is_deleted=False)
    if q:
        qs = qs.filter(
            Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
            | (Q(user__profile__organisation__icontains=q) & _organisation_shown_to(user))
        )
    if role:
        qs = qs.filter(role=role)
    return qs.select_related("user", "user__profile").order_by("-role", "user__first_name", "user__pk")


def _organisation_shown_to(viewer):
    """Profiles whose organisation ``viewer`` may see, so that a search cannot reveal a hidden one.

    The same rule as :func:`doeplein.access.audience_allows` with ``Profile.audience_for``: no choice
    means the default, everyone.
    """
    active = viewer.is_authenticated and viewer.is_active and not getattr(viewer, "is_deleted", False)
    if active and viewer.is_superuser:
        return Q(pk__isnull=False)
    audiences = ["everyone"] + (["logged_in"] if active else [])
    shown = (
        Q(user__profile__audience__organisation__in=audiences)
        | Q(user__profile__audience__organisation__isnull=True)
        | Q(user__profile__audience__organisation=None)
        | Q(user__profile__audience__organisation="")
    )
    return (shown | Q(user=viewer)) if active else shown


def pending_requests(*, user, space) -> QuerySet:
    check(user, "moderate", space)
    return (
        JoinRequest.objects.filter(space=space, status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at")
    )


def open_invitations(*, user, space) -> QuerySet:
    check(user, "moderate", space)
    return (
        Invitation.objects.filter(space=space, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("user", "invited_by")
        .order_by("-created_at")
    )


def membership_of(*, user, space) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(space=space, user=user).first()


def pending_request_of(*, user, space) -> JoinRequest | None:
    if not user.is_authenticated:
        return None
    return JoinRequest.objects.filter(space=space, user=user, status=JoinRequest.Status.PENDING).first()


def contributors(space, limit) -> list:
    """Up to ``limit`` active members of ``space`` the gate lets contribute there, highest role first
    (a child space's members may lack the parent's wall). For plugins' demo data and suggestions."""
    people = []
    memberships = (
        Membership.objects.filter(space=space, role__gte=Role.MEMBER, user__is_active=True)
        .select_related("user")
        .order_by("-role", "pk")
    )
    for membership in memberships.iterator():
        if can(membership.user, "contribute", space):
            people.append(membership.user)
            if len(people) == limit:
                break
    return people

"""Who may join, ask to join, withdraw a request or leave a space: written once, here.

Each rule is a ``check_*`` function that raises (Http404 for a space the person may not know of,
PermissionDenied, or :class:`~doeplein.core.exceptions.ActionError` with a code and a clear reason).
The membership actions (:mod:`doeplein.spaces.actions`) call them before they change anything;
:func:`membership_options` asks every one of them and returns each move with its verdict and reason,
and the HTML membership box (``membership_context``), the API (``membership_state``) and the
templates show exactly that. Nothing else decides.

Where the older copies disagreed, the safer rule won (see docs/architecture.md, "Membership rules"):

* a secret space is joined by invitation only, whatever its join policy (the page said so; the API
  and ``do_request_to_join`` did not);
* a person with a pending request may not ask again (the page hid the button, the API offered it);
* an archived space takes no joins, no requests and no new groups (checked in the action, not the caller).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.core.exceptions import ActionError

from .models import JoinPolicy, JoinRequest, Membership, Role, Visibility


@dataclass(frozen=True)
class Option:
    """One move: ``allowed``, and when not, the refusal's ``code`` and ``reason`` (shown to the person)."""

    allowed: bool
    code: str = ""
    reason: str = ""

    def __bool__(self):
        return self.allowed


@dataclass(frozen=True)
class MembershipOptions:
    membership: Membership | None
    pending_request: JoinRequest | None
    join: Option
    request: Option
    withdraw: Option
    leave: Option

    @property
    def invitation_only(self) -> bool:
        """Not a member, and neither joining nor asking is possible: only an invitation lets one in."""
        return (
            self.membership is None
            and self.join.code == "invitation_needed"
            and self.request.code in ("invitation_needed", "no_requests")
        )


_UNSET = object()


def _membership(user, space, membership):
    if membership is not _UNSET:
        return membership
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(space=space, user=user).first()


def _pending(user, space, pending):
    if pending is not _UNSET:
        return pending
    if not user.is_authenticated:
        return None
    return JoinRequest.objects.filter(space=space, user=user, status=JoinRequest.Status.PENDING).first()


def _archived(space):
    return ActionError(_("This space is archived: it can be read, not changed."), code="archived", status=409)


def _invitation_only(space):
    return space.join_policy == JoinPolicy.INVITATION or space.visibility == Visibility.SECRET


def _may_knock(user, space, membership):
    """What joining and asking share: the person may find the space, is logged in, not yet a member."""
    check(user, "discover", space)
    if not user.is_authenticated:
        raise PermissionDenied
    if space.is_archived:
        raise _archived(space)
    if membership is not None:
        raise ActionError(_("You are already a member."), code="already_member", status=409)


def check_may_join(user, space, *, membership=_UNSET) -> None:
    """Join directly: an open space that is not secret."""
    _may_knock(user, space, _membership(user, space, membership))
    if _invitation_only(space):
        raise ActionError(
            _("You can only join this space by invitation."), code="invitation_needed", status=403
        )
    if space.join_policy == JoinPolicy.REQUEST:
        raise ActionError(_("This space is open on request: ask to join."), code="request_needed", status=403)


def check_may_request(user, space, *, membership=_UNSET, pending=_UNSET) -> None:
    """Ask to join: a space "on request" that is not secret, and no request of theirs pending."""
    _may_knock(user, space, _membership(user, space, membership))
    if space.join_policy != JoinPolicy.REQUEST:
        raise ActionError(_("This space does not take requests to join."), code="no_requests", status=403)
    if space.visibility == Visibility.SECRET:
        raise ActionError(
            _("You can only join this space by invitation."), code="invitation_needed", status=403
        )
    if _pending(user, space, pending) is not None:
        raise ActionError(
            _("You have already asked to join; the managers will answer."),
            code="duplicate_request",
            status=409,
        )


def check_may_withdraw(user, space, *, pending=_UNSET) -> None:
    check(user, "discover", space)
    if not user.is_authenticated:
        raise PermissionDenied
    if _pending(user, space, pending) is None:
        raise ActionError(_("You have no pending request to withdraw."), code="no_request", status=409)


def check_may_leave(user, space, *, membership=_UNSET, owner_count=None) -> None:
    if not user.is_authenticated:
        raise PermissionDenied
    membership = _membership(user, space, membership)
    if membership is None:
        raise ActionError(_("You are not a member."), code="not_member", status=409)
    if membership.role == Role.OWNER:
        owners = (
            owner_count
            if owner_count is not None
            else Membership.objects.filter(space=space, role=Role.OWNER).count()
        )
        if owners <= 1:
            raise ActionError(
                _("You are the last owner: hand over ownership before you leave."),
                code="last_owner",
                status=409,
            )
    elif not space.allow_leaving:
        raise ActionError(
            _("Members cannot leave this space; ask its managers."), code="leaving_forbidden", status=403
        )


def _option(checker, *args, **kwargs) -> Option:
    try:
        checker(*args, **kwargs)
    except ActionError as error:
        return Option(False, error.code, error.message)
    except PermissionDenied as error:
        return Option(False, "forbidden", str(error))
    except Http404:
        return Option(False, "not_found", "")
    return Option(True)


def membership_options(user, space) -> MembershipOptions:
    """Every membership move ``user`` may make in ``space``, with the reason for each refusal.
    A constant number of queries: the membership and pending request are read once."""
    membership = _membership(user, space, _UNSET)
    pending = None if membership is not None else _pending(user, space, _UNSET)
    owner_count = None
    if membership is not None and membership.role == Role.OWNER:
        owner_count = Membership.objects.filter(space=space, role=Role.OWNER).count()
    return MembershipOptions(
        membership=membership,
        pending_request=pending,
        join=_option(check_may_join, user, space, membership=membership),
        request=_option(check_may_request, user, space, membership=membership, pending=pending),
        withdraw=_option(check_may_withdraw, user, space, pending=pending),
        leave=_option(check_may_leave, user, space, membership=membership, owner_count=owner_count),
    )


def may_create_in(user, space) -> bool:
    """May ``user`` add things (groups, posts) in ``space``: it is not archived and they may contribute."""
    return not space.is_archived and can(user, "contribute", space)

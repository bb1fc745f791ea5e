"""Membership of any kind of space, as JSON: join, request, invite, roles, leave, archive.

Generic over spaces (workspaces, groups, what plugins add later): the endpoints look the space up
through the access gate (a secret space is a 404 to outsiders) and call the same actions the pages
call (:mod:`doeplein.spaces.actions`). Refusals arrive as :class:`~doeplein.core.exceptions.ActionError`
and leave as ``{"detail": …, "code": …}`` with the action's 4xx status (see ``doeplein.api.urls``).

Also home to the small helpers the plugins' routers share: pagination and role names.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from doeplein.access import can, get_object_or_404, role_in
from doeplein.api.auth import OPTIONAL
from doeplein.api.common import STRICT, Id, PageOut, Text, paginate
from doeplein.core.exceptions import ActionError

from . import actions
from .eligibility import membership_options
from .kinds import role_label, space_url
from .models import Invitation, JoinRequest, Role, Space
from .selectors import (
    member_list,
    open_invitations,
    pending_requests,
)

router = Router(tags=["spaces"])

# --- Shared by the plugins' routers -----------------------------------------------------------------
ROLE_NAMES = {
    Role.GUEST: "guest",
    Role.MEMBER: "member",
    Role.COMMUNITY_MANAGER: "community_manager",
    Role.OWNER: "owner",
}
ROLES_BY_NAME = {name: role for role, name in ROLE_NAMES.items()}
RoleName = Literal["guest", "member", "community_manager", "owner"]


def role_name(role):
    return ROLE_NAMES.get(role) if role is not None else None


def my_roles(user, spaces):
    """``{space_id: role name}`` for the caller in ``spaces``, in one query (for list pages)."""
    from doeplein.spaces.models import Membership

    if not user.is_authenticated or not spaces:
        return {}
    rows = Membership.objects.filter(user=user, space_id__in=[s.pk for s in spaces]).values_list(
        "space_id", "role"
    )
    return {space_id: ROLE_NAMES[role] for space_id, role in rows}


def refuse_if_archived(space):
    """Writes on an archived space answer 409 with a clear reason instead of the gate's 403.

    For the few actions that leave the archived check to the gate (resend and revoke an invitation,
    create a group in a workspace).

    Called after the caller was allowed to see the space, so that a secret space stays a 404.
    """
    if space.is_archived:
        raise ActionError(
            _("This space is archived: it can be read, not changed."), code="archived", status=409
        )


def membership_state(user, space):
    """What the caller is in ``space`` and may do about joining it."""
    role = role_in(user, space)
    # The same verdicts as the HTML membership box: both show what the actions' own checks say.
    options = membership_options(user, space)
    own = options.membership
    return {
        "my_role": role_name(own.role) if own else None,
        "effective_role": role_name(role),
        "pending_request": options.pending_request is not None,
        "may_join": options.join.allowed,
        "may_request": options.request.allowed,
        "may_leave": options.leave.allowed,
        "may_moderate": can(user, "moderate", space),
        "may_manage": can(user, "manage", space),
    }


# --- Schemas -------------------------------------------------------------------------------------------
class MembershipStateOut(Schema):
    """The caller's place in a space and the membership moves open to them (from the actions' checks).
    Every kind's detail schema (a workspace's, a group's) includes it."""

    effective_role: RoleName | None = Field(
        None, description="Including oversight inherited from a parent space."
    )
    pending_request: bool
    may_join: bool
    may_request: bool
    may_leave: bool
    may_moderate: bool
    may_manage: bool


class SpaceOut(MembershipStateOut):
    id: int
    kind: str
    name: str
    visibility: str
    join_policy: str
    allow_leaving: bool
    is_archived: bool
    member_count: int
    parent_id: int | None
    url: str | None
    my_role: RoleName | None = Field(None, description="The caller's own membership role, if any.")


class MemberOut(Schema):
    user_id: int
    name: str
    role: RoleName
    role_label: str
    since: datetime


class MemberPage(PageOut):
    results: list[MemberOut]


class MembershipOut(Schema):
    space_id: int
    user_id: int
    role: RoleName
    role_label: str
    welcome_message: str


class RequestIn(Schema):
    model_config = STRICT

    message: Text = Field("", max_length=1000)


class RequestOut(Schema):
    id: int
    space_id: int
    user_id: int
    name: str
    message: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_message: str


class DecisionIn(Schema):
    model_config = STRICT

    approve: StrictBool
    message: Text = Field("", max_length=1000)


class InvitationIn(Schema):
    model_config = STRICT

    email: Text = Field(..., min_length=3, max_length=254, json_schema_extra={"format": "email"})
    role: Literal["guest", "member", "community_manager"] = Field(
        "member", description="Roles above member (community_manager) are given by owners only."
    )


class InvitationOut(Schema):
    id: int
    space_id: int
    email: str
    user_id: int | None = Field(None, description="The account that accepted; null until then.")
    role: RoleName
    invited_by: str | None
    created_at: datetime
    sent_at: datetime | None
    expires_at: datetime
    accepted: bool
    revoked: bool
    is_open: bool


class InvitationPreviewOut(Schema):
    space_id: int
    space_name: str
    kind: str
    role: RoleName
    expires_at: datetime
    for_other_account: bool


class RoleIn(Schema):
    model_config = STRICT

    role: RoleName


# --- Helpers -------------------------------------------------------------------------------------------
def _space(request, space_id, action="view"):
    """The space, if the caller may see it; a missing or secret space is the same 404."""
    return get_object_or_404(request.user, Space.objects.select_related("parent"), action, pk=space_id)


def _role_label(space, role):
    return role_label(space, role)


def _space_out(user, space):
    return {
        "id": space.pk,
        "kind": space.kind,
        "name": space.name,
        "visibility": space.visibility,
        "join_policy": space.join_policy,
        "allow_leaving": space.allow_leaving,
        "is_archived": space.is_archived,
        "member_count": space.member_count,
        "parent_id": space.parent_id,
        "url": space_url(space),
        **membership_state(user, space),
    }


def _membership_out(space, membership):
    return {
        "space_id": space.pk,
        "user_id": membership.user_id,
        "role": ROLE_NAMES[membership.role],
        "role_label": _role_label(space, membership.role),
        "welcome_message": space.welcome_message,
    }


def _request_out(join_request):
    return {
        "id": join_request.pk,
        "space_id": join_request.space_id,
        "user_id": join_request.user_id,
        "name": join_request.user.display_name,
        "message": join_request.message,
        "status": join_request.status,
        "created_at": join_request.created_at,
        "decided_at": join_request.decided_at,
        "decision_message": join_request.decision_message,
    }


def _invitation_out(invitation):
    return {
        "id": invitation.pk,
        "space_id": invitation.space_id,
        "email": invitation.email,
        # Who the address belongs to is shown only once they accepted: an invitation never confirms
        # that an address has an account.
        "user_id": invitation.user_id if invitation.accepted_at else None,
        "role": ROLE_NAMES[invitation.role],
        "invited_by": invitation.invited_by.display_name if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "accepted": invitation.accepted_at is not None,
        "revoked": invitation.revoked_at is not None,
        "is_open": invitation.is_open,
    }


def _person(user_id):
    from doeplein.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True, is_deleted=False).first()
    if user is None:
        raise Http404
    return user


# --- Endpoints -----------------------------------------------------------------------------------------
@router.get(
    "/spaces/{space_id}", response=SpaceOut, auth=OPTIONAL, summary="A space and the caller's place in it"
)
def space_detail(request, space_id: Id):
    return _space_out(request.user, _space(request, space_id, "discover"))


@router.get("/spaces/{space_id}/members", response=MemberPage, auth=OPTIONAL, summary="Members, with roles")
def members(
    request, space_id: Id, q: str = "", role: RoleName | None = None, page: int = 1, per_page: int = 50
):
    space = _space(request, space_id)
    queryset = member_list(user=request.user, space=space, q=q.strip() or None, role=ROLES_BY_NAME.get(role))

    def serialize(memberships):
        return [
            {
                "user_id": m.user_id,
                "name": m.user.display_name,
                "role": ROLE_NAMES[m.role],
                "role_label": _role_label(space, m.role),
                "since": m.created_at,
            }
            for m in memberships
        ]

    return paginate(queryset, page=page, per_page=per_page, serialize=serialize)


@router.post("/spaces/{space_id}/join", response=MembershipOut, summary="Join an open space")
def join(request, space_id: Id):
    space = _space(request, space_id, "discover")
    return _membership_out(space, actions.do_join(user=request.user, space=space))


@router.post("/spaces/{space_id}/leave", response={204: None}, summary="Leave a space")
def leave(request, space_id: Id):
    actions.do_leave(user=request.user, space=_space(request, space_id))
    return Status(204, None)


@router.post("/spaces/{space_id}/requests", response={201: RequestOut}, summary="Ask to join")
def request_to_join(request, space_id: Id, payload: RequestIn):
    space = _space(request, space_id, "discover")
    join_request = actions.do_request_to_join(user=request.user, space=space, message=payload.message)
    return Status(201, _request_out(join_request))


@router.delete(
    "/spaces/{space_id}/requests/mine", response={204: None}, summary="Withdraw my request to join"
)
def withdraw_request(request, space_id: Id):
    if not actions.do_withdraw_request(user=request.user, space=_space(request, space_id, "discover")):
        raise ActionError(_("You have no pending request here."), code="no_request", status=404)
    return Status(204, None)


@router.get("/spaces/{space_id}/requests", response=list[RequestOut], summary="Pending requests (managers)")
def requests(request, space_id: Id):
    space = _space(request, space_id)
    return [_request_out(r) for r in pending_requests(user=request.user, space=space)]


@router.post(
    "/spaces/{space_id}/requests/{request_id}/decision",
    response=RequestOut,
    summary="Approve or reject a request",
)
def decide(request, space_id: Id, request_id: Id, payload: DecisionIn):
    space = _space(request, space_id)
    if not JoinRequest.objects.filter(pk=request_id, space=space).exists():
        raise Http404
    join_request = actions.do_decide_request(
        actor=request.user, request_id=request_id, approve=payload.approve, message=payload.message
    )
    return _request_out(join_request)


@router.get(
    "/spaces/{space_id}/invitations", response=list[InvitationOut], summary="Open invitations (managers)"
)
def invitations(request, space_id: Id):
    space = _space(request, space_id)
    return [_invitation_out(i) for i in open_invitations(user=request.user, space=space)]


@router.post(
    "/spaces/{space_id}/invitations", response={201: InvitationOut}, summary="Invite a person or an address"
)
def invite(request, space_id: Id, payload: InvitationIn):
    """The link goes to the invitee by e-mail (and in-app to an existing account); it is never in the answer."""
    try:
        validate_email(payload.email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    space = _space(request, space_id)
    invitation, _token = actions.do_invite(
        actor=request.user, space=space, email=payload.email, role=ROLES_BY_NAME[payload.role]
    )
    return Status(201, _invitation_out(invitation))


def _invitation_in(space, invitation_id):
    if not Invitation.objects.filter(pk=invitation_id, space=space).exists():
        raise Http404
    refuse_if_archived(space)


@router.post(
    "/spaces/{space_id}/invitations/{invitation_id}/resend", response=InvitationOut, summary="Send a new link"
)
def resend(request, space_id: Id, invitation_id: Id):
    _invitation_in(_space(request, space_id), invitation_id)
    invitation, _token = actions.do_resend_invitation(actor=request.user, invitation_id=invitation_id)
    return _invitation_out(invitation)


@router.delete(
    "/spaces/{space_id}/invitations/{invitation_id}", response={204: None}, summary="Revoke an invitation"
)
def revoke(request, space_id: Id, invitation_id: Id):
    _invitation_in(_space(request, space_id), invitation_id)
    actions.do_revoke_invitation(actor=request.user, invitation_id=invitation_id)
    return Status(204, None)


@router.get(
    "/invitations/{token}",
    response=InvitationPreviewOut,
    auth=OPTIONAL,
    summary="What an invitation link is for",
)
def invitation_preview(request, token: str):
    """Whoever holds a valid link may see where it leads, also a secret space; an unusable link says why."""
    invitation = actions.invitation_for_token(token)
    return {
        "space_id": invitation.space_id,
        "space_name": invitation.space.name,
        "kind": invitation.space.kind,
        "role": ROLE_NAMES[invitation.role],
        "expires_at": invitation.expires_at,
        "for_other_account": bool(
            request.user.is_authenticated and invitation.user_id and invitation.user_id != request.user.pk
        ),
    }


@router.post("/invitations/{token}/accept", response=MembershipOut, summary="Accept an invitation")
def accept_invitation(request, token: str):
    membership = actions.do_accept_invitation(user=request.user, token=token)
    return _membership_out(membership.space, membership)


@router.put(
    "/spaces/{space_id}/members/{user_id}/role", response=MembershipOut, summary="Change a member's role"
)
def change_role(request, space_id: Id, user_id: Id, payload: RoleIn):
    space = _space(request, space_id)
    membership = actions.do_change_role(
        actor=request.user, space=space, user=_person(user_id), role=ROLES_BY_NAME[payload.role]
    )
    return _membership_out(space, membership)


@router.post(
    "/spaces/{space_id}/members/{user_id}/ownership",
    response=SpaceOut,
    summary="Hand ownership over to a member (the caller stays on as community manager)",
)
def transfer_ownership(request, space_id: Id, user_id: Id):
    space = _space(request, space_id)
    actions.do_transfer_ownership(actor=request.user, space=space, user=_person(user_id))
    return _space_out(request.user, space)


@router.delete("/spaces/{space_id}/members/{user_id}", response={204: None}, summary="Remove a member")
def remove_member(request, space_id: Id, user_id: Id):
    space = _space(request, space_id)
    actions.do_remove_member(actor=request.user, space=space, user=_person(user_id))
    return Status(204, None)


@router.post(
    "/spaces/{space_id}/archive", response=SpaceOut, summary="Archive: read-only, still findable by members"
)
def archive(request, space_id: Id):
    space = actions.do_set_archived(actor=request.user, space=_space(request, space_id), archived=True)
    return _space_out(request.user, space)


@router.post("/spaces/{space_id}/restore", response=SpaceOut, summary="Restore an archived space")
def restore(request, space_id: Id):
    space = actions.do_set_archived(actor=request.user, space=_space(request, space_id), archived=False)
    return _space_out(request.user, space)

"""Groups as JSON: list, create, read and change groups.

Mounted at /api/v1/ through the ``doeplein_api_routers`` hook. Joining, requests, invitations and
roles are the core's membership endpoints at /api/v1/spaces/{id}/… (a group's id is its space id).
"""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StringConstraints

from doeplein.api.auth import OPTIONAL
from doeplein.api.common import STRICT, Id, PageOut, paginate
from doeplein.spaces.api import MembershipStateOut, RoleName, membership_state, my_roles
from doeplein.spaces.kinds import find_by_slug
from doeplein.spaces.models import Space

from . import actions, selectors
from .models import Group

router = Router(tags=["groups"])

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
]
Policy = Literal["open", "request", "invitation", "secret"]
# A secret group is secret through its policy; the visibility of the others is one of these.
Visibility = Literal["public", "logged_in", "members"]


class WorkspaceRef(Schema):
    id: int
    slug: str
    name: str


class GroupOut(Schema):
    id: int = Field(..., description="Also the space id for /api/v1/spaces/{id}/….")
    slug: str
    name: str
    description: str
    policy: Policy
    visibility: str
    workspace: WorkspaceRef | None
    member_count: int
    is_archived: bool
    allow_leaving: bool
    created_at: datetime
    url: str
    my_role: RoleName | None


class GroupPage(PageOut):
    results: list[GroupOut]


class GroupDetailOut(GroupOut, MembershipStateOut):
    welcome_message: str | None = Field(..., description="Shown to members only.")


class GroupIn(Schema):
    model_config = STRICT

    name: Name
    slug: Slug
    workspace: str | None = Field(None, description="The workspace's slug; null for a platform-wide group.")
    policy: Policy = "request"
    visibility: Visibility = "members"
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    welcome_message: str = Field("", max_length=2000)
    allow_leaving: StrictBool = True


class GroupPatch(Schema):
    """Only the fields sent change (owners)."""

    model_config = STRICT

    name: Name | None = None
    policy: Policy | None = None
    visibility: Visibility | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    welcome_message: str | None = Field(None, max_length=2000)
    allow_leaving: StrictBool | None = None


def _parents(groups):
    """The spaces the groups live in (of any kind), each looked up once: ``{space_id: specific}``."""
    ids = {g.parent_id for g in groups if g.parent_id}
    return {space.pk: space.specific for space in Space.objects.filter(pk__in=ids)}


def _workspace_ref(group, parents):
    parent = parents.get(group.parent_id) if group.parent_id else None
    if parent is None:
        return None
    return {"id": parent.pk, "slug": getattr(parent, "slug", ""), "name": parent.name}


def _summary(group, roles, parents=None):
    return {
        "id": group.pk,
        "slug": group.slug,
        "name": group.name,
        "description": group.description,
        "policy": group.policy,
        "visibility": group.visibility,
        "workspace": _workspace_ref(group, parents if parents is not None else _parents([group])),
        "member_count": group.member_count,
        "is_archived": group.is_archived,
        "allow_leaving": group.allow_leaving,
        "created_at": group.created_at,
        "url": group.get_absolute_url(),
        "my_role": roles.get(group.pk),
    }


def _parent(user, slug):
    """The space a group lives in, by its web address (a workspace's slug, or any kind's that has
    slugs), through the gate: 404 when the caller may not find it."""
    return find_by_slug(user, slug, exclude=(Group.KIND,)) if slug else None


def _group(user, pk):
    return selectors.group_by_id(user=user, pk=pk)


def _detail(user, group):
    state = membership_state(user, group)
    return {
        **_summary(group, {group.pk: state["my_role"]}),
        **state,
        "welcome_message": group.welcome_message if state["effective_role"] else None,
    }


@router.get("/groups", response=GroupPage, auth=OPTIONAL, summary="Groups the caller may see")
def group_list(
    request, workspace: str | None = None, q: str = "", mine: bool = False, page: int = 1, per_page: int = 25
):
    """``workspace`` is a workspace slug; a workspace the caller may not see is a 404."""
    in_workspace = _parent(request.user, workspace)
    queryset = selectors.group_list(user=request.user, workspace=in_workspace, q=q.strip() or None, mine=mine)

    def serialize(groups):
        roles, parents = my_roles(request.user, groups), _parents(groups)
        return [_summary(g, roles, parents) for g in groups]

    return paginate(queryset, page=page, per_page=per_page, serialize=serialize)


@router.post("/groups", response={201: GroupDetailOut}, summary="Create a group")
def create_group(request, payload: GroupIn):
    """In a workspace: its members (not guests). Platform-wide: civil servants. The creator is the owner."""
    data = payload.dict()
    slug = data.pop("workspace")
    group = actions.do_create_group(user=request.user, parent=_parent(request.user, slug), **data)
    return Status(201, _detail(request.user, _group(request.user, group.pk)))


@router.get("/groups/{group_id}", response=GroupDetailOut, auth=OPTIONAL, summary="A group")
def group_detail(request, group_id: Id):
    return _detail(request.user, _group(request.user, group_id))


@router.patch("/groups/{group_id}", response=GroupDetailOut, summary="Change a group")
def update_group(request, group_id: Id, payload: GroupPatch):
    group = _group(request.user, group_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    actions.do_update_group(user=request.user, group=group, **data)
    return _detail(request.user, _group(request.user, group_id))

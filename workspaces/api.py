"""Workspaces as JSON: the directory, opening and changing a workspace, the themes.

Mounted at /api/v1/ through the ``doeplein_api_routers`` hook. Reads go through the selectors (the
access gate), writes through :mod:`workspaces.actions`; membership lives at /api/v1/spaces/{id}/….
"""

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StringConstraints
from wagtail.admin.rich_text.converters.db_html import DbHTMLConverter
from wagtail.rich_text import expand_db_html

from doeplein.access import can
from doeplein.api.auth import OPTIONAL
from doeplein.api.common import STRICT, PageOut, paginate
from doeplein.home.models import Theme
from doeplein.spaces.api import MembershipStateOut, RoleName, membership_state, my_roles

from . import actions, selectors
from .models import Workspace

router = Router(tags=["workspaces"])

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Visibility = Literal["public", "logged_in", "members", "secret"]
JoinPolicy = Literal["open", "request", "invitation"]


class ThemeOut(Schema):
    slug: str
    name: str


class ThemeCountOut(ThemeOut):
    description: str
    count: int = Field(..., description="Workspaces on this theme the caller may see.")


class WorkspaceOut(Schema):
    id: int = Field(..., description="Also the space id for /api/v1/spaces/{id}/….")
    slug: str
    name: str
    description: str
    themes: list[ThemeOut]
    tags: list[str]
    visibility: Visibility
    join_policy: JoinPolicy
    is_archived: bool
    member_count: int
    created_at: datetime
    last_activity_at: datetime | None
    cover_image: str | None
    url: str
    my_role: RoleName | None


class WorkspacePage(PageOut):
    results: list[WorkspaceOut]


class WorkspaceDetailOut(WorkspaceOut, MembershipStateOut):
    welcome: str | None = Field(
        ..., description="Rich text, as HTML; null for those who may only see the card."
    )
    welcome_message: str | None
    allow_leaving: bool


class WorkspaceIn(Schema):
    model_config = STRICT

    name: Name
    slug: Slug
    themes: list[Slug] = Field(..., min_length=1, max_length=20, description="Theme slugs (see /themes).")
    tags: list[Tag] = Field([], max_length=30)
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    welcome: str = Field(
        "", max_length=20000, description="Rich text as HTML; what the editor does not allow is removed."
    )
    welcome_message: str = Field("", max_length=2000)
    visibility: Visibility = "members"
    join_policy: JoinPolicy = "request"
    allow_leaving: StrictBool = True


class WorkspacePatch(Schema):
    """Only the fields sent change. Community managers may change ``welcome`` and ``welcome_message``."""

    model_config = STRICT

    name: Name | None = None
    themes: list[Slug] | None = Field(None, min_length=1, max_length=20)
    tags: list[Tag] | None = Field(None, max_length=30)
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    welcome: str | None = Field(None, max_length=20000)
    welcome_message: str | None = Field(None, max_length=2000)
    visibility: Visibility | None = None
    join_policy: JoinPolicy | None = None
    allow_leaving: StrictBool | None = None


def _themes(slugs):
    """The themes the slugs name; an unknown slug is a 422 naming it."""
    themes = list(Theme.objects.filter(slug__in=set(slugs)))
    unknown = sorted(set(slugs) - {t.slug for t in themes})
    if unknown:
        raise ValidationError(
            {"themes": [_("Unknown theme: %(slug)s.") % {"slug": slug} for slug in unknown]}
        )
    return themes


def _clean_welcome(html):
    features = Workspace._meta.get_field("welcome").features
    cleaned, _removals = DbHTMLConverter(features=features).clean(html)
    return cleaned


def _summary(workspace, roles):
    return {
        "id": workspace.pk,
        "slug": workspace.slug,
        "name": workspace.name,
        "description": workspace.description,
        "themes": [{"slug": t.slug, "name": t.name} for t in workspace.themes.all()],
        "tags": sorted(item.tag.name for item in workspace.tagged_items.all()),
        "visibility": workspace.visibility,
        "join_policy": workspace.join_policy,
        "is_archived": workspace.is_archived,
        "member_count": workspace.member_count,
        "created_at": workspace.created_at,
        "last_activity_at": workspace.last_activity_at,
        "cover_image": workspace.cover_image.file.url if workspace.cover_image_id else None,
        "url": workspace.get_absolute_url(),
        "my_role": roles.get(workspace.pk),
    }


def _detail(user, workspace):
    state = membership_state(user, workspace)
    return {
        **_summary(workspace, {workspace.pk: state["my_role"]}),
        **state,
        # A members-only workspace shows its card to everyone logged in; its texts only to viewers.
        "welcome": expand_db_html(workspace.welcome) if can(user, "view", workspace) else None,
        "welcome_message": workspace.welcome_message if can(user, "view", workspace) else None,
        "allow_leaving": workspace.allow_leaving,
    }


@router.get("/workspaces", response=WorkspacePage, auth=OPTIONAL, summary="The directory of workspaces")
def workspace_list(
    request,
    theme: str | None = None,
    q: str = "",
    mine: bool = False,
    sort: Literal["name", "newest", "active"] = "name",
    page: int = 1,
    per_page: int = 25,
):
    """What the caller may see; secret workspaces of others appear nowhere. ``mine`` includes archived ones."""
    queryset = (
        selectors.workspace_list(
            user=request.user, theme=theme or None, q=q.strip() or None, mine=mine, sort=sort
        )
        .select_related("cover_image")
        .prefetch_related("tagged_items__tag")
    )

    def serialize(workspaces):
        roles = my_roles(request.user, workspaces)
        return [_summary(w, roles) for w in workspaces]

    return paginate(queryset, page=page, per_page=per_page, serialize=serialize)


@router.post("/workspaces", response={201: WorkspaceDetailOut}, summary="Open a workspace (civil servants)")
def open_workspace(request, payload: WorkspaceIn):
    data = payload.dict()
    themes = _themes(data.pop("themes"))
    data["welcome"] = _clean_welcome(data["welcome"])
    workspace = actions.do_open_workspace(user=request.user, themes=themes, **data)
    return Status(
        201, _detail(request.user, selectors.workspace_by_slug(user=request.user, slug=workspace.slug))
    )


@router.get("/workspaces/{slug}", response=WorkspaceDetailOut, auth=OPTIONAL, summary="A workspace")
def workspace_detail(request, slug: str):
    return _detail(request.user, selectors.workspace_by_slug(user=request.user, slug=slug))


@router.patch("/workspaces/{slug}", response=WorkspaceDetailOut, summary="Change a workspace")
def update_workspace(request, slug: str, payload: WorkspacePatch):
    workspace = selectors.workspace_by_slug(user=request.user, slug=slug)
    data = payload.dict(exclude_unset=True)
    if "themes" in data and data["themes"] is not None:
        data["themes"] = _themes(data["themes"])
    if data.get("welcome") is not None:
        data["welcome"] = _clean_welcome(data["welcome"])
    # A null means "leave as is" for fields that cannot be empty.
    data = {k: v for k, v in data.items() if v is not None}
    actions.do_update_workspace(user=request.user, workspace=workspace, **data)
    return _detail(request.user, selectors.workspace_by_slug(user=request.user, slug=slug))


@router.get("/themes", response=list[ThemeCountOut], auth=OPTIONAL, summary="Themes, with workspace counts")
def themes(request):
    """The counts leave out what the caller may not see (secret workspaces of others, archived ones)."""
    return [
        {"slug": t.slug, "name": t.name, "description": t.description, "count": n}
        for t, n in selectors.theme_counts(user=request.user)
    ]

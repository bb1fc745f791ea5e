"""The core's API: the current user, profiles, activity, notifications."""

from typing import Annotated

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StringConstraints

from doeplein.accounts import actions
from doeplein.accounts.forms import ProfileForm
from doeplein.accounts.models import Audience, Profile
from doeplein.accounts.selectors import profile_for, profile_view
from doeplein.activity.selectors import activity_feed
from doeplein.notifications.selectors import notification_list

from .auth import OPTIONAL
from .common import MAX_ID, Id

router = Router()


class EntryOut(Schema):
    kind: str
    title: str
    organisation: str
    start_year: int | None
    end_year: int | None


class ProfileOut(Schema):
    id: int
    name: str
    organisation: str | None = None
    job_title: str | None = None
    avatar: str | None = None
    bio: str | None = None
    skills: list[str] | None = None
    themes: list[str] | None = None
    experience: list[EntryOut] | None = None
    education: list[EntryOut] | None = None


class MeOut(Schema):
    id: int
    email: str
    name: str
    first_name: str
    last_name: str
    language: str
    roles: list[str]
    may_open_workspaces: bool
    suggestible: bool
    findable: str = Field(description="Who may find me in the search: everyone, logged_in or only_me.")
    audience: dict[str, str]
    profile: ProfileOut


class ProfileIn(Schema):
    """The fields of my profile that may change; a field not sent stays as it is."""

    # A misspelt or unknown field is an error, not silently ignored (and a body must be an object).
    model_config = ConfigDict(extra="forbid")

    # Required on the profile: it may be left out, not emptied or nulled.
    first_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)] = None
    last_name: str | None = Field(None, max_length=150)
    organisation: str | None = Field(None, max_length=200)
    job_title: str | None = Field(None, max_length=200)
    bio: str | None = Field(None, max_length=4000)
    skills: list[str] | None = Field(None, max_length=50)
    themes: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = None
    suggestible: StrictBool | None = None
    findable: Audience | None = Field(
        None, description="Who may find me in the search (only_me: administrators)."
    )
    audience: dict[str, Audience] | None = Field(
        None,
        description="Who sees each private field of the profile.",
        json_schema_extra={"propertyNames": {"enum": list(Profile.PRIVATE_FIELDS)}},
    )


class ActivityOut(Schema):
    id: int
    actor: str | None
    verb: str
    verb_label: str
    on: str
    space: str | None
    when: str


class PageOut(Schema):
    count: int
    page: int
    pages: int


class ActivityPage(PageOut):
    results: list[ActivityOut]


class NotificationOut(Schema):
    id: int
    verb: str
    message: str  # rendered in the caller's language (their profile's choice)
    params: dict
    url: str
    read: bool
    when: str


def _me(request):
    from doeplein.access import can

    user = request.user
    profile = actions.ensure_profile(user)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": request.LANGUAGE_CODE,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "may_open_workspaces": can(user, "open_workspace"),
        "suggestible": profile.suggestible,
        "findable": profile.findable_by(),
        "audience": {f: profile.audience_for(f) for f in Profile.PRIVATE_FIELDS},
        "profile": profile_view(viewer=user, profile=profile_for(user_id=user.pk)),
    }


@router.get("/me", response=MeOut, summary="The current user", tags=["accounts"])
def me(request):
    return _me(request)


@router.patch("/me/profile", response={200: MeOut, 422: dict}, summary="Change my profile", tags=["accounts"])
def update_my_profile(request, payload: ProfileIn):
    """Only the fields sent change. Validation is the same form the profile page uses."""
    profile = actions.ensure_profile(request.user)
    form = ProfileForm(instance=profile)
    initial = {name: form[name].value() for name in form.fields}
    sent = payload.dict(exclude_unset=True)
    data = {**initial, **{k: v for k, v in sent.items() if k not in ("audience", "skills")}}
    data["skills"] = (
        ", ".join(f'"{s}"' if "," in s or " " in s else s for s in sent["skills"])
        if sent.get("skills") is not None
        else initial["skills"]
    )
    for field_name, value in (sent.get("audience") or {}).items():
        if field_name not in Profile.PRIVATE_FIELDS:
            errors = {"audience": [_("Unknown field %(name)s.") % {"name": field_name[:50]}]}
            return Status(422, {"detail": _("The input is not valid."), "errors": errors})
        data[f"audience_{field_name}"] = value
    data.pop("avatar", None)
    bound = ProfileForm(data, instance=profile)
    if not bound.is_valid():
        return Status(422, {"detail": _("The input is not valid."), "errors": bound.errors.get_json_data()})
    fields, audience = bound.split()
    fields.pop("avatar", None)
    actions.do_update_profile(user=request.user, profile=profile, data=fields, audience=audience)
    return Status(200, _me(request))


@router.get(
    "/people/{int:user_id}",
    response=ProfileOut,
    auth=OPTIONAL,
    summary="A person's profile",
    tags=["accounts"],
)
def person(request, user_id: Id):
    """Only the fields the person shows to the caller; absent fields are hidden, not empty."""
    return profile_view(viewer=request.user, profile=profile_for(user_id=user_id))


@router.get("/activity", response=ActivityPage, auth=OPTIONAL, summary="The activity feed", tags=["activity"])
def activity(request, page: int = 1, per_page: int = 25, actor: int | None = None):
    """What the caller may see, newest first."""
    per_page = max(1, min(per_page, 100))
    filters = {}
    if actor is not None:
        from doeplein.accounts.models import User

        filters["actor"] = get_object_or_404(User, pk=actor, is_active=True)
    paginator = Paginator(activity_feed(user=request.user, **filters), per_page)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [
            {
                "id": a.pk,
                "actor": a.actor.display_name if a.actor else None,
                "verb": a.verb,
                "verb_label": str(a.verb_label),
                "on": a.target_label,
                "space": a.space.name if a.space else None,
                "when": a.created_at.isoformat(),
            }
            for a in current
        ],
    }


@router.get(
    "/notifications", response=list[NotificationOut], summary="My notifications", tags=["notifications"]
)
def notifications(request, unread: bool = False):
    return [
        {
            "id": n.pk,
            "verb": n.verb,
            "message": n.text,
            "params": n.params,
            "url": n.url,
            "read": n.read_at is not None,
            "when": n.created_at.isoformat(),
        }
        for n in notification_list(user=request.user, unread_only=unread)[:100]
    ]

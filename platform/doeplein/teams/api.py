"""Experts and team suggestions as JSON, at /api/v1/teams/… (mounted through the API-routers hook)."""

from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from doeplein.access import get_object_or_404
from doeplein.spaces.models import Space

from . import actions, selectors

router = Router(tags=["experts and teams"])
STRICT = ConfigDict(extra="forbid")
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ExpertQuery(Schema):
    q: str = Field("", max_length=500, description="The question in words.")
    skills: list[Word] = Field(default_factory=list, max_length=20)
    organisation: str = Field("", max_length=200)
    space: int | None = Field(None, ge=1, description="Only members of this space.")


class ExpertOut(Schema):
    id: int
    name: str
    organisation: str
    score: float
    reasons: list[str]


@router.get("/experts", response=list[ExpertOut], summary="Find experts for a question or skills")
def experts(request, query: Query[ExpertQuery]):
    space = get_object_or_404(request.user, Space.objects.all(), pk=query.space) if query.space else None
    from doeplein.access import audience_allows

    out = []
    for r in selectors.find_experts(
        asker=request.user, query=query.q, skills=query.skills, organisation=query.organisation, space=space
    ):
        u = r["user"]
        org = (
            u.profile.organisation
            if audience_allows(request.user, u, u.profile.audience_for("organisation"))
            else ""
        )
        out.append(
            {
                "id": u.pk,
                "name": u.display_name,
                "organisation": org,
                "score": r["score"],
                "reasons": r["reasons"],
            }
        )
    return out


class TeamRequestIn(Schema):
    model_config = STRICT
    skills: list[Word] = Field(..., min_length=1, max_length=20)
    min_size: int = Field(1, ge=1, le=50)
    max_size: int | None = Field(None, ge=1, le=50)
    must_include: list[int] = Field(default_factory=list, max_length=50)
    exclude: list[int] = Field(default_factory=list, max_length=500)


class TeamRequestOut(Schema):
    id: int
    space: int
    status: str
    progress: int
    params: dict
    result: dict | None


def _out(req):
    return {
        "id": req.pk,
        "space": req.space_id,
        "status": req.status,
        "progress": req.progress,
        "params": req.params,
        "result": req.result,
    }


@router.post(
    "/spaces/{space_id}/requests",
    response={200: TeamRequestOut, 202: TeamRequestOut},
    summary="Ask for team suggestions in a space (managers); the same request twice gives the same job",
)
def request_team(request, space_id: int, body: TeamRequestIn):
    space = get_object_or_404(request.user, Space.objects.all(), pk=space_id)
    req, created = actions.do_request_team(user=request.user, space=space, **body.dict())
    req.refresh_from_db()
    return Status(202 if created else 200, _out(req))


@router.get("/requests/{request_id}", response=TeamRequestOut, summary="A team request: progress and result")
def team_request(request, request_id: int):
    return _out(selectors.team_request_for(user=request.user, request_id=request_id))


class InviteIn(Schema):
    model_config = STRICT
    space: int = Field(..., ge=1)
    people: list[int] = Field(..., min_length=1, max_length=50)


class InviteOut(Schema):
    invited: list[int]
    skipped: list[str]


@router.post("/invitations", response=InviteOut, summary="Invite suggested people to a space")
def invite(request, body: InviteIn):
    space = get_object_or_404(request.user, Space.objects.all(), pk=body.space)
    invited, skipped = actions.do_invite_people(actor=request.user, space=space, user_ids=body.people)
    return {"invited": [p.pk for p in invited], "skipped": skipped}


class InviteTeamIn(Schema):
    model_config = STRICT
    team: int = Field(..., ge=1, le=10, description="The team's number on the page (1 is the best).")
    space: int | None = Field(
        None, ge=1, description="An existing space: the request's space or one inside it."
    )
    new_kind: str | None = Field(
        None, max_length=50, description='A new space of this kind inside the request\'s space ("group").'
    )
    name: str = Field("", max_length=200, description="The new space's name.")


class SkippedOut(Schema):
    id: int
    name: str
    reason: str


class InviteTeamOut(Schema):
    space: int
    created: bool
    invited: list[int]
    skipped: list[SkippedOut]


@router.post(
    "/requests/{request_id}/invitations",
    response=InviteTeamOut,
    summary="Invite a suggested team to an existing space of the workspace or to a new one (a group)",
)
def invite_team(request, request_id: int, body: InviteTeamIn):
    req = selectors.team_request_for(user=request.user, request_id=request_id)
    space = get_object_or_404(request.user, Space.objects.all(), pk=body.space) if body.space else None
    space, invited, skipped = actions.do_invite_team(
        actor=request.user,
        req=req,
        team_index=body.team - 1,
        space=space,
        new_kind=body.new_kind,
        name=body.name,
    )
    return {
        "space": space.pk,
        "created": bool(body.new_kind),
        "invited": [p.pk for p in invited],
        "skipped": [{"id": p.pk, "name": p.display_name, "reason": str(r)} for p, r in skipped],
    }

"""Writes: team requests, running them, inviting suggested people, keeping profiles fresh."""

import hashlib
import json
import os

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.core.exceptions import ActionError

from .models import TeamRequest

MAX_SKILLS = 20
MAX_TEAM = 50
# Tests only: a worker started with this pauses a job once it is marked running, so that the test can
# kill it mid-job and check that another worker finishes it once.
TEST_PAUSE_SECONDS = float(os.environ.get("DOEPLEIN_TEAMS_TEST_PAUSE", "0") or 0)


def _clean_list(values, limit):
    out = []
    for v in values or ():
        v = " ".join(str(v).split())
        if v and v.casefold() not in {o.casefold() for o in out}:
            out.append(v[:100])
    if len(out) > limit:
        raise ActionError(
            _("Ask for at most %(n)d skills or themes.") % {"n": limit}, code="too_many", status=422
        )
    return out


def check_request_team(*, user, space, skills, min_size=1, max_size=None, must_include=(), exclude=()):
    """Authorise (managers of the space) and validate; returns the normalised parameters."""
    from .profiles import suggestible_ids

    check(user, "moderate", space)
    skills = _clean_list(skills, MAX_SKILLS)
    if not skills:
        raise ActionError(_("Name at least one skill or theme the team needs."), code="no_skills", status=422)
    min_size = int(min_size or 1)
    max_size = int(max_size) if max_size else None
    if (
        min_size < 1
        or (max_size is not None and max_size < 1)
        or min_size > MAX_TEAM
        or (max_size or 0) > MAX_TEAM
    ):
        raise ActionError(_("Team sizes run from 1 to %(n)d.") % {"n": MAX_TEAM}, code="bad_size", status=422)
    if max_size is not None and min_size > max_size:
        raise ActionError(
            _("The smallest team size is larger than the largest."), code="bad_size", status=422
        )
    must = sorted({int(x) for x in must_include or ()})
    excl = sorted({int(x) for x in exclude or ()})
    if set(must) & set(excl):
        raise ActionError(_("Someone is both required and left out."), code="contradiction", status=422)
    if must:
        from doeplein.accounts.models import User

        allowed = suggestible_ids(must)
        for person in User.objects.filter(pk__in=must):
            if person.pk not in allowed:
                raise ActionError(
                    _("%(name)s cannot be suggested (they did not allow it).")
                    % {"name": person.display_name},
                    code="not_suggestible",
                    status=422,
                )
            if not can(person, "view", space):
                raise ActionError(
                    _("%(name)s may not see this space.") % {"name": person.display_name},
                    code="cannot_see_space",
                    status=422,
                )
        if len(allowed) < len(must):
            raise ActionError(_("Someone you require does not exist."), code="unknown_person", status=422)
    return {
        "skills": skills,
        "min_size": min_size,
        "max_size": max_size,
        "must_include": must,
        "exclude": excl,
    }


def request_key(params):
    canonical = json.dumps(
        {**params, "skills": sorted(s.casefold() for s in params["skills"])},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def do_request_team(*, user, space, **raw):
    """Ask for team suggestions. The same request twice gives the same row: one run, one result."""
    from .tasks import run_team_request_task

    params = check_request_team(user=user, space=space, **raw)
    key = request_key(params)
    with transaction.atomic():
        req, created = TeamRequest.objects.get_or_create(
            space=space, key=key, defaults={"params": params, "requested_by": user}
        )
        if req.status == TeamRequest.Status.FAILED:
            TeamRequest.objects.filter(pk=req.pk).update(
                status=TeamRequest.Status.PENDING, error="", progress=0
            )
            created = True
        if created:
            run_team_request_task.delay_on_commit(req.pk)
    return req, created


def load_network():
    """The platform's graph for the algorithms: (Network, user ids by node)."""
    import numpy as np
    from scipy import sparse

    from .algorithms import Network
    from .models import ExpertProfile, Interaction
    from .profiles import distance, suggestible_ids

    allowed = suggestible_ids()
    rows = list(ExpertProfile.objects.filter(user_id__in=allowed).values_list("user_id", "skills"))
    ids = [uid for uid, _ in rows]
    node = {uid: i for i, uid in enumerate(ids)}
    skills = {i: s for i, (_, s) in enumerate(rows)}
    u, v, w = [], [], []
    for a, b, s in Interaction.objects.filter(a_id__in=ids, b_id__in=ids).values_list(
        "a_id", "b_id", "strength"
    ):
        u.append(node[a])
        v.append(node[b])
        w.append(distance(s))
    n = len(ids)
    graph = sparse.csr_matrix(
        (np.array(w, dtype=float), (np.array(u, dtype=int), np.array(v, dtype=int))), shape=(n, n)
    )
    return Network(graph, skills), ids


def do_run_team_request(*, request_id, progress=None):
    """Compute and store a request's teams. Idempotent: a finished request is not run again; a run
    cut short (worker killed) is simply done again from the start and stored once."""
    from .algorithms import Task, suggest_teams

    with transaction.atomic():
        req = TeamRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None or req.status == TeamRequest.Status.DONE:
            return req
        req.status = TeamRequest.Status.RUNNING
        req.runs += 1
        req.progress = 5
        req.save(update_fields=["status", "runs", "progress"])

    if TEST_PAUSE_SECONDS:  # tests kill a worker here, mid-job
        import time

        time.sleep(TEST_PAUSE_SECONDS)

    def step(pct):
        TeamRequest.objects.filter(pk=request_id).update(progress=pct)
        if progress:
            progress(pct)

    network, ids = load_network()
    step(40)
    p = req.params
    node = {uid: i for i, uid in enumerate(ids)}
    busy = {}
    for other in (
        TeamRequest.objects.filter(status=TeamRequest.Status.DONE)
        .exclude(pk=req.pk)
        .order_by("-created_at")[:200]
    ):
        for team in (other.result or {}).get("teams", [])[:1]:
            for m in team["members"]:
                if m["user"] in node:
                    busy[node[m["user"]]] = busy.get(node[m["user"]], 0) + 1
    task = Task(
        skills=tuple(p["skills"]),
        min_size=p["min_size"],
        max_size=p["max_size"],
        must_include=tuple(node[x] for x in p["must_include"] if x in node),
        exclude=tuple(node[x] for x in p["exclude"] if x in node),
    )
    result = suggest_teams(network, None, task, load=busy).as_dict()
    step(90)
    for team in result["teams"]:
        for m in team["members"]:
            m["user"] = ids[m.pop("node")]
            m.pop("why", None)  # the page words the reasons in the reader's language
    with transaction.atomic():
        req = TeamRequest.objects.select_for_update().get(pk=request_id)
        if req.status != TeamRequest.Status.DONE:
            req.result = result
            req.status = TeamRequest.Status.DONE
            req.progress = 100
            req.finished_at = timezone.now()
            req.save(update_fields=["result", "status", "progress", "finished_at"])
    return req


def check_invite(*, actor, space):
    check(actor, "moderate", space)


def do_invite_people(*, actor, space, user_ids):
    """Invite people to a space through the core's invitations. Returns (invited, skipped names)."""
    from doeplein.spaces.actions import do_invite

    from .selectors import people_for

    check_invite(actor=actor, space=space)
    invited, skipped = [], []
    for person in people_for(actor).filter(pk__in=list(user_ids)):
        try:
            with transaction.atomic():
                do_invite(actor=actor, space=space, email=person.email)
            invited.append(person)
        except ActionError:
            skipped.append(person.display_name)
    if not invited and not skipped and user_ids:
        raise ActionError(_("Nobody to invite: they may not be suggested."), code="nobody", status=422)
    return invited, skipped


# --- Inviting a suggested team to a space, existing or new (doeplein.plugins.TeamDestination) --------------
def team_members(req, team_index):
    """The people of team ``team_index`` (0-based) of a finished request, as user ids."""
    teams = (req.result or {}).get("teams") or []
    if req.status != TeamRequest.Status.DONE or not 0 <= team_index < len(teams):
        raise ActionError(_("This team does not exist (any more)."), code="no_team", status=422)
    return [m["user"] for m in teams[team_index]["members"]]


def split_team(*, workspace, user_ids):
    """Who of a suggested team may be invited: ``(people, [(person, reason), …])``. People who no longer
    allow suggestions, left the platform or may not see the workspace are skipped with a reason."""
    from doeplein.accounts.models import User

    people, skipped = [], []
    for person in User.objects.filter(pk__in=list(user_ids)).select_related("profile").order_by("pk"):
        profile = getattr(person, "profile", None)
        if not person.is_active or person.is_deleted:
            skipped.append((person, _("no longer on the platform")))
        elif profile is None or not profile.suggestible:
            skipped.append((person, _("no longer allows suggestions")))
        elif not can(person, "view", workspace):
            skipped.append((person, _("may not see %(space)s") % {"space": workspace.name}))
        else:
            people.append(person)
    return people, skipped


def check_invite_team(*, actor, workspace, space=None, new_kind=None, name=""):
    """Authorise an invitation of a team from ``workspace``'s suggestions: to ``space`` (the workspace
    itself or a space inside it, which the actor may invite to) or to a new space of kind ``new_kind``."""
    from django.core.exceptions import PermissionDenied

    from doeplein.plugins import team_destinations

    check(actor, "moderate", workspace)
    if (space is None) == (not new_kind):
        raise ActionError(
            _("Choose an existing space or a new one to invite the team to."),
            code="no_destination",
            status=422,
        )
    if new_kind:
        destination = team_destinations().get(new_kind)
        if destination is None:
            raise ActionError(_("This kind of space cannot be created here."), code="bad_kind", status=422)
        if not " ".join(str(name or "").split()):
            raise ActionError(_("Give the new space a name."), code="no_name", status=422)
        if len(name) > 200:
            raise ActionError(_("The name is longer than 200 characters."), code="long_name", status=422)
        if workspace.is_archived or not destination.may_create(actor, workspace):
            raise PermissionDenied(_("You may not create a new space here."))
        return destination
    if (
        space.pk != workspace.pk
        and space.parent_id != workspace.pk
        and space not in _extra_spaces(actor, workspace)
    ):
        raise ActionError(
            _("Invite the team to %(space)s or a space inside it.") % {"space": workspace.name},
            code="elsewhere",
            status=422,
        )
    if space.is_archived:
        raise ActionError(
            _("%(space)s is archived: nobody can be invited to it.") % {"space": space.name},
            code="archived",
            status=409,
        )
    if not can(actor, "moderate", space):
        raise PermissionDenied(_("You may not invite people to %(space)s.") % {"space": space.name})
    return None


def _extra_spaces(actor, workspace):
    from doeplein.plugins import team_destinations

    extra = []
    for destination in team_destinations().values():
        if destination.existing is not None:
            extra.extend(destination.existing(actor, workspace))
    return extra


def destinations_for(actor, workspace):
    """What the team page offers: ``(existing spaces the actor may invite to, new kinds they may create)``."""
    from doeplein.access import visible
    from doeplein.plugins import team_destinations
    from doeplein.spaces.models import Space

    candidates = [workspace, *visible(actor, Space.objects.filter(parent=workspace)).order_by("name")[:200]]
    candidates += [s for s in _extra_spaces(actor, workspace) if s not in candidates]
    existing = [s for s in candidates if not s.is_archived and can(actor, "moderate", s)]
    new = (
        []
        if workspace.is_archived
        else [d for d in team_destinations().values() if d.may_create(actor, workspace)]
    )
    return existing, new


def do_invite_team(*, actor, req, team_index, space=None, new_kind=None, name=""):
    """Invite one suggested team of ``req`` to ``space`` or to a new space of kind ``new_kind`` named
    ``name`` (created by its plugin through the team-destinations hook), in one transaction.
    Returns ``(space, invited people, [(person, reason), …])``."""
    from doeplein.spaces.actions import do_invite_people

    workspace = req.space
    destination = check_invite_team(
        actor=actor, workspace=workspace, space=space, new_kind=new_kind, name=name
    )
    people, skipped = split_team(workspace=workspace, user_ids=team_members(req, team_index))
    with transaction.atomic():
        if destination is not None:
            space, invited, more = destination.create(actor, workspace, " ".join(name.split()), people)
        else:
            invited, more = do_invite_people(actor=actor, space=space, people=people)
    return space, invited, skipped + list(more)

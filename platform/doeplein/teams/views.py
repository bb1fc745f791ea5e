"""Pages: the expert finder, a space's team suggestions, inviting people."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doeplein.access import can, get_object_or_404, visible
from doeplein.accounts.models import User
from doeplein.core.exceptions import ActionError
from doeplein.core.navigation import back_to
from doeplein.spaces.kinds import kind_label, space_url
from doeplein.spaces.models import Space

from . import actions, selectors
from .forms import ExpertSearchForm, InviteForm, InviteTeamForm, TeamRequestForm
from .models import TeamRequest

REASON_LABELS = {
    "leader": lambda r: _("closest to all the others (leader)"),
    "connector": lambda r: _("connects the others"),
    "required": lambda r: _("asked for"),
    "extra": lambda r: _("works closely with the team"),
    "skill": lambda r: _("brings %(skill)s") % {"skill": r["skill"]},
}
WARNING_LABELS = {
    "too_large": lambda: _("This team is larger than you asked: the skills need more people."),
    "too_small": lambda: _("Not enough people work near this team to reach the smallest size."),
    "not_connected": lambda: _(
        "No connected group covers everything: some members have not worked together."
    ),
    "must_include_excluded": lambda: _("Someone was both required and left out."),
    "empty_graph": lambda: _("Nobody may be suggested yet."),
    "nothing_needed": lambda: _("Nothing was asked for."),
}


def _invite_targets(user):
    return [
        s
        for s in visible(user, Space.objects.filter(is_archived=False)).order_by("name")[:200]
        if can(user, "moderate", s)
    ]


@login_required
def expert_finder(request):
    form = ExpertSearchForm(request.GET or None)
    results = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        space = (
            get_object_or_404(request.user, Space.objects.all(), pk=data["space"])
            if data.get("space")
            else None
        )
        results = selectors.find_experts(
            asker=request.user,
            query=data["q"],
            skills=data["skills"],
            organisation=data["organisation"],
            space=space,
        )
    return render(
        request,
        "teams/expert_finder.html",
        {"form": form, "results": results, "targets": _invite_targets(request.user) if results else []},
    )


def _say_invited(request, space, invited):
    if invited:
        names = ", ".join(p.display_name for p in invited)
        messages.success(
            request, _("Invited to %(space)s: %(names)s.") % {"space": space.name, "names": names}
        )


@login_required
@require_POST
def invite(request):
    form = InviteForm(request.POST)
    back = back_to(request, "/experts/")
    if not form.is_valid():
        messages.error(request, _("Choose a space and the people to invite."))
        return redirect(back)
    space = get_object_or_404(request.user, Space.objects.all(), pk=form.cleaned_data["space"])
    try:
        invited, skipped = actions.do_invite_people(
            actor=request.user, space=space, user_ids=form.cleaned_data["people"]
        )
    except ActionError as e:
        messages.error(request, str(e))
        return redirect(back)
    _say_invited(request, space, invited)
    if skipped:
        messages.info(
            request,
            _("Not invited (already a member or invited): %(names)s.") % {"names": ", ".join(skipped)},
        )
    return redirect(back)


def _render_result(req):
    if not req.result:
        return None
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=[m["user"] for t in req.result["teams"] for m in t["members"]])
    }
    teams = []
    for t in req.result["teams"]:
        members = []
        for m in t["members"]:
            u = users.get(m["user"])
            if u is None:
                continue
            members.append(
                {
                    "user": u,
                    "why": ", ".join(
                        REASON_LABELS[r["kind"]](r) for r in m["reasons"] if r["kind"] in REASON_LABELS
                    ),
                }
            )
        teams.append(
            {
                **t,
                "people": members,
                "ids": ",".join(str(m["user"].pk) for m in members),
                "warning_texts": [WARNING_LABELS[w]() for w in t["warnings"] if w in WARNING_LABELS],
            }
        )
    return {
        "teams": teams,
        "uncovered": req.result["uncovered"],
        "warnings": [WARNING_LABELS[w]() for w in req.result["warnings"] if w in WARNING_LABELS],
    }


@login_required
def team_suggestions(request, space_id):
    space = get_object_or_404(request.user, Space.objects.all(), pk=space_id)
    if not can(request.user, "moderate", space):
        return render(request, "teams/refused.html", {"space": space}, status=403)
    form = TeamRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req, _created = actions.do_request_team(
                user=request.user,
                space=space,
                skills=d["skills"],
                min_size=d["min_size"],
                max_size=d["max_size"],
                must_include=d["must_include"],
                exclude=d["exclude"],
            )
            return redirect("teams:request", req.pk)
        except ActionError as e:
            form.add_error(None, str(e))
    recent = TeamRequest.objects.filter(space=space)[:10]
    return render(
        request,
        "teams/team_suggestions.html",
        {"space": space, "form": form, "recent": recent},
        status=422 if form.errors else 200,
    )


def _request_page(request, req, *, error=None, status=200, chosen=None):
    existing, new = actions.destinations_for(request.user, req.space) if req.status == "done" else ([], [])
    return render(
        request,
        "teams/team_request.html",
        {
            "req": req,
            "space": req.space,
            "result": _render_result(req),
            "existing": [(f"space:{s.pk}", s.name, kind_label(s)) for s in existing],
            "new_kinds": [(f"new:{d.key}", str(d.label)) for d in new],
            "error": error,
            "chosen": chosen or {},
        },
        status=status,
    )


@login_required
def team_request(request, request_id):
    req = selectors.team_request_for(user=request.user, request_id=request_id)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": req.status, "progress": req.progress})
    return _request_page(request, req)


@login_required
@require_POST
def invite_team(request, request_id):
    """One action: invite a suggested team to an existing space of the workspace, or to a new one (a
    group, through the plugin that brings it). Bad input: the page again with a message (4xx)."""
    req = selectors.team_request_for(user=request.user, request_id=request_id)
    form = InviteTeamForm(request.POST)
    chosen = {"team": request.POST.get("team", ""), "destination": request.POST.get("destination", "")}
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _request_page(request, req, error=error, status=422, chosen=chosen)
    d = form.cleaned_data
    space = None
    try:
        if d["space_id"]:
            space = get_object_or_404(request.user, Space.objects.all(), pk=d["space_id"])
        space, invited, skipped = actions.do_invite_team(
            actor=request.user,
            req=req,
            team_index=d["team"] - 1,
            space=space,
            new_kind=d["new_kind"],
            name=d["name"],
        )
    except ActionError as e:
        return _request_page(request, req, error=str(e), status=e.status, chosen=chosen)
    except PermissionDenied as e:
        return _request_page(
            request,
            req,
            error=str(e) or _("You may not invite people to this space."),
            status=403,
            chosen=chosen,
        )
    label = kind_label(space)
    if d["new_kind"]:
        messages.success(request, _("Created the %(kind)s %(space)s.") % {"kind": label, "space": space.name})
    _say_invited(request, space, invited)
    if skipped:
        messages.info(
            request,
            _("Not invited: %(people)s.")
            % {"people": "; ".join(f"{p.display_name} ({reason})" for p, reason in skipped)},
        )
    if not invited and not skipped:
        messages.info(request, _("Nobody to invite in this team."))
    return redirect(space_url(space) or reverse("teams:request", args=[req.pk]))

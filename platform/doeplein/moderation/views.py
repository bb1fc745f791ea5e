"""The managers' pages: review queue, audit log and word filters of a space."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from doeplein.access import get_object_or_404
from doeplein.core.exceptions import ActionError
from doeplein.core.navigation import back_to
from doeplein.plugins import report_sources
from doeplein.spaces.models import Space

from . import actions
from .models import Report, Sanction, WordFilter
from .selectors import active_sanctions_in, audit_log, open_reports


def _space(request, space_id):
    return get_object_or_404(request.user, Space.objects.all(), "moderate", pk=space_id)


@login_required
def reports(request, space_id):
    space = _space(request, space_id)
    queue = open_reports(user=request.user, space=space)
    # Reports on content plugins keep (blog comments …), beside those on chat messages.
    others = [
        item for source in report_sources().values() for item in source.open_reports(request.user, space)
    ]
    others.sort(key=lambda item: item.created_at)
    return render(
        request, "moderation/reports.html", {"space": space.specific, "reports": queue, "others": others}
    )


@login_required
@require_POST
def resolve_other(request, space_id, source, report_id):
    """Resolve a report from a plugin's :class:`~doeplein.plugins.ReportSource` through its action."""
    space = _space(request, space_id)
    found = report_sources().get(source)
    if found is None:
        raise Http404
    try:
        found.resolve(
            request.user, report_id, request.POST.get("resolution", ""), request.POST.get("reason", "")
        )
        flash.success(request, _("The report is resolved."))
    except ActionError as exc:
        flash.error(request, exc.message)
    return redirect("moderation:reports", space_id=space.pk)


@login_required
@require_POST
def resolve(request, space_id, report_id):
    space = _space(request, space_id)
    report = (
        Report.objects.select_related("message__room")
        .filter(pk=report_id, message__room__space=space)
        .first()
    )
    if report is None:
        flash.error(request, _("No such report."))
    else:
        try:
            actions.do_resolve_report(
                actor=request.user,
                report=report,
                resolution=request.POST.get("resolution", ""),
                reason=request.POST.get("reason", ""),
            )
            flash.success(request, _("The report is resolved."))
        except ActionError as exc:
            flash.error(request, exc.message)
    return redirect("moderation:reports", space_id=space.pk)


@login_required
def sanctions(request, space_id):
    """The mutes and exclusions in force in the space's rooms (and its children's), with their end."""
    space = _space(request, space_id)
    return render(
        request,
        "moderation/sanctions.html",
        {"space": space.specific, "sanctions": active_sanctions_in(user=request.user, space=space)[:500]},
    )


@login_required
@require_POST
def lift(request, space_id, sanction_id):
    """Lift a mute or exclusion early; back to where the manager came from (the room or the list)."""
    space = _space(request, space_id)
    sanction = (
        Sanction.objects.select_related("room__space", "user")
        .filter(pk=sanction_id, lifted_at__isnull=True)
        .filter(Q(room__space=space) | Q(room__space__parent=space))
        .first()
    )
    if sanction is None:
        flash.error(request, _("This sanction has already ended or was lifted."))
    else:
        try:
            actions.do_lift_sanction(actor=request.user, sanction=sanction)
            flash.success(
                request, _("Lifted: %(name)s may write again.") % {"name": sanction.user.display_name}
            )
        except ActionError as exc:
            flash.error(request, exc.message)
    return redirect(back_to(request, reverse("moderation:sanctions", args=[space.pk])))


# The audit log's filter: what kind of action (by the prefix of its code).
AUDIT_KINDS = {
    "sanctions": ("user.", gettext_lazy("Mutes and exclusions")),
    "messages": ("message.", gettext_lazy("Messages")),
    "reports": ("report.", gettext_lazy("Reports")),
    "rooms": ("room.", gettext_lazy("Discussions (locked, slow mode)")),
    "filters": ("filter.", gettext_lazy("Word filters")),
}


@login_required
def audit(request, space_id):
    space = _space(request, space_id)
    entries = audit_log(user=request.user, space=space)
    kind = request.GET.get("kind", "")
    if kind in AUDIT_KINDS:
        entries = entries.filter(action__startswith=AUDIT_KINDS[kind][0])
    else:
        kind = ""  # an unknown filter shows everything
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/audit.html",
        {
            "space": space.specific,
            "page": page,
            "kind": kind,
            "kinds": [(key, label) for key, (_prefix, label) in AUDIT_KINDS.items()],
        },
    )


@login_required
def word_filters(request, space_id):
    space = _space(request, space_id)
    status = 200
    if request.method == "POST":
        try:
            remove = request.POST.get("remove", "")
            if remove:
                # A forged or stale id is no word filter, not a server error.
                valid = remove.isascii() and remove.isdigit()
                entry = WordFilter.objects.filter(space=space, pk=int(remove)).first() if valid else None
                if entry:
                    actions.do_remove_word_filter(actor=request.user, word_filter=entry)
            else:
                actions.do_add_word_filter(
                    actor=request.user,
                    space=space,
                    word=request.POST.get("word", ""),
                    action=request.POST.get("action", ""),
                )
            flash.success(request, _("Saved."))
            return redirect("moderation:word-filters", space_id=space.pk)
        except ActionError as exc:
            flash.error(request, exc.message)
            status = exc.status
    filters = WordFilter.objects.filter(space=space).order_by("word")
    return render(
        request,
        "moderation/word_filters.html",
        {"space": space.specific, "filters": filters, "actions": WordFilter.Action.choices},
        status=status,
    )

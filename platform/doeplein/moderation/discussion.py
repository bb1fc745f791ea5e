"""What moderation adds to the discussion, through its registry (the discussion never imports this):
the report and moderation frames of the room websocket, the room page's moderation forms, the review
queue beside a room, the word filters as a pre-send check, the sanctions the gate's answer for a room
includes, and the audit's hold on held and deleted text."""

from typing import ClassVar, Literal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field

from doeplein.core.exceptions import ActionError
from doeplein.discussion.frames import (
    MAX_REASON,
    MAX_SANCTION_MINUTES,
    MAX_SLOW_MODE_SECONDS,
    Frame,
    FrameError,
    Id,
    Reason,
    Seq,
)
from doeplein.discussion.registry import DiscussionRegistry, FrameType, PageAction

from . import actions
from .models import Report, Sanction


# --- frames ----------------------------------------------------------------------------------------
class ReportFrame(Frame):
    """Report a message to the moderators."""

    type: Literal["report"] = "report"
    seq: Seq
    reason: Reason = ""


class Hide(Frame):
    type: Literal["hide"] = "hide"
    seq: Seq
    reason: Reason = ""


class Unhide(Frame):
    type: Literal["unhide"] = "unhide"
    seq: Seq


class Pin(Frame):
    type: Literal["pin"] = "pin"
    seq: Seq
    pinned: bool = True


class Lock(Frame):
    type: Literal["lock"] = "lock"
    locked: bool = True
    reason: Reason = ""


class SlowMode(Frame):
    field_codes: ClassVar[dict[str, str]] = {"seconds": "bad_value"}
    type: Literal["slow_mode"] = "slow_mode"
    seconds: int = Field(ge=0, le=MAX_SLOW_MODE_SECONDS, description="0 turns slow mode off")


class SanctionFrame(Frame):
    field_codes: ClassVar[dict[str, str]] = {"minutes": "bad_value"}
    user: Id = Field(description="the person's id")
    minutes: int | None = Field(
        None, ge=0, le=MAX_SANCTION_MINUTES, description="null or 0: no end (a mute needs a duration)"
    )
    reason: Reason = ""


class Mute(SanctionFrame):
    type: Literal["mute"] = "mute"


class Ban(SanctionFrame):
    type: Literal["ban"] = "ban"


class Reports(Frame):
    """The open review queue of the room."""

    type: Literal["reports"] = "reports"


class Resolve(Frame):
    field_codes: ClassVar[dict[str, str]] = {"resolution": "bad_value"}
    type: Literal["resolve"] = "resolve"
    report: Id
    resolution: Literal["hidden", "kept", "sanctioned"]
    reason: Reason = ""


async def on_report(conn, frame: ReportFrame):
    message = await conn.message(frame.seq)
    report = await conn.run(actions.do_report_message, user=conn.user, message=message, reason=frame.reason)
    await conn.send_frame({"type": "reported", "seq": message.seq, "report": report.pk})


# The moderation actions check that the person may moderate the room's space.
async def on_hide(conn, frame: Hide):
    message = await conn.message(frame.seq)
    await conn.run(actions.do_hide_message, actor=conn.user, message=message, reason=frame.reason)


async def on_unhide(conn, frame: Unhide):
    message = await conn.message(frame.seq)
    await conn.run(actions.do_unhide_message, actor=conn.user, message=message)


async def on_pin(conn, frame: Pin):
    message = await conn.message(frame.seq)
    await conn.run(actions.do_pin_message, actor=conn.user, message=message, pinned=frame.pinned)


async def on_lock(conn, frame: Lock):
    await conn.run(
        actions.do_lock_room, actor=conn.user, room=conn.room, locked=frame.locked, reason=frame.reason
    )


async def on_slow_mode(conn, frame: SlowMode):
    await conn.run(actions.do_set_slow_mode, actor=conn.user, room=conn.room, seconds=frame.seconds)


def _person(user_id):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


async def _sanction(conn, frame, kind):
    target = await conn.run(_person, user_id=frame.user)
    if target is None:
        raise FrameError("not_found", _("No such person."))
    await conn.run(
        actions.do_sanction,
        actor=conn.user,
        room=conn.room,
        user=target,
        kind=kind,
        reason=frame.reason,
        minutes=frame.minutes,
    )
    await conn.send_frame({"type": "done", "action": kind, "user": frame.user})


async def on_mute(conn, frame: Mute):
    await _sanction(conn, frame, "mute")


async def on_ban(conn, frame: Ban):
    await _sanction(conn, frame, "ban")


def _report_in(room, report_id):
    return Report.objects.select_related("message__room").filter(pk=report_id, message__room=room).first()


async def on_resolve(conn, frame: Resolve):
    report = await conn.run(_report_in, room=conn.room, report_id=frame.report)
    if report is None:
        raise FrameError("not_found", _("No such report in this room."))
    await conn.run(
        actions.do_resolve_report,
        actor=conn.user,
        report=report,
        resolution=frame.resolution,
        reason=frame.reason,
    )


def _queue(user, room):
    from .selectors import open_reports

    return [actions.report_frame(r) for r in open_reports(user=user, room=room)]


async def on_reports(conn, frame: Reports):
    await conn.send_frame(
        {"type": "reports", "reports": await conn.run(_queue, user=conn.user, room=conn.room)}
    )


FRAMES = (
    ("report", ReportFrame, on_report, False),
    ("hide", Hide, on_hide, True),
    ("unhide", Unhide, on_unhide, True),
    ("pin", Pin, on_pin, True),
    ("lock", Lock, on_lock, True),
    ("slow_mode", SlowMode, on_slow_mode, True),
    ("mute", Mute, on_mute, True),
    ("ban", Ban, on_ban, True),
    ("reports", Reports, on_reports, True),
    ("resolve", Resolve, on_resolve, True),
)


# --- the room page's forms -------------------------------------------------------------------------
class SanctionForm(forms.Form):
    """The room page's mute/ban form: a bounded number of minutes, so a huge one is a form error."""

    user = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(choices=Sanction.Kind.choices)
    minutes = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_SANCTION_MINUTES, label=gettext_lazy("Duration (minutes)")
    )
    reason = forms.CharField(required=False, max_length=MAX_REASON)


# The durations a manager picks from the message itself (minutes; 0: until lifted, for an exclusion).
DURATIONS = (
    (10, gettext_lazy("10 minutes")),
    (60, gettext_lazy("1 hour")),
    (24 * 60, gettext_lazy("1 day")),
    (7 * 24 * 60, gettext_lazy("1 week")),
    (0, gettext_lazy("Until lifted (exclusion only)")),
)


class AuthorSanctionForm(forms.Form):
    """Mute or exclude the author of a message: no ids to type, a duration from a short list, a reason."""

    kind = forms.ChoiceField(choices=Sanction.Kind.choices, label=gettext_lazy("What"))
    minutes = forms.TypedChoiceField(choices=DURATIONS, coerce=int, label=gettext_lazy("For how long"))
    reason = forms.CharField(max_length=MAX_REASON, label=gettext_lazy("Reason"))


class SlowModeForm(forms.Form):
    seconds = forms.IntegerField(
        min_value=0, max_value=MAX_SLOW_MODE_SECONDS, label=gettext_lazy("Slow mode (seconds)")
    )


def form_error(form):
    """A form's errors as one refusal (the room page shows it as a message)."""
    text = " ".join(
        f"{form.fields[name].label or name}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
        for name, errors in form.errors.items()
    )
    return ActionError(text, code="bad_value")


def prepare_report(request, room, message):
    return (
        actions.do_report_message,
        {"user": request.user, "message": message, "reason": request.POST.get("reason", "")},
        _("Thank you; the moderators will look at it."),
    )


def prepare_hide(request, room, message):
    return (
        actions.do_hide_message,
        {"actor": request.user, "message": message, "reason": request.POST.get("reason", "")},
        _("Message hidden."),
    )


def prepare_unhide(request, room, message):
    return actions.do_unhide_message, {"actor": request.user, "message": message}, _("Message shown again.")


def prepare_pin(request, room, message):
    return (
        actions.do_pin_message,
        {"actor": request.user, "message": message, "pinned": request.POST.get("pinned") != "0"},
        None,
    )


def prepare_lock(request, room, message):
    return (
        actions.do_lock_room,
        {
            "actor": request.user,
            "room": room,
            "locked": request.POST.get("locked") != "0",
            "reason": request.POST.get("reason", ""),
        },
        _("Saved."),
    )


def prepare_slow_mode(request, room, message):
    form = SlowModeForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    return (
        actions.do_set_slow_mode,
        {"actor": request.user, "room": room, "seconds": form.cleaned_data["seconds"]},
        _("Saved."),
    )


def prepare_sanction(request, room, message):
    form = SanctionForm(request.POST)
    if not form.is_valid():
        if "user" in form.errors:
            raise ActionError(_("No such person."), code="not_found")
        raise form_error(form)
    target = _person(form.cleaned_data["user"])
    if target is None:
        raise ActionError(_("No such person."), code="not_found")
    return (
        actions.do_sanction,
        {
            "actor": request.user,
            "room": room,
            "user": target,
            "kind": form.cleaned_data["kind"],
            "reason": form.cleaned_data["reason"],
            "minutes": form.cleaned_data["minutes"] or None,
        },
        _("Saved."),
    )


def prepare_sanction_author(request, room, message):
    form = AuthorSanctionForm(request.POST)
    if not form.is_valid():
        raise form_error(form)
    if message.author is None:
        raise ActionError(_("No such person."), code="not_found")
    data = form.cleaned_data
    kind = data["kind"]
    return (
        actions.do_sanction,
        {
            "actor": request.user,
            "room": room,
            "user": message.author,
            "kind": kind,
            "reason": data["reason"].strip(),
            "minutes": data["minutes"] or None,
        },
        (_("%(name)s is muted.") if kind == Sanction.Kind.MUTE else _("%(name)s is excluded."))
        % {"name": message.author.display_name},
    )


PAGE_ACTIONS = (
    PageAction("report", "message", prepare_report),
    PageAction("hide", "message", prepare_hide),
    PageAction("unhide", "message", prepare_unhide),
    PageAction("pin", "message", prepare_pin),
    PageAction("lock", "room", prepare_lock),
    PageAction("slow-mode", "room", prepare_slow_mode),
    PageAction("sanction", "room", prepare_sanction),
    PageAction("sanction", "message", prepare_sanction_author),
)


def review_queue(request, room, moderator):
    """The room page's review queue, the sanctions in force and the forms' choices, for its moderators."""
    if not moderator:
        return {"reports": []}
    from .selectors import active_sanctions_in, open_reports

    return {
        "reports": list(open_reports(user=request.user, room=room)[:50]),
        "sanctions": list(active_sanctions_in(user=request.user, room=room)[:100]),
        "sanction_kinds": Sanction.Kind.choices,
        "sanction_durations": DURATIONS,
    }


def register(registry: DiscussionRegistry):
    """Called once, from ModerationConfig.ready()."""
    for name, model, handle, moderation in FRAMES:
        registry.register_frame(FrameType(name=name, model=model, handle=handle, moderation=moderation))
    for page_action in PAGE_ACTIONS:
        registry.register_page_action(page_action)
    registry.register_pre_send(actions.check_words)
    registry.register_sanctions_reader(actions.active_sanctions)
    registry.register_stored_listener(actions.audit_held)
    registry.register_text_keeper(actions.keeps_text)
    registry.register_room_context(review_queue)

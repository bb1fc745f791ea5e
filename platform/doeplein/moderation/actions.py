"""Moderation actions: hide, pin, lock, slow mode, mute, ban, reports, word filters.

Community managers, owners and group admins (whoever the gate lets ``moderate`` the room's space) may
use them. Every one is written to the audit log; hidden messages are kept, never destroyed.
"""

import re
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from doeplein.access import check
from doeplein.discussion.actions import DiscussionError, broadcast_message, broadcast_room
from doeplein.discussion.models import Message
from doeplein.live import access_changed_on_commit

from .models import AuditEntry, Report, Sanction, WordFilter

MAX_DURATION = timedelta(days=365)
MAX_MINUTES = 365 * 24 * 60
MAX_SLOW_MODE_SECONDS = 3600


def audit(*, actor, space, action, room=None, target_user=None, message=None, reason="", data=None):
    return AuditEntry.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        space=space,
        room=room,
        action=action,
        target_user=target_user,
        message=message,
        reason=(reason or "")[:500],
        data=data or {},
    )


def _moderate(actor, room):
    check(actor, "moderate", room.space)


def room_state_frame(room):
    return {
        "type": "room",
        "room": room.pk,
        "locked": room.is_locked,
        "slow_mode_seconds": room.slow_mode_seconds,
    }


@transaction.atomic
def do_hide_message(*, actor, message, reason):
    _moderate(actor, message.room)
    if not reason or not reason.strip():
        raise DiscussionError(_("Give a reason for hiding a message."), code="reason_required")
    message.state = Message.State.HIDDEN
    message.hidden_reason = reason.strip()[:500]
    message.save(update_fields=["state", "hidden_reason"])
    audit(
        actor=actor,
        space=message.room.space,
        room=message.room,
        action="message.hidden",
        target_user=message.author,
        message=message,
        reason=reason,
    )
    broadcast_message(message, kind="message_updated")
    return message


@transaction.atomic
def do_unhide_message(*, actor, message):
    _moderate(actor, message.room)
    if message.state not in (Message.State.HIDDEN, Message.State.HELD):
        raise DiscussionError(_("This message is not hidden."), code="not_hidden", status=409)
    was_held = message.state == Message.State.HELD
    message.state = Message.State.VISIBLE
    message.hidden_reason = ""
    message.save(update_fields=["state", "hidden_reason"])
    audit(
        actor=actor,
        space=message.room.space,
        room=message.room,
        action="message.released" if was_held else "message.unhidden",
        target_user=message.author,
        message=message,
    )
    broadcast_message(message, kind="message" if was_held else "message_updated")
    return message


@transaction.atomic
def do_pin_message(*, actor, message, pinned=True):
    _moderate(actor, message.room)
    message.pinned = pinned
    message.save(update_fields=["pinned"])
    audit(
        actor=actor,
        space=message.room.space,
        room=message.room,
        action="message.pinned" if pinned else "message.unpinned",
        message=message,
    )
    broadcast_message(message, kind="message_updated")
    return message


@transaction.atomic
def do_lock_room(*, actor, room, locked=True, reason=""):
    _moderate(actor, room)
    room.is_locked = locked
    room.save(update_fields=["is_locked"])
    audit(
        actor=actor,
        space=room.space,
        room=room,
        action="room.locked" if locked else "room.unlocked",
        reason=reason,
    )
    broadcast_room(room, room_state_frame(room))
    return room


@transaction.atomic
def do_set_slow_mode(*, actor, room, seconds):
    _moderate(actor, room)
    if isinstance(seconds, bool) or not isinstance(seconds, int | str):
        raise DiscussionError(_("Slow mode takes a number of seconds."), code="bad_value")
    if isinstance(seconds, str):
        seconds = seconds.strip()
        if not (seconds.isascii() and seconds.isdigit() and len(seconds) <= 6):
            raise DiscussionError(_("Slow mode takes a number of seconds."), code="bad_value")
        seconds = int(seconds)
    if not 0 <= seconds <= MAX_SLOW_MODE_SECONDS:
        raise DiscussionError(_("Slow mode is 0 (off) to 3600 seconds."), code="bad_value")
    room.slow_mode_seconds = seconds
    room.save(update_fields=["slow_mode_seconds"])
    audit(actor=actor, space=room.space, room=room, action="room.slow_mode", data={"seconds": seconds})
    broadcast_room(room, room_state_frame(room))
    return room


def _duration(minutes):
    """The end of a sanction ``minutes`` from now (None: no end). Bounded before any arithmetic: a
    number of 10**30 minutes, 1e309 or "99999999999999999999" is refused, never an OverflowError."""
    if minutes in (None, "", 0):
        return None
    if isinstance(minutes, str):
        minutes = minutes.strip()
        if not (minutes.isascii() and minutes.isdigit() and len(minutes) <= 9):
            raise DiscussionError(_("A duration is 1 minute to 365 days."), code="bad_value")
        minutes = int(minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise DiscussionError(_("A duration is a number of minutes."), code="bad_value")
    if not 1 <= minutes <= MAX_MINUTES:
        raise DiscussionError(_("A duration is 1 minute to 365 days."), code="bad_value")
    return timezone.now() + timedelta(minutes=minutes)


@transaction.atomic
def do_sanction(*, actor, room, user, kind, reason="", minutes=None):
    """Mute (may read, not write) or ban (may not even read) a person in a room."""
    _moderate(actor, room)
    if kind not in Sanction.Kind.values:
        raise DiscussionError(_("Unknown sanction."), code="bad_value")
    if user.pk == actor.pk:
        raise DiscussionError(_("You cannot sanction yourself."), code="self_sanction", status=409)
    if kind == Sanction.Kind.MUTE and not minutes:
        raise DiscussionError(_("A mute needs a duration."), code="duration_required")
    until = _duration(minutes)
    sanction = Sanction.objects.create(
        room=room, user=user, kind=kind, reason=reason[:500], until=until, created_by=actor
    )
    audit(
        actor=actor,
        space=room.space,
        room=room,
        action=f"user.{kind}",
        target_user=user,
        reason=reason,
        data={"until": until.isoformat() if until else None},
    )
    # The person's open connections re-read their verdict at once (a ban closes them; a mute refuses sends).
    access_changed_on_commit(user_ids=[user.pk], reason=f"sanction.{kind}")
    return sanction


@transaction.atomic
def do_lift_sanction(*, actor, sanction):
    _moderate(actor, sanction.room)
    sanction.lifted_at = timezone.now()
    sanction.save(update_fields=["lifted_at"])
    audit(
        actor=actor,
        space=sanction.room.space,
        room=sanction.room,
        action=f"user.{sanction.kind}_lifted",
        target_user=sanction.user,
    )
    access_changed_on_commit(user_ids=[sanction.user_id], reason=f"sanction.{sanction.kind}_lifted")
    return sanction


def active_sanctions(user, room_id):
    """{kind: until or None} of the sanctions in force for ``user`` in the room (the newest of each kind);
    the discussion's sanctions reader."""
    active = (
        Sanction.objects.filter(room_id=room_id, user=user, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))
        .order_by("created_at")
        .values_list("kind", "until")
    )
    return dict(active)


def report_frame(report):
    return {
        "type": "report",
        "id": report.pk,
        "room": report.message.room_id,
        "seq": report.message.seq,
        "reason": report.reason,
        "status": report.status,
        "reporter": report.reporter.display_name if report.reporter else None,
        "author": report.message.author.display_name if report.message.author else None,
        # A deleted message's text is gone for the review queue too.
        "body": report.message.body if report.message.state != Message.State.DELETED else None,
        "created_at": report.created_at.isoformat(),
    }


@transaction.atomic
def do_report_message(*, user, message, reason):
    check(user, "view", message.room.space)
    if not user.is_authenticated:
        raise DiscussionError(_("Log in to report a message."), code="login_required", status=401)
    reason = (reason or "").strip()
    if not reason:
        raise DiscussionError(_("Say why you report this message."), code="reason_required")
    if message.author_id == user.pk:
        raise DiscussionError(_("You cannot report your own message."), code="own_message", status=409)
    try:
        with transaction.atomic():
            report = Report.objects.create(message=message, reporter=user, reason=reason[:500])
    except IntegrityError:
        raise DiscussionError(
            _("You have already reported this message."), code="duplicate_report", status=409
        ) from None
    audit(
        actor=user,
        space=message.room.space,
        room=message.room,
        action="message.reported",
        target_user=message.author,
        message=message,
        reason=reason,
    )
    broadcast_room(message.room, report_frame(report), moderators_only=True)
    return report


@transaction.atomic
def do_resolve_report(*, actor, report, resolution, reason="", minutes=60):
    """Resolve as "hidden" (hide the message), "kept", or "sanctioned" (hide and mute the author)."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the author.
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("message__room__space", "message__author")
        .get(pk=report.pk)
    )
    message = report.message
    _moderate(actor, message.room)
    if report.status != Report.Status.OPEN:
        raise DiscussionError(
            _("This report has already been resolved."), code="already_resolved", status=409
        )
    if resolution not in ("hidden", "kept", "sanctioned"):
        raise DiscussionError(_("Resolve as hidden, kept or sanctioned."), code="bad_value")
    why = reason or report.reason
    if resolution in ("hidden", "sanctioned") and message.state != Message.State.HIDDEN:
        do_hide_message(actor=actor, message=message, reason=why)
    if resolution == "sanctioned" and message.author:
        do_sanction(
            actor=actor, room=message.room, user=message.author, kind="mute", reason=why, minutes=minutes
        )
    now = timezone.now()
    # Other open reports on the same message are resolved the same way.
    Report.objects.filter(message=message, status=Report.Status.OPEN).update(
        status=resolution, resolved_by=actor, resolved_at=now
    )
    report.refresh_from_db()
    audit(
        actor=actor,
        space=message.room.space,
        room=message.room,
        action=f"report.{resolution}",
        target_user=message.author,
        message=message,
        reason=reason,
    )
    broadcast_room(message.room, report_frame(report), moderators_only=True)
    return report


# --- Word filters ----------------------------------------------------------------------------------
WORD_FILTER_VERSION = "discussion:word-filters:version"


def word_filters_changed():
    """Drop every cached filter list (a parent's filters apply to its children's rooms too)."""
    if not cache.add(WORD_FILTER_VERSION, 2, None):
        try:
            cache.incr(WORD_FILTER_VERSION)
        except ValueError:
            cache.set(WORD_FILTER_VERSION, 2, None)


def word_filter_key(space_id):
    return f"discussion:word-filters:{cache.get(WORD_FILTER_VERSION, 1)}:{space_id}"


def check_words(user, room, body, moderator):
    """The discussion's pre-send check: a refusing filter refuses the text (``refused_word``); a holding
    one returns True (held for review). Filters of the room's space and of its parent apply."""
    # Filters change rarely and are read on every message: cached per space, dropped when they change.
    key = word_filter_key(room.space_id)
    words = cache.get(key)
    if words is None:
        space_ids = [room.space_id] + ([room.space.parent_id] if room.space.parent_id else [])
        words = list(WordFilter.objects.filter(space_id__in=space_ids).values_list("word", "action"))
        cache.set(key, words, 300)
    hold = False
    lowered = body.lower()
    for word, action in words:
        if re.search(r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)", lowered):
            if action == "refuse":
                raise DiscussionError(
                    _("This message contains words that are not allowed here."), code="refused_word"
                )
            hold = True
    return hold


def audit_held(message):
    """The discussion's stored-message listener: a held message goes into the audit log."""
    if message.state == Message.State.HELD:
        audit(
            actor=None,
            space=message.room.space,
            room=message.room,
            action="message.held",
            target_user=message.author,
            message=message,
            reason=_("Word filter"),
        )


def keeps_text(message):
    """The discussion's text keeper: a message that was reported, hidden or held keeps its text in the
    revision history when its author deletes it, for the audit."""
    return (
        Report.objects.filter(message=message).exists() or AuditEntry.objects.filter(message=message).exists()
    )


def _drop_cached_filters():
    # Now, for this transaction's own reads, and again after commit, for everyone else's.
    word_filters_changed()
    transaction.on_commit(word_filters_changed)


@transaction.atomic
def do_add_word_filter(*, actor, space, word, action):
    check(actor, "moderate", space)
    word = (word or "").strip()
    if not word or len(word) > 100:
        raise DiscussionError(_("A filtered word is 1 to 100 characters."), code="bad_value")
    if action not in WordFilter.Action.values:
        raise DiscussionError(_("A filter holds or refuses."), code="bad_value")
    _drop_cached_filters()
    entry, _created = WordFilter.objects.update_or_create(
        space=space, word=word.lower(), defaults={"action": action, "created_by": actor}
    )
    audit(actor=actor, space=space, action="filter.added", data={"word": entry.word, "action": action})
    return entry


@transaction.atomic
def do_remove_word_filter(*, actor, word_filter):
    check(actor, "moderate", word_filter.space)
    _drop_cached_filters()
    audit(actor=actor, space=word_filter.space, action="filter.removed", data={"word": word_filter.word})
    word_filter.delete()

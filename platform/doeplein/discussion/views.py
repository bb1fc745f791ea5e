"""The room page: works with plain forms (no JavaScript, no websockets), refreshes with htmx, and
upgrades to live updates with static/discussion/room.js. Every POST calls the same actions as the socket."""

import uuid

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doeplein.access import get_object_or_404
from doeplein.core.exceptions import ActionError
from doeplein.spaces.models import Space

from . import actions
from .models import Message
from .registry import registry
from .selectors import messages_for, room_by_id, unread_count
from .serializers import reaction_counts


def _number(value):
    """A positive whole number from a form or query string, or None ("²" is a digit, not a number)."""
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _context(request, room, before=None):
    moderator = actions.is_moderator(request.user, room)
    items = messages_for(user=request.user, room=room, before=before, moderator=moderator)
    for item in items:
        item.reaction_summary = sorted(reaction_counts(item).items())
    may_write, why_not, why_not_until = True, "", None
    if request.user.is_authenticated:
        try:
            actions.check_can_post(request.user, room)
        except ActionError as exc:
            may_write, why_not = False, exc.message
            why_not_until = getattr(exc, "until", None)
        except PermissionDenied:
            may_write = False
    else:
        may_write = False
    last_read_seq, mentioned = 0, set()
    if request.user.is_authenticated and items:
        from .models import Mention, ReadMarker

        # Read before the page marks everything read: the "new messages" divider goes after it.
        last_read_seq = (
            ReadMarker.objects.filter(room=room, user=request.user)
            .values_list("last_read_seq", flat=True)
            .first()
            or 0
        )
        mentioned = set(
            Mention.objects.filter(user=request.user, message__in=[m.pk for m in items]).values_list(
                "message_id", flat=True
            )
        )
    first_new = next(
        (m.seq for m in items if last_read_seq and m.seq > last_read_seq and m.author_id != request.user.pk),
        None,
    )
    for item in items:
        item.mentions_me = item.pk in mentioned
    return {
        "first_new_seq": first_new,
        "reports": [],
        **registry.extra_context(request, room, moderator),
        "room": room,
        "space": room.space.specific,
        "items": items,
        "moderator": moderator,
        "may_write": may_write,
        "why_not": why_not,
        "why_not_until": why_not_until,
        "client_id": uuid.uuid4().hex,
        "reactions": actions.ALLOWED_REACTIONS,
        "unread": unread_count(user=request.user, room=room),
        "oldest": items[0].seq if items else None,
        "max_length": actions.max_length(),
    }


def space_room(request, space_id):
    """The discussion of a workspace or group (created on first visit)."""
    space = get_object_or_404(request.user, Space.objects.all(), "view", pk=space_id)
    room = actions.get_or_create_room(space=space, title=space.name)
    return redirect(room.get_absolute_url())


def target_room(request, model_label, object_id):
    """The discussion of an item a plugin offers through the discussion-targets hook (a post, a file)."""
    from doeplein.access import check, follow
    from doeplein.plugins import HOOK_DISCUSSION_TARGETS, collect

    targets = {t.model._meta.label_lower: t for t in collect(HOOK_DISCUSSION_TARGETS)}
    spec = targets.get(model_label.lower())
    if spec is None:
        raise Http404
    target = spec.model._default_manager.filter(pk=object_id).first()
    check(request.user, "view", target)
    space = follow(target, spec.space) if spec.space else target
    room = actions.get_or_create_room(space=space, target=target, title=str(target))
    return redirect(room.get_absolute_url())


def room(request, room_id):
    room = room_by_id(user=request.user, room_id=room_id)
    before = request.GET.get("before")
    context = _context(request, room, before=_number(before))
    context["draft"] = request.session.pop("discussion_draft", "")
    if request.user.is_authenticated and context["items"]:
        actions.do_mark_read(user=request.user, room=room, seq=context["items"][-1].seq)
    return render(request, "discussion/room.html", context)


def message_fragment(request, room_id, seq):
    """One message with its action forms, for the live client to swap in when someone opens its menu."""
    room = room_by_id(user=request.user, room_id=room_id)
    context = _context(request, room, before=seq + 1)
    found = [m for m in context["items"] if m.seq == seq]
    if not found:
        raise Http404
    context["m"] = found[0]
    return render(request, "discussion/_message.html", context)


def room_messages(request, room_id):
    """The message list alone, for htmx refreshes without websockets."""
    room = room_by_id(user=request.user, room_id=room_id)
    return render(request, "discussion/_messages.html", _context(request, room))


def _back(room, anchor=""):
    return redirect(room.get_absolute_url() + anchor)


def _message(request, room, seq):
    message = Message.objects.select_related("room__space", "author").filter(room=room, seq=seq).first()
    if message is None:
        raise Http404
    return message


def _run(request, fn, success, **kwargs):
    try:
        fn(**kwargs)
    except ActionError as exc:
        until = getattr(exc, "until", None)
        text = exc.message + (
            " " + _("Until %(when)s.") % {"when": until.strftime("%H:%M:%S")} if until else ""
        )
        flash.error(request, text)
        return False
    if success:
        flash.success(request, success)
    return True


@login_required
@require_POST
def post(request, room_id):
    room = room_by_id(user=request.user, room_id=room_id)
    reply_to = request.POST.get("reply_to") or None
    ok = _run(
        request,
        actions.do_send_message,
        None,
        user=request.user,
        room=room,
        body=request.POST.get("body", ""),
        client_id=request.POST.get("client_id", ""),
        reply_to=_number(reply_to),
    )
    if not ok:
        # Keep what they wrote: nothing typed is lost on a refusal.
        request.session["discussion_draft"] = request.POST.get("body", "")[: actions.max_length()]
    return _back(room, "#compose" if not ok else "#latest")


def _page_action(request, room, message, on, verb):
    """Run a form another app registered for the room page (moderation's hide, pin, sanction …)."""
    spec = registry.page_actions.get((on, verb))
    if spec is None:
        raise Http404
    try:
        fn, kwargs, success = spec.prepare(request, room, message)
    except ActionError as exc:
        flash.error(request, exc.message)
        return
    _run(request, fn, success, **kwargs)


@login_required
@require_POST
def message_action(request, room_id, seq, verb):
    room = room_by_id(user=request.user, room_id=room_id)
    message = _message(request, room, seq)
    user = request.user
    own = {
        "edit": (
            actions.do_edit_message,
            {"user": user, "message": message, "body": request.POST.get("body", "")},
            _("Saved."),
        ),
        "delete": (
            actions.do_delete_message,
            {"user": user, "message": message},
            _("Your message was deleted."),
        ),
        "react": (
            actions.do_react,
            {
                "user": user,
                "message": message,
                "emoji": request.POST.get("emoji", ""),
                "add": request.POST.get("remove") != "1",
            },
            None,
        ),
    }
    if verb in own:
        fn, kwargs, success = own[verb]
        _run(request, fn, success, **kwargs)
    else:
        _page_action(request, room, message, "message", verb)
    return _back(room, f"#m{seq}")


@login_required
@require_POST
def room_action(request, room_id, verb):
    room = room_by_id(user=request.user, room_id=room_id)
    _page_action(request, room, None, "room", verb)
    return _back(room)

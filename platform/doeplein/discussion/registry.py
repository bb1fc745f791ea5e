"""What other apps add to a discussion, registered once in their ``AppConfig.ready()``.

The discussion core knows rooms, messages and the websocket; it never imports the apps that extend
it. Moderation (hide, pin, lock, sanctions, reports, word filters) registers here:

* **frame types**: a websocket frame's ``type``, its pydantic model and its handler;
* **pre-send checks**: run on every new or edited text (a word filter refuses or holds it);
* **a sanctions reader**: which sanctions are in force for a person in a room (the gate's answer for a
  room includes them, for reading as well as writing);
* **page actions**: the plain-HTML forms of the room page (``/discussion/<room>/m/<seq>/<verb>/`` and
  ``/discussion/<room>/<verb>/``);
* **room context**: extra template context of the room page (the review queue);
* **stored-message listeners** and **text keepers**: the audit hears of held messages and decides whether
  a deleted message's text must be kept for it.

Registering the same frame type, page action or sanctions reader twice is an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # pragma: no cover
    from .frames import Frame


@dataclass(frozen=True)
class FrameType:
    """One websocket frame type: ``handle(connection, frame)`` runs after ``model`` parsed the frame.

    ``anonymous``: anonymous readers of a public room may send it (``hello``, ``history``); every other
    frame needs a login. ``moderation``: listed under "Moderation" in the protocol document."""

    name: str
    model: type[Frame]
    handle: Callable[[Any, Frame], Awaitable[None]]
    anonymous: bool = False
    moderation: bool = False


@dataclass(frozen=True)
class PageAction:
    """A plain-HTML form of the room page. ``prepare(request, room, message)`` returns the action to call
    as ``(function, keyword arguments, success text or None)``; it may raise an ActionError."""

    verb: str
    on: Literal["message", "room"]
    prepare: Callable[..., tuple[Callable[..., Any], dict, str | None]]


# A sanctions reader answers {kind: until or None} for the sanctions in force ("mute", "ban").
SanctionsReader = Callable[[Any, int], dict[str, datetime | None]]
# A pre-send check gets (user, room, body, moderator); it raises a DiscussionError to refuse and
# returns True to hold the message for review.
PreSendCheck = Callable[[Any, Any, str, bool], bool]


@dataclass
class DiscussionRegistry:
    frames: dict[str, FrameType] = field(default_factory=dict)
    page_actions: dict[tuple[str, str], PageAction] = field(default_factory=dict)
    pre_send_checks: list[PreSendCheck] = field(default_factory=list)
    room_context: list[Callable[[Any, Any, bool], dict]] = field(default_factory=list)
    stored_listeners: list[Callable[[Any], None]] = field(default_factory=list)
    text_keepers: list[Callable[[Any], bool]] = field(default_factory=list)
    sanctions_reader: SanctionsReader | None = None

    def register_frame(self, frame_type: FrameType) -> FrameType:
        if not frame_type.name.isidentifier():
            raise ImproperlyConfigured(f"Frame type {frame_type.name!r} is not an identifier.")
        if frame_type.name in self.frames:
            raise ImproperlyConfigured(f"Discussion frame type {frame_type.name!r} is registered twice.")
        if frame_type.model.model_fields["type"].default != frame_type.name:
            raise ImproperlyConfigured(f"The model of frame {frame_type.name!r} has another type.")
        self.frames[frame_type.name] = frame_type
        return frame_type

    def register_page_action(self, action: PageAction) -> PageAction:
        key = (action.on, action.verb)
        if key in self.page_actions:
            raise ImproperlyConfigured(f"Room page action {key!r} is registered twice.")
        self.page_actions[key] = action
        return action

    def register_pre_send(self, check: PreSendCheck) -> PreSendCheck:
        self.pre_send_checks.append(check)
        return check

    def register_room_context(self, provider: Callable[[Any, Any, bool], dict]):
        self.room_context.append(provider)
        return provider

    def register_stored_listener(self, listener: Callable[[Any], None]):
        """``listener(message)`` runs inside the storing transaction of every new or edited message."""
        self.stored_listeners.append(listener)
        return listener

    def register_text_keeper(self, keeper: Callable[[Any], bool]):
        """``keeper(message)`` is True when a deleted message's text must stay in its revision history."""
        self.text_keepers.append(keeper)
        return keeper

    def register_sanctions_reader(self, reader: SanctionsReader) -> SanctionsReader:
        if self.sanctions_reader is not None:
            raise ImproperlyConfigured("A discussion sanctions reader is registered twice.")
        self.sanctions_reader = reader
        return reader

    # --- asked by the core -------------------------------------------------------------------------
    def sanctions(self, user, room_id) -> dict[str, datetime | None]:
        if self.sanctions_reader is None or not getattr(user, "is_authenticated", False):
            return {}
        return self.sanctions_reader(user, room_id)

    def hold(self, user, room, body, moderator) -> bool:
        """Run every pre-send check (each may refuse); True when one holds the text for review."""
        held = False
        for check in self.pre_send_checks:
            held = bool(check(user, room, body, moderator)) or held
        return held

    def keeps_text(self, message) -> bool:
        return any(keeper(message) for keeper in self.text_keepers)

    def extra_context(self, request, room, moderator) -> dict:
        context = {}
        for provider in self.room_context:
            context.update(provider(request, room, moderator))
        return context


registry = DiscussionRegistry()

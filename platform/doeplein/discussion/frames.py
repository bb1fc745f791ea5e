"""Websocket frames as typed models: every frame is parsed here before any handler runs.

One pydantic model per frame type (``type`` is its literal name). Text fields refuse lone surrogates
and control characters; numbers are whole, bounded where they enter. A frame that does not fit its
model is refused with the error code of the field that failed (``bad_frame`` unless the field names
its own, such as ``bad_client_id`` for ``client_id``), before the JSON parser can be made to recurse
too deep. :func:`protocol_tables` renders the same models as the protocol document's tables
(``docs/live-discussion.md``, kept equal by ``tests/doeplein/discussion/test_protocol_doc.py``).
"""

from __future__ import annotations

import json
import re
from types import UnionType
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

# The deepest nesting a real client sends is 2 (a send's list of mentions); 32 leaves room and keeps
# json.loads far from Python's recursion limit.
MAX_DEPTH = 32
MAX_ID = 2**63 - 1  # the largest id or seq PostgreSQL stores
MAX_MENTIONS = 50
MAX_REASON = 500
MAX_SLOW_MODE_SECONDS = 3600
MAX_SANCTION_MINUTES = 365 * 24 * 60

SURROGATE = re.compile(r"[\ud800-\udfff]")
# Control characters other than tab, line feed and carriage return (C0, DEL and C1).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile(r"[\t\n\r]")
# Codes a validator raises itself; any other failure takes the field's code.
OWN_CODES = ("bad_value", "empty", "too_long", "bad_client_id")


class FrameError(Exception):
    """A frame refused before or by its handler: becomes one ``error`` frame."""

    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


# --- text rules ------------------------------------------------------------------------------------
def _no_surrogates_or_controls(value: str, *, single_line: bool = False, code: str = "bad_value") -> str:
    if SURROGATE.search(value):
        raise PydanticCustomError(code, "lone surrogate")
    if CONTROL.search(value) or (single_line and LINE_BREAK.search(value)):
        raise PydanticCustomError(code, "control character")
    return value


def _text(value: str) -> str:
    return _no_surrogates_or_controls(value)


def _line(value: str) -> str:
    return _no_surrogates_or_controls(value, single_line=True)


def _null_is_empty(value: Any) -> Any:
    return "" if value is None else value


def _body_is_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("empty", "not text")
    return value


def _body(value: str) -> str:
    _no_surrogates_or_controls(value)
    if not value.strip():
        raise PydanticCustomError("empty", "empty")
    if len(value.strip()) > settings.DISCUSSION_MAX_MESSAGE_LENGTH:
        raise PydanticCustomError("too_long", "too long")
    return value


def _client_id(value: Any) -> Any:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise PydanticCustomError("bad_client_id", "1 to 64 characters")
    return _no_surrogates_or_controls(value, single_line=True, code="bad_client_id")


Body = Annotated[
    str,
    BeforeValidator(_body_is_text),
    AfterValidator(_body),
    Field(description="plain text, 1 to `DISCUSSION_MAX_MESSAGE_LENGTH` characters after trimming"),
]
ClientId = Annotated[str, BeforeValidator(_client_id), Field(description="1–64 characters, one line")]
Reason = Annotated[
    str,
    BeforeValidator(_null_is_empty),
    Field(max_length=MAX_REASON),
    AfterValidator(_text),
    Field(description="text (null counts as empty)"),
]
Seq = Annotated[int, Field(ge=1, le=MAX_ID, description="a message's `seq` in this room")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Frame(BaseModel):
    """A client frame. Unknown keys are ignored (clients may add their own, such as ``ref``)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, hide_input_in_errors=True)
    # The error code of a field whose value does not fit (default ``bad_frame``).
    field_codes: ClassVar[dict[str, str]] = {}
    type: str


# --- the core's frames -----------------------------------------------------------------------------
class Hello(Frame):
    """Start or resume."""

    type: Literal["hello"] = "hello"
    last_seq: int | None = Field(None, ge=0, le=MAX_ID, description="the last `seq` seen; resume after it")


class Send(Frame):
    """A new message."""

    field_codes: ClassVar[dict[str, str]] = {"client_id": "bad_client_id", "body": "empty"}
    type: Literal["send"] = "send"
    client_id: ClientId
    body: Body
    reply_to: Seq | None = None
    mentions: list[
        Annotated[int, Field(ge=1, le=MAX_ID)] | Annotated[str, Field(max_length=20), AfterValidator(_line)]
    ] = Field(default_factory=list, max_length=MAX_MENTIONS, description="user ids to notify")


class Edit(Frame):
    """Change your own message."""

    field_codes: ClassVar[dict[str, str]] = {"body": "empty"}
    type: Literal["edit"] = "edit"
    seq: Seq
    body: Body


class Delete(Frame):
    type: Literal["delete"] = "delete"
    seq: Seq


class React(Frame):
    field_codes: ClassVar[dict[str, str]] = {"emoji": "bad_reaction"}
    type: Literal["react"] = "react"
    seq: Seq
    emoji: str = Field(max_length=16, description="one of 👍 ❤️ 🎉 😄 🤔 👀 ✅ 🙏")
    remove: bool = Field(False, description="take the reaction back")


class Typing(Frame):
    type: Literal["typing"] = "typing"


class Read(Frame):
    type: Literal["read"] = "read"
    seq: int = Field(ge=0, le=MAX_ID, description="read up to this `seq`")


class History(Frame):
    type: Literal["history"] = "history"
    before: Seq | None = Field(None, description="page back from this `seq` (default: the newest)")
    limit: int = Field(50, ge=1, le=MAX_ID, description="at most 100 are sent")


CORE_FRAMES = (Hello, Send, Edit, Delete, React, Typing, Read, History)


# --- parsing -------------------------------------------------------------------------------------
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Would ``json.loads(text)`` nest deeper than ``limit``? Checked without recursion, before parsing."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case: no scan at all
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _reject_constant(name):
    raise ValueError(name)  # NaN and Infinity are not JSON


def load(text: str, *, max_bytes: int) -> dict:
    """The frame as a dict with a string ``type``, or a :class:`FrameError`."""
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise FrameError("frame_too_large", _("The frame is larger than %(n)d bytes.") % {"n": max_bytes})
    if too_deep(text):
        raise FrameError("bad_frame", _("The frame is nested too deeply."))
    try:
        frame = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise FrameError("bad_json", _("The frame is not valid JSON.")) from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("bad_frame", _('A frame is a JSON object with a "type".'))
    return frame


def validate(model: type[Frame], frame: dict) -> Frame:
    """``frame`` as ``model``, or the :class:`FrameError` of the first field that does not fit."""
    try:
        return model.model_validate(frame)
    except ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
        name = str(error["loc"][0]) if error["loc"] else "type"
        code = error["type"] if error["type"] in OWN_CODES else model.field_codes.get(name, "bad_frame")
        raise FrameError(code, refusal_message(code, name), ref=safe_ref(frame)) from None


def refusal_message(code: str, name: str) -> str:
    if code == "empty":
        return _("A message needs text.")
    if code == "too_long":
        return _("A message can be at most %(n)d characters long.") % {
            "n": settings.DISCUSSION_MAX_MESSAGE_LENGTH
        }
    if code == "bad_client_id":
        return _("Every message needs a client_id of 1 to 64 characters.")
    if code == "bad_reaction":
        return _("Choose one of the offered reactions.")
    if code == "bad_value":
        return _("%(name)s has a value that is not allowed.") % {"name": name}
    return _("%(name)s is missing or has the wrong type.") % {"name": name}


def safe_ref(frame: Any) -> str | None:
    """The ``client_id`` (or ``ref``) to repeat in an error frame, if it is clean text."""
    if not isinstance(frame, dict):
        return None
    for key in ("client_id", "ref"):
        value = frame.get(key)
        if (
            isinstance(value, str)
            and 0 < len(value) <= 64
            and not SURROGATE.search(value)
            and not CONTROL.search(value)
        ):
            return value
    return None


def printable(value: str, limit: int = 40) -> str:
    """``value`` shortened and with lone surrogates and control characters replaced, for a message."""
    return CONTROL.sub("?", SURROGATE.sub("?", value[:limit]))


# --- the protocol document -------------------------------------------------------------------------
def _describe(annotation, info) -> tuple[str, str]:
    """A field's JSON type and rules, in words."""
    names = {int: "integer", str: "string", bool: "boolean"}
    rules = [info.description] if info.description else []
    nullable = False

    def walk(tp):
        nonlocal nullable
        if tp is type(None):
            nullable = True
            return []
        origin = get_origin(tp)
        if origin is Annotated:
            base, *metadata = get_args(tp)
            rules.extend(_bounds(metadata))
            return walk(base)
        if origin is Literal:
            rules.append("one of " + ", ".join(f"`{value}`" for value in get_args(tp)))
            return ["string"]
        if origin is list:
            return ["list of " + " or ".join(k for arg in get_args(tp) for k in walk(arg))]
        if origin in (Union, UnionType):
            return [k for arg in get_args(tp) for k in walk(arg)]
        return [names.get(tp, "value")]

    kinds = walk(annotation)
    rules.extend(_bounds(info.metadata))
    kind = " or ".join(dict.fromkeys(kinds)) + (" or null" if nullable else "")
    return kind, "; ".join(dict.fromkeys(rules))


def _bounds(metadata):
    rules = []
    for item in metadata:
        for attr, word in (("ge", "≥"), ("le", "≤"), ("max_length", "at most")):
            value = getattr(item, attr, None)
            if value is not None and not (attr == "le" and value == MAX_ID):
                rules.append(f"{word} {value}")
        if getattr(item, "description", None):
            rules.insert(0, item.description)
    return rules


def frame_table(model: type[Frame]) -> str:
    """The Markdown table of one frame model's fields."""
    rows = ["| field | type | required | rules |", "| --- | --- | --- | --- |"]
    for name, info in model.model_fields.items():
        if name == "type":
            continue
        kind, rules = _describe(info.annotation, info)
        code = model.field_codes.get(name)
        if code:
            rules = (rules + "; " if rules else "") + f"else `{code}`"
        rows.append(f"| `{name}` | {kind} | {'yes' if info.is_required() else 'no'} | {rules} |")
    if len(rows) == 2:
        rows.append("| — | | | no fields besides `type` |")
    return "\n".join(rows)


def protocol_tables(frame_types) -> str:
    """Every client frame's table, in the document's order, between its generated-section markers."""
    parts = []
    for frame_type in frame_types:
        parts.append(f"#### `{frame_type.name}`\n{frame_table(frame_type.model)}")
    return "\n\n".join(parts)


TABLES_START, TABLES_END = "<!-- frame tables: generated -->", "<!-- end of frame tables -->"


def write_protocol_tables(path=None):
    """Rewrite the generated section of docs/live-discussion.md from the registered frame models."""
    from pathlib import Path

    from .registry import registry

    path = Path(path or Path(settings.BASE_DIR) / "docs" / "live-discussion.md")
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(TABLES_START, 1)
    _old, tail = rest.split(TABLES_END, 1)
    path.write_text(
        f"{head}{TABLES_START}\n{protocol_tables(registry.frames.values())}\n{TABLES_END}{tail}",
        encoding="utf-8",
    )


__all__ = ["CORE_FRAMES", "Frame", "FrameError", "load", "protocol_tables", "too_deep", "validate"]

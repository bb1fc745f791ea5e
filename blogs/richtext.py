"""A post's body: Wagtail's rich text for the post's features, in and out.

Everything stored goes through Wagtail's own converters, never a hand-made sanitiser:

* HTML (the API, the page without script) goes through Wagtail's whitelister for the features
  (``EditorHTMLConverter``, i.e. ``DbWhitelister``), then through the contentstate converter and back,
  so that it is stored in exactly the form the Draftail editor writes and reads;
* contentstate (what the Draftail editor sends) is first checked for its shape (a schema: malformed
  JSON is a form error, never a 500) and then written as HTML by Wagtail's ``ContentstateConverter``,
  which only knows the features' blocks, styles and links (``javascript:`` URLs become plain text).
"""

import json
from functools import cache
from html import unescape

from django.utils.html import escape, strip_tags
from draftjs_exporter.error import ExporterException
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

BODY_HTML_MAX = 200_000
# Contentstate carries keys and ranges beside the text: room for a body of BODY_HTML_MAX characters.
CONTENTSTATE_MAX = 600_000


# What Wagtail's contentstate converter raises on a structure it cannot convert (its HTML parser asserts;
# draftjs_exporter raises its own errors).
CONVERTER_ERRORS = (
    AssertionError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
    ExporterException,
)


class BadContentstate(ValueError):
    """What the editor sent is not contentstate."""


class _Range(BaseModel):
    model_config = ConfigDict(extra="ignore")
    offset: StrictInt = Field(ge=0)
    length: StrictInt = Field(ge=0)


class _StyleRange(_Range):
    style: StrictStr = Field(max_length=100)


class _EntityRange(_Range):
    key: StrictInt | StrictStr


class _Block(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: StrictStr = Field(default="", max_length=100)
    text: StrictStr
    type: StrictStr = Field(default="unstyled", max_length=100)
    depth: StrictInt = Field(default=0, ge=0, le=10)
    inlineStyleRanges: list[_StyleRange] = []  # noqa: N815 (Draft.js's names)
    entityRanges: list[_EntityRange] = []  # noqa: N815
    data: dict = {}


class _Entity(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: StrictStr = Field(max_length=100)
    mutability: StrictStr = Field(default="MUTABLE", max_length=20)
    data: dict = {}


class _ContentState(BaseModel):
    model_config = ConfigDict(extra="ignore")
    blocks: list[_Block]
    entityMap: dict[str, _Entity] = {}  # noqa: N815


def _features():
    from .models import BODY_FEATURES

    return BODY_FEATURES


@cache
def contentstate_converter():
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    return ContentstateConverter(_features())


@cache
def whitelister():
    from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

    return EditorHTMLConverter(features=_features())


def text_to_html(text):
    """Paragraphs typed without markup become ``<p>`` elements; markup goes to Wagtail's whitelister."""
    if "<" in text:
        return text
    return "".join(
        f"<p>{escape(p.strip())}</p>" for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()
    )


def sanitise_body(html):
    """HTML from anyone, as stored: Wagtail's whitelister for the post's features (scripts, event
    handlers, ``javascript:`` links and iframes do not survive it), then Wagtail's contentstate converter
    there and back, so the stored HTML is what the Draftail editor itself would store."""
    clean = whitelister().to_database_format(html or "")
    if not clean.strip():
        return ""
    converter = contentstate_converter()
    try:
        return converter.to_database_format(converter.from_database_format(clean))
    except CONVERTER_ERRORS:
        # Allowed elements in a structure the editor has no blocks for (a list item outside a list,
        # links inside links): Wagtail's converter refuses it, so its text is kept, as paragraphs.
        text = unescape(strip_tags(clean))
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
        return converter.to_database_format(converter.from_database_format(paragraphs)) if paragraphs else ""


def contentstate_to_html(raw):
    """The Draftail editor's contentstate (a JSON string) as stored HTML. Raises :class:`BadContentstate`."""
    if not isinstance(raw, str) or len(raw) > CONTENTSTATE_MAX:
        raise BadContentstate("too long")
    try:
        state = _ContentState.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
        raise BadContentstate(str(exc)) from exc
    for block in state.blocks:
        for r in (*block.inlineStyleRanges, *block.entityRanges):
            if r.offset + r.length > len(block.text):
                raise BadContentstate("a range outside its block")
        for r in block.entityRanges:
            if str(r.key) not in state.entityMap:
                raise BadContentstate("a range with an unknown entity")
    try:
        return contentstate_converter().to_database_format(state.model_dump_json())
    except CONVERTER_ERRORS as exc:
        # The schema keeps out what the converter cannot read; this is the last net, so that a
        # shape it missed is a form error too and not a server error.
        raise BadContentstate(str(exc)) from exc


def html_to_contentstate(html):
    """Stored HTML as the Draftail editor's contentstate (JSON)."""
    try:
        return contentstate_converter().from_database_format(html or "")
    except CONVERTER_ERRORS:
        # Wagtail's parser wants well-formed HTML: a body stored before it went through the converter
        # (or mangled since) is whitelisted and normalised again first, which makes it so.
        return contentstate_converter().from_database_format(sanitise_body(html))


def html_for_textarea(html):
    """Stored HTML as it is shown in the text area of the page without script (no editor's keys)."""
    return whitelister().to_database_format(html or "")

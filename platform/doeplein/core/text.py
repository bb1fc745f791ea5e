"""Small safe markdown for texts people write: markdown-it-py renders (no raw HTML), nh3 (ammonia)
keeps only a short list of tags and makes every link safe."""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).disable(["image"])


def markdown_to_html(text):
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )

"""Small helpers every router of the API shares (core and plugins): ids in paths, strict bodies, pages."""

from typing import Annotated

from django.core.paginator import Paginator
from ninja import Path, Schema
from pydantic import ConfigDict, StringConstraints

from doeplein.core.forms import MAX_ID

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
# A row id in a path: positive and within a 64-bit integer, so that no database is asked for an id it cannot store.
Id = Path[int, {"ge": 1, "le": MAX_ID}]
# Request bodies: an object with the documented fields only (a misspelt field or a list is a 422, not ignored).
STRICT = ConfigDict(extra="forbid")


class PageOut(Schema):
    count: int
    page: int
    pages: int


def paginate(queryset, *, page, per_page, serialize) -> dict:
    """One page of ``queryset`` as ``{count, page, pages, results}``; a page past the end is the last one."""
    paginator = Paginator(queryset, max(1, min(per_page, 100)))
    current = paginator.get_page(page)
    items = list(current.object_list)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": serialize(items),
    }


__all__ = ["MAX_ID", "Id", "PageOut", "STRICT", "Text", "paginate"]

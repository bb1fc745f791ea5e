"""The search in the JSON API: the same parameters as the search page, the same access filter."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema

from doeplein.api.auth import OPTIONAL

from .query import MAX_CHARS
from .selectors import MAX_PAGE, MAX_PER_PAGE, PER_PAGE, SearchParams, search, suggestions

router = Router(tags=["search"])
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class SearchQueryIn(Schema):
    q: str = Field(
        "",
        max_length=MAX_CHARS,
        description='Words; "a phrase"; word* (prefix); a OR b; -word. At most 1,000 characters (longer: '
        "a 422 naming the field; an URL of tens of kilobytes is refused by HTTP servers before the API); the "
        "search reads the first 12 words and says so in `notes`.",
    )
    type: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list,
        max_length=20,
        description="Types to keep (workspace, group, message, person …).",
    )
    theme: Id | None = None
    space: Id | None = Field(
        None, description="Only in this space (and the spaces inside it); its members too."
    )
    person: Id | None = Field(None, description="Only by (or about) this person.")
    year: Annotated[int, Field(ge=1900, le=2999)] | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: Annotated[int, Field(ge=1, le=MAX_PAGE + 1)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = PER_PAGE


class ResultOut(Schema):
    type: str
    type_label: str
    title: str
    url: str
    snippet: str = Field(description="HTML: the matching passage, escaped, matches in <mark>.")
    date: datetime | None
    space_id: int | None
    space_name: str


class FacetValueOut(Schema):
    value: int | str
    label: str
    count: int = Field(description="Matches with this value, at most SEARCH_COUNT_LIMIT (see `capped`).")
    capped: bool = Field(False, description="True when there are more than `count` such matches.")
    selected: bool


class SearchOut(Schema):
    q: str
    total: int = Field(description="Matches found, at most SEARCH_COUNT_LIMIT (10,000 by default).")
    capped: bool = Field(
        description="True when there are more matches than `total`: counting stops at the limit."
    )
    page: int
    pages: int
    results: list[ResultOut]
    facets: dict[str, list[FacetValueOut]]
    notes: list[str] = Field(description="How the input was read (a long query cut, an unknown filter …).")


class SuggestionOut(Schema):
    title: str
    url: str
    type: str


@router.get("/search", response=SearchOut, auth=OPTIONAL, summary="Search the whole platform")
def search_endpoint(request, filters: Query[SearchQueryIn]):
    """Everything the caller may find, ranked; counts and facets count only what the caller may see."""
    params = SearchParams(
        q=filters.q,
        types=filters.type,
        theme=filters.theme,
        space=filters.space,
        person=filters.person,
        year=filters.year,
        date_from=filters.date_from,
        date_to=filters.date_to,
        page=filters.page,
        per_page=filters.per_page,
    )
    page = search(user=request.user, params=params)
    return {
        "q": filters.q[:MAX_CHARS],
        "total": page.total,
        "capped": page.capped,
        "page": filters.page,
        "pages": page.pages,
        "results": [
            {
                "type": r.type,
                "type_label": r.type_label,
                "title": r.heading,
                "url": r.url,
                "snippet": str(r.snippet),
                "date": r.date,
                "space_id": r.space_id,
                "space_name": r.space_name,
            }
            for r in page.results
        ],
        "facets": page.facets,
        "notes": [str(n) for n in page.notes],
    }


@router.get(
    "/search/suggest", response=list[SuggestionOut], auth=OPTIONAL, summary="Titles completing a search"
)
def suggest_endpoint(request, q: Annotated[str, Field(max_length=200)] = ""):
    return suggestions(user=request.user, q=q)

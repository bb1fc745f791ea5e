"""The search itself: one query over every source's documents, filtered by access in that query.

:func:`search` asks the gate which spaces the searcher may view and discover, and which audience tier
applies, and passes that as filters on the documents' ``guard``, ``space_id`` and ``audience`` fields
(filter fields of the index, so the same filter runs inside PostgreSQL or OpenSearch). Results, counts,
facets and snippets all come from that one filtered query: nothing is fetched and dropped in Python.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.search.backends import get_search_backend

from doeplein.access import discoverable, visible
from doeplein.access.gate import _active
from doeplein.plugins import search_sources
from doeplein.spaces.models import Membership, Space

from .models import PLAIN_CONFIG, SEARCH_CONFIGS, SearchDocument
from .query import parse

PER_PAGE = 20
MAX_PER_PAGE = 50
MAX_PAGE = 500  # deeper pages are no use to a person and costly to any engine
FACET_SIZE = 10
_MARK_ON, _MARK_OFF = "\x02", "\x03"
NOTHING = Q(guard="none")  # matches no document, on a filter field every backend knows


@dataclass
class SearchParams:
    q: str = ""
    types: list = field(default_factory=list)
    theme: int | None = None
    space: int | None = None
    person: int | None = None
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = PER_PAGE


@dataclass
class Result:
    type: str
    type_label: str
    heading: str
    url: str
    snippet: str  # safe HTML: escaped text with <mark> around the matches
    heading_html: str
    date: object
    space_id: int | None
    space_name: str = ""


@dataclass
class SearchPage:
    params: SearchParams
    results: list = field(default_factory=list)
    total: int = 0
    pages: int = 0
    facets: dict = field(default_factory=dict)  # name -> [{"value", "label", "count", "selected"}]
    notes: list = field(default_factory=list)
    space: object = None  # the space searched in, when "in this space"

    @property
    def has_previous(self):
        return self.params.page > 1 and self.total > 0

    @property
    def has_next(self):
        return self.params.page < self.pages


def backend():
    return get_search_backend()


# --- Access ------------------------------------------------------------------------------------------
@dataclass
class Scope:
    """What the gate lets ``user`` find: the filter, and the spaces it names (None: every space)."""

    filter: Q
    view_ids: set | None
    discover_ids: set | None

    def sees(self, space_id):
        return self.discover_ids is None or space_id in self.discover_ids or space_id in self.view_ids

    def views(self, space_id):
        return self.view_ids is None or space_id in self.view_ids


def access_scope(user):
    """The documents ``user`` may find, as a filter on the index's filter fields."""
    active = _active(user)
    if active and user.is_superuser:
        return Scope(Q(guard__in=["view", "discover"]) | Q(guard="audience", audience="only_me"), None, None)
    spaces = Space.objects.all()
    view_ids = set(visible(user, spaces).values_list("pk", flat=True))
    discover_ids = set(discoverable(user, spaces).values_list("pk", flat=True))
    tier = "logged_in" if active else "everyone"
    q = (
        Q(guard="view", space_id__in=sorted(view_ids))
        | Q(guard="discover", space_id__in=sorted(discover_ids))
        | Q(guard="audience", audience=tier)
    )
    return Scope(q, view_ids, discover_ids)


def space_themes():
    """{space id: {theme ids}} from every source that knows spaces' themes (read live)."""
    themes = {}
    for source in search_sources():
        if source.space_themes:
            for space_id, theme_id in source.space_themes():
                themes.setdefault(space_id, set()).add(theme_id)
    return themes


# --- Filters -----------------------------------------------------------------------------------------
def _filters(user, params, notes, scope):
    """{facet name: Q} for the filters given; unknown values answer a note and match nothing."""
    from doeplein.accounts.models import User

    filters = {}
    keys = {s.key for s in search_sources()}
    if params.types:
        known = [t for t in params.types if t in keys]
        if len(known) < len(params.types):
            notes.append(_("We do not know some of the types you chose; we left them out."))
        filters["type"] = Q(source__in=known) if known else NOTHING
    if params.space is not None:
        if not scope.sees(params.space):
            notes.append(_("We do not know that space."))
            filters["space"] = NOTHING
        else:
            ids = [params.space] + [
                pk
                for pk in Space.objects.filter(parent_id=params.space).values_list("pk", flat=True)
                if scope.sees(pk)
            ]
            q = Q(space_id__in=ids)
            if scope.views(params.space):
                # People who are members now (whoever may see the space may see its members).
                members = Membership.objects.filter(space_id=params.space, user__is_active=True)
                q |= Q(guard="audience", person_id__in=list(members.values_list("user_id", flat=True)))
            filters["space"] = q
    if params.theme is not None:
        from doeplein.home.models import Theme

        if not Theme.objects.filter(pk=params.theme).exists():
            notes.append(_("We do not know that theme."))
            filters["theme"] = NOTHING
        else:
            ids = [sid for sid, themes in space_themes().items() if params.theme in themes]
            filters["theme"] = Q(space_id__in=ids)
    if params.person is not None:
        if not User.objects.filter(pk=params.person, is_active=True, is_deleted=False).exists():
            notes.append(_("We do not know that person."))
            filters["person"] = NOTHING
        else:
            filters["person"] = Q(person_id=params.person)
    if params.year is not None:
        filters["year"] = Q(year=params.year)
    if params.date_from or params.date_to:
        q = Q()
        if params.date_from:
            q &= Q(date__gte=_start_of(params.date_from))
        if params.date_to:
            q &= Q(date__lt=_start_of(params.date_to + timedelta(days=1)))
        filters["date"] = q
    return filters


def _start_of(day):
    """Midnight at the start of ``day`` in the site's time zone."""
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min))


def _queryset(access, filters, leave_out=None):
    q = access
    for name, f in filters.items():
        if name != leave_out:
            q &= f
    return SearchDocument.objects.filter(q)


# --- Search ------------------------------------------------------------------------------------------
def search(*, user, params, facets=True):
    """One page of results for ``params`` as ``user`` may see them, with facet counts."""
    if connection.vendor != "postgresql":
        return _search(user=user, params=params, facets=facets)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # A search's few queries each run once: compiling them (PostgreSQL's JIT, on by default for
            # costly plans) took longer than it saved at full scale (bench/README.md).
            cursor.execute("SET LOCAL jit = off")
        return _search(user=user, params=params, facets=facets)


def _search(*, user, params, facets):
    page = SearchPage(params=params)
    parsed = parse(params.q)
    page.notes.extend(parsed.notes)
    if parsed.empty:
        if params.q.strip():
            page.notes.append(_("We found no words to search for. Try other words."))
        else:
            page.notes.append(_("Type what you are looking for."))
        return page
    scope = access_scope(user)
    access = scope.filter
    filters = _filters(user, params, page.notes, scope)
    if params.space is not None and scope.sees(params.space):
        page.space = Space.objects.filter(pk=params.space).first()
    engine = backend()
    # The ranking reads the matches' index entries and keys only; the page's rows are read afterwards.
    results = engine.search(parsed.query, _queryset(access, filters).only("pk", "date"))
    grouped = None
    if facets and _is_postgres_backend():
        # PostgreSQL: the total and every facet in one pass over the matches per facet base (the
        # matches of a common word are many: each pass costs), not a count and then the facets.
        grouped = _grouped_counts(engine, parsed, access, filters, FACET_FIELDS)
        page.total = grouped.pop("total")
    else:
        page.total = results.count()
    per_page = max(1, min(params.per_page, MAX_PER_PAGE))
    page.pages = min(-(-page.total // per_page), MAX_PAGE)
    if params.page < 1 or (params.page > max(page.pages, 1)):
        page.notes.append(_("There is no page %(page)s of these results.") % {"page": params.page})
    elif page.total:
        start = (params.page - 1) * per_page
        ids = [d.pk for d in results[start : start + per_page]]
        rows = SearchDocument.objects.in_bulk(ids)
        page.results = _results([rows[pk] for pk in ids if pk in rows], parsed)
    if facets and page.total:
        page.facets = _facets(engine, parsed, access, filters, params, grouped)
    return page


def _results(docs, parsed):
    labels = {s.key: s.label for s in search_sources()}
    snippets = _snippets(docs, parsed)
    names = dict(
        Space.objects.filter(pk__in={d.space_id for d in docs if d.space_id}).values_list("pk", "name")
    )
    return [
        Result(
            type=d.source,
            type_label=str(labels.get(d.source, d.source)),
            heading=d.heading,
            heading_html=_highlight(d.heading, parsed.terms),
            url=d.url,
            snippet=snippets.get(d.pk, ""),
            date=d.date,
            space_id=d.space_id,
            space_name=names.get(d.space_id, "") if d.guard == "view" else "",
        )
        for d in docs
    ]


def _snippets(docs, parsed):
    """{document id: safe HTML}: PostgreSQL's ts_headline for the page's rows, else a window in Python."""
    with_body = [d for d in docs if d.body]
    if not with_body:
        return {}
    if (
        connection.vendor == "postgresql"
        and hasattr(backend(), "query_compiler_class")
        and _is_postgres_backend()
    ):
        from django.contrib.postgres.search import SearchHeadline

        compiler = backend().query_compiler_class(SearchDocument.objects.none(), parsed.query)
        tsquery = compiler.build_tsquery(parsed.query)
        config = Case(
            *[When(language=lang, then=Value(cfg)) for lang, cfg in SEARCH_CONFIGS.items()],
            default=Value(PLAIN_CONFIG),
        )
        rows = SearchDocument.objects.filter(pk__in=[d.pk for d in with_body]).annotate(
            snippet=SearchHeadline(
                F("body"),
                tsquery,
                config=config,
                start_sel=_MARK_ON,
                stop_sel=_MARK_OFF,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        return {pk: _marked(text) for pk, text in rows.values_list("pk", "snippet")}
    return {d.pk: _python_snippet(d.body, parsed.terms) for d in with_body}


def _is_postgres_backend():
    from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

    return isinstance(backend(), PostgresSearchBackend)


def _marked(text):
    """Escape a headline, then turn its markers into <mark> elements."""
    escaped = html.escape(text or "")
    return mark_safe(escaped.replace(_MARK_ON, "<mark>").replace(_MARK_OFF, "</mark>"))  # noqa: S308 (escaped above)


def _term_pattern(terms):
    words = sorted({t for t in terms if len(t) > 1}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)


def _highlight(text, terms):
    pattern = _term_pattern(terms)
    if pattern is None or not text:
        return html.escape(text or "")
    return _marked(pattern.sub(lambda m: f"{_MARK_ON}{m.group(0)}{_MARK_OFF}", text))


def _python_snippet(body, terms, width=220):
    pattern = _term_pattern(terms)
    match = pattern.search(body) if pattern else None
    start = max(0, match.start() - width // 3) if match else 0
    window = body[start : start + width]
    prefix, suffix = ("… " if start else ""), (" …" if start + width < len(body) else "")
    return _highlight(prefix + window + suffix, terms)


# --- Facets ------------------------------------------------------------------------------------------
FACET_FIELDS = [("source", "type"), ("space_id", "space"), ("space_id", "theme"), ("person_id", "person"),
                ("year", "year")]  # fmt: skip


def _facets(engine, parsed, access, filters, params, grouped=None):
    """Counts per filter value, each with every other filter applied (so choosing one shows what the
    others would add). Every count comes from the access-filtered query."""
    from doeplein.accounts.models import User
    from doeplein.home.models import Theme

    if grouped is None and _is_postgres_backend():
        grouped = _grouped_counts(engine, parsed, access, filters, FACET_FIELDS)

    def counts(field_name, leave_out):
        if grouped is not None:
            return grouped[(field_name, leave_out)]
        found = engine.search(
            parsed.query, _queryset(access, filters, leave_out=leave_out), order_by_relevance=False
        )
        return [(k, v) for k, v in found.facet(field_name).items() if k is not None]

    labels = {s.key: str(s.label) for s in search_sources()}
    facets = {
        "type": [
            {"value": k, "label": labels.get(k, k), "count": v, "selected": k in params.types}
            for k, v in counts("source", "type")
        ]
    }
    by_space = counts("space_id", "space")[:FACET_SIZE]
    names = dict(Space.objects.filter(pk__in=[k for k, _ in by_space]).values_list("pk", "name"))
    facets["space"] = [
        {"value": k, "label": names.get(k, "?"), "count": v, "selected": k == params.space}
        for k, v in by_space
    ]
    themes_of = space_themes()
    theme_counts = {}
    for space_id, n in counts("space_id", "theme"):
        for theme_id in themes_of.get(space_id, ()):
            theme_counts[theme_id] = theme_counts.get(theme_id, 0) + n
    theme_names = dict(Theme.objects.filter(pk__in=theme_counts).values_list("pk", "name"))
    facets["theme"] = sorted(
        (
            {"value": k, "label": theme_names.get(k, "?"), "count": v, "selected": k == params.theme}
            for k, v in theme_counts.items()
        ),
        key=lambda f: (-f["count"], f["label"]),
    )[:FACET_SIZE]
    by_person = counts("person_id", "person")[:FACET_SIZE]
    people = {u.pk: u.display_name for u in User.objects.filter(pk__in=[k for k, _ in by_person])}
    facets["person"] = [
        {"value": k, "label": people.get(k, "?"), "count": v, "selected": k == params.person}
        for k, v in by_person
    ]
    facets["year"] = sorted(
        (
            {"value": k, "label": str(k), "count": v, "selected": k == params.year}
            for k, v in counts("year", "year")
        ),
        key=lambda f: -f["value"],
    )
    return facets


def _grouped_counts(engine, parsed, access, filters, wanted):
    """PostgreSQL: every facet whose base is the same filtered search counted in one query
    (``GROUP BY GROUPING SETS``) instead of one query per facet, and the total (the empty grouping set
    of the full query) with them. Returns {(field, leave_out): [(value, count)], by count; "total": n}."""
    bases = {None: set()}  # the full query: its total, and the facets whose filter is not set
    for field_name, leave_out in wanted:
        base = leave_out if leave_out in filters else None
        bases.setdefault(base, set()).add(field_name)
    result = {"total": 0}
    for base, fields in bases.items():
        fields = sorted(fields)
        found = engine.search(
            parsed.query, _queryset(access, filters, leave_out=base), order_by_relevance=False
        )
        inner = found.query_compiler.search(
            found.query_compiler.get_config(engine), None, None, backend=engine
        )
        flags = ", ".join(f"GROUPING({f})" for f in fields)
        sets = [f"({f})" for f in fields] + (["()"] if base is None else [])
        select = ", ".join([flags, ", ".join(fields), "count(*)"] if fields else ["count(*)"])
        try:
            sql, params = inner.order_by().values(*(fields or ["pk"])).query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (a theme no space has): no rows
            rows = []
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {select} FROM ({sql}) hits GROUP BY GROUPING SETS ({', '.join(sets)})",  # noqa: S608
                    params,
                )
                rows = cursor.fetchall()
        per_field = {f: {} for f in fields}
        n = len(fields)
        for row in rows:
            if base is None and all(row[i] == 1 for i in range(n)):
                result["total"] = row[-1]  # the empty grouping set: every match
                continue
            for i, f in enumerate(fields):
                if row[i] == 0 and row[n + i] is not None:
                    per_field[f][row[n + i]] = row[-1]
        for field_name, leave_out in wanted:
            if (leave_out if leave_out in filters else None) == base:
                ordered = sorted(per_field[field_name].items(), key=lambda kv: (-kv[1], str(kv[0])))
                result[(field_name, leave_out)] = ordered
    return result


def suggestions(*, user, q, limit=8):
    """Titles that complete what ``user`` is typing, among what they may find."""
    text = " ".join(parse(q).terms)
    if not text:
        return []
    found = backend().autocomplete(text, SearchDocument.objects.filter(access_scope(user).filter))
    return [{"title": d.heading, "url": d.url, "type": d.source} for d in found[:limit]]


def backend_status():
    """Which search backend runs; raises when it cannot answer a query."""
    engine = backend()
    list(engine.search("doeplein", SearchDocument.objects.all())[:1])  # a real query through the backend
    return {"backend": f"{type(engine).__module__}.{type(engine).__name__}"}

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

from .models import PLAIN_CONFIG, SEARCH_CONFIGS, SearchDocument, count_limit
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
    capped: bool = False  # more than count_limit() results: total is the limit, "more than …"
    limit: int = 0  # the count limit this page was counted with

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
            # The count pass's grouping sets cannot be split over workers, so every matching row goes
            # through the Gather, which PostgreSQL prices high (0.1 a row) and then scans alone; at
            # full scale the parallel scan is 30% faster (bench/README.md).
            cursor.execute("SET LOCAL parallel_tuple_cost = 0.01")
        return _search(user=user, params=params, facets=facets)


def _search(*, user, params, facets):
    page = SearchPage(params=params, limit=count_limit())
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
    limit = page.limit
    column = _uses_vector_column()
    grouped, tsquery, results = None, None, None
    if column:
        # PostgreSQL: match, access, counts, facets and ranking on the documents' own vector column;
        # the total and every facet in one statement, exact and shown capped (see docs/search.md).
        tsquery = _tsquery(engine, parsed)
        grouped = _capped_counts(tsquery, access, filters, FACET_FIELDS if facets else [], limit)
        page.total, page.capped = grouped.pop("total")
    else:
        # Other backends (Wagtail's database backend on SQLite, OpenSearch/Elasticsearch): the engine's
        # own count, shown capped the same way.
        results = engine.search(parsed.query, _queryset(access, filters).only("pk", "date"))
        total = results.count()
        page.total, page.capped = min(total, limit), total > limit
    per_page = max(1, min(params.per_page, MAX_PER_PAGE))
    page.pages = min(-(-page.total // per_page), MAX_PAGE)
    if params.page < 1 or (params.page > max(page.pages, 1)):
        page.notes.append(_("There is no page %(page)s of these results.") % {"page": params.page})
    elif page.total:
        start = (params.page - 1) * per_page
        if column:
            ids = _ranked_ids(tsquery, _queryset(access, filters), limit, start, per_page)
        else:
            ids = [d.pk for d in results[start : min(start + per_page, limit)]]
        rows = SearchDocument.objects.in_bulk(ids)
        page.results = _results([rows[pk] for pk in ids if pk in rows], parsed)
    if facets and page.total:
        page.facets = _facets(engine, parsed, access, filters, params, grouped, limit)
    return page


def _uses_vector_column():
    return connection.vendor == "postgresql" and _is_postgres_backend()


def _tsquery(engine, parsed):
    """The query as a tsquery expression, matched in every configuration (``dutch``, ``english``,
    ``simple``): the backend's own compiler, so that phrases, prefixes, OR and -word read the same."""
    return engine.query_compiler_class(SearchDocument.objects.none(), parsed.query).build_tsquery(
        parsed.query
    )


def _ranked_ids(tsquery, queryset, limit, start, size):
    """The ids of one page of matches, ranked. Bounded: the candidates are the ``limit`` newest matches
    (all of them when there are no more; the index on ``date`` serves it when there are many), ranked
    by ``ts_rank`` (title weight A above body weight B), ties newest first.

    The candidates are chosen on (id, date) alone, so that sorting them carries no vectors; their
    vectors are read by key for the rank. From this statement on, the search's transaction runs with
    ``SEARCH_RANK_MEMORY`` as its ``work_mem`` (the count pass before it keeps the default, under which
    PostgreSQL picks its parallel scan; with the 4 MB default the bitmap of a common word's matches here
    turns lossy, and every row on a lossy page is read and matched again)."""
    from django.conf import settings
    from django.contrib.postgres.search import SearchRank

    candidates = (
        queryset.filter(vector=tsquery)
        .order_by(F("date").desc(nulls_last=True), F("pk").desc())
        .values_list("pk", "date")[:limit]
    )
    sql, params = candidates.query.sql_with_params()
    rank = SearchRank(F("vector"), tsquery)
    # The rank over the candidates' own vectors (not computed for the rows the LIMIT leaves out).
    rank_sql, rank_params = _expression_sql(rank)
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.SEARCH_RANK_MEMORY])
        cursor.execute(
            f"SELECT c.id FROM ({sql}) AS c(id, date) JOIN {table} AS r ON r.id = c.id "  # noqa: S608 (SQL from the ORM)
            f"ORDER BY {rank_sql.replace(_VECTOR_COLUMN, 'r.vector')} DESC, c.date DESC NULLS LAST, c.id DESC "
            "LIMIT %s OFFSET %s",
            [*params, *rank_params, size, start],
        )
        return [row[0] for row in cursor.fetchall()]


_VECTOR_COLUMN = f'"{SearchDocument._meta.db_table}"."vector"'


def _expression_sql(expression):
    """(SQL, params) of an ORM expression over SearchDocument's columns."""
    query = SearchDocument.objects.all().query
    compiler = query.get_compiler(connection=connection)
    resolved = expression.resolve_expression(query)
    return compiler.compile(resolved)


def _capped_counts(tsquery, access, filters, wanted, limit):
    """PostgreSQL: the total and every facet, in one statement, shown capped.

    Each facet is counted with every *other* filter applied, so a filter that is set and has a facet
    makes a base of its own (the search without that filter). One pass serves every base: the
    access-filtered matches with the other filters (those without a facet) applied, each faceted
    filter carried as a flag column, grouped by ``GROUPING SETS ((source), (space_id), (person_id),
    (year), ())`` with one ``count(*) FILTER (WHERE …)`` per base (the full search counts the rows
    whose flags all hold; the base without filter X those whose flags other than X hold). The empty
    grouping set gives the total. The counts are exact; what is shown stops at ``limit`` (a count
    above it shows as ``limit`` with ``capped``), the number of results a person can page through.
    Returns {(field, leave_out): [(value, count, capped)] by count; "total": (total, capped)}."""
    from django.db.models import BooleanField, ExpressionWrapper

    faceted = sorted({leave_out for _f, leave_out in wanted if leave_out in filters})
    fixed = {name: q for name, q in filters.items() if name not in faceted}
    fields = sorted({f for f, _ in wanted})
    flags = {
        f"_flag_{name}": ExpressionWrapper(filters[name], output_field=BooleanField()) for name in faceted
    }
    queryset = (
        _queryset(access, fixed)
        .filter(vector=tsquery)
        .order_by()
        .annotate(**flags)
        .values(*(fields or ["pk"]), *flags)  # no facets wanted: the total alone, from the keys
    )
    bases = [None, *faceted]

    def holds(base):
        # ::boolean: a filter that can match nothing compiles to a constant (0 = false).
        conditions = [f"hits._flag_{name}::boolean" for name in faceted if name != base]
        return " AND ".join(conditions) or "true"

    counts_sql = ", ".join(f"count(*) FILTER (WHERE {holds(base)})" for base in bases)
    sets = ", ".join([f"({f})" for f in fields] + ["()"])
    grouping = "".join(f"GROUPING({f}), {f}, " for f in fields)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (a theme no space has): no rows
        rows = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {grouping}{counts_sql} FROM ({sql}) hits GROUP BY GROUPING SETS ({sets})",  # noqa: S608
                params,
            )
            rows = cursor.fetchall()
    n = len(fields)
    totals = dict.fromkeys(bases, 0)
    counted = {(f, base): {} for f in fields for base in bases}
    for row in rows:
        by_base = dict(zip(bases, row[2 * n :], strict=True))
        keys = [(fields[i], row[2 * i + 1]) for i in range(n) if row[2 * i] == 0]
        if not keys:  # the empty grouping set: every match of each base
            totals = by_base
            continue
        ((f, value),) = keys
        if value is None:
            continue
        for base, count in by_base.items():
            if count:
                counted[(f, base)][value] = count
    result = {"total": (min(totals[None], limit), totals[None] > limit)}
    for field_name, leave_out in wanted:
        counts = counted[(field_name, leave_out if leave_out in faceted else None)]
        if leave_out == "theme":
            counts = _theme_counts(counts)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        result[(field_name, leave_out)] = [(k, min(v, limit), v > limit) for k, v in ordered]
    return result


def _theme_counts(by_space):
    """{theme id: matches} from {space id: matches} (each space counted for each of its themes)."""
    themes_of = space_themes()
    counts = {}
    for space_id, n in by_space.items():
        for theme_id in themes_of.get(space_id, ()):
            counts[theme_id] = counts.get(theme_id, 0) + n
    return counts


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


def _facets(engine, parsed, access, filters, params, grouped=None, limit=None):
    """Counts per filter value, each with every other filter applied (so choosing one shows what the
    others would add), each cut off at ``limit`` (``capped``). Every count comes from the
    access-filtered query."""
    from doeplein.accounts.models import User
    from doeplein.home.models import Theme

    limit = limit or count_limit()

    def counts(field_name, leave_out):
        if grouped is not None:
            return grouped[(field_name, leave_out)]
        found = engine.search(
            parsed.query, _queryset(access, filters, leave_out=leave_out), order_by_relevance=False
        )
        pairs = [(k, v) for k, v in found.facet(field_name).items() if k is not None]
        if leave_out == "theme":
            pairs = sorted(_theme_counts(dict(pairs)).items(), key=lambda kv: (-kv[1], str(kv[0])))
        return [(k, min(v, limit), v > limit) for k, v in pairs]

    def value(k, v, capped, label, selected):
        return {"value": k, "label": label, "count": v, "capped": capped, "selected": selected}

    labels = {s.key: str(s.label) for s in search_sources()}
    facets = {
        "type": [value(k, v, c, labels.get(k, k), k in params.types) for k, v, c in counts("source", "type")]
    }
    by_space = counts("space_id", "space")[:FACET_SIZE]
    names = dict(Space.objects.filter(pk__in=[k for k, *_ in by_space]).values_list("pk", "name"))
    facets["space"] = [value(k, v, c, names.get(k, "?"), k == params.space) for k, v, c in by_space]
    by_theme = counts("space_id", "theme")[:FACET_SIZE]
    theme_names = dict(Theme.objects.filter(pk__in=[k for k, *_ in by_theme]).values_list("pk", "name"))
    facets["theme"] = sorted(
        (value(k, v, c, theme_names.get(k, "?"), k == params.theme) for k, v, c in by_theme),
        key=lambda f: (-f["count"], f["label"]),
    )
    by_person = counts("person_id", "person")[:FACET_SIZE]
    people = {u.pk: u.display_name for u in User.objects.filter(pk__in=[k for k, *_ in by_person])}
    facets["person"] = [value(k, v, c, people.get(k, "?"), k == params.person) for k, v, c in by_person]
    facets["year"] = sorted(
        (value(k, v, c, str(k), k == params.year) for k, v, c in counts("year", "year")),
        key=lambda f: -f["value"],
    )
    return facets


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

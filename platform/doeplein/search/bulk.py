"""The set-based path of a rebuild: a source's documents written by one INSERT … SELECT per batch.

A source may give, besides ``documents(obj)`` (one row at a time, after each commit), a
:class:`~doeplein.plugins.SearchBulk`: a queryset of its rows and one SQL expression per
:class:`~doeplein.plugins.SearchDoc` field. :func:`insert_documents` wraps that queryset's SQL in an
``INSERT INTO search_searchdocument … SELECT`` that applies, in SQL, exactly what
:func:`doeplein.search.indexing._row` applies in Python (control characters out of title and body, the
heading falling back to the title and cut at 300 characters, the url at 500, the language guessed from
common words where the source gives none, the year of the date in UTC, the search vector of
:func:`doeplein.search.models.vector_sql`), so that both paths write the same documents (tests/doeplein/search/test_bulk.py compares them). PostgreSQL only; on other
databases the rebuild takes the row-by-row path.

Helpers for sources: :func:`url` (a URL pattern with columns in it, as ``reverse()`` builds it) and
:func:`strip_tags` (the text of stored HTML, as ``django.utils.html.strip_tags`` gives it for the
well-formed HTML rich text fields store).
"""

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, CharField, DateTimeField, Func, TextField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from .models import SearchDocument, vector_sql

# SearchDoc's fields in the order the INSERT reads them, with SearchDoc's defaults.
FIELDS = {
    "object_id": None,
    "variant": Value("", output_field=CharField()),
    "title": None,
    "heading": Value("", output_field=CharField()),
    "body": Value("", output_field=TextField()),
    "url": None,
    "language": Value("", output_field=CharField()),
    "guard": Value("view", output_field=CharField()),
    "space_id": Value(None, output_field=BigIntegerField()),
    "audience": Value("", output_field=CharField()),
    "person_id": Value(None, output_field=BigIntegerField()),
    "date": Value(None, output_field=DateTimeField()),
}
CONTROL_CHARACTERS = "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13))
GUESS_WINDOW = 20_000  # characters read to find the first 200 words (Python reads them all)


def url(viewname, **columns):
    """``reverse(viewname, kwargs=…)`` as an SQL expression: each keyword names an expression (``F("pk")``)
    whose value takes the argument's place. The pattern comes from ``reverse()`` itself (with marker
    values), so a moved URL moves here too."""
    markers = {name: f"{987654321 + i}" for i, name in enumerate(columns)}
    pattern = reverse(viewname, kwargs=markers)
    parts = [pattern]
    for name, marker in markers.items():
        pieces = []
        for part in parts:
            if isinstance(part, str) and marker in part:
                before, after = part.split(marker, 1)
                pieces += [before, Cast(columns[name], TextField()), after]
            else:
                pieces.append(part)
        parts = pieces
    expressions = [Value(p, output_field=TextField()) if isinstance(p, str) else p for p in parts if p != ""]
    return Concat(*expressions, output_field=TextField()) if len(expressions) > 1 else expressions[0]


class strip_tags(Func):  # noqa: N801 (reads as the function it mirrors)
    """The text of stored HTML: every ``<…>`` tag removed, entities left as they are (what Django's
    ``strip_tags`` does for well-formed HTML)."""

    function = "regexp_replace"
    template = "regexp_replace(%(expressions)s, '<[^>]*>', '', 'g')"
    output_field = TextField()


def _guess_sql(text_sql):
    """SQL for :func:`doeplein.search.indexing._guess_language` of ``text_sql``: "en" when more of its first
    200 words are common English words than common Dutch ones, else "nl" when any are Dutch or there are
    no words, else the site's language."""
    return (
        "(SELECT CASE WHEN c.e > c.d THEN 'en' WHEN c.d > 0 OR c.n = 0 THEN 'nl' ELSE %(fallback)s END FROM "
        "(SELECT count(*) FILTER (WHERE w = ANY(%(dutch)s)) AS d, count(*) FILTER (WHERE w = ANY(%(english)s)) AS e, "
        "count(*) AS n FROM (SELECT w FROM regexp_split_to_table(lower(left("
        + text_sql
        + ", "
        + str(GUESS_WINDOW)
        + ")), '\\s+') AS w WHERE w <> '' LIMIT 200) AS words) AS c)"
    )


def select_sql(bulk, pk_range=None):
    """(SQL, params) selecting ``bulk``'s documents, one column per SearchDoc field in FIELDS' order."""
    missing = [name for name in ("object_id", "title", "url") if name not in bulk.fields]
    unknown = sorted(set(bulk.fields) - set(FIELDS))
    if missing or unknown:
        raise ValueError(f"SearchBulk fields: missing {missing}, unknown {unknown}")
    queryset = bulk.queryset
    if pk_range is not None:
        queryset = queryset.filter(pk__gte=pk_range[0], pk__lt=pk_range[1])
    names = {name: f"_sd_{name}" for name in FIELDS}
    expressions = {names[n]: bulk.fields.get(n, default) for n, default in FIELDS.items()}
    queryset = queryset.order_by().annotate(**expressions).values_list(*names.values())
    return queryset.query.sql_with_params()


def insert_documents(source_key, bulk, pk_range=None, table=None):
    """Write the documents of ``bulk`` (rows with ``pk`` in ``pk_range``, ``[low, high)``) in one
    statement, into ``table`` (default: the documents' own; a full rebuild writes a fresh one). Returns
    (documents written, source rows they came from)."""
    from .indexing import _DUTCH, _ENGLISH

    inner, inner_params = select_sql(bulk, pk_range)
    columns = ", ".join(FIELDS)
    text = "coalesce(s.title, '') || ' ' || coalesce(s.body, '')"
    guess = _guess_sql(text) % {"fallback": "%s", "dutch": "%s", "english": "%s"}
    table = table or SearchDocument._meta.db_table
    sql = f"""
        WITH written AS (
            INSERT INTO {table} (source, item_id, variant, title, heading, body, url, language, guard,
                                 space_id, audience, person_id, date, year, vector)
            SELECT r.*, {vector_sql("r")}
            FROM (
                SELECT %s AS source, s.object_id::text AS item_id, coalesce(s.variant, '') AS variant,
                       translate(coalesce(s.title, ''), %s, '') AS title,
                       left(coalesce(nullif(s.heading, ''), nullif(s.title, ''), ''), 300) AS heading,
                       translate(coalesce(s.body, ''), %s, '') AS body, left(s.url, 500) AS url,
                       CASE WHEN coalesce(s.language, '') <> '' THEN s.language ELSE {guess} END AS language,
                       s.guard AS guard, s.space_id::bigint AS space_id, coalesce(s.audience, '') AS audience,
                       s.person_id::bigint AS person_id, s.date::timestamptz AS date,
                       EXTRACT(year FROM s.date::timestamptz AT TIME ZONE 'UTC')::int AS year
                FROM ({inner}) AS s({columns})
                OFFSET 0
            ) AS r
            RETURNING item_id
        )
        SELECT count(*), count(DISTINCT item_id) FROM written
    """  # noqa: S608 (table and column names from code; values as parameters)
    params = [
        source_key,
        CONTROL_CHARACTERS,
        CONTROL_CHARACTERS,
        settings.LANGUAGE_CODE[:2],
        sorted(_DUTCH),
        sorted(_ENGLISH),
        *inner_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written, rows = cursor.fetchone()
    return written, rows


def pk_ranges(bulk, size):
    """``[low, high)`` ranges of primary keys covering ``bulk``'s rows, ``size`` keys each."""
    from django.db.models import Max, Min

    bounds = bulk.queryset.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    low, high = bounds["low"], bounds["high"]
    return [(start, min(start + size, high + 1)) for start in range(low, high + 1, size)]

"""Wagtail's PostgreSQL search backend, with stemming by each item's language.

Wagtail's backend builds every vector with one text-search configuration. Doeplein holds Dutch and
English side by side, so this backend builds each document's vectors with its own configuration
(``dutch``, ``english`` or ``simple`` for names, from :attr:`SearchDocument.search_config`) and matches
a query against all three (``to_tsquery('dutch', q) || to_tsquery('english', q) || ...``). Where
relevance ties, newer items come first. Configure it as ``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
= "doeplein.search.backends"``; on OpenSearch/Elasticsearch the stock Wagtail backends apply.
"""

from functools import reduce

from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db.models import F
from django.db.models.sql.subqueries import InsertQuery
from modelsearch.backends.database.postgres import postgres as base
from wagtail.search.query import And, Not

from .query import Prefix

TITLE_AVERAGE_KEY = "search:title-length-average"
get_weight = base.get_weight
SearchField = base.SearchField

QUERY_CONFIGS = ("dutch", "english", "simple")


class LanguageIndexer(base.ObjectIndexer):
    """Vectors built with the document's own configuration (pages and others keep the backend's)."""

    def __init__(self, obj, backend):
        super().__init__(obj, backend)
        self.config = getattr(obj, "search_config", None) or backend.config


class LanguageIndex(base.PostgresIndex):
    def add_items(self, model, objs):
        from .models import SearchDocument

        if model is SearchDocument:
            return self._add_documents([obj.pk for obj in objs])
        # Wagtail's add_items with LanguageIndexer in place of ObjectIndexer (its code is otherwise kept).
        search_fields = model.get_search_fields()
        indexers = [LanguageIndexer(obj, self.backend) for obj in objs]
        if not search_fields or not indexers:
            return
        content_type_pk = base.get_content_type_pk(model)
        compiler = InsertQuery(base.IndexEntry).get_compiler(connection=self.write_connection)
        rows, data_params = [], []
        for indexer in indexers:
            data_params.extend((content_type_pk, indexer.id))
            parts = []
            for name in ("title", "autocomplete", "body"):
                value = compiler.prepare_value(base.IndexEntry._meta.get_field(name), getattr(indexer, name))
                sql, params = value.as_sql(compiler, self.write_connection)
                parts.append(sql)
                data_params.extend(params)
            data_params.extend((indexer.title_text, indexer.body_text))
            rows.append(f"(%s, %s, {parts[0]}, {parts[1]}, {parts[2]}, 1.0, %s, %s)")
        table = base.IndexEntry._meta.db_table
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm,
                                     title_text, body_text)
                (VALUES {", ".join(rows)})
                ON CONFLICT (content_type_id, object_id)
                DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0, autocomplete = EXCLUDED.autocomplete,
                              body = EXCLUDED.body, title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
                """,  # noqa: S608 (table name from the model, values as parameters)
                data_params,
            )
        if not getattr(self.backend, "defer_title_norms", False):
            # A rebuild refreshes every title's norm once at its end, not the whole table per batch.
            self._refresh_title_norms()

    def _entry_sql(self, where, title_norm="1.0", docs_table=None):
        """INSERT … SELECT of the index entries of the search documents matching ``where`` (SQL on
        ``d``): the vectors are computed by PostgreSQL from the documents' own rows (the same weights
        and configurations as the Python path, without building thousands of expressions in Python).
        The body vector holds the title too (at the title's weight), so that matching needs the body
        vector alone and can use its GIN index. On PostgreSQL it is the document's own ``vector`` (title
        and body, already stemmed) at the body's weight, not a second ``to_tsvector`` of the text.
        Returns (SQL, params before the where's)."""
        from .models import SearchDocument, config_sql

        title_weight = next(
            (get_weight(f.boost) for f in SearchDocument.get_search_fields() if getattr(f, "field_name", "") == "title"
             and isinstance(f, SearchField)), "A"
        )  # fmt: skip
        body_weight = get_weight(None)
        config = config_sql("d")
        table = base.IndexEntry._meta.db_table
        sql = f"""
            INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm,
                                 title_text, body_text)
            SELECT %s, d.id::text, v.title, setweight(to_tsvector('simple', d.title), 'D'),
                   v.title || setweight(coalesce(d.vector, to_tsvector({config}, d.body)), %s),
                   {title_norm}, d.title, d.body
            FROM {docs_table or SearchDocument._meta.db_table} d,
                 LATERAL (SELECT setweight(to_tsvector({config}, d.title), %s) AS title) v
            WHERE {where}
            ON CONFLICT (content_type_id, object_id)
            DO UPDATE SET title = EXCLUDED.title, title_norm = EXCLUDED.title_norm,
                          autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body,
                          title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
        """  # noqa: S608 (names and configurations from code, values as parameters)
        return sql, [base.get_content_type_pk(SearchDocument), body_weight, title_weight]

    def _add_documents(self, ids):
        """Index search documents ``ids`` in one statement (after a commit; see :meth:`_entry_sql`)."""
        from .models import SearchDocument

        if not ids:
            return
        sql, params = self._entry_sql("d.id = ANY(%s)")
        table = base.IndexEntry._meta.db_table
        with self.write_connection.cursor() as cursor:
            cursor.execute(sql, [*params, list(ids)])
            if getattr(self.backend, "defer_title_norms", False):
                return
            # Wagtail refreshes every new entry's title norm (average title length / this title's) with
            # a scan of the whole table; for a few rows, the average the last rebuild stored will do.
            average = cache.get(TITLE_AVERAGE_KEY)
            if average is None:
                self._refresh_title_norms()
                return
            cursor.execute(
                f"UPDATE {table} SET title_norm = %s / length(title) "  # noqa: S608
                "WHERE content_type_id = %s AND object_id = ANY(%s) AND length(title) > 0",
                [average, base.get_content_type_pk(SearchDocument), [str(i) for i in ids]],
            )

    def drop_documents(self, sources, everything=False):
        """Remove the index entries of every search document of ``sources`` (a rebuild), in one statement
        (``everything``: of every search document)."""
        from .models import SearchDocument

        with self.write_connection.cursor() as cursor:
            if everything:
                cursor.execute(
                    f"DELETE FROM {base.IndexEntry._meta.db_table} WHERE content_type_id = %s",  # noqa: S608
                    [base.get_content_type_pk(SearchDocument)],
                )
                return
            cursor.execute(
                f"DELETE FROM {base.IndexEntry._meta.db_table} e USING {SearchDocument._meta.db_table} d "  # noqa: S608
                "WHERE e.content_type_id = %s AND e.object_id = d.id::text AND d.source = ANY(%s)",
                [base.get_content_type_pk(SearchDocument), list(sources)],
            )

    def add_sources(self, sources, batch_size=100_000, docs_table=None):
        """Index every search document of ``sources`` (a rebuild, their old entries dropped already).

        Title norms (Wagtail: the average title length over all entries / this entry's, in lexemes)
        come from the average they will have once every entry is in, computed first, so that no
        full-table update is needed afterwards; the other entries (pages …) are brought to that
        average too, as Wagtail's full refresh would."""

        from .models import SearchDocument, config_sql

        config = config_sql("d")
        table, docs = base.IndexEntry._meta.db_table, docs_table or SearchDocument._meta.db_table
        sources = list(sources)
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT avg(n) FROM (
                        SELECT length(title) AS n FROM {table} WHERE length(title) > 0
                        UNION ALL
                        SELECT length(to_tsvector({config}, d.title)) FROM {docs} d
                        WHERE d.source = ANY(%s) AND length(to_tsvector({config}, d.title)) > 0
                    ) AS lengths""",  # noqa: S608
                [sources],
            )
            average = cursor.fetchone()[0]
            if average is None:
                average = 1.0
            average = float(average)
            cursor.execute(f"SELECT min(id), max(id) FROM {docs} WHERE source = ANY(%s)", [sources])  # noqa: S608
            low, high = cursor.fetchone()
            bounds = {"low": low, "high": high}
            cursor.execute(
                f"UPDATE {table} SET title_norm = %s / length(title) "  # noqa: S608
                "WHERE length(title) > 0 AND title_norm IS DISTINCT FROM %s / length(title)",
                [average, average],
            )
            if bounds["low"] is not None:
                sql, params = self._entry_sql(
                    "d.source = ANY(%s) AND d.id >= %s AND d.id < %s",
                    title_norm="CASE WHEN length(v.title) > 0 THEN %s::float8 / length(v.title) ELSE 1.0 END",
                    docs_table=docs,
                )
                # The norm's parameter comes before the where's in the statement.
                for low in range(bounds["low"], bounds["high"] + 1, batch_size):
                    cursor.execute(
                        sql, [params[0], params[1], average, params[2], sources, low, low + batch_size]
                    )
        cache.set(TITLE_AVERAGE_KEY, average, timeout=None)

    def _refresh_title_norms(self, full=False):
        super()._refresh_title_norms(full=full)
        if full:
            average = (
                self.entries.annotate(n=base.Length("title")).filter(n__gt=0).aggregate(a=base.Avg("n"))["a"]
            )
            if average:
                cache.set(TITLE_AVERAGE_KEY, average, timeout=None)


class LanguageQueryCompiler(base.PostgresSearchQueryCompiler):
    def build_tsquery_content(self, query, config=None, invert=False):
        if isinstance(query, Prefix):
            terms = [t for t in query.query_string.split() if t]
            lexemes = reduce(lambda a, b: a & b, (base.Lexeme(t, invert=invert, prefix=True) for t in terms))
            return SearchQuery(lexemes, search_type="raw", config=config)
        return super().build_tsquery_content(query, config=config, invert=invert)

    def build_tsquery(self, query, config=None):
        # Every document was stemmed in its own language: match the query in each of them. Words left
        # out (-word) must be absent in every language's stem, so they join with AND, not OR.
        if isinstance(query, And) and any(isinstance(q, Not) for q in query.subqueries):
            wanted = [q for q in query.subqueries if not isinstance(q, Not)]
            unwanted = [q.subquery for q in query.subqueries if isinstance(q, Not)]
            tsquery = self.build_tsquery(wanted[0] if len(wanted) == 1 else And(wanted))
            for part in unwanted:
                for c in QUERY_CONFIGS:
                    tsquery &= self.build_tsquery_content(part, config=c, invert=True)
            return tsquery
        queries = [self.build_tsquery_content(query, config=c) for c in QUERY_CONFIGS]
        return reduce(lambda a, b: a | b, [q for q in queries if q is not None])

    def search(self, config, start, stop, score_field=None, backend=None):
        from .models import SearchDocument

        if (
            self.queryset.model is not SearchDocument
            or self.fields is not None
            or not self._plain(self.query)
        ):
            return super().search(config, start, stop, score_field=score_field, backend=backend)
        # Wagtail matches ``title || body``, an expression no index serves; a search document's body
        # vector already holds its title, so ``body @@ query`` finds the same rows through the GIN index.
        search_query = self.build_tsquery(self.query, config=config)
        vectors = self.get_search_vectors(search_query)
        rank_expression = self._build_rank_expression(vectors, config)
        queryset = self.queryset.filter(index_entries__body=search_query)
        return self._apply_ordering_and_scoring(queryset, rank_expression, start, stop, score_field)

    @staticmethod
    def _plain(query):
        from wagtail.search.query import Fuzzy, MatchAll

        return not isinstance(query, (MatchAll, Fuzzy)) and not (isinstance(query, Not))

    def _apply_ordering_and_scoring(self, queryset, rank_expression, start, stop, score_field=None):
        if self.order_by_relevance:
            # Relevance first; where it ties, the newest item.
            order = [rank_expression.desc()]
            if "date" in {f.name for f in queryset.model._meta.get_fields()}:
                order.append(F("date").desc(nulls_last=True))
            queryset = queryset.order_by(*order, "-pk")
            if score_field is not None:
                queryset = queryset.annotate(**{score_field: rank_expression})
            return queryset[start:stop]
        return super()._apply_ordering_and_scoring(queryset, rank_expression, start, stop, score_field)


class LanguageAutocompleteCompiler(base.PostgresAutocompleteQueryCompiler):
    pass


class LanguageResults(base.PostgresSearchResults):
    pass


class DoepleinPostgresSearchBackend(base.PostgresSearchBackend):
    query_compiler_class = LanguageQueryCompiler
    index_class = LanguageIndex
    results_class = LanguageResults


SearchBackend = DoepleinPostgresSearchBackend

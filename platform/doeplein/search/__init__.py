"""One search over the whole platform, fed by the plugins' search sources (``doeplein_search_sources``).

Every source describes its rows as :class:`~doeplein.plugins.SearchDoc` values; this app stores them as
:class:`~doeplein.search.models.SearchDocument` rows indexed by Wagtail's search framework (PostgreSQL
full-text search, the database fallback on SQLite, OpenSearch/Elasticsearch when configured), and
searches them with the access gate's answer as query filters. See docs/search.md.
"""

"""The search index's rows: one per item (and audience variant) a search source describes."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

# PostgreSQL text-search configurations by language; anything else (names, codes) is not stemmed.
SEARCH_CONFIGS = {"nl": "dutch", "en": "english"}
PLAIN_CONFIG = "simple"
# Counts and facets stop at this many results (the results a person can page through), see docs/search.md.
COUNT_LIMIT = 10_000


def count_limit():
    return max(1, int(getattr(settings, "SEARCH_COUNT_LIMIT", COUNT_LIMIT)))


def config_sql(alias="d"):
    """SQL for the text-search configuration of a document row (``dutch``/``english`` by its language)."""
    return (
        f"CASE {alias}.language "
        + " ".join(f"WHEN '{lang}' THEN '{cfg}'::regconfig" for lang, cfg in SEARCH_CONFIGS.items())
        + f" ELSE '{PLAIN_CONFIG}'::regconfig END"
    )


def vector_sql(alias="d"):
    """SQL for a document row's search vector: the title at weight A, the body at weight B, each stemmed
    with the row's own configuration. PostgreSQL only (the indexer and the bulk path both write it)."""
    config = config_sql(alias)
    return (
        f"(setweight(to_tsvector({config}, coalesce({alias}.title, '')), 'A') || "
        f"setweight(to_tsvector({config}, coalesce({alias}.body, '')), 'B'))"
    )


class SearchDocument(index.Indexed, models.Model):
    """What the search finds, with the fields its access filter and facets need.

    Access is never decided by reading these rows in Python: the search passes the gate's answer
    (the spaces the searcher may view or discover, their audience tier) as filters on ``guard``,
    ``space_id`` and ``audience``, so counts and facets only ever count what the searcher may see.
    """

    source = models.CharField(max_length=50)
    item_id = models.CharField(max_length=64)
    variant = models.CharField(max_length=20, blank=True, default="")
    title = models.TextField(blank=True)
    heading = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    language = models.CharField(max_length=8, blank=True)
    guard = models.CharField(max_length=10, default="view")
    space_id = models.BigIntegerField(null=True, blank=True)
    audience = models.CharField(max_length=10, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # PostgreSQL: the row's own search vector (:func:`vector_sql`, GIN-indexed by migration 0002), so that
    # match, access filter, counts, facets and ranking read one table. Written by the indexer in SQL, never
    # from Python; NULL on other databases (SQLite's demo searches through Wagtail's database backend).
    vector = SearchVectorField(null=True, editable=False)

    # doeplein.search.indexing writes the index itself, in bulk; Wagtail's per-row signal handlers
    # would index each row on save and delete index entries one by one on delete.
    search_auto_update = False

    search_fields = [
        index.SearchField("title", boost=4),
        index.SearchField("body"),
        index.AutocompleteField("title"),
        index.FilterField("source"),
        index.FilterField("guard"),
        index.FilterField("space_id"),
        index.FilterField("audience"),
        index.FilterField("person_id"),
        index.FilterField("date"),
        index.FilterField("year"),
        index.FilterField("language"),
    ]

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "item_id", "variant"], name="one_search_document_per_item"
            )
        ]
        indexes = [
            models.Index(fields=["space_id"]),
            models.Index(fields=["guard", "audience"]),
            # The person filter (a person's own documents).
            models.Index(fields=["person_id"], name="search_document_person"),
        ]
        # PostgreSQL only (migration 0002): GIN on ``vector``, and (date DESC NULLS LAST, id DESC) for the
        # ranking's newest candidates.

    def __str__(self):
        return f"{self.source}:{self.item_id}{'/' + self.variant if self.variant else ''}"

    @property
    def search_config(self):
        return SEARCH_CONFIGS.get(self.language, PLAIN_CONFIG)

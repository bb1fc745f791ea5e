"""The same access matrix on OpenSearch/Elasticsearch as on PostgreSQL: the tests of test_access.py and
test_people.py run again with the site search on a cluster. They run only when ``OPENSEARCH_URL`` (or
``SEARCH_URL``) names one, e.g. ``OPENSEARCH_URL=http://127.0.0.1:9200`` (``SEARCH_BACKEND`` picks the
Wagtail backend module; default ``wagtail.search.backends.opensearch2``; needs the ``opensearch`` extra).
The documents stay in PostgreSQL; the cluster holds their index and answers the query, with the access
filter as a filter clause of that query."""

import os

import pytest

from tests.doeplein.search.test_access import (  # noqa: F401 (collected again here, on the cluster)
    test_a_secret_space_filter_answers_like_a_space_that_does_not_exist,
    test_a_secret_spaces_message_leaves_no_trace_for_a_non_member,
    test_admin_sees_everything,
    test_hidden_messages_are_not_indexed,
    test_members_of_a_secret_space_are_not_found_through_it,
    test_messages_found_are_exactly_those_the_gate_lets_one_see,
    test_space_cards_found_are_exactly_the_discoverable_ones,
    test_the_member_finds_the_secret_message_with_a_snippet,
    test_the_parents_community_manager_finds_what_lives_inside_the_parent,
    test_visibility_narrowed_hides_content_at_the_next_search_without_reindexing,
)
from tests.doeplein.search.test_people import (  # noqa: F401
    expert,
    test_a_field_is_found_only_by_those_who_may_see_it,
    test_a_person_who_leaves_a_space_is_no_longer_found_through_it,
    test_narrowing_a_field_takes_effect_at_once,
    test_who_may_find_me_is_honoured_at_once,
)

CLUSTER_URL = os.environ.get("OPENSEARCH_URL") or os.environ.get("SEARCH_URL")

pytestmark = [
    pytest.mark.skipif(
        not CLUSTER_URL,
        reason="no OpenSearch/Elasticsearch cluster configured: set OPENSEARCH_URL=http://host:9200 to run "
        "the access matrix on it (none on this machine)",
    ),
    pytest.mark.usefixtures("needs_postgres"),
]


@pytest.fixture(autouse=True)
def cluster(settings):
    """Every search of the test goes to the cluster, in an index of its own, emptied before and after."""
    from wagtail.search.backends import get_search_backend

    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": os.environ.get("SEARCH_BACKEND", "wagtail.search.backends.opensearch2"),
            "URLS": [CLUSTER_URL],
            "INDEX": f"doeplein_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
            "TIMEOUT": 10,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }
    backend = get_search_backend()
    backend.reset_index()
    yield backend
    backend.reset_index()


def test_the_cluster_answers_the_search(cluster):
    from doeplein.search.selectors import backend_status

    assert backend_status()["backend"] == f"{type(cluster).__module__}.{type(cluster).__name__}"

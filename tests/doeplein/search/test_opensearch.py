"""The same access rules on OpenSearch/Elasticsearch: runs only when SEARCH_URL names a cluster
(``SEARCH_URL=http://127.0.0.1:9200 SEARCH_BACKEND=wagtail.search.backends.opensearch2``)."""

import os

import pytest
from django.contrib.auth.models import AnonymousUser

pytestmark = pytest.mark.skipif(
    not os.environ.get("SEARCH_URL"),
    reason="no OpenSearch/Elasticsearch cluster configured (set SEARCH_URL and SEARCH_BACKEND to run)",
)


@pytest.fixture
def cluster(settings):
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    backend.reset_index()
    yield backend
    backend.reset_index()


@pytest.mark.parametrize("name", ["anonymous", "outsider", "member", "admin"])
def test_the_cluster_applies_the_access_filter_in_the_query(cluster, world, find, index, name):
    from doeplein.access import visible
    from doeplein.discussion.models import Message

    index()
    cluster.refresh_index() if hasattr(cluster, "refresh_index") else None
    user = AnonymousUser() if name == "anonymous" else world[name]
    expected = visible(user, Message.objects.filter(body__icontains="dijkversterking")).count()
    page = find(user, "dijkversterking", types=["message"])
    assert page.total == expected
    assert sum(f["count"] for f in page.facets["type"]) == expected
    secret = find(user, "zeppelinhaven")
    assert secret.total == (1 if name in ("member", "admin") else 0)

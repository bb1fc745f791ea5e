"""The search page, the API, the OpenSearch description, the header box and /healthz; bad input
answers a clear message or an empty result, never a 500."""

import pytest

BAD_QUERIES = [
    "",
    "   ",
    "x" * 10_000,
    "woord " * 2_000,
    "de het een the of and",
    '"unbalanced quote',
    '"""',
    "a OR",
    "OR AND NOT",
    "* : ( ) [ ] { } ^ ~ ! & | \\",
    'title:foo AND body:(bar OR baz~2) +must -not "phrase"^3',
    "'; DROP TABLE search_searchdocument; --",
    "1' OR '1'='1",
    "%00 \x00 \x1f",
    "🌊🌊 dijk",
    "-alleen -uitsluiten",
    "&&||!!::",
]


@pytest.mark.parametrize("q", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_bad_queries_answer_without_error(world, client, call, q):
    page = client.get("/search/", {"q": q})
    assert page.status_code == 200
    api = call("get", "/search", None, q=q[:10_000])
    assert api.status_code in (200, 400, 422)  # 400: a NUL character, refused at the API's edge
    if api.status_code != 200:
        assert api.json()["detail"]
    assert "detail" in api.json() or "total" in api.json()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "dijk", "page": "0"},
        {"q": "dijk", "page": "999999999999999999999"},
        {"q": "dijk", "page": "-3"},
        {"q": "dijk", "page": "abc"},
        {"q": "dijk", "type": "nonsense"},
        {"q": "dijk", "space": "99999999999999999999999"},
        {"q": "dijk", "space": "abc"},
        {"q": "dijk", "theme": "-1"},
        {"q": "dijk", "person": "0"},
        {"q": "dijk", "year": "12"},
        {"q": "dijk", "date_from": "2026-13-45"},
        {"q": "dijk", "unknown": "filter"},
    ],
)
def test_bad_filters_answer_without_error(world, client, call, params):
    assert client.get("/search/", params).status_code == 200
    assert call("get", "/search", None, **params).status_code in (200, 422)


def test_the_page_says_when_a_page_is_out_of_range(world, client):
    html = client.get("/search/", {"q": "dijkversterking", "page": "7"}, headers={"Accept-Language": "en"})
    assert "There is no page 7 of these results." in html.content.decode()


def test_the_page_lists_results_facets_and_a_link_that_filters(world, client):
    html = client.get(
        "/search/", {"q": "dijkversterking"}, headers={"Accept-Language": "en"}
    ).content.decode()
    assert "1 result" in html
    assert "<mark>Dijkversterking</mark>" in html
    assert "type=message" in html  # the type facet's link


def test_the_api_answers_with_the_same_results(world, call):
    body = call("get", "/search", world["member"], q="dijkversterking", type=["message"]).json()
    assert body["total"] == 4  # public, logged-in, members, secret (the member is in all four)
    assert {f["value"] for f in body["facets"]["type"]} == {"message"}
    assert all("<mark>" in r["snippet"] for r in body["results"])
    document = call("get", "/openapi.json").json()
    assert "/api/v1/search" in document["paths"]
    parameters = {p["name"] for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "type", "theme", "space", "person", "year", "date_from", "date_to", "page"} <= parameters


def test_the_header_of_every_page_has_a_search_box_and_the_opensearch_link(db, client):
    html = client.get("/accounts/login/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html
    assert 'type="application/opensearchdescription+xml"' in html


def test_the_opensearch_description(db, client):
    response = client.get("/search/opensearch.xml")
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    text = response.content.decode()
    assert "<OpenSearchDescription" in text and "/search/?q={searchTerms}" in text


def test_suggestions_complete_titles(world, client):
    body = client.get("/search/suggest/", {"q": "Geheime dijk"}).json()
    assert body == {"suggestions": []}  # a secret group, anonymous visitor
    client.force_login(world["member"])
    assert [
        s["title"] for s in client.get("/search/suggest/", {"q": "Geheime dijk"}).json()["suggestions"]
    ] == ["Geheime dijkgroep"]
    assert client.get("/search/suggest/", {"q": "Geheime", "format": "opensearch"}).json() == [
        "Geheime",
        ["Geheime dijkgroep"],
    ]


@pytest.mark.needs_plugins("workspaces")
def test_a_space_home_has_search_in_this_space(world, client):
    from workspaces.models import Workspace

    workspace = Workspace.objects.create(name="Delta", slug="delta", visibility="public")
    html = client.get(workspace.get_absolute_url()).content.decode()
    assert f'name="space" value="{workspace.pk}"' in html


def test_healthz_reports_the_search_backend(db, client):
    body = client.get("/healthz").json()
    assert body["components"]["search"]["status"] == "up"
    assert "backend" in body["components"]["search"]


def test_the_api_documents_the_length_of_q_and_answers_a_longer_one_with_a_422(db, call):
    document = call("get", "/openapi.json").json()
    (q,) = [p for p in document["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["maxLength"] == 1_000
    assert "422" in document["paths"]["/api/v1/search"]["get"]["responses"]
    assert call("get", "/search", None, q="x" * 1_000).status_code == 200
    answer = call("get", "/search", None, q="x" * 10_000)
    assert answer.status_code == 422 and answer.json()["detail"]

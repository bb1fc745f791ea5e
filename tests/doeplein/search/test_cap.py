"""Counts and facets are exact and shown up to SEARCH_COUNT_LIMIT (here 5), in the query; the search vector on
the document row follows every change of the document."""

import pytest

pytestmark = pytest.mark.usefixtures("needs_postgres")


@pytest.fixture
def capped(settings, make_space, make_message, make_user, index):
    """Seven public messages and two in a second public space about "hoogwater", three in a secret
    space; the limit is 5."""
    from doeplein.spaces.models import Role

    settings.SEARCH_COUNT_LIMIT = 5
    member = make_user(first_name="Mila", last_name="Lid")
    public = make_space("public", name="Rivierenland")
    other = make_space("public", name="Polderland")
    secret = make_space("secret", members={member: Role.MEMBER}, name="Geheim")
    for i in range(7):
        make_message(public, f"Hoogwater bij de rivier, bericht {i}.", age_days=i + 1)
    for i in range(2):
        make_message(other, f"Hoogwater in de polder, bericht {i}.", age_days=20 + i)
    secrets = [make_message(secret, f"Hoogwater geheim {i}.") for i in range(3)]
    index()
    return {"member": member, "public": public, "other": other, "secret": secret, "secrets": secrets}


def test_the_total_stops_at_the_limit_and_says_so(capped, find):
    page = find(None, "hoogwater")
    assert (page.total, page.capped, page.pages) == (5, True, 1)
    assert len(page.results) == 5
    few = find(None, "polder")
    assert (few.total, few.capped) == (2, False)


def test_a_capped_page_reveals_nothing_of_what_is_hidden(capped, find):
    """The anonymous visitor's page is the same whether or not the secret messages exist."""
    from doeplein.search.indexing import reindex

    before = find(None, "hoogwater")
    ids = [m.pk for m in capped["secrets"]]
    for message in capped["secrets"]:
        message.delete()
    reindex("message", ids)
    after = find(None, "hoogwater")
    assert (before.total, before.capped, before.pages, before.facets) == (
        after.total,
        after.capped,
        after.pages,
        after.facets,
    )
    assert [r.url for r in before.results] == [r.url for r in after.results]


def test_facets_stop_at_the_limit_per_value(capped, find):
    page = find(None, "hoogwater")
    types = {f["value"]: (f["count"], f["capped"]) for f in page.facets["type"]}
    assert types == {"message": (5, True)}
    spaces = {f["value"]: (f["count"], f["capped"]) for f in page.facets["space"]}
    assert spaces[capped["public"].pk] == (5, True)  # seven: shown as the limit, capped
    assert capped["secret"].pk not in spaces
    # Every value is counted exactly, also in a capped search (one pass over the matches).
    assert spaces[capped["other"].pk] == (2, False)
    # Narrowed to the second space: exact again.
    narrowed = find(None, "hoogwater", space=capped["other"].pk)
    assert (narrowed.total, narrowed.capped) == (2, False)
    assert {f["value"]: f["count"] for f in narrowed.facets["type"]} == {"message": 2}


def test_the_member_sees_a_capped_count_too_and_exact_counts_below(capped, find):
    page = find(capped["member"], "geheim")
    assert (page.total, page.capped) == (3, False)
    assert (find(capped["member"], "hoogwater").total, find(capped["member"], "hoogwater").capped) == (
        5,
        True,
    )


def test_the_page_says_more_than_the_limit(capped, client):
    html = client.get("/search/", {"q": "hoogwater"}, headers={"Accept-Language": "en"}).content.decode()
    assert "More than 5 results" in html
    assert "(5+)" in html  # the facets
    dutch = client.get("/search/", {"q": "hoogwater"}, headers={"Accept-Language": "nl"}).content.decode()
    assert "Meer dan 5 resultaten" in dutch
    out_of_range = client.get(
        "/search/", {"q": "hoogwater", "page": "2"}, headers={"Accept-Language": "en"}
    ).content.decode()
    assert "There is no page 2 of these results." in out_of_range


def test_the_api_says_capped(capped, call):
    body = call("get", "/search", None, q="hoogwater").json()
    assert (body["total"], body["capped"], body["pages"]) == (5, True, 1)
    assert body["facets"]["type"][0]["capped"] is True
    assert call("get", "/search", None, q="polder").json()["capped"] is False
    schema = call("get", "/openapi.json").json()["components"]["schemas"]
    assert "capped" in schema["SearchOut"]["required"]
    assert schema["SearchOut"]["properties"]["capped"]["type"] == "boolean"


def test_ranking_stays_titles_first_and_newest_first_within_the_limit(capped, find):
    page = find(None, "hoogwater")
    # Equal relevance: the newest five (the public space's, one to five days old), newest first.
    assert [r.date for r in page.results] == sorted((r.date for r in page.results), reverse=True)
    assert {r.space_id for r in page.results} == {capped["public"].pk}


def test_the_vector_follows_a_changed_document(make_space, make_message, index, find):
    from doeplein.discussion.models import Message
    from doeplein.search.indexing import reindex
    from doeplein.search.models import SearchDocument

    space = make_space("public")
    message = make_message(space, "De kwelwater meting in de polder.")
    index()
    doc = SearchDocument.objects.get(source="message", item_id=str(message.pk))
    assert "'kwelwater':2B" in doc.vector  # the Dutch stem, in the body (weight B)
    Message.objects.filter(pk=message.pk).update(body="Een nieuwe tekst over zoutindringing.")
    reindex("message", [message.pk])
    doc.refresh_from_db()
    assert "kwelwater" not in doc.vector and "zoutindring" in doc.vector
    assert find(None, "kwelwater").total == 0
    assert find(None, "zoutindringing").total == 1


@pytest.mark.needs_plugins("groups")
def test_the_vector_weighs_title_above_body(db, index):
    from doeplein.search.models import SearchDocument
    from groups.models import Group, GroupPolicy

    Group.objects.create(
        name="Zandmotor", slug="zandmotor", policy=GroupPolicy.OPEN, visibility="public", description="Kust."
    )
    index()
    vector = SearchDocument.objects.get(source="group", title="Zandmotor").vector
    assert "'zandmotor':1A" in vector and "'kust':2B" in vector

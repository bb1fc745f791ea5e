"""Access is filtered in the query: results, counts, facets, snippets and suggestions only ever hold
what the gate lets the searcher see. Checked against the gate itself, for every role."""

import pytest
from django.contrib.auth.models import AnonymousUser

pytestmark = pytest.mark.usefixtures("needs_postgres")

VIEWERS = ("anonymous", "outsider", "member", "manager", "admin")


def viewer(world, name):
    return AnonymousUser() if name == "anonymous" else world[name]


@pytest.mark.parametrize("name", VIEWERS)
def test_messages_found_are_exactly_those_the_gate_lets_one_see(world, find, name):
    from doeplein.access import visible
    from doeplein.discussion.models import Message

    user = viewer(world, name)
    expected = set(
        visible(user, Message.objects.filter(body__icontains="dijkversterking")).values_list("pk", flat=True)
    )
    page = find(user, "dijkversterking", types=["message"])

    found = {int(r.url.rsplit("#m", 1)[1]) for r in page.results}
    seqs = set(Message.objects.filter(pk__in=expected).values_list("seq", flat=True))
    assert found == seqs
    assert page.total == len(expected)
    assert sum(f["count"] for f in page.facets.get("type", [])) == len(expected)
    assert sum(f["count"] for f in page.facets.get("space", [])) == len(expected)
    assert {f["value"] for f in page.facets.get("space", [])} <= set(
        visible(user, Message.objects.filter(pk__in=expected)).values_list("room__space_id", flat=True)
    )


@pytest.mark.parametrize("name", VIEWERS)
def test_space_cards_found_are_exactly_the_discoverable_ones(world, find, name):
    from doeplein.access import discoverable
    from doeplein.spaces.models import Space

    user = viewer(world, name)
    page = find(user, "dijkgroep")
    expected = discoverable(user, Space.objects.filter(pk=world["group"].pk)).count()
    assert page.total == expected
    assert [r.heading for r in page.results] == ["Geheime dijkgroep"] * expected


@pytest.mark.parametrize("name", ["anonymous", "outsider", "manager"])
def test_a_secret_spaces_message_leaves_no_trace_for_a_non_member(world, find, name, client, call):
    user = viewer(world, name)
    page = find(user, "zeppelinhaven")
    assert (page.total, page.results, page.facets) == (0, [], {})

    from doeplein.search.selectors import suggestions

    assert suggestions(user=user, q="zeppelin") == []
    assert suggestions(user=user, q="Geheime dijk") == []
    # The same answer through the API and the page.
    response = call("get", "/search", user if name != "anonymous" else None, q="zeppelinhaven")
    assert response.status_code == 200
    assert (response.json()["total"], response.json()["results"], response.json()["facets"]) == (0, [], {})
    if name != "anonymous":
        client.force_login(user)
    html = client.get("/search/", {"q": "zeppelinhaven"}).content.decode()
    assert "geheimwoord" not in html.lower()
    assert "Ruimte secret" not in html


def test_the_member_finds_the_secret_message_with_a_snippet(world, find):
    page = find(world["member"], "zeppelinhaven")
    assert page.total == 1
    assert "<mark>zeppelinhaven</mark>" in page.results[0].snippet


def test_a_secret_space_filter_answers_like_a_space_that_does_not_exist(world, find):
    outsider = world["outsider"]
    secret = find(outsider, "dijkversterking", space=world["spaces"]["secret"].pk)
    missing = find(outsider, "dijkversterking", space=10**12)
    assert (
        (secret.total, secret.facets, secret.notes)
        == (missing.total, missing.facets, missing.notes)
        == (
            0,
            {},
            secret.notes,
        )
    )
    assert secret.space is None


def test_members_of_a_secret_space_are_not_found_through_it(world, find):
    page = find(world["outsider"], "Mila", space=world["spaces"]["secret"].pk)
    assert page.total == 0
    # Whoever may see the space finds its members through it.
    assert find(world["member"], "Mila", space=world["spaces"]["secret"].pk).total == 1


def test_the_parents_community_manager_finds_what_lives_inside_the_parent(world, find):
    page = find(world["manager"], "dijkversterking", space=world["parent"].pk)
    assert [r.space_name for r in page.results] == ["Kindruimte"]


def test_visibility_narrowed_hides_content_at_the_next_search_without_reindexing(world, find):
    from doeplein.spaces.models import Space

    outsider = world["outsider"]
    before = find(outsider, "dijkversterking").total
    Space.objects.filter(pk=world["spaces"]["logged_in"].pk).update(visibility="secret")
    assert find(outsider, "dijkversterking").total == before - 1


def test_hidden_messages_are_not_indexed(world, find, index):
    from doeplein.discussion.models import Message

    Message.objects.filter(pk=world["messages"]["public"].pk).update(state=Message.State.HIDDEN)
    index()
    assert find(None, "dijkversterking").total == 0


def test_admin_sees_everything(world, find):
    assert find(world["admin"], "dijkversterking").total == 5

"""Ranking people recognise: titles above bodies, newer first on ties, Dutch and English stems,
phrases, prefixes and OR."""

import pytest

# The ranked corpus is made of groups' cards and messages: the groups plugin must be there.
pytestmark = [pytest.mark.usefixtures("needs_postgres"), pytest.mark.needs_plugins("groups")]


@pytest.fixture
def corpus(make_space, make_message, index):
    from groups.models import Group, GroupPolicy

    space = make_space("public")
    Group.objects.create(
        name="Dijkbewaking",
        slug="dijkbewaking",
        policy=GroupPolicy.OPEN,
        visibility="public",
        description="Toezicht.",
    )
    old = make_message(space, "Overleg over dijkbewaking en de planning.", age_days=300)
    new = make_message(space, "Overleg over dijkbewaking en de planning.", age_days=1)
    english = make_message(space, "The flood barriers were inspected by the engineers this week.")
    dutch = make_message(space, "De gemeenten versterken hun dijken langs de rivieren.")
    index()
    return {"space": space, "old": old, "new": new, "english": english, "dutch": dutch}


def test_a_title_match_ranks_above_body_matches(corpus, find):
    page = find(None, "dijkbewaking")
    assert page.total == 3
    assert page.results[0].type == "group"


def test_equal_relevance_puts_the_newest_first(corpus, find):
    page = find(None, "dijkbewaking", types=["message"])
    assert [r.url for r in page.results] == [
        f"{corpus['new'].room.get_absolute_url()}#m{corpus['new'].seq}",
        f"{corpus['old'].room.get_absolute_url()}#m{corpus['old'].seq}",
    ]


def test_english_and_dutch_words_are_stemmed(corpus, find):
    assert find(None, "barrier").total == 1  # barriers
    assert find(None, "inspecting").total == 1  # inspected
    assert find(None, "dijk").total == 1  # dijken
    assert find(None, "rivier").total == 1  # rivieren


def test_phrase_prefix_or_and_exclusion(corpus, find):
    assert find(None, '"flood barriers"').total == 1
    assert find(None, '"barriers flood"').total == 0
    assert find(None, "engin*").total == 1
    assert find(None, "barriers OR rivieren").total == 2
    assert find(None, "barriers rivieren").total == 0
    assert find(None, "overleg -planning").total == 0
    assert find(None, "overleg").total == 2


def test_snippets_are_escaped_and_highlighted(make_space, make_message, index, find):
    space = make_space("public")
    make_message(space, "Let op <script>alert('x')</script> bij de zandsuppletie & meer.")
    from groups.models import Group

    Group.objects.create(name="<i>Zandsuppletie</i> & co", slug="zand", policy="open", visibility="public")
    index()
    message, group = sorted(find(None, "zandsuppletie").results, key=lambda r: r.type, reverse=True)
    assert "<script" not in message.snippet and "<b>" not in message.snippet
    assert "<mark>zandsuppletie</mark> &amp; meer" in message.snippet
    assert str(group.heading_html) == "&lt;i&gt;<mark>Zandsuppletie</mark>&lt;/i&gt; &amp; co"


def test_facets_count_per_filter_and_filters_narrow(corpus, find):
    from doeplein.spaces.models import Space

    page = find(None, "overleg OR dijkbewaking")
    types = {f["value"]: f["count"] for f in page.facets["type"]}
    assert types == {"message": 2, "group": 1}
    narrowed = find(None, "overleg OR dijkbewaking", types=["message"])
    assert narrowed.total == 2
    # The type facet still shows what the other types would add.
    assert {f["value"]: f["count"] for f in narrowed.facets["type"]} == types
    assert find(None, "overleg", space=corpus["space"].pk).total == 2
    other = Space.objects.create(kind="test", name="Elders", visibility="public")
    assert find(None, "overleg", space=other.pk).total == 0
    corpus["new"].refresh_from_db()
    year = corpus["new"].created_at.year
    assert find(None, "overleg", year=year).total >= 1
    assert find(None, "overleg", date_from=corpus["new"].created_at.date()).total == 1


@pytest.mark.needs_plugins("workspaces")
def test_theme_filter_reads_the_workspaces_themes(make_user, index, find, make_message):
    from doeplein.home.models import Theme
    from workspaces.models import Workspace

    water = Theme.objects.create(name="Water", slug="water")
    other = Theme.objects.create(name="Zorg", slug="zorg")
    workspace = Workspace.objects.create(name="Deltaprogramma", slug="delta", visibility="public")
    workspace.themes.set([water])
    workspace.save()  # a parental many-to-many is written on save
    make_message(workspace, "Het deltaprogramma bespreekt zoetwater.")
    index()
    assert find(None, "deltaprogramma", theme=water.pk).total == 2
    assert find(None, "deltaprogramma", theme=other.pk).total == 0
    page = find(None, "deltaprogramma")
    assert page.facets["theme"] == [
        {"value": water.pk, "label": "Water", "count": 2, "capped": False, "selected": False}
    ]


def test_with_two_filters_each_facet_counts_with_the_other_filter_only(
    make_user, make_space, make_message, index, find
):
    """Space and person set at once: the space facet counts that person's matches in every space, the
    person facet everyone's in that space, the type facet both (one pass serves all three bases)."""
    anna, bart = make_user(first_name="Anna"), make_user(first_name="Bart")
    north, south = make_space("public", name="Noord"), make_space("public", name="Zuid")
    for space, author, n in ((north, anna, 3), (north, bart, 2), (south, anna, 4), (south, bart, 1)):
        for i in range(n):
            make_message(space, f"Kwelwater meting {i}", author=author)
    index()
    page = find(None, "kwelwater", space=north.pk, person=anna.pk)
    assert (page.total, page.capped) == (3, False)
    spaces = {f["value"]: f["count"] for f in page.facets["space"]}
    assert spaces == {north.pk: 3, south.pk: 4}  # Anna's, in each space
    people = {f["value"]: f["count"] for f in page.facets["person"]}
    assert people == {anna.pk: 3, bart.pk: 2}  # everyone's, in Noord
    assert {f["value"]: f["count"] for f in page.facets["type"]} == {"message": 3}
    assert find(None, "kwelwater", space=south.pk, person=bart.pk).total == 1

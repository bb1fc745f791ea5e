"""The activity stream: recording, then reading it newest first, paginated, and only what the viewer may see."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doeplein.activity.actions import record
from doeplein.activity.models import Activity
from doeplein.activity.selectors import activity_feed, activity_page
from doeplein.spaces.models import Role
from tests.plugin_example.models import Note

pytestmark = pytest.mark.django_db


def verbs(feed):
    return [activity.verb for activity in feed]


def test_record_stores_who_did_what_on_what_where(make_space, make_user):
    author = make_user()
    space = make_space("public", members={author: Role.MEMBER})
    note = Note.objects.create(space=space, author=author, text="Dijken versterken")

    activity = record(actor=author, verb="note.written", target=note, space=space, data={"words": 2})

    stored = Activity.objects.get(pk=activity.pk)
    assert stored.actor == author
    assert stored.verb == "note.written"
    assert stored.target_type == ContentType.objects.get_for_model(Note)
    assert stored.target_id == str(note.pk)
    assert stored.target == note
    assert stored.target_label == "Dijken versterken"
    assert stored.space == space
    assert stored.audience == "logged_in"
    assert stored.data == {"words": 2}
    assert stored.created_at is not None


def test_record_without_target_or_with_an_anonymous_actor(make_user):
    activity = record(actor=AnonymousUser(), verb="profile.updated", audience="everyone")
    assert (activity.actor, activity.target_type, activity.target_id, activity.target_label) == (
        None,
        None,
        "",
        "",
    )
    assert activity.data == {}


def test_feed_is_newest_first(make_space, make_user):
    user = make_user()
    space = make_space("public")
    now = timezone.now()
    for verb, age in (("b.middle", 2), ("c.newest", 1), ("a.oldest", 3)):
        activity = record(actor=user, verb=verb, space=space)
        Activity.objects.filter(pk=activity.pk).update(created_at=now - timedelta(hours=age))
    # Two at the very same moment: the later one (higher id) comes first.
    same = [record(actor=user, verb=f"d.same{i}", space=space) for i in range(2)]
    Activity.objects.filter(pk__in=[a.pk for a in same]).update(created_at=now)

    assert verbs(activity_feed(user=user)) == ["d.same1", "d.same0", "c.newest", "b.middle", "a.oldest"]


def test_feed_is_paginated(make_space, make_user):
    user = make_user()
    space = make_space("public")
    for i in range(25):
        record(actor=user, verb=f"step.{i:02d}", space=space)

    first = activity_page(user=user, page=1, per_page=10)
    third = activity_page(user=user, page=3, per_page=10)
    assert first.paginator.count == 25 and first.paginator.num_pages == 3
    assert verbs(first) == [f"step.{i:02d}" for i in range(24, 14, -1)]
    assert verbs(third) == [f"step.{i:02d}" for i in range(4, -1, -1)]
    assert first.has_next() and not third.has_next()
    # Past the end, or nonsense, gives the last or the first page rather than an error.
    assert verbs(activity_page(user=user, page=99, per_page=10)) == verbs(third)
    assert verbs(activity_page(user=user, page="x", per_page=10)) == verbs(first)


def test_feed_narrows_to_one_space_or_one_actor(make_space, make_user):
    alice, bob = make_user(), make_user()
    here, there = make_space("public"), make_space("public")
    record(actor=alice, verb="alice.here", space=here)
    record(actor=bob, verb="bob.here", space=here)
    record(actor=alice, verb="alice.there", space=there)
    assert verbs(activity_feed(user=bob, space=here)) == ["bob.here", "alice.here"]
    assert verbs(activity_feed(user=bob, actor=alice)) == ["alice.there", "alice.here"]
    assert verbs(activity_feed(user=bob, space=here, actor=alice)) == ["alice.here"]


@pytest.mark.parametrize(
    ("visibility", "anonymous_sees", "outsider_sees"),
    [("public", True, True), ("logged_in", False, True), ("members", False, False), ("secret", False, False)],
)
def test_activity_in_a_space_is_seen_by_whoever_may_see_the_space(
    visibility, anonymous_sees, outsider_sees, make_space, make_user
):
    member = make_user()
    space = make_space(visibility, members={member: Role.GUEST})
    # The audience field is for spaceless activity; inside a space, the space decides.
    record(actor=member, verb="in.space", space=space, audience="everyone")

    assert ("in.space" in verbs(activity_feed(user=AnonymousUser()))) is anonymous_sees
    assert ("in.space" in verbs(activity_feed(user=make_user()))) is outsider_sees
    assert verbs(activity_feed(user=member)) == ["in.space"]


def test_activity_in_a_child_of_a_secret_parent_is_hidden_from_outsiders(make_space, make_user):
    parent_member = make_user()
    child = make_space("public", parent=make_space("secret", members={parent_member: Role.MEMBER}))
    record(actor=parent_member, verb="in.child", space=child)
    assert verbs(activity_feed(user=make_user())) == []
    assert verbs(activity_feed(user=parent_member)) == ["in.child"]


@pytest.mark.parametrize(
    ("audience", "anonymous_sees", "others_see"),
    [("everyone", True, True), ("logged_in", False, True), ("only_me", False, False)],
)
def test_spaceless_activity_follows_its_audience(audience, anonymous_sees, others_see, make_user):
    actor, other = make_user(), make_user()
    admin = make_user(is_superuser=True)
    record(actor=actor, verb="profile.updated", audience=audience)

    assert (verbs(activity_feed(user=AnonymousUser())) == ["profile.updated"]) is anonymous_sees
    assert (verbs(activity_feed(user=other)) == ["profile.updated"]) is others_see
    assert verbs(activity_feed(user=actor)) == ["profile.updated"]  # one always sees one's own
    assert verbs(activity_feed(user=admin)) == ["profile.updated"]


def test_deleted_account_no_longer_sees_its_own_private_activity(make_user):
    actor = make_user()
    record(actor=actor, verb="profile.updated", audience="only_me")
    actor.is_deleted = True
    actor.save()
    assert verbs(activity_feed(user=actor)) == []


def test_feed_mixes_spaces_and_audiences_for_one_viewer(make_space, make_user):
    viewer, stranger = make_user(), make_user()
    mine = make_space("secret", members={viewer: Role.MEMBER})
    hidden = make_space("secret")
    record(actor=stranger, verb="in.mine", space=mine)
    record(actor=stranger, verb="in.hidden", space=hidden)
    record(actor=stranger, verb="stranger.private", audience="only_me")
    record(actor=stranger, verb="stranger.public", audience="everyone")
    record(actor=viewer, verb="viewer.private", audience="only_me")
    assert verbs(activity_feed(user=viewer)) == ["viewer.private", "stranger.public", "in.mine"]


def _fill(n, viewer, make_space, make_user):
    actors = [make_user() for _ in range(3)]
    spaces = [
        make_space("public"),
        make_space("secret", members={viewer: Role.MEMBER}),
        make_space("secret"),
        make_space("members", parent=make_space("members", members={viewer: Role.COMMUNITY_MANAGER})),
    ]
    Activity.objects.bulk_create(
        Activity(
            actor=actors[i % 3],
            verb=f"bulk.{i}",
            space=spaces[i % 5] if i % 5 < 4 else None,
            audience=["everyone", "logged_in", "only_me"][i % 3],
        )
        for i in range(n)
    )
    return spaces


@pytest.mark.parametrize("n", [10, 300])
def test_feed_page_query_count_stays_flat(n, make_space, make_user):
    viewer = make_user()
    public, mine, hidden, child = _fill(n, viewer, make_space, make_user)

    with CaptureQueriesContext(connection) as queries:
        page = activity_page(user=viewer, page=1, per_page=25)
        shown = [
            (str(a.actor), a.space.name if a.space else "", str(a.verb_label), a.target_label) for a in page
        ]
    # One count for the paginator, one for the page itself, whatever the size of the stream.
    assert len(queries) == 2
    assert 0 < len(shown) <= 25
    # The page holds what the viewer may see: never the secret space they are no member of.
    assert page.paginator.count == activity_feed(user=viewer).count() < n
    feed = activity_feed(user=viewer)
    assert not feed.filter(space=hidden).exists()
    assert {public, mine, child} <= {activity.space for activity in feed}
    assert not feed.filter(space=None, audience="only_me").exclude(actor=viewer).exists()

"""The activity feed, reviewed for leaks: what a space's visitors may not learn stays out of every feed."""

import pytest
from django.test import Client

from doeplein.activity.selectors import activity_feed
from doeplein.discussion.actions import do_send_message, get_or_create_room
from doeplein.spaces.actions import do_decide_request, do_invite, do_request_to_join
from doeplein.spaces.models import Membership, Role


@pytest.fixture
def owner(make_user):
    return make_user(first_name="Olga")


def verbs(user, **filters):
    return {a.verb for a in activity_feed(user=user, **filters)}


def test_an_invitation_stays_out_of_a_public_spaces_feed_for_everyone_but_the_inviter(
    owner, make_user, make_space, client
):
    space = make_space("public", members={owner: Role.OWNER})
    member = make_user()
    Membership.objects.create(space=space, user=member, role=Role.MEMBER)
    do_invite(actor=owner, space=space, email="secret-candidate@example.org")

    assert "space.invited" in verbs(owner)
    assert "space.invited" not in verbs(member)
    assert "space.invited" not in verbs(make_user())
    from django.contrib.auth.models import AnonymousUser

    assert "space.invited" not in verbs(AnonymousUser())
    # Nor through the API a script would use.
    results = client.get("/api/v1/activity").json()["results"]
    assert "space.invited" not in {r["verb"] for r in results}


def test_a_rejected_request_is_seen_by_the_one_who_rejected_it_only(owner, make_user, make_space):
    space = make_space("public", members={owner: Role.OWNER})
    space.join_policy = "request"
    space.save(update_fields=["join_policy"])
    asker, bystander = make_user(), make_user()
    join_request = do_request_to_join(user=asker, space=space, message="please")
    do_decide_request(actor=owner, request_id=join_request.pk, approve=False, message="no")

    assert "space.request_rejected" in verbs(owner)
    assert "space.request_rejected" not in verbs(bystander)


def test_a_platform_administrator_still_sees_everything(owner, make_user, make_space):
    space = make_space("public", members={owner: Role.OWNER})
    do_invite(actor=owner, space=space, email="x@example.org")
    assert "space.invited" in verbs(make_user(role="platform_admin"))


@pytest.mark.parametrize("visibility", ["secret", "members"])
def test_activity_inside_a_closed_space_is_not_shown_to_outsiders_anywhere(
    owner, make_user, make_space, visibility
):
    space = make_space(visibility, members={owner: Role.OWNER}, name="Hush project")
    room = get_or_create_room(space=space, title=space.name)
    do_send_message(user=owner, room=room, body="between us", client_id="leak-1")
    outsider = make_user()

    assert "discussion.posted" in verbs(owner)
    assert not any(a.space_id == space.pk for a in activity_feed(user=outsider))
    for client in (Client(), _logged_in(outsider)):
        home = client.get("/").content.decode()
        assert "Hush project" not in home
        api = client.get("/api/v1/activity").json()["results"]
        assert all(r["space"] != "Hush project" and r["on"] != "Hush project" for r in api)
        profile = client.get(f"/people/{owner.pk}/").content.decode()
        assert "Hush project" not in profile


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client

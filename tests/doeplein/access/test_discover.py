"""Discovering spaces: members-only spaces can be found and asked to join; secret ones stay hidden."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from doeplein.access import can, check, discoverable, visible
from doeplein.spaces.actions import do_request_to_join
from doeplein.spaces.models import JoinPolicy, JoinRequest, Role, Space

pytestmark = pytest.mark.django_db

# visibility -> (anonymous, logged-in outsider, member) may discover
EXPECTED = {
    "public": (True, True, True),
    "logged_in": (False, True, True),
    "members": (False, True, True),
    "secret": (False, False, True),
}


@pytest.mark.parametrize("visibility", sorted(EXPECTED))
def test_discover_follows_visibility(visibility, make_user, make_space):
    member, outsider = make_user(), make_user()
    space = make_space(visibility, members={member: Role.MEMBER})
    for who, expected in zip((AnonymousUser(), outsider, member), EXPECTED[visibility], strict=True):
        assert can(who, "discover", space) is expected
        assert discoverable(who, Space.objects.all()).filter(pk=space.pk).exists() is expected


def test_members_only_space_is_discoverable_but_its_content_is_not_visible(make_user, make_space):
    outsider = make_user()
    space = make_space("members")
    assert can(outsider, "discover", space)
    assert not visible(outsider, Space.objects.filter(pk=space.pk)).exists()
    with pytest.raises(PermissionDenied):
        check(outsider, "view", space)


def test_outsider_may_ask_to_join_a_members_only_space_on_request(make_user, make_space):
    owner, outsider = make_user(), make_user()
    space = make_space("members", members={owner: Role.OWNER})
    Space.objects.filter(pk=space.pk).update(join_policy=JoinPolicy.REQUEST)
    space.refresh_from_db()
    do_request_to_join(user=outsider, space=space, message="Mag ik meedoen?")
    assert JoinRequest.objects.filter(space=space, user=outsider, status="pending").count() == 1


def test_secret_space_cannot_be_asked_to_join_and_answers_404(make_user, make_space):
    outsider = make_user()
    space = make_space("secret")
    Space.objects.filter(pk=space.pk).update(join_policy=JoinPolicy.REQUEST)
    space.refresh_from_db()
    with pytest.raises(Http404):
        do_request_to_join(user=outsider, space=space)
    assert not JoinRequest.objects.filter(space=space).exists()


def test_child_of_a_members_only_parent_is_not_discoverable_to_outsiders_of_the_parent(make_user, make_space):
    outsider, parent_member = make_user(), make_user()
    parent = make_space("members", members={parent_member: Role.MEMBER})
    child = make_space("members", parent=parent)
    assert can(outsider, "discover", parent)
    assert not can(outsider, "discover", child)
    assert can(parent_member, "discover", child)


def test_discoverable_refuses_content_models(make_user):
    from doeplein.activity.models import Activity

    with pytest.raises(TypeError):
        discoverable(make_user(), Activity.objects.all())

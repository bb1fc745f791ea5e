"""One house for spaces: page and API show the same eligibility, the actions obey it; live events
counted exactly; issue 8's findings 4-6 (that every access-narrowing action publishes ``access_changed`` is
proved in test_access_events.py)."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.test import RequestFactory

from doeplein.core.exceptions import ActionError
from doeplein.live import access_group
from doeplein.spaces import actions
from doeplein.spaces.models import Invitation, JoinPolicy, JoinRequest, Membership, Role, Visibility
from doeplein.spaces.views import membership_context
from tests.support.live import access_events

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "pending", Role.GUEST, Role.MEMBER, Role.COMMUNITY_MANAGER, Role.OWNER]
VISIBILITIES = list(Visibility.values)
POLICIES = list(JoinPolicy.values)


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _outcome(fn):
    """What an action does, undone afterwards: "ok" or the refusal's code."""
    try:
        with transaction.atomic():
            fn()
            raise _Undo
    except _Undo:
        return "ok"
    except ActionError as error:
        return error.code
    except PermissionDenied:
        return "forbidden"
    except Http404:
        return "not_found"


class _Undo(Exception):
    pass


@pytest.mark.parametrize(
    "role,visibility,policy",
    list(itertools.product(ROLES, VISIBILITIES, POLICIES)),
    ids=lambda v: str(getattr(v, "name", v)),
)
def test_page_api_and_actions_agree_on_every_membership_move(
    make_user, make_space, call, role, visibility, policy
):
    owner = make_user()
    space = make_space(visibility, members={owner: Role.OWNER})
    space.join_policy = policy
    space.save(update_fields=["join_policy"])
    user = AnonymousUser() if role == "anonymous" else make_user()
    if isinstance(role, Role) and role != Role.OWNER:
        Membership.objects.create(space=space, user=user, role=role)
    elif role == Role.OWNER:
        Membership.objects.create(space=space, user=user, role=Role.OWNER)
    elif role == "pending":
        JoinRequest.objects.create(space=space, user=user)

    page = membership_context(_request(user), space)
    response = call("get", f"/spaces/{space.pk}", None if role == "anonymous" else user)
    joined = _outcome(lambda: actions.do_join(user=user, space=space))
    asked = _outcome(lambda: actions.do_request_to_join(user=user, space=space))
    left = _outcome(lambda: actions.do_leave(user=user, space=space))

    if response.status_code in (403, 404):
        # A space the person may not see (404 when they may not even know of it): no move is open.
        assert joined != "ok" and asked != "ok"
        assert not page["can_join"] and not page["can_request"]
        if response.status_code == 404:
            assert (joined, asked) == ("not_found", "not_found")
        return
    api = response.json()
    assert (api["may_join"], api["may_request"], api["may_leave"]) == (
        page["can_join"],
        page["can_request"],
        page["can_leave"],
    )
    assert page["can_join"] == (joined == "ok")
    assert page["can_request"] == (asked == "ok")
    assert page["can_leave"] == (left == "ok")
    # The rules where the old copies disagreed: a secret space is by invitation only, one request at a time.
    if visibility == Visibility.SECRET:
        assert not api["may_join"] and not api["may_request"]
    if role == "pending" and policy == JoinPolicy.REQUEST and visibility != Visibility.SECRET:
        assert not api["may_request"] and asked == "duplicate_request"


# --- Live events, counted exactly ------------------------------------------------------------------------
def test_joining_publishes_nothing_and_leaving_tells_only_the_person(make_user, make_space, live_events):
    owner, person = make_user(), make_user()
    space = make_space("public", members={owner: Role.OWNER})
    space.join_policy = JoinPolicy.OPEN
    space.save(update_fields=["join_policy"])
    with live_events() as events:
        actions.do_join(user=person, space=space)
    # A join widens access: no access event (the notification is the only thing published, if any).
    assert access_events(events) == []
    with live_events() as events:
        actions.do_leave(user=person, space=space)
    assert events == [
        (access_group(person.pk), {"kind": "access_changed", "reason": "membership_ended", "user": person.pk})
    ]


def test_a_refused_action_publishes_nothing(make_user, make_space, live_events):
    owner, person = make_user(), make_user()
    space = make_space("public", members={owner: Role.OWNER})  # on request
    with live_events() as events, pytest.raises(ActionError):
        actions.do_join(user=person, space=space)
    assert events == []


# --- Issue 8, findings 4-6 -------------------------------------------------------------------------------
def test_community_managers_cannot_give_roles_above_member(make_user, make_space, call, client):
    owner, manager = make_user(), make_user()
    space = make_space("public", members={owner: Role.OWNER, manager: Role.COMMUNITY_MANAGER})
    with pytest.raises(PermissionDenied):
        actions.do_invite(actor=manager, space=space, email="cm@example.org", role=Role.COMMUNITY_MANAGER)
    response = call(
        "post",
        f"/spaces/{space.pk}/invitations",
        manager,
        {"email": "cm@example.org", "role": "community_manager"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.filter(space=space).exists()
    # The HTML form offers a manager member and guest only; an owner also community manager.
    from doeplein.spaces.forms import InviteForm

    offered = [role for role, _label in InviteForm(space=space).fields["role"].choices]
    assert Role.COMMUNITY_MANAGER not in offered and Role.MEMBER in offered
    by_owner = [role for role, _label in InviteForm(space=space, by_owner=True).fields["role"].choices]
    assert Role.COMMUNITY_MANAGER in by_owner
    client.force_login(manager)
    page = client.get(f"/spaces/{space.pk}/invitations/").content.decode()
    assert f'value="{int(Role.COMMUNITY_MANAGER)}"' not in page
    # An owner may.
    invitation, _token = actions.do_invite(
        actor=owner, space=space, email="cm@example.org", role=Role.COMMUNITY_MANAGER
    )
    assert invitation.role == Role.COMMUNITY_MANAGER


def test_an_invitation_answers_the_same_for_registered_and_unknown_addresses(make_user, make_space, call):
    owner = make_user()
    registered = make_user(email="known@example.org", first_name="Karel")
    space = make_space("members", members={owner: Role.OWNER})
    known = call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "known@example.org"}).json()
    unknown = call("post", f"/spaces/{space.pk}/invitations", owner, {"email": "nobody@example.org"}).json()
    strip = ("id", "email", "created_at", "sent_at", "expires_at")
    assert {k: v for k, v in known.items() if k not in strip} == {
        k: v for k, v in unknown.items() if k not in strip
    }
    assert known["user_id"] is None
    listed = call("get", f"/spaces/{space.pk}/invitations", owner).json()
    assert all(row["user_id"] is None for row in listed)
    assert registered.display_name not in str(listed)


def test_the_invitations_page_names_no_account(make_user, make_space, client):
    owner = make_user()
    make_user(email="known@example.org", first_name="Karel", last_name="Verborgen")
    space = make_space("members", members={owner: Role.OWNER})
    actions.do_invite(actor=owner, space=space, email="known@example.org")
    client.force_login(owner)
    page = client.get(f"/spaces/{space.pk}/invitations/").content.decode()
    assert "known@example.org" in page and "Verborgen" not in page


def test_a_slug_taken_by_a_secret_group_answers_like_a_free_one(make_user, call):
    from django.apps import apps

    if not apps.is_installed("groups"):
        pytest.skip("needs the groups plugin")
    from groups.actions import do_create_group
    from groups.models import Group

    servant, other = make_user(role="civil_servant"), make_user(role="civil_servant")
    do_create_group(user=servant, name="Crisis", slug="crisis", policy="secret")
    response = call("post", "/groups", other, {"name": "Crisis", "slug": "crisis"})
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "crisis-2"
    free = call("post", "/groups", other, {"name": "Vrij", "slug": "vrij"})
    assert free.status_code == 201 and free.json()["slug"] == "vrij"
    # A slug taken by a group the person can find is still "taken".
    assert call("post", "/groups", servant, {"name": "Vrij", "slug": "vrij"}).status_code == 409
    assert Group.objects.filter(slug__startswith="crisis").count() == 2


def test_a_slug_taken_by_a_secret_workspace_answers_like_a_free_one(make_user, call):
    from django.apps import apps

    if not apps.is_installed("workspaces"):
        pytest.skip("needs the workspaces plugin")
    from doeplein.home.models import Theme
    from workspaces.actions import do_open_workspace

    Theme.objects.create(name="Water", slug="water-y")
    servant, other = make_user(role="civil_servant"), make_user(role="civil_servant")
    do_open_workspace(
        user=servant, name="Geheim", slug="geheim", themes=list(Theme.objects.all()), visibility="secret"
    )
    body = {"name": "Geheim", "slug": "geheim", "themes": ["water-y"]}
    response = call("post", "/workspaces", other, body)
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "geheim-2"

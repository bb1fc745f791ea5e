"""The access gate: every role × every action × every visibility, plus archived and nested spaces.

The expected answers below are written by hand from the rules in ``doeplein/access/gate.py``'s
docstring, never computed by the gate. Both questions must give them: ``can()`` for one space and
``filter_for()`` for a list.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from doeplein.access import ACTIONS, can, check, filter_for, get_object_or_404, role_in, visible
from doeplein.spaces.models import (
    Membership,
    Role,
    Space,
    SpaceGroupObjectPermission,
    SpaceUserObjectPermission,
)

pytestmark = pytest.mark.django_db

VISIBILITIES = ("public", "logged_in", "members", "secret")
NOTHING = frozenset()
ALL = frozenset(ACTIONS)
SEE = frozenset({"view"})
SEE_POST = frozenset({"view", "contribute"})
SEE_POST_MODERATE = frozenset({"view", "contribute", "moderate"})

ROLES = {
    "guest": Role.GUEST,
    "member": Role.MEMBER,
    "community_manager": Role.COMMUNITY_MANAGER,
    "owner": Role.OWNER,
}
GRANTS = ("view_space", "contribute_space", "moderate_space", "manage_space")
WHO = (
    "anonymous",
    "outsider",  # logged in, no role, no grant
    *ROLES,
    "platform_admin",
    *(f"user_grant:{codename}" for codename in GRANTS),
    *(f"group_grant:{codename}" for codename in GRANTS),
)

# Rows: who. Columns: public, logged_in, members, secret. On a space itself "change" is "manage".
# A grant counts as the least role that allows its action (view → guest, contribute → member,
# moderate → community manager, manage → owner), whether given to the user or to one of their groups.
EXPECTED = {
    "anonymous":                     (SEE,               NOTHING,           NOTHING,           NOTHING),
    "outsider":                      (SEE,               SEE,               NOTHING,           NOTHING),
    "guest":                         (SEE,               SEE,               SEE,               SEE),
    "member":                        (SEE_POST,          SEE_POST,          SEE_POST,          SEE_POST),
    "community_manager":             (SEE_POST_MODERATE, SEE_POST_MODERATE, SEE_POST_MODERATE, SEE_POST_MODERATE),
    "owner":                         (ALL,               ALL,               ALL,               ALL),
    "platform_admin":                (ALL,               ALL,               ALL,               ALL),
    "user_grant:view_space":         (SEE,               SEE,               SEE,               SEE),
    "user_grant:contribute_space":   (SEE_POST,          SEE_POST,          SEE_POST,          SEE_POST),
    "user_grant:moderate_space":     (SEE_POST_MODERATE, SEE_POST_MODERATE, SEE_POST_MODERATE, SEE_POST_MODERATE),
    "user_grant:manage_space":       (ALL,               ALL,               ALL,               ALL),
    "group_grant:view_space":        (SEE,               SEE,               SEE,               SEE),
    "group_grant:contribute_space":  (SEE_POST,          SEE_POST,          SEE_POST,          SEE_POST),
    "group_grant:moderate_space":    (SEE_POST_MODERATE, SEE_POST_MODERATE, SEE_POST_MODERATE, SEE_POST_MODERATE),
    "group_grant:manage_space":      (ALL,               ALL,               ALL,               ALL),
}  # fmt: skip

# An archived space (visibility "members"): nobody contributes or moderates, owners still manage
# (so that they can restore it), platform administrators may do everything.
ARCHIVE_MANAGE = frozenset({"view", "change", "manage"})
EXPECTED_ARCHIVED = {
    "anonymous": NOTHING,
    "outsider": NOTHING,
    "guest": SEE,
    "member": SEE,
    "community_manager": SEE,
    "owner": ARCHIVE_MANAGE,
    "platform_admin": ALL,
    "user_grant:view_space": SEE,
    "user_grant:contribute_space": SEE,
    "user_grant:moderate_space": SEE,
    "user_grant:manage_space": ARCHIVE_MANAGE,
    "group_grant:view_space": SEE,
    "group_grant:contribute_space": SEE,
    "group_grant:moderate_space": SEE,
    "group_grant:manage_space": ARCHIVE_MANAGE,
}


def test_the_tables_cover_every_role_and_the_gate_knows_exactly_these_actions():
    assert set(EXPECTED) == set(WHO) == set(EXPECTED_ARCHIVED)
    assert ACTIONS == ("view", "contribute", "change", "moderate", "manage")


@pytest.fixture
def person(make_user):
    """``person(who, space)`` gives a user who stands in ``space`` as ``who`` says."""

    def make(who, space):
        if who == "anonymous":
            return AnonymousUser()
        if who == "platform_admin":
            return make_user(is_superuser=True, is_staff=True)
        user = make_user()
        if who in ROLES:
            Membership.objects.create(space=space, user=user, role=ROLES[who])
        elif who.startswith("user_grant:"):
            assign_perm(who.split(":")[1], user, space)
        elif who.startswith("group_grant:"):
            group = Group.objects.create(name=f"grantees of {space.pk} {who}")
            user.groups.add(group)
            assign_perm(who.split(":")[1], group, space)
        return user

    return make


def assert_answers(user, space, expected):
    for action in ACTIONS:
        allowed = action in expected
        assert can(user, action, space) is allowed, f"can({action}) should be {allowed}"
        listed = filter_for(user, action, Space.objects.all()).filter(pk=space.pk).exists()
        assert listed is allowed, f"filter_for({action}) should {'' if allowed else 'not '}list the space"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("who", WHO)
def test_matrix_can_and_filter_for_agree_with_the_rules(who, visibility, action, make_space, person):
    space = make_space(visibility)
    other = make_space(visibility)  # a second space nobody has a role in: the list must not leak it
    user = person(who, space)
    allowed = action in EXPECTED[who][VISIBILITIES.index(visibility)]

    assert can(user, action, space) is allowed
    listed = set(filter_for(user, action, Space.objects.all()).values_list("pk", flat=True))
    assert (space.pk in listed) is allowed
    other_allowed = who == "platform_admin" or (
        action == "view"
        and visibility in {"public", "logged_in"}
        and (who != "anonymous" or visibility == "public")
    )
    assert (other.pk in listed) is other_allowed


@pytest.mark.parametrize("who", WHO)
def test_archived_space_allows_no_contribute_or_moderate_but_still_manage(who, make_space, person):
    space = make_space("members", archived=True)
    assert_answers(person(who, space), space, EXPECTED_ARCHIVED[who])


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("state", ["inactive", "deleted"])
def test_inactive_and_deleted_accounts_are_treated_as_anonymous(state, visibility, make_space, make_user):
    owner = make_user()
    admin = make_user(is_superuser=True, is_staff=True)
    space = make_space(visibility, members={owner: Role.OWNER})
    for user in (owner, admin):
        if state == "inactive":
            user.is_active = False
        else:
            user.is_deleted = True
        user.save()
        assert_answers(user, space, EXPECTED["anonymous"][VISIBILITIES.index(visibility)])
        assert role_in(user, space) is None


# --- nested spaces -------------------------------------------------------------------------------------
@pytest.mark.parametrize("child_visibility", VISIBILITIES)
def test_child_of_a_secret_parent_is_invisible_to_non_members_of_the_parent(
    child_visibility, make_space, make_user
):
    child_only = make_user()  # even a member of the child itself does not see it without the parent
    outsider = make_user()
    parent = make_space("secret")
    child = make_space(child_visibility, parent=parent, members={child_only: Role.OWNER})

    for user in (AnonymousUser(), outsider, child_only):
        assert not can(user, "view", child)
        assert not visible(user, Space.objects.filter(pk=child.pk)).exists()
        for action in ("contribute", "moderate"):
            assert not can(user, action, child)


def test_child_of_a_secret_parent_is_visible_to_parent_members_by_its_own_visibility(make_space, make_user):
    parent_member = make_user()
    parent = make_space("secret", members={parent_member: Role.MEMBER})
    open_child = make_space("logged_in", parent=parent)
    closed_child = make_space("members", parent=parent)
    family = Space.objects.filter(pk__in=[parent.pk, open_child.pk, closed_child.pk])
    assert set(visible(parent_member, family)) == {parent, open_child}
    assert not can(parent_member, "contribute", open_child)  # seeing is not taking part


@pytest.mark.parametrize("parent_role", [Role.COMMUNITY_MANAGER, Role.OWNER])
@pytest.mark.parametrize("child_visibility", ["members", "secret"])
def test_parent_community_managers_and_owners_oversee_children(
    parent_role, child_visibility, make_space, make_user
):
    overseer = make_user()
    parent = make_space("members", members={overseer: parent_role})
    child = make_space(child_visibility, parent=parent)
    # They see, take part and moderate, but only the child's own owners manage it.
    assert_answers(overseer, child, SEE_POST_MODERATE)
    assert role_in(overseer, child) == Role.COMMUNITY_MANAGER


@pytest.mark.parametrize("parent_role", [Role.GUEST, Role.MEMBER])
def test_plain_parent_members_do_not_oversee_children(parent_role, make_space, make_user):
    user = make_user()
    parent = make_space("members", members={user: parent_role})
    child = make_space("members", parent=parent)
    assert_answers(user, child, NOTHING)
    assert role_in(user, child) is None


def test_a_grant_on_the_parent_does_not_reach_the_children(make_space, make_user):
    user = make_user()
    parent = make_space("members")
    child = make_space("members", parent=parent)
    assign_perm("moderate_space", user, parent)
    assert can(user, "moderate", parent)
    assert_answers(user, child, NOTHING)


def test_archiving_the_parent_leaves_the_child_open(make_space, make_user):
    member = make_user()
    parent = make_space("public", archived=True)
    child = make_space("public", parent=parent, members={member: Role.MEMBER})
    assert_answers(member, child, SEE_POST)


def test_guardian_grants_use_the_direct_foreign_key_tables(make_space, make_user):
    user = make_user()
    group = Group.objects.create(name="editors")
    space = make_space("secret")
    assign_perm("view_space", user, space)
    assign_perm("moderate_space", group, space)
    assert SpaceUserObjectPermission.objects.filter(user=user, content_object=space).count() == 1
    assert SpaceGroupObjectPermission.objects.filter(group=group, content_object=space).count() == 1
    space_id = space.pk
    space.delete()  # real foreign keys: the grants go with the space, no orphans
    assert not SpaceUserObjectPermission.objects.filter(content_object_id=space_id).exists()
    assert not SpaceGroupObjectPermission.objects.filter(content_object_id=space_id).exists()


# --- check() and get_object_or_404() -------------------------------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_secret_space_is_404_for_those_who_may_not_see_it(who, make_space, make_user):
    user = AnonymousUser() if who == "anonymous" else make_user()
    space = make_space("secret")
    for action in ACTIONS:
        with pytest.raises(Http404):
            check(user, action, space)


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_members_only_space_is_permission_denied_for_non_members(who, make_space, make_user):
    user = AnonymousUser() if who == "anonymous" else make_user()
    space = make_space("members")
    with pytest.raises(PermissionDenied):
        check(user, "view", space)


def test_seen_but_not_allowed_is_permission_denied_even_in_a_secret_space(make_space, make_user):
    guest = make_user()
    space = make_space("secret", members={guest: Role.GUEST})
    assert check(guest, "view", space) == space
    with pytest.raises(PermissionDenied):
        check(guest, "contribute", space)


def test_public_child_of_a_secret_parent_is_404_for_outsiders(make_space, make_user):
    child = make_space("public", parent=make_space("secret"))
    with pytest.raises(Http404):
        check(make_user(), "view", child)


def test_check_returns_the_object_when_allowed_and_404_for_none(make_space, make_user):
    owner = make_user()
    space = make_space("secret", members={owner: Role.OWNER})
    assert check(owner, "manage", space) is space
    with pytest.raises(Http404):
        check(owner, "view", None)


def test_get_object_or_404_answers_the_same_for_missing_and_secret(make_space, make_user):
    outsider = make_user()
    secret = make_space("secret")
    missing_pk = Space.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    with pytest.raises(Http404) as for_secret:
        get_object_or_404(outsider, Space.objects.all(), pk=secret.pk)
    with pytest.raises(Http404) as for_missing:
        get_object_or_404(outsider, Space.objects.all(), pk=missing_pk)
    assert str(for_secret.value) == str(for_missing.value)
    assert for_secret.value.args == for_missing.value.args


def test_get_object_or_404_fetches_what_may_be_seen_and_denies_members_only(make_space, make_user):
    member, outsider = make_user(), make_user()
    closed = make_space("members", members={member: Role.MEMBER})
    assert get_object_or_404(member, Space.objects.all(), pk=closed.pk) == closed
    assert get_object_or_404(member, Space.objects.all(), "contribute", pk=closed.pk) == closed
    with pytest.raises(PermissionDenied):
        get_object_or_404(outsider, Space.objects.all(), pk=closed.pk)


def test_unknown_action_is_an_error_not_a_silent_no(make_space, make_user):
    with pytest.raises(ValueError, match="Unknown action"):
        can(make_user(), "delete", make_space("public"))


def test_unsaved_object_is_never_allowed(make_user):
    assert not can(make_user(is_superuser=True), "view", Space(kind="test", name="unsaved"))


# --- query counts ----------------------------------------------------------------------------------------
def _fill(n, user):
    """``n`` spaces of all visibilities, some nested; ``user`` a member, manager or grantee of some."""
    group = Group.objects.create(name=f"readers {n}")
    user.groups.add(group)
    parents = Space.objects.bulk_create(
        Space(kind="test", name=f"Space {i}", visibility=VISIBILITIES[i % 4]) for i in range(n // 2)
    )
    children = Space.objects.bulk_create(
        Space(kind="test", name=f"Child {i}", visibility=VISIBILITIES[(i + 1) % 4], parent=parents[i])
        for i in range(n - n // 2)
    )
    Membership.objects.bulk_create(
        Membership(space=space, user=user, role=[Role.GUEST, Role.COMMUNITY_MANAGER][i % 2])
        for i, space in enumerate(parents[::5])
    )
    for space in children[::7]:
        assign_perm("view_space", user, space)
    for space in parents[3::7]:
        assign_perm("view_space", group, space)
    return parents + children


@pytest.mark.parametrize("n", [10, 300])
def test_visible_spaces_is_one_query_for_10_and_for_300(n, make_user, django_assert_num_queries):
    user = make_user()
    spaces = _fill(n, user)
    expected_ids = {space.pk for space in spaces if can(user, "view", space)}
    assert 0 < len(expected_ids) < n  # a meaningful mix of seen and unseen

    with django_assert_num_queries(1):
        seen = list(visible(user, Space.objects.all()))
    assert {space.pk for space in seen} == expected_ids

    with django_assert_num_queries(1):
        list(visible(AnonymousUser(), Space.objects.all()))


def test_every_action_filter_is_one_query_whatever_the_number_of_grants(make_user):
    user = make_user()
    _fill(40, user)
    for action in ACTIONS:
        with CaptureQueriesContext(connection) as queries:
            list(filter_for(user, action, Space.objects.all()))
        assert len(queries) == 1, action

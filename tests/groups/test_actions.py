"""Groups: the membership matrix over the four group policies, and creating and changing groups."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from doeplein.core.exceptions import ActionError
from doeplein.spaces.actions import do_decide_request, do_join, do_request_to_join
from doeplein.spaces.models import JoinPolicy, JoinRequest, Membership, Role, Space, Visibility
from groups.actions import do_create_group, do_update_group
from groups.models import Group, GroupPolicy
from tests.doeplein.spaces.test_membership_actions import ACTIONS, ROLES, People, expected, run_cells

# A group's policy sets how one joins, and a secret group is also invisible (groups.models.Group.apply_policy).
GROUP_CELLS = [
    (policy, visibility)
    for policy in ("open", "request", "invitation")
    for visibility in ("public", "logged_in", "members")
] + [("secret", "members")]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", [*ROLES, "workspace_manager"])
def test_group_membership_matrix(role, action, make_user, make_space):
    """One role × one action over every group policy × visibility. The group lives in a public workspace,
    whose community managers oversee it (``workspace_manager``): they moderate it, they do not manage it."""
    people = People(role, make_user)
    counter = iter(range(10_000))

    def group_with(policy, visibility):
        def make():
            workspace = make_space("public")
            return Group.objects.create(
                name="Groep",
                slug=f"groep-{next(counter)}",
                parent=workspace,
                policy=policy,
                visibility=visibility,
            ).space_ptr

        return make

    secret = Visibility.SECRET
    cells = []
    for policy, visibility in GROUP_CELLS:
        # What the group becomes: secret policy → secret visibility, joined by invitation only.
        effective_visibility = secret if policy == "secret" else visibility
        join_policy = "invitation" if policy == "secret" else policy
        cells.append(
            (
                f"{policy} × {visibility}",
                group_with(policy, visibility),
                expected(role, action, effective_visibility, join_policy),
            )
        )
    run_cells(action, people, cells)


@pytest.mark.parametrize(
    ("policy", "join_policy", "visibility"),
    [
        (GroupPolicy.OPEN, JoinPolicy.OPEN, Visibility.PUBLIC),
        (GroupPolicy.REQUEST, JoinPolicy.REQUEST, Visibility.PUBLIC),
        (GroupPolicy.INVITATION, JoinPolicy.INVITATION, Visibility.PUBLIC),
        (GroupPolicy.SECRET, JoinPolicy.INVITATION, Visibility.SECRET),
    ],
)
def test_group_policy_sets_join_policy_and_visibility(policy, join_policy, visibility, make_user):
    owner = make_user(role="civil_servant")
    group = do_create_group(user=owner, name="Team", slug="team", policy=policy, visibility=Visibility.PUBLIC)
    group.refresh_from_db()
    assert (group.join_policy, group.visibility) == (join_policy, visibility)


def test_leaving_secret_policy_makes_the_group_members_only(make_user):
    owner = make_user(role="civil_servant")
    group = do_create_group(user=owner, name="Geheim", slug="geheim", policy=GroupPolicy.SECRET)
    do_update_group(user=owner, group=group, policy=GroupPolicy.OPEN)
    group.refresh_from_db()
    assert (group.join_policy, group.visibility) == (JoinPolicy.OPEN, Visibility.MEMBERS)


# --- Creating groups -------------------------------------------------------------------------------------
@pytest.fixture
def make_workspace(make_area):
    """The space a group lives in: an area (any kind will do; see conftest.py)."""
    return lambda members: make_area(name="Werkplaats", members=members)


def test_workspace_members_create_groups_and_become_owner(make_user, make_space, make_workspace):
    member = make_user()
    workspace = make_workspace({member: Role.MEMBER})
    group = do_create_group(
        user=member, name="Kerngroep", slug="kerngroep", workspace=workspace, policy=GroupPolicy.REQUEST
    )
    assert group.parent_id == workspace.pk
    assert set(Membership.objects.filter(space=group).values_list("user", "role")) == {
        (member.pk, Role.OWNER)
    }
    assert Space.objects.get(pk=group.pk).member_count == 1


@pytest.mark.parametrize("role", [None, Role.GUEST])
def test_guests_and_outsiders_cannot_create_groups_in_a_workspace(
    role, make_user, make_space, make_workspace
):
    person = make_user()
    workspace = make_workspace({person: role} if role else {})
    with pytest.raises(PermissionDenied):
        do_create_group(user=person, name="Eigen", slug="eigen", workspace=workspace)
    assert not Group.objects.exists()


def test_only_civil_servants_create_platform_wide_groups(make_user):
    with pytest.raises(PermissionDenied):
        do_create_group(user=make_user(), name="Landelijk", slug="landelijk")
    group = do_create_group(user=make_user(role="civil_servant"), name="Landelijk", slug="landelijk")
    assert group.parent is None


def test_slugs_are_unique_per_workspace_and_platform_wide(make_user, make_space, make_workspace):
    owner = make_user(role="civil_servant")
    first, second = (make_workspace({owner: Role.OWNER}) for _ in range(2))
    do_create_group(user=owner, name="Team", slug="team", workspace=first)
    do_create_group(user=owner, name="Team", slug="team", workspace=second)  # another workspace: fine
    do_create_group(user=owner, name="Team", slug="team")  # platform-wide: fine
    for workspace in (first, None):
        with pytest.raises(ActionError) as raised:
            do_create_group(user=owner, name="Team", slug="team", workspace=workspace)
        assert raised.value.code == "duplicate_slug" and raised.value.status == 409
    assert Group.objects.filter(slug="team").count() == 3


def test_the_database_keeps_slugs_unique_even_past_the_action(make_user, make_space, make_workspace):
    """The action checks first; the constraint stops a parallel request that passed that check."""
    workspace = make_workspace({})
    Group.objects.create(name="A", slug="dubbel", parent=workspace.space_ptr)
    Group.objects.create(name="A", slug="dubbel")
    for parent in (workspace, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            Group.objects.create(name="B", slug="dubbel", parent=parent and parent.space_ptr)


def test_update_group_is_for_owners_and_refused_when_archived(make_user):
    owner, admin = make_user(role="civil_servant"), make_user()
    group = do_create_group(user=owner, name="Team", slug="team")
    Membership.objects.create(space=group, user=admin, role=Role.COMMUNITY_MANAGER)
    with pytest.raises(PermissionDenied):
        do_update_group(user=admin, group=group, name="Overgenomen")
    do_update_group(user=owner, group=group, name="Team Zuid", allow_leaving=False)
    group.refresh_from_db()
    assert (group.name, group.allow_leaving) == ("Team Zuid", False)
    Space.objects.filter(pk=group.pk).update(is_archived=True)
    group.refresh_from_db()
    with pytest.raises(ActionError) as raised:
        do_update_group(user=owner, group=group, name="Weer anders")
    assert raised.value.code == "archived"


def test_updating_a_group_keeps_its_member_count(make_user):
    owner = make_user(role="civil_servant")
    group = do_create_group(
        user=owner, name="Team", slug="team", policy=GroupPolicy.OPEN, visibility="public"
    )
    do_join(user=make_user(), space=group)
    do_update_group(user=owner, group=group, description="Nieuw")  # ``group`` in memory still says 1
    assert Space.objects.get(pk=group.pk).member_count == 2 == Membership.objects.filter(space=group).count()


def test_joining_a_group_one_may_not_join_is_refused_cleanly(make_user):
    owner = make_user(role="civil_servant")
    group = do_create_group(
        user=owner, name="Uitnodiging", slug="uitnodiging", policy=GroupPolicy.INVITATION, visibility="public"
    )
    with pytest.raises(ActionError) as raised:
        do_join(user=make_user(), space=group)
    assert raised.value.code == "invitation_needed" and raised.value.status == 403
    assert Membership.objects.filter(space=group).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_approval_adds_one_membership(needs_postgres, make_user):
    """Two admins approve the same request at the same moment: one wins, the other is told it is decided."""
    owner, admin, citizen = make_user(role="civil_servant"), make_user(), make_user()
    group = do_create_group(
        user=owner, name="Team", slug="team", policy=GroupPolicy.REQUEST, visibility="public"
    )
    Membership.objects.create(space=group, user=admin, role=Role.COMMUNITY_MANAGER)
    request = do_request_to_join(user=citizen, space=group)
    barrier, outcomes = threading.Barrier(2), []

    def approve(actor):
        try:
            barrier.wait()
            do_decide_request(actor=actor, request_id=request.pk, approve=True)
            outcomes.append("ok")
        except ActionError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(actor,)) for actor in (owner, admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_decided", "ok"]
    assert Membership.objects.filter(space=group, user=citizen).count() == 1
    assert JoinRequest.objects.get(pk=request.pk).status == "approved"

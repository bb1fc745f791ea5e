"""Opening and changing workspaces, and the demo data that fills them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

from doeplein.activity.models import Activity
from doeplein.core.exceptions import ActionError
from doeplein.home.models import Theme
from doeplein.spaces.actions import do_join, do_set_archived
from doeplein.spaces.models import Invitation, JoinRequest, Membership, Role, Space
from workspaces.actions import do_open_workspace, do_update_workspace
from workspaces.models import Workspace


@pytest.fixture
def themes(db):
    return [
        Theme.objects.create(name="Klimaatadaptatie", slug="klimaat"),
        Theme.objects.create(name="Wonen", slug="wonen"),
    ]


def open_workspace(user, themes, slug="klimaat-stad", **fields):
    return do_open_workspace(
        user=user, name="Klimaatbestendige stad", slug=slug, themes=themes, tags=["hitte"], **fields
    )


def test_civil_servant_opens_a_workspace_and_is_its_owner(make_user, themes):
    servant = make_user(role="civil_servant")
    workspace = open_workspace(servant, themes, visibility="members", join_policy="request")
    workspace = Workspace.objects.get(pk=workspace.pk)
    assert set(workspace.themes.all()) == set(themes)
    assert list(workspace.tags.names()) == ["hitte"]
    assert (workspace.visibility, workspace.join_policy, workspace.kind) == (
        "members",
        "request",
        "workspace",
    )
    assert list(Membership.objects.filter(space=workspace).values_list("user", "role")) == [
        (servant.pk, Role.OWNER)
    ]
    assert workspace.member_count == 1
    assert Activity.objects.filter(verb="workspace.opened", space=workspace, actor=servant).exists()


def test_citizens_cannot_open_workspaces(make_user, themes):
    with pytest.raises(PermissionDenied):
        open_workspace(make_user(), themes)
    assert not Workspace.objects.exists()


def test_a_workspace_needs_a_theme_and_a_free_slug(make_user, themes):
    servant = make_user(role="civil_servant")
    with pytest.raises(ActionError) as raised:
        open_workspace(servant, [])
    assert raised.value.code == "theme_required"
    open_workspace(servant, themes)
    with pytest.raises(ActionError) as raised:
        open_workspace(servant, themes)
    assert raised.value.code == "duplicate_slug" and raised.value.status == 409
    assert Workspace.objects.count() == 1 and Membership.objects.count() == 1


def test_managers_change_the_welcome_owners_change_the_rest(make_user, themes):
    servant, manager, member = make_user(role="civil_servant"), make_user(), make_user()
    workspace = open_workspace(servant, themes, visibility="logged_in")
    Membership.objects.create(space=workspace, user=manager, role=Role.COMMUNITY_MANAGER)
    Membership.objects.create(space=workspace, user=member, role=Role.MEMBER)
    do_update_workspace(user=manager, workspace=workspace, welcome="<p>Welkom!</p>")
    with pytest.raises(PermissionDenied):
        do_update_workspace(user=manager, workspace=workspace, visibility="public")
    with pytest.raises(PermissionDenied):
        do_update_workspace(user=member, workspace=workspace, welcome="<p>Overgenomen</p>")
    do_update_workspace(user=servant, workspace=workspace, visibility="public", themes=themes[:1])
    workspace = Workspace.objects.get(pk=workspace.pk)
    assert (workspace.welcome, workspace.visibility) == ("<p>Welkom!</p>", "public")
    assert list(workspace.themes.all()) == themes[:1]


def test_secret_workspace_is_404_for_a_stranger_who_tries_to_change_it(make_user, themes):
    servant = make_user(role="civil_servant")
    workspace = open_workspace(servant, themes, visibility="secret")
    with pytest.raises(Http404):
        do_update_workspace(user=make_user(), workspace=workspace, welcome="x")


def test_archived_workspace_is_read_only_until_restored(make_user, themes):
    servant = make_user(role="civil_servant")
    workspace = open_workspace(servant, themes, visibility="public", join_policy="open")
    do_set_archived(actor=servant, space=workspace, archived=True)
    with pytest.raises(ActionError) as raised:
        do_update_workspace(user=servant, workspace=workspace, name="Anders")
    assert raised.value.code == "archived"
    with pytest.raises(ActionError):
        do_join(user=make_user(), space=workspace)
    do_set_archived(actor=servant, space=workspace, archived=False)
    do_update_workspace(user=servant, workspace=workspace, name="Anders")
    assert Workspace.objects.get(pk=workspace.pk).name == "Anders"


def test_updating_a_workspace_keeps_its_member_count(make_user, themes):
    servant = make_user(role="civil_servant")
    workspace = open_workspace(servant, themes, visibility="public", join_policy="open")
    do_join(user=make_user(), space=workspace)
    do_update_workspace(user=servant, workspace=workspace, description="Nieuw")  # stale copy in memory
    assert (
        Space.objects.get(pk=workspace.pk).member_count
        == 2
        == Membership.objects.filter(space=workspace).count()
    )


# --- Demo data -------------------------------------------------------------------------------------------
def demo_counts():
    from groups.models import Group

    return {
        "workspaces": Workspace.objects.count(),
        "groups": Group.objects.count(),
        "memberships": Membership.objects.count(),
        "requests": JoinRequest.objects.filter(status="pending").count(),
        "invitations": Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).count(),
    }


@pytest.mark.needs_plugins("groups")
def test_demo_data_grows_workspaces_and_groups_and_is_idempotent(db):
    from groups.models import Group, GroupPolicy

    call_command("demo_data", "--no-progress")
    first = demo_counts()
    call_command("demo_data", "--no-progress")
    assert demo_counts() == first

    owner = Workspace.objects.first().created_by
    assert owner.email == "ambtenaar@minbzk.nl"
    assert set(Workspace.objects.values_list("visibility", flat=True)) == {
        "public",
        "logged_in",
        "members",
        "secret",
    }
    assert set(Workspace.objects.values_list("join_policy", flat=True)) == {"open", "request", "invitation"}
    assert Theme.objects.filter(workspaces__isnull=False).distinct().count() >= 4
    assert set(Group.objects.values_list("policy", flat=True)) == set(GroupPolicy.values)
    assert (
        Group.objects.filter(parent__isnull=True).exists()
        and Group.objects.filter(parent__isnull=False).exists()
    )
    assert set(Membership.objects.filter(space__kind="workspace").values_list("role", flat=True)) == set(
        Role.values
    )
    assert {Role.OWNER, Role.COMMUNITY_MANAGER, Role.MEMBER} <= set(
        Membership.objects.filter(space__kind="group").values_list("role", flat=True)
    )
    assert first["requests"] >= 2 and first["invitations"] >= 2
    # Members are the demo people; counts are right.
    members = Membership.objects.exclude(user=owner).values_list("user__email", flat=True)
    assert all(email.endswith("@doeplein.example") for email in members)
    for space in Space.objects.filter(kind__in=["workspace", "group"]):
        assert space.member_count == Membership.objects.filter(space=space).count(), space.name

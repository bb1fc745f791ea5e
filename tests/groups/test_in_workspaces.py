"""Groups inside a workspace: the groups section on a workspace's home. Runs only when the workspaces
plugin is installed too (this file imports it; see tests/conftest.py)."""

import pytest
from django.urls import reverse

from doeplein.home.models import Theme
from doeplein.spaces.models import Membership, Role
from groups.models import Group
from tests.groups.test_views import count_queries, group, group_names
from workspaces.actions import do_open_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(servant):
    theme = Theme.objects.create(name="Water", slug="water")
    return do_open_workspace(
        user=servant, name="Water board", slug="water-board", themes=[theme], visibility="public"
    )


# --- The groups section on a workspace's home --------------------------------------------------------------
def test_workspace_home_lists_the_groups_the_viewer_may_find_and_offers_new_group_to_members(
    client, servant, workspace, make_user
):
    group(servant, "Dike watchers", workspace=workspace)
    group(servant, "Closed circle", workspace=workspace, policy="request", visibility="members")
    group(servant, "Secret council", workspace=workspace, policy="secret")
    new_group = f"{reverse('groups:create')}?workspace={workspace.slug}"

    client.force_login(make_user())
    html = client.get(workspace.get_absolute_url()).content.decode()
    section = html.split('id="section-groups"')[1].split("</section>")[0]
    # Members-only groups are listed (to ask to join); secret ones are not.
    assert group_names(section) == ["Closed circle", "Dike watchers"]
    assert new_group not in section

    member = make_user()
    Membership.objects.create(space=workspace, user=member, role=Role.MEMBER)
    client.force_login(member)
    section = client.get(workspace.get_absolute_url()).content.decode().split('id="section-groups"')[1]
    assert new_group in section.split("</section>")[0]


def test_workspace_home_query_count_does_not_grow_with_its_groups(
    client, servant, workspace, make_user, django_assert_max_num_queries
):
    def add_groups(count, start):
        for n in range(start, start + count):
            Group.objects.create(
                name=f"Bulk {n:04d}", slug=f"bulk-{n:04d}", parent=workspace.space_ptr, visibility="public"
            )

    client.force_login(make_user())
    add_groups(10, 0)
    small = count_queries(client, workspace.get_absolute_url())
    add_groups(290, 10)
    with django_assert_max_num_queries(small + 1):  # one count once there are more groups than are shown
        response = client.get(workspace.get_absolute_url())
    assert "All 300 groups" in response.content.decode()


# --- The back office ---------------------------------------------------------------------------------------

"""The group pages: the list, creating (platform-wide and in a workspace), the home with its members-only
noticeboard, editing, and the groups section on a workspace's home."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from doeplein.activity.models import Activity
from doeplein.spaces.actions import do_set_archived
from doeplein.spaces.kinds import space_url
from doeplein.spaces.models import Membership, Role, Space
from groups.actions import do_create_group
from groups.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(servant, make_area):
    """The space groups are made in: an area, a kind of space with web addresses (tests/groups/conftest.py)."""
    return make_area(name="Water board", slug="water-board", members={servant: Role.OWNER})


def group(owner, name, workspace=None, **fields):
    fields.setdefault("visibility", "public")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return do_create_group(user=owner, workspace=workspace, name=name, slug=slug, **fields)


def group_names(html):
    return re.findall(r'<h3><a href="/groups/\d+-[^/]+/">([^<]+)</a></h3>', html)


def post_data(**changes):
    data = {
        "name": "Dike watchers",
        "slug": "",
        "description": "We watch the dikes.",
        "policy": "request",
        "visibility": "logged_in",
        "welcome_message": "Welcome, watcher!",
        "allow_leaving": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- The list ---------------------------------------------------------------------------------------------
def test_group_list_shows_platform_wide_groups_and_my_groups(client, servant, workspace, make_user):
    group(servant, "Open data club")
    group(servant, "Secret council", policy="secret")
    inside = group(servant, "Dike watchers", workspace=workspace)
    citizen = make_user()
    Membership.objects.create(space=inside, user=citizen, role=Role.MEMBER)

    client.force_login(citizen)
    html = client.get(reverse("groups:list")).content.decode()

    mine, everything = html.split('id="all-heading"')
    assert group_names(mine) == ["Dike watchers"]
    assert "In the workspace Water board" in mine
    assert group_names(everything) == ["Open data club"]  # platform-wide only; never the secret one
    assert reverse("groups:create") not in html  # citizens do not create platform-wide groups


def test_group_list_searches_and_lists_a_workspaces_groups(client, servant, workspace):
    group(servant, "Open data club", description="spreadsheets")
    group(servant, "Dike watchers", workspace=workspace)
    group(servant, "Rain counters", workspace=workspace)
    client.force_login(servant)

    assert group_names(client.get(reverse("groups:list"), {"q": "spreadsheet"}).content.decode())[-1:] == [
        "Open data club"
    ]
    in_workspace = client.get(reverse("groups:list"), {"workspace": "water-board"}).content.decode()
    assert group_names(in_workspace) == ["Dike watchers", "Rain counters"]
    assert f"{reverse('groups:create')}?workspace=water-board" in in_workspace


def test_group_list_of_a_secret_workspace_is_404_for_outsiders(client, servant, make_user, make_area):
    make_area(name="Hidden", slug="hidden", visibility="secret", members={servant: Role.OWNER})
    client.force_login(make_user())
    assert client.get(reverse("groups:list"), {"workspace": "hidden"}).status_code == 404


# --- Creating -------------------------------------------------------------------------------------------
def test_civil_servant_creates_a_platform_wide_group(client, servant):
    client.force_login(servant)
    assert client.get(reverse("groups:create")).status_code == 200

    response = client.post(reverse("groups:create"), post_data())

    created = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert (created.slug, created.parent, created.policy, created.join_policy) == (
        "dike-watchers",
        None,
        "request",
        "request",
    )
    assert (created.visibility, created.welcome_message, created.allow_leaving) == (
        "logged_in",
        "Welcome, watcher!",
        True,
    )
    assert Membership.objects.get(space=created).role == Role.OWNER
    assert Activity.objects.filter(verb="group.created", space=created).count() == 1


def test_citizen_cannot_create_a_platform_wide_group(client, make_user):
    client.force_login(make_user())
    response = client.post(reverse("groups:create"), post_data())
    assert response.status_code == 403
    assert "Only civil servants can create platform-wide groups." in response.content.decode()
    assert not Group.objects.exists()


def test_workspace_member_creates_a_group_inside_it(client, workspace, make_user):
    member = make_user()
    Membership.objects.create(space=workspace, user=member, role=Role.MEMBER)
    client.force_login(member)
    url = f"{reverse('groups:create')}?workspace={workspace.slug}"
    assert "will live in the workspace Water board" in client.get(url).content.decode()

    response = client.post(reverse("groups:create"), post_data(workspace=workspace.slug, policy="secret"))

    created = Group.objects.get()
    assert response.status_code == 302
    assert created.parent_id == workspace.pk and created.workspace == workspace
    assert (created.visibility, created.join_policy) == ("secret", "invitation")  # secret by its policy


@pytest.mark.parametrize("role", [None, Role.GUEST])
def test_outsiders_and_guests_cannot_create_groups_in_a_workspace(client, workspace, make_user, role):
    person = make_user()
    if role:
        Membership.objects.create(space=workspace, user=person, role=role)
    client.force_login(person)
    response = client.post(reverse("groups:create"), post_data(workspace=workspace.slug))
    assert response.status_code == 403
    assert "Only members of this area can create groups in it." in response.content.decode()
    assert not Group.objects.exists()


def test_no_groups_are_added_to_an_archived_workspace(client, servant, workspace):
    do_set_archived(actor=servant, space=workspace, archived=True)
    client.force_login(servant)
    response = client.post(reverse("groups:create"), post_data(workspace=workspace.slug))
    assert response.status_code == 409
    assert "archived" in response.content.decode()
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"slug": "taken"}, "slug", "The web address taken is taken."),
        ({"slug": "x" * 81}, "slug", "at most 80 characters"),
        ({"slug": "Bad Slug"}, "slug", "lower-case letters"),
        ({"name": None}, "name", "This field is required."),
        ({"policy": "everyone"}, "policy", "Select a valid choice"),
        ({"visibility": "secret"}, "visibility", "Select a valid choice"),
    ],
)
def test_bad_group_input_gives_form_errors_and_a_400(client, servant, changes, field, message):
    group(servant, "Taken")
    client.force_login(servant)
    response = client.post(reverse("groups:create"), post_data(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Group.objects.count() == 1


def test_the_same_address_may_be_used_in_another_workspace_but_not_twice_in_one(
    client, servant, workspace, make_area
):
    other = make_area(name="Other", slug="other", members={servant: Role.OWNER})
    group(servant, "Dike watchers", workspace=workspace)
    client.force_login(servant)

    twice = client.post(reverse("groups:create"), post_data(workspace=workspace.slug))
    elsewhere = client.post(reverse("groups:create"), post_data(workspace=other.slug))
    platform_wide = client.post(reverse("groups:create"), post_data())

    assert twice.status_code == 400 and "is taken" in twice.content.decode()
    assert elsewhere.status_code == 302 and platform_wide.status_code == 302
    assert Group.objects.filter(slug="dike-watchers").count() == 3


# --- The group home -------------------------------------------------------------------------------------
def test_noticeboard_with_the_welcome_message_is_for_members_only(client, servant, workspace, make_user):
    team = group(
        servant, "Dike watchers", workspace=workspace, policy="request", welcome_message="Meet us on Monday"
    )
    outsider, member = make_user(), make_user()
    Membership.objects.create(space=team, user=member, role=Role.MEMBER)

    client.force_login(outsider)
    html = client.get(team.get_absolute_url()).content.decode()
    assert "<h1>Dike watchers</h1>" in html and "Ask to join" in html
    assert "Group noticeboard" not in html and "Meet us on Monday" not in html

    client.force_login(member)
    html = client.get(team.get_absolute_url()).content.decode()
    assert "Group noticeboard" in html and "Meet us on Monday" in html
    assert 'id="section-members"' in html
    assert reverse("groups:edit", args=[team.pk, team.slug]) not in html


def test_group_home_shows_its_workspace_and_its_activity(client, servant, workspace):
    team = group(servant, "Dike watchers", workspace=workspace)
    client.force_login(servant)
    html = client.get(team.get_absolute_url()).content.decode()
    assert f'<a href="{space_url(workspace)}">Water board</a>' in html
    assert "created a group" in html
    assert reverse("groups:edit", args=[team.pk, team.slug]) in html
    assert reverse("spaces:archive", args=[team.pk]) in html


def test_a_wrong_slug_redirects_to_the_groups_address(client, servant):
    team = group(servant, "Dike watchers")
    response = client.get(reverse("groups:detail", args=[team.pk, "old-name"]))
    assert response.status_code == 301 and response["Location"] == team.get_absolute_url()


def test_secret_group_is_404_for_outsiders_and_visible_to_members(client, servant, make_user):
    team = group(servant, "Secret council", policy="secret")
    member = make_user()
    Membership.objects.create(space=team, user=member, role=Role.MEMBER)
    client.force_login(make_user())
    assert client.get(team.get_absolute_url()).status_code == 404
    assert client.get(reverse("groups:detail", args=[team.pk, "guess"])).status_code == 404
    client.force_login(member)
    assert client.get(team.get_absolute_url()).status_code == 200


# --- Editing --------------------------------------------------------------------------------------------
def test_owner_edits_the_group(client, servant):
    team = group(servant, "Dike watchers", policy="open")
    client.force_login(servant)
    response = client.post(
        reverse("groups:edit", args=[team.pk, team.slug]),
        post_data(name="River watchers", policy="invitation", allow_leaving=None),
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.slug, team.policy, team.join_policy, team.allow_leaving) == (
        "River watchers",
        "dike-watchers",
        "invitation",
        "invitation",
        False,
    )
    assert Activity.objects.filter(verb="group.updated", space=team).count() == 1


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.MEMBER, None])
def test_only_owners_edit_a_group(client, servant, make_user, role):
    team = group(servant, "Dike watchers")
    person = make_user()
    if role:
        Membership.objects.create(space=team, user=person, role=role)
    client.force_login(person)
    assert client.get(reverse("groups:edit", args=[team.pk, team.slug])).status_code == 403
    assert (
        client.post(
            reverse("groups:edit", args=[team.pk, team.slug]), post_data(name="Taken over")
        ).status_code
        == 403
    )
    team.refresh_from_db()
    assert team.name == "Dike watchers"


def test_archived_group_refuses_edits_with_a_message(client, servant):
    team = group(servant, "Dike watchers")
    do_set_archived(actor=servant, space=team, archived=True)
    client.force_login(servant)
    response = client.post(
        reverse("groups:edit", args=[team.pk, team.slug]), post_data(name="Changed"), follow=True
    )
    assert response.redirect_chain[0] == (team.get_absolute_url(), 302)
    html = response.content.decode()
    assert "This group is archived: it can be read, not changed." in html
    assert "This group is archived: it is read-only." in html
    team.refresh_from_db()
    assert team.name == "Dike watchers"


# --- Query counts ------------------------------------------------------------------------------------------
def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_group_list_query_count_is_the_same_for_10_and_300_groups(
    client, servant, workspace, make_user, django_assert_max_num_queries
):
    viewer = make_user()

    def add_groups(count, start):
        for n in range(start, start + count):
            parent = workspace.space_ptr if n % 2 else None
            made = Group.objects.create(
                name=f"Bulk {n:04d}", slug=f"bulk-{n:04d}", parent=parent, visibility="public"
            )
            Membership.objects.create(space=made, user=viewer, role=Role.MEMBER)

    client.force_login(viewer)
    add_groups(10, 0)
    in_workspace = reverse("groups:list") + "?workspace=water-board"
    small = count_queries(client, reverse("groups:list"))
    small_in_workspace = count_queries(client, in_workspace)
    add_groups(290, 10)
    with django_assert_max_num_queries(small):
        client.get(reverse("groups:list"))
    with django_assert_max_num_queries(small_in_workspace):
        client.get(in_workspace)


def test_group_home_query_count_is_the_same_for_10_and_300_members(
    client, servant, make_user, django_assert_max_num_queries
):
    team = group(servant, "Crowded", welcome_message="hi")
    viewer = make_user()
    Membership.objects.create(space=team, user=viewer, role=Role.MEMBER)

    def add_members(count):
        for _ in range(count):
            user = make_user()
            Membership.objects.create(space=team, user=user, role=Role.MEMBER)
            Activity.objects.create(actor=user, verb="space.joined", space=team)
        Space.objects.filter(pk=team.pk).update(member_count=Membership.objects.filter(space=team).count())

    client.force_login(viewer)
    add_members(8)
    small = count_queries(client, team.get_absolute_url())
    add_members(290)
    with django_assert_max_num_queries(small):
        response = client.get(team.get_absolute_url())
    assert "300 members" in response.content.decode()


def test_administrators_list_and_filter_groups_in_the_back_office(client, servant, make_user):
    group(servant, "Open data club", policy="open")
    group(servant, "Secret council", policy="secret")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    listing = client.get("/admin/groups/").content.decode()
    assert "Open data club" in listing and "Secret council" in listing
    secret = client.get("/admin/groups/", {"policy": "secret"}).content.decode()
    assert "Secret council" in secret and "Open data club" not in secret
    assert "Open data club" in client.get("/admin/groups/", {"q": "data"}).content.decode()
    assert client.get("/admin/groups/new/").status_code in (302, 403)

"""The workspace pages: directory, opening, home, editing, archive, and the back office's list."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from doeplein.activity.models import Activity
from doeplein.home.models import Theme
from doeplein.spaces.actions import do_set_archived
from doeplein.spaces.models import Membership, Role, Space
from workspaces.actions import do_open_workspace
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """A browser that reads English (the platform's default language is Dutch)."""
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


@pytest.fixture
def themes(db):
    return {
        "climate": Theme.objects.create(name="Climate adaptation", slug="climate"),
        "youth": Theme.objects.create(name="Youth care", slug="youth"),
        "water": Theme.objects.create(name="Water", slug="water"),
    }


@pytest.fixture
def servant(make_user):
    return make_user(role="civil_servant")


def open_ws(owner, name, themes, slug=None, **fields):
    slug = slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    fields.setdefault("visibility", "public")
    return do_open_workspace(user=owner, name=name, slug=slug, themes=list(themes), **fields)


def names_in(response):
    """Workspace names on a directory page, in the order shown."""
    return re.findall(r'<h3><a href="/workspaces/[^/]+/">([^<]+)</a>', response.content.decode())


def png_bytes(size=(40, 20)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (20, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- The directory ----------------------------------------------------------------------------------------
def test_directory_shows_each_workspace_with_description_themes_and_member_count(
    client, servant, themes, make_user
):
    ws = open_ws(
        servant,
        "Dikes of tomorrow",
        [themes["climate"], themes["water"]],
        description="Rising water, safe dikes.",
    )
    Membership.objects.create(space=ws, user=make_user(), role=Role.MEMBER)
    Space.objects.filter(pk=ws.pk).update(member_count=2)

    response = client.get(reverse("workspaces:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert names_in(response) == ["Dikes of tomorrow"]
    assert "Rising water, safe dikes." in html
    assert "<li>Climate adaptation</li>" in html and "<li>Water</li>" in html
    assert "2 members" in html


def test_directory_filters_by_theme_and_counts_workspaces_per_theme(client, servant, themes):
    open_ws(servant, "Heat in the city", [themes["climate"]])
    open_ws(servant, "Flood plans", [themes["climate"], themes["water"]])
    open_ws(servant, "Youth first", [themes["youth"]])

    response = client.get(reverse("workspaces:list"), {"theme": "climate"})

    assert sorted(names_in(response)) == ["Flood plans", "Heat in the city"]
    counts = {theme.slug: n for theme, n in response.context["themes"]}
    assert counts == {"climate": 2, "youth": 1, "water": 1}
    assert 'aria-current="true" data-theme="climate"' in response.content.decode()


def test_directory_searches_names_descriptions_and_tags(client, servant, themes):
    open_ws(servant, "Green roofs", [themes["climate"]])
    open_ws(servant, "Sponge city", [themes["water"]], description="Streets that store rain")
    open_ws(servant, "Neighbourhood care", [themes["youth"]], tags=["buurtzorg"])

    assert names_in(client.get(reverse("workspaces:list"), {"q": "roof"})) == ["Green roofs"]
    assert names_in(client.get(reverse("workspaces:list"), {"q": "rain"})) == ["Sponge city"]
    assert names_in(client.get(reverse("workspaces:list"), {"q": "BUURTZORG"})) == ["Neighbourhood care"]
    assert names_in(client.get(reverse("workspaces:list"), {"q": "nothing like this"})) == []


def test_my_workspaces_lists_only_the_ones_i_belong_to(client, servant, themes, make_user):
    citizen = make_user()
    joined = open_ws(servant, "Joined one", [themes["climate"]])
    open_ws(servant, "Not joined", [themes["climate"]])
    Membership.objects.create(space=joined, user=citizen, role=Role.MEMBER)

    client.force_login(citizen)
    assert names_in(client.get(reverse("workspaces:list"), {"mine": "1"})) == ["Joined one"]
    assert sorted(names_in(client.get(reverse("workspaces:list")))) == ["Joined one", "Not joined"]


def test_my_workspaces_is_empty_for_anonymous_visitors_with_a_login_link(client, servant, themes):
    open_ws(servant, "Public place", [themes["climate"]])
    response = client.get(reverse("workspaces:list"), {"mine": "1"})
    assert response.status_code == 200
    assert names_in(response) == []
    assert "Log in to see your workspaces." in response.content.decode()


def test_directory_sorts_by_name_newest_and_most_active(client, servant, themes):
    first = open_ws(servant, "Bravo", [themes["climate"]])
    second = open_ws(servant, "Alpha", [themes["climate"]])
    third = open_ws(servant, "Charlie", [themes["climate"]])
    now = timezone.now()
    Space.objects.filter(pk=first.pk).update(
        created_at=now - timezone.timedelta(days=3), last_activity_at=now
    )
    Space.objects.filter(pk=second.pk).update(
        created_at=now - timezone.timedelta(days=2), last_activity_at=None
    )
    Space.objects.filter(pk=third.pk).update(
        created_at=now - timezone.timedelta(days=1), last_activity_at=now - timezone.timedelta(hours=1)
    )
    url = reverse("workspaces:list")

    assert names_in(client.get(url, {"sort": "name"})) == ["Alpha", "Bravo", "Charlie"]
    assert names_in(client.get(url, {"sort": "newest"})) == ["Charlie", "Alpha", "Bravo"]
    active = names_in(client.get(url, {"sort": "active"}))
    assert active.index("Bravo") < active.index("Charlie")
    assert names_in(client.get(url, {"sort": "no-such-sort"})) == ["Alpha", "Bravo", "Charlie"]


def test_directory_shows_24_workspaces_per_page(client, servant, themes):
    for n in range(30):
        Workspace.objects.create(
            name=f"Place {n:02d}", slug=f"place-{n:02d}", visibility="public"
        ).themes.add(themes["climate"])
    url = reverse("workspaces:list")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(names_in(first)) == 24 and len(names_in(second)) == 6
    assert set(names_in(first)).isdisjoint(names_in(second))
    assert "30 workspaces found" in first.content.decode()
    assert 'rel="next"' in first.content.decode()


def test_only_civil_servants_see_the_open_a_workspace_button(client, servant, make_user):
    url = reverse("workspaces:list")
    client.force_login(make_user())
    assert reverse("workspaces:create") not in client.get(url).content.decode()
    client.force_login(servant)
    assert reverse("workspaces:create") in client.get(url).content.decode()


# --- Secret workspaces stay secret ------------------------------------------------------------------------
def test_secret_workspace_appears_nowhere_for_outsiders(client, servant, themes, make_user):
    open_ws(servant, "Open dikes", [themes["water"]])
    open_ws(servant, "Hidden dikes", [themes["water"]], visibility="secret", description="secret plans")
    outsider = make_user()

    for who in (None, outsider):
        if who:
            client.force_login(who)
        listing = client.get(reverse("workspaces:list"))
        assert names_in(listing) == ["Open dikes"]
        assert {t.slug: n for t, n in listing.context["themes"]}["water"] == 1
        assert names_in(client.get(reverse("workspaces:list"), {"q": "dikes"})) == ["Open dikes"]
        assert names_in(client.get(reverse("workspaces:list"), {"q": "secret plans"})) == []
        assert (
            "Hidden dikes" not in client.get(reverse("workspaces:list"), {"theme": "water"}).content.decode()
        )
        assert client.get(reverse("workspaces:detail", args=["hidden-dikes"])).status_code == 404
        assert client.get(reverse("workspaces:edit", args=["hidden-dikes"])).status_code in (302, 404)


def test_secret_workspace_is_visible_to_its_members(client, servant, themes, make_user):
    secret = open_ws(servant, "Hidden dikes", [themes["water"]], visibility="secret")
    member = make_user()
    Membership.objects.create(space=secret, user=member, role=Role.MEMBER)
    client.force_login(member)

    listing = client.get(reverse("workspaces:list"))
    assert names_in(listing) == ["Hidden dikes"]
    assert {t.slug: n for t, n in listing.context["themes"]}["water"] == 1
    assert client.get(reverse("workspaces:detail", args=["hidden-dikes"])).status_code == 200


# --- Opening a workspace --------------------------------------------------------------------------------
def test_civil_servant_opens_a_workspace_with_cover_tags_and_escaped_welcome(client, servant, themes):
    client.force_login(servant)
    response = client.post(
        reverse("workspaces:create"),
        {
            "name": "Klimaat & Water 2030",
            "slug": "",
            "themes": [themes["climate"].pk, themes["water"].pk],
            "tags": "dijken, regen , dijken",
            "description": "Samen aan de slag",
            "welcome": "Welcome <script>alert(1)</script>\n\nSecond paragraph",
            "welcome_message": "Glad you are here",
            "cover_image": SimpleUploadedFile("cover.png", png_bytes(), content_type="image/png"),
            "visibility": "logged_in",
            "join_policy": "open",
        },
    )

    workspace = Workspace.objects.get()
    assert response.status_code == 302 and response["Location"] == "/workspaces/klimaat-water-2030/"
    assert workspace.slug == "klimaat-water-2030"
    assert set(workspace.themes.values_list("slug", flat=True)) == {"climate", "water"}
    assert sorted(t.name for t in workspace.tags.all()) == ["dijken", "regen"]
    assert (
        workspace.welcome == "<p>Welcome &lt;script&gt;alert(1)&lt;/script&gt;</p>\n\n<p>Second paragraph</p>"
    )
    assert (workspace.visibility, workspace.join_policy, workspace.created_by) == (
        "logged_in",
        "open",
        servant,
    )
    assert isinstance(workspace.cover_image, get_image_model())
    assert (workspace.cover_image.width, workspace.cover_image.height) == (40, 20)
    assert Membership.objects.get(space=workspace).user == servant
    assert Membership.objects.get(space=workspace).role == Role.OWNER
    assert Activity.objects.filter(verb="workspace.opened", space=workspace).count() == 1

    home = client.get(response["Location"])
    html = home.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Welcome &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r'<img [^>]*alt=""[^>]*class="cover"', html)


def valid_post(theme_map, **changes):
    data = {
        "name": "A fine place",
        "slug": "a-fine-place",
        "themes": [theme_map["climate"].pk],
        "tags": "",
        "description": "",
        "welcome": "",
        "visibility": "public",
        "join_policy": "request",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"slug": "taken"}, "slug", "The web address taken is taken."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"slug": "x" * 81}, "slug", "at most 80 characters"),
        ({"slug": "Not A Slug!"}, "slug", "lower-case letters, digits and hyphens"),
        ({"slug": "", "name": "!!!"}, "slug", "Choose a web address"),
        ({"themes": ["99999"]}, "themes", "Theme 99999 does not exist."),
        ({"themes": ["not-a-number"]}, "themes", "does not exist"),
        ({"themes": None}, "themes", "Choose at least one theme."),
        ({"visibility": "everyone-and-their-dog"}, "visibility", "Select a valid choice"),
        ({"tags": ",".join(f"t{n}" for n in range(21))}, "tags", "at most 20 tags"),
    ],
)
def test_bad_input_gives_form_errors_and_a_400_never_a_500(client, servant, themes, changes, field, message):
    open_ws(servant, "Taken", [themes["climate"]], slug="taken")
    client.force_login(servant)

    response = client.post(reverse("workspaces:create"), valid_post(themes, **changes))

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert Workspace.objects.count() == 1


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("cover.png", b"this is not an image at all", content_type="image/png"),
        SimpleUploadedFile("cover.txt", b"plain text", content_type="text/plain"),
    ],
)
def test_a_cover_that_is_not_an_image_is_refused(client, servant, themes, upload):
    client.force_login(servant)
    upload.seek(0)
    response = client.post(reverse("workspaces:create"), {**valid_post(themes), "cover_image": upload})
    assert response.status_code == 400
    assert response.context["form"].errors["cover_image"]
    assert not Workspace.objects.exists()
    assert not get_image_model().objects.exists()


def test_citizen_cannot_open_a_workspace(client, make_user, themes):
    client.force_login(make_user())
    page = client.get(reverse("workspaces:create"))
    post = client.post(reverse("workspaces:create"), valid_post(themes))
    assert page.status_code == 403 and post.status_code == 403
    assert "Only civil servants can open workspaces." in post.content.decode()
    assert not Workspace.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in_before_opening(client):
    response = client.get(reverse("workspaces:create"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# --- The workspace home -----------------------------------------------------------------------------------
@pytest.mark.needs_plugins("groups")
def test_workspace_home_shows_welcome_membership_sections_and_activity(client, servant, themes, make_user):
    ws = open_ws(servant, "Water board", [themes["water"]], welcome="<p>Hello <b>all</b></p>", tags=["dijk"])
    from groups.actions import do_create_group

    do_create_group(
        user=servant, workspace=ws, name="Dike watchers", slug="dike-watchers", visibility="public"
    )
    client.force_login(make_user())

    html = client.get(ws.get_absolute_url()).content.decode()

    assert "<h1>Water board</h1>" in html
    assert "<p>Hello <b>all</b></p>" in html
    assert "#dijk" in html and ">Water</a>" in html
    assert 'class="membership-box"' in html
    assert 'id="section-members"' in html and servant.display_name in html
    assert reverse("spaces:members", args=[ws.pk]) in html
    assert 'id="section-groups"' in html and "Dike watchers" in html
    assert "opened a workspace" in html
    assert reverse("workspaces:edit", args=[ws.slug]) not in html  # not a manager


def test_managers_see_edit_members_and_archive_controls(client, servant, themes, make_user):
    ws = open_ws(servant, "Managed", [themes["water"]])
    client.force_login(servant)
    html = client.get(ws.get_absolute_url()).content.decode()
    assert reverse("workspaces:edit", args=[ws.slug]) in html
    assert reverse("spaces:archive", args=[ws.pk]) in html and ">Archive</button>" in html
    manager = make_user()
    Membership.objects.create(space=ws, user=manager, role=Role.COMMUNITY_MANAGER)
    client.force_login(manager)
    html = client.get(ws.get_absolute_url()).content.decode()
    assert reverse("workspaces:edit", args=[ws.slug]) in html
    assert reverse("spaces:archive", args=[ws.pk]) not in html  # archiving is for owners


def test_archived_workspace_is_read_only_and_refuses_edits_with_a_message(client, servant, themes):
    ws = open_ws(servant, "Old place", [themes["water"]], description="as it was")
    do_set_archived(actor=servant, space=ws, archived=True)
    client.force_login(servant)

    home = client.get(ws.get_absolute_url()).content.decode()
    assert "This workspace is archived: it is read-only." in home
    assert reverse("workspaces:edit", args=[ws.slug]) not in home
    assert ">Restore</button>" in home

    response = client.post(
        reverse("workspaces:edit", args=[ws.slug]), valid_post(themes, name="Changed"), follow=True
    )
    assert response.redirect_chain[0] == (ws.get_absolute_url(), 302)
    assert "This workspace is archived: it can be read, not changed." in response.content.decode()
    ws.refresh_from_db()
    assert (ws.name, ws.description) == ("Old place", "as it was")


def test_archived_workspace_stays_findable_for_its_members_only_under_my_workspaces(client, servant, themes):
    ws = open_ws(servant, "Old place", [themes["water"]])
    do_set_archived(actor=servant, space=ws, archived=True)
    client.force_login(servant)
    assert names_in(client.get(reverse("workspaces:list"))) == []
    assert names_in(client.get(reverse("workspaces:list"), {"mine": "1"})) == ["Old place"]


# --- Editing ----------------------------------------------------------------------------------------------
def test_owner_changes_every_setting(client, servant, themes):
    ws = open_ws(servant, "Before", [themes["water"]], tags=["old"])
    client.force_login(servant)
    form = client.get(reverse("workspaces:edit", args=[ws.slug]))
    assert form.status_code == 200 and 'name="themes"' in form.content.decode()

    response = client.post(
        reverse("workspaces:edit", args=[ws.slug]),
        valid_post(
            themes,
            name="After",
            themes=[themes["youth"].pk],
            tags="new",
            visibility="members",
            welcome="Hi & welcome",
        ),
    )

    assert response.status_code == 302
    ws.refresh_from_db()
    assert (ws.name, ws.visibility, ws.slug) == ("After", "members", "before")  # the address stays
    assert list(ws.themes.values_list("slug", flat=True)) == ["youth"]
    assert [t.name for t in ws.tags.all()] == ["new"]
    assert ws.welcome == "<p>Hi &amp; welcome</p>"
    assert Activity.objects.filter(verb="workspace.updated", space=ws).count() == 1


def test_edit_form_shows_the_current_welcome_text_as_plain_text(client, servant, themes):
    ws = open_ws(servant, "Text", [themes["water"]], welcome="<p>One &amp; two</p><p>Three<br>four</p>")
    client.force_login(servant)
    form = client.get(reverse("workspaces:edit", args=[ws.slug])).context["form"]
    assert form.initial["welcome"] == "One & two\n\nThree\nfour"


def test_community_manager_changes_only_the_welcome_text(client, servant, themes, make_user):
    ws = open_ws(servant, "Kept name", [themes["water"]], visibility="public")
    manager = make_user()
    Membership.objects.create(space=ws, user=manager, role=Role.COMMUNITY_MANAGER)
    client.force_login(manager)
    page = client.get(reverse("workspaces:edit", args=[ws.slug])).content.decode()
    assert 'name="welcome"' in page and 'name="name"' not in page and 'name="themes"' not in page

    response = client.post(
        reverse("workspaces:edit", args=[ws.slug]),
        {
            "welcome": "New welcome",
            "name": "Hijacked",
            "visibility": "secret",
            "themes": [themes["youth"].pk],
        },
    )

    assert response.status_code == 302
    ws.refresh_from_db()
    assert ws.welcome == "<p>New welcome</p>"
    assert (ws.name, ws.visibility) == ("Kept name", "public")
    assert list(ws.themes.values_list("slug", flat=True)) == ["water"]


def test_members_and_outsiders_may_not_edit(client, servant, themes, make_user):
    ws = open_ws(servant, "Guarded", [themes["water"]], visibility="public")
    member = make_user()
    Membership.objects.create(space=ws, user=member, role=Role.MEMBER)
    for who in (member, make_user()):
        client.force_login(who)
        assert client.get(reverse("workspaces:edit", args=[ws.slug])).status_code == 403
        assert client.post(reverse("workspaces:edit", args=[ws.slug]), {"welcome": "x"}).status_code == 403
    ws.refresh_from_db()
    assert ws.welcome == ""


def test_owner_edit_with_a_bad_theme_is_a_400_and_changes_nothing(client, servant, themes):
    ws = open_ws(servant, "Stable", [themes["water"]])
    client.force_login(servant)
    response = client.post(
        reverse("workspaces:edit", args=[ws.slug]), valid_post(themes, name="Changed", themes=["424242"])
    )
    assert response.status_code == 400
    ws.refresh_from_db()
    assert ws.name == "Stable"


# --- Query counts do not grow with the data ---------------------------------------------------------------
def make_workspaces(owner, theme, count, start=0):
    for n in range(start, start + count):
        ws = Workspace.objects.create(
            name=f"Bulk {n:04d}",
            slug=f"bulk-{n:04d}",
            visibility="public",
            description="bulk",
            created_by=owner,
        )
        ws.themes.add(theme)
        Membership.objects.create(space=ws, user=owner, role=Role.OWNER)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("logged_in", [False, True])
def test_directory_query_count_is_the_same_for_10_and_300_workspaces(
    client, servant, themes, make_user, django_assert_max_num_queries, logged_in
):
    if logged_in:
        client.force_login(make_user())
    make_workspaces(servant, themes["climate"], 10)
    url = reverse("workspaces:list") + "?sort=newest"
    small = count_queries(client, url)
    make_workspaces(servant, themes["water"], 290, start=10)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(names_in(response)) == 24
    assert count_queries(client, url + "&theme=water&q=bulk") <= small


def test_workspace_home_query_count_is_the_same_for_10_and_300_members(
    client, servant, themes, make_user, django_assert_max_num_queries
):
    ws = open_ws(servant, "Crowded", [themes["water"]], visibility="logged_in", welcome="<p>hi</p>")
    viewer = make_user()
    Membership.objects.create(space=ws, user=viewer, role=Role.MEMBER)

    def add_members(count):
        for _ in range(count):
            user = make_user()
            Membership.objects.create(space=ws, user=user, role=Role.MEMBER)
            Activity.objects.create(actor=user, verb="space.joined", space=ws)
        Space.objects.filter(pk=ws.pk).update(member_count=Membership.objects.filter(space=ws).count())

    client.force_login(viewer)
    add_members(8)
    small = count_queries(client, ws.get_absolute_url())
    add_members(290)
    with django_assert_max_num_queries(small):
        response = client.get(ws.get_absolute_url())
    assert "300 members" in response.content.decode()


# --- The back office ---------------------------------------------------------------------------------------
def test_administrators_list_search_and_filter_workspaces_in_the_back_office(
    client, servant, themes, make_user
):
    open_ws(servant, "Searchable place", [themes["water"]], visibility="public")
    open_ws(servant, "Hidden place", [themes["water"]], visibility="secret")
    archived = open_ws(servant, "Archived place", [themes["water"]])
    do_set_archived(actor=servant, space=archived, archived=True)
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)

    everything = client.get("/admin/workspaces/").content.decode()
    assert (
        "Searchable place" in everything and "Hidden place" in everything and "Archived place" in everything
    )
    found = client.get("/admin/workspaces/", {"q": "searchable"}).content.decode()
    assert "Searchable place" in found and "Hidden place" not in found
    secret = client.get("/admin/workspaces/", {"visibility": "secret"}).content.decode()
    assert "Hidden place" in secret and "Searchable place" not in secret
    only_archived = client.get("/admin/workspaces/", {"is_archived": "true"}).content.decode()
    assert "Archived place" in only_archived and "Searchable place" not in only_archived
    assert client.get(f"/admin/workspaces/inspect/{archived.pk}/").status_code == 200
    # Changes go through the site's actions: the back office does not add or edit workspaces.
    assert client.get("/admin/workspaces/new/").status_code in (302, 403)
    assert client.get(f"/admin/workspaces/edit/{archived.pk}/").status_code in (302, 403)


def test_the_directory_is_in_the_main_navigation(client):
    html = client.get("/workspaces/").content.decode()
    nav = html.split('aria-label="Main navigation"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'<a class="utrecht-nav-list__link" href="/workspaces/"[^>]*>Workspaces</a>', nav)

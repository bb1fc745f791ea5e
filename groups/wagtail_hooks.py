"""What the groups plugin brings to the core: its pages, navigation, activity verbs, a "groups" section
on workspace homes, a members-only noticeboard on group homes, and the back office's view of groups."""

from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from doeplein.core.admin import ReadOnlyPolicy
from doeplein.plugins import (
    HOOK_ACTIVITY_VERBS,
    HOOK_NAVIGATION,
    HOOK_SPACE_KINDS,
    HOOK_SPACE_SECTIONS,
    HOOK_URLS,
    NavItem,
    Section,
    SpaceKind,
)

from .models import GROUP_ROLES, Group

GROUPS_SHOWN = 20


@hooks.register(HOOK_ACTIVITY_VERBS)
def activity_verbs():
    return {
        "group.joined": _("joined a group"),
        "group.created": _("created a group"),
        "group.updated": _("updated a group"),
    }


@hooks.register(HOOK_SPACE_KINDS)
def space_kinds():
    return [
        SpaceKind(
            key=Group.KIND,
            label=_("group"),
            plural=_("groups"),
            url=lambda group: reverse("groups:detail", kwargs={"pk": group.pk, "slug": group.slug}),
            roles=tuple(GROUP_ROLES),
            icon="group",
        )
    ]


@hooks.register(HOOK_URLS)
def urls():
    return [path("groups/", include("groups.urls"))]


@hooks.register(HOOK_NAVIGATION)
def navigation():
    return [NavItem(label=_("Groups"), url=lambda: reverse("groups:list"), order=20)]


def render_groups(request, space):
    """The groups inside a space (of any other kind) the viewer may see, and a "New group" button for
    its members."""
    from doeplein.access import can

    from .selectors import group_list

    if space.kind == Group.KIND:
        return None
    groups = group_list(user=request.user).filter(parent_id=space.pk)
    shown = list(groups[:GROUPS_SHOWN])
    total = len(shown) if len(shown) < GROUPS_SHOWN else groups.count()
    context = {
        "space": space,
        "groups": shown,
        "total": total,
        "more": total > len(shown),
        "may_create": can(request.user, "contribute", space),
    }
    return render_to_string("groups/_groups_section.html", context, request=request)


def render_noticeboard(request, space):
    """The members-only part of a group's home: shown to members (and those who may post), else nothing."""
    from doeplein.access import can
    from doeplein.spaces.selectors import membership_of

    if membership_of(user=request.user, space=space) is None and not can(request.user, "contribute", space):
        return None
    return render_to_string("groups/_noticeboard.html", {"space": space}, request=request)


@hooks.register(HOOK_SPACE_SECTIONS)
def space_sections():
    return [
        Section(
            key="groups.noticeboard",
            label=_("Group noticeboard"),
            render=render_noticeboard,
            order=10,
            kinds=(Group.KIND,),
        ),
        Section(key="groups", label=_("Groups"), render=render_groups, order=20),
    ]


register_permission_policy(Group, ReadOnlyPolicy(Group), exact_class=True)


class GroupViewSet(ModelViewSet):
    model = Group
    icon = "group"
    menu_label = _("Groups")
    add_to_admin_menu = True
    menu_order = 220
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "name",
        "slug",
        "parent",
        "policy",
        "visibility",
        "member_count",
        "is_archived",
        "created_at",
    ]
    list_filter = ["policy", "visibility", "is_archived"]
    search_fields = ["name", "slug", "description"]
    search_backend_name = None  # plain database search
    inspect_view_fields = [
        "name",
        "slug",
        "parent",
        "description",
        "policy",
        "visibility",
        "join_policy",
        "allow_leaving",
        "welcome_message",
        "is_archived",
        "member_count",
        "created_at",
        "last_activity_at",
        "created_by",
    ]
    form_fields = ["name"]  # required by the viewset; the add and edit views are never allowed


@hooks.register("register_admin_viewset")
def register_viewset():
    return GroupViewSet("groups_admin", url_prefix="groups")


# --- JSON API (doeplein.plugins.HOOK_API_ROUTERS) ---------------------------------------------------
# Kept as a block of its own at the end of the file: the router is imported when the API collects it.
@hooks.register("doeplein_api_routers")
def api_routers():
    from .api import router

    # Mounted at the API's root: the router's paths are /groups….
    return [("/", router)]


# --- Demo data (doeplein.plugins.HOOK_DEMO_DATA) ----------------------------------------------------
# A block of its own at the end of the file: groups of every policy, after the workspaces (order 20).
@hooks.register("doeplein_demo_data")
def demo_data_steps():
    from doeplein.plugins import DemoData

    from .demo import STEPS, groups_demo_data

    return [DemoData(key="groups", run=groups_demo_data, steps=STEPS, order=20)]


# --- Search (doeplein.plugins.HOOK_SEARCH_SOURCES, docs/search.md) ----------------------------------
# A group's card is found by whoever may discover it: a secret group by its members only.
def _group_documents(group):
    from doeplein.plugins import SearchDoc

    return [
        SearchDoc(
            object_id=group.pk,
            title=group.name,
            body=group.description,
            url=group.get_absolute_url(),
            space_id=group.pk,
            guard="discover",
            person_id=group.created_by_id,
            date=group.last_activity_at or group.created_at,
        )
    ]


def _group_bulk():
    """The same documents as :func:`_group_documents`, as SQL (a rebuild of the whole platform)."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce

    from doeplein.plugins import SearchBulk
    from doeplein.search.bulk import url

    return SearchBulk(
        queryset=Group.objects.all(),
        fields={
            "object_id": F("pk"),
            "title": F("name"),
            "body": F("description"),
            "url": url("groups:detail", pk=F("pk"), slug=F("slug")),
            "space_id": F("pk"),
            "guard": Value("discover"),
            "person_id": F("created_by_id"),
            "date": Coalesce(F("last_activity_at"), F("created_at")),
        },
    )


@hooks.register("doeplein_search_sources")
def search_sources():
    from doeplein.plugins import SearchSource
    from doeplein.spaces.models import Space

    return [
        SearchSource(
            key="group",
            label=_("Groups"),
            queryset=lambda: Group.objects.order_by("pk"),
            documents=_group_documents,
            triggers=((Group, lambda g: [g.pk]), (Space, lambda s: [s.pk] if s.kind == Group.KIND else [])),
            order=20,
            bulk=_group_bulk,
        )
    ]


# --- Team suggestions (doeplein.plugins.HOOK_TEAM_DESTINATIONS) -------------------------------------
# A manager invites a suggested team to a new group inside the space, in one action.
@hooks.register("doeplein_team_destinations")
def team_destinations():
    from doeplein.plugins import TeamDestination

    from .actions import do_create_group_for_team, may_create_group

    return [
        TeamDestination(
            key=Group.KIND,
            label=_("group"),
            create=lambda user, parent, name, people: do_create_group_for_team(
                user=user, parent=parent, name=name, people=people
            ),
            may_create=may_create_group,
            order=20,
        )
    ]

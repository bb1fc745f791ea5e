"""What the workspaces plugin brings to the core: its kind of space, pages, navigation, activity verbs,
and the back office's read-only view of workspaces."""

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
    HOOK_URLS,
    NavItem,
    SpaceKind,
)

from .models import Workspace


@hooks.register(HOOK_ACTIVITY_VERBS)
def activity_verbs():
    return {
        "workspace.opened": _("opened a workspace"),
        "workspace.updated": _("updated a workspace"),
    }


@hooks.register(HOOK_URLS)
def urls():
    return [path("workspaces/", include("workspaces.urls"))]


@hooks.register(HOOK_NAVIGATION)
def navigation():
    return [NavItem(label=_("Workspaces"), url=lambda: reverse("workspaces:list"), order=10)]


@hooks.register(HOOK_SPACE_KINDS)
def space_kinds():
    from .selectors import workspace_by_slug

    return [
        SpaceKind(
            key=Workspace.KIND,
            label=_("workspace"),
            plural=_("workspaces"),
            url=lambda workspace: reverse("workspaces:detail", kwargs={"slug": workspace.slug}),
            icon="site",
            by_slug=lambda user, slug: workspace_by_slug(user=user, slug=slug),
        )
    ]


register_permission_policy(Workspace, ReadOnlyPolicy(Workspace), exact_class=True)


class WorkspaceViewSet(ModelViewSet):
    model = Workspace
    icon = "site"
    menu_label = _("Workspaces")
    add_to_admin_menu = True
    menu_order = 210
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["name", "slug", "visibility", "join_policy", "member_count", "is_archived", "created_at"]
    list_filter = ["visibility", "join_policy", "is_archived", "themes"]
    search_fields = ["name", "slug", "description"]
    search_backend_name = None  # plain database search: no index to keep in step
    inspect_view_fields = [
        "name",
        "slug",
        "description",
        "welcome",
        "visibility",
        "join_policy",
        "is_archived",
        "member_count",
        "created_at",
        "last_activity_at",
        "created_by",
    ]
    form_fields = ["name"]  # required by the viewset; the add and edit views are never allowed


@hooks.register("register_admin_viewset")
def register_viewset():
    return WorkspaceViewSet("workspaces_admin", url_prefix="workspaces")


# --- JSON API (doeplein.plugins.HOOK_API_ROUTERS) ---------------------------------------------------
# Kept as a block of its own at the end of the file: the router is imported when the API collects it.
@hooks.register("doeplein_api_routers")
def api_routers():
    from .api import router

    # Mounted at the API's root: the router's paths are /workspaces… and /themes.
    return [("/", router)]


# --- Demo data (doeplein.plugins.HOOK_DEMO_DATA) ----------------------------------------------------
# A block of its own at the end of the file: workspaces on several themes, of every visibility.
@hooks.register("doeplein_demo_data")
def demo_data_steps():
    from doeplein.plugins import DemoData

    from .demo import STEPS, workspaces_demo_data

    return [DemoData(key="workspaces", run=workspaces_demo_data, steps=STEPS, order=10)]


# --- Search (doeplein.plugins.HOOK_SEARCH_SOURCES, docs/search.md) ----------------------------------
# A workspace's card is found by whoever may discover it; its themes feed the search's theme filter,
# also for the spaces inside it.
def _workspace_documents(workspace):
    from django.utils.html import strip_tags

    from doeplein.plugins import SearchDoc

    themes = " ".join(t.name for t in workspace.themes.all())  # by name: the theme's ordering
    tags = " ".join(sorted(t.name for t in workspace.tags.all()))  # by code point, as in _workspace_bulk
    return [
        SearchDoc(
            object_id=workspace.pk,
            title=workspace.name,
            body=" ".join(
                p for p in (workspace.description, strip_tags(workspace.welcome or ""), themes, tags) if p
            ),
            url=workspace.get_absolute_url(),
            space_id=workspace.pk,
            guard="discover",
            person_id=workspace.created_by_id,
            date=workspace.last_activity_at or workspace.created_at,
        )
    ]


def _workspace_bulk():
    """The same documents as :func:`_workspace_documents`, as SQL (a rebuild of the whole platform)."""
    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import F, Func, OuterRef, Subquery, TextField, Value
    from django.db.models.functions import Coalesce, Collate, NullIf

    from doeplein.plugins import SearchBulk
    from doeplein.search.bulk import strip_tags, url

    from .models import WorkspaceTag

    themes = Subquery(
        Workspace.themes.through.objects.filter(workspace_id=OuterRef("pk"))
        .order_by()
        .values("workspace_id")
        .annotate(names=StringAgg("theme__name", " ", order_by="theme__name"))
        .values("names")
    )
    tags = Subquery(
        WorkspaceTag.objects.filter(content_object_id=OuterRef("pk"))
        .order_by()
        .values("content_object_id")
        .annotate(names=StringAgg("tag__name", " ", order_by=Collate(F("tag__name"), "C")))
        .values("names")
    )
    parts = [F("description"), strip_tags(F("welcome")), themes, tags]
    return SearchBulk(
        queryset=Workspace.objects.all(),
        fields={
            "object_id": F("pk"),
            "title": F("name"),
            "body": Func(
                Value(" "),
                *[NullIf(p, Value("")) for p in parts],
                function="concat_ws",
                output_field=TextField(),
            ),
            "url": url("workspaces:detail", slug=F("slug")),
            "space_id": F("pk"),
            "guard": Value("discover"),
            "person_id": F("created_by_id"),
            "date": Coalesce(F("last_activity_at"), F("created_at")),
        },
    )


def _workspace_space_themes():
    from doeplein.spaces.models import Space

    pairs = list(Workspace.themes.through.objects.values_list("workspace_id", "theme_id"))
    themes = {}
    for workspace_id, theme_id in pairs:
        themes.setdefault(workspace_id, []).append(theme_id)
    inside = Space.objects.filter(parent_id__in=themes).values_list("pk", "parent_id")
    return pairs + [(pk, theme_id) for pk, parent_id in inside for theme_id in themes[parent_id]]


@hooks.register("doeplein_search_sources")
def search_sources():
    from doeplein.plugins import SearchSource
    from doeplein.spaces.models import Space

    return [
        SearchSource(
            key="workspace",
            label=_("Workspaces"),
            queryset=lambda: Workspace.objects.prefetch_related("themes", "tags").order_by("pk"),
            documents=_workspace_documents,
            triggers=(
                (Workspace, lambda w: [w.pk]),
                (Space, lambda s: [s.pk] if s.kind == Workspace.KIND else []),
            ),
            space_themes=_workspace_space_themes,
            order=10,
            bulk=_workspace_bulk,
        )
    ]


@hooks.register("doeplein_featured_spaces")
def featured_spaces():
    """The home page features the most active public workspaces."""
    from django.contrib.auth.models import AnonymousUser

    from doeplein.plugins import FeaturedSource

    from .selectors import workspace_list

    def most_active(limit):
        return list(workspace_list(user=AnonymousUser(), sort="active").filter(visibility="public")[:limit])

    def directory_for(slug):
        return reverse("workspaces:list") + f"?theme={slug}"

    return [
        FeaturedSource(
            key="workspaces", label=_("Workspaces"), spaces=most_active, order=10, theme_url=directory_for
        )
    ]

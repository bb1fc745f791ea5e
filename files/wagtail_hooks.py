"""What the files plugin brings to the core: its content types (guarded through their space), the files
section on every space's home page, its pages and API, activity verbs, the search source and the
attachment source other plugins (blogs) use without importing this one."""

from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import (
    HOOK_ACTIVITY_VERBS,
    HOOK_CONTENT_TYPES,
    HOOK_DEMO_DATA,
    HOOK_NAVIGATION,
    HOOK_SEARCH_SOURCES,
    HOOK_SPACE_KINDS,
    HOOK_SPACE_SECTIONS,
    HOOK_URLS,
    ContentTypeSpec,
    DemoData,
    NavItem,
    Section,
    SpaceKind,
)

RECENT_SHOWN = 8


@hooks.register(HOOK_CONTENT_TYPES)
def content_types():
    from .models import File, FileVersion, Folder

    return [
        ContentTypeSpec(model=Folder, label=_("folder"), space="space", owner="created_by"),
        ContentTypeSpec(model=File, label=_("file"), space="space", owner="created_by"),
        ContentTypeSpec(model=FileVersion, label=_("file version"), space="file__space", owner="uploaded_by"),
    ]


@hooks.register(HOOK_SPACE_KINDS)
def space_kinds():
    from .personal import PERSONAL_KIND

    # A person's own files: a secret space of this kind that only they belong to (files/personal.py).
    # Its page is /files/mine/ (only its owner can reach it, and /files/mine/ is always one's own).
    return [
        SpaceKind(
            key=PERSONAL_KIND,
            label=_("personal files"),
            plural=_("personal files"),
            url=lambda space: reverse("files:mine"),
            icon="user",
            personal=True,
        )
    ]


@hooks.register(HOOK_NAVIGATION)
def navigation():
    return [NavItem(label=_("My files"), url=lambda: reverse("files:mine"), order=35, requires_login=True)]


@hooks.register(HOOK_ACTIVITY_VERBS)
def activity_verbs():
    return {
        "file.uploaded": _("uploaded a file"),
        "file.version_added": _("uploaded a new version of a file"),
        "file.version_restored": _("restored an earlier version of a file"),
        "file.renamed": _("renamed a file"),
        "file.moved": _("moved a file"),
        "file.copied": _("copied a file here"),
        "file.trashed": _("moved a file to the trash"),
        "file.restored": _("restored a file from the trash"),
        "folder.created": _("created a folder"),
        "folder.renamed": _("renamed a folder"),
        "folder.moved": _("moved a folder"),
        "folder.trashed": _("moved a folder to the trash"),
        "folder.restored": _("restored a folder from the trash"),
    }


@hooks.register(HOOK_URLS)
def urls():
    return [path("files/", include("files.urls"))]


def render_files(request, space):
    """The space's top-level folders, its latest files, the room left and an upload form."""
    from doeplein.access import can

    from .actions import remaining_bytes
    from .forms import UploadForm
    from .selectors import folder_listing, recent_files

    folders, _files = folder_listing(user=request.user, space=space)
    may_add = can(request.user, "contribute", space)
    return render_to_string(
        "files/_section.html",
        {
            "space": space,
            "folders": list(folders[:RECENT_SHOWN]),
            "files": recent_files(user=request.user, space=space, limit=RECENT_SHOWN),
            "may_add": may_add,
            "remaining": remaining_bytes(user=request.user, space=space) if may_add else None,
            "upload_form": UploadForm(),
        },
        request=request,
    )


@hooks.register(HOOK_SPACE_SECTIONS)
def space_sections():
    return [Section(key="files", label=_("Files"), render=render_files, order=300)]


@hooks.register(HOOK_SEARCH_SOURCES)
def search_sources():
    from .search import search_source

    return [search_source()]


@hooks.register("doeplein_attachment_sources")
def attachment_sources():
    from .attachments import attachment_source

    return [attachment_source()]


# --- JSON API (doeplein.plugins.HOOK_API_ROUTERS) ---------------------------------------------------
@hooks.register("doeplein_api_routers")
def api_routers():
    from .api import router

    return [("/files", router)]


# --- Demo data -----------------------------------------------------------------------------------
@hooks.register(HOOK_DEMO_DATA)
def demo_data_steps():
    from .demo import STEPS, files_demo_data

    return [DemoData(key="files", run=files_demo_data, steps=STEPS, order=50)]

"""What the example plugin brings: a content type, a section, an activity verb and demo data."""

from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein.plugins import (
    HOOK_ACTIVITY_VERBS,
    HOOK_CONTENT_TYPES,
    HOOK_DEMO_DATA,
    HOOK_SPACE_KINDS,
    HOOK_SPACE_SECTIONS,
    ContentTypeSpec,
    DemoData,
    Section,
    SpaceKind,
)

DEMO_NOTE_TEXT = "A note from the example plugin's demo data."
SECTION_KIND = "test"  # the kind tests' make_space() gives; other kinds get no notes section


@hooks.register(HOOK_CONTENT_TYPES)
def content_types():
    from .models import Note

    return [ContentTypeSpec(model=Note, label=_("Note"), space="space", owner="author")]


def render_notes(request, space):
    """The notes in ``space`` that the viewer may see, or None when there are none."""
    from doeplein.access import visible

    from .models import Note

    notes = visible(request.user, Note.objects.filter(space=space))
    if not notes:
        return None
    return format_html_join("", "<p class='note'>{}</p>", ((note.text,) for note in notes))


@hooks.register(HOOK_SPACE_SECTIONS)
def space_sections():
    return [
        Section(
            key="plugin_example.notes", label=_("Notes"), render=render_notes, order=50, kinds=(SECTION_KIND,)
        )
    ]


@hooks.register(HOOK_ACTIVITY_VERBS)
def activity_verbs():
    return {"note.written": _("wrote a note")}


def demo_notes(progress):
    """One note in each top-level space; safe to run again."""
    from doeplein.spaces.models import Space

    from .models import Note

    for space in Space.objects.filter(parent=None).order_by("pk"):
        Note.objects.get_or_create(space=space, text=DEMO_NOTE_TEXT)
    progress(1)


@hooks.register(HOOK_DEMO_DATA)
def demo_data_steps():
    return [DemoData(key="plugin_example.notes", run=demo_notes, steps=1, order=900)]


def area_by_slug(user, slug):
    from doeplein.access import get_object_or_404

    from .models import Area

    return get_object_or_404(user, Area.objects.all(), "discover", slug=slug)


@hooks.register(HOOK_SPACE_KINDS)
def space_kinds():
    from .models import Area

    # Areas have no pages of their own: their URL is the home page with the slug as a fragment.
    return [
        SpaceKind(
            key=Area.KIND,
            label=_("area"),
            plural=_("areas"),
            url=lambda area: f"/#area-{area.slug}",
            by_slug=area_by_slug,
        )
    ]

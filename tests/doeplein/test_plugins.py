"""The plugin API: a plugin that no core file names plugs in through hooks alone.

``tests/plugin_example`` is a real Django app (models, migrations, wagtail_hooks.py) that only the test
run installs (``tests/pytest_extra_apps.py`` adds it through DOEPLEIN_EXTRA_APPS before Django starts).
"""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from doeplein import plugins
from doeplein.access import visible
from doeplein.activity.actions import record
from doeplein.activity.verbs import CORE_VERBS, all_verbs, verb_label
from doeplein.spaces.models import Role
from tests.plugin_example.models import Note
from tests.plugin_example.wagtail_hooks import DEMO_NOTE_TEXT

ROOT = Path(__file__).resolve().parents[2]
CORE_AND_PLUGINS = [ROOT / "platform", ROOT / "workspaces", ROOT / "groups", ROOT / "blogs", ROOT / "files"]
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js", ".json", ".toml", ".cfg", ".po"}


def test_the_example_plugin_is_installed_for_tests_only_and_no_core_file_names_it():
    assert "tests.plugin_example" in settings.INSTALLED_APPS
    assert apps.get_app_config("plugin_example").models_module is not None
    naming = [
        str(path.relative_to(ROOT))
        for folder in CORE_AND_PLUGINS
        for path in folder.rglob("*")
        if path.suffix in SOURCE_SUFFIXES and "plugin_example" in path.read_text(errors="ignore")
    ]
    assert naming == []
    assert "plugin_example" not in (ROOT / "pyproject.toml").read_text()


def test_processes_started_by_tests_boot_the_platforms_own_apps():
    # tests/pytest_extra_apps.py puts DOEPLEIN_EXTRA_APPS back once Django is set up in this process.
    from tests import pytest_extra_apps

    assert os.environ.get("DOEPLEIN_EXTRA_APPS") == pytest_extra_apps._previous


def test_content_types_hook_brings_the_note_spec():
    specs = [spec for spec in plugins.content_types() if spec.model is Note]
    assert specs == [plugins.ContentTypeSpec(model=Note, label=specs[0].label, space="space", owner="author")]
    with translation.override("en"):
        assert str(specs[0].label) == "Note"


@pytest.mark.django_db
def test_space_sections_offer_the_notes_section_for_its_kind_only(make_space):
    notebook = make_space("public", kind="test")
    elsewhere = make_space("public", kind="not-a-test-kind")
    assert "plugin_example.notes" in [section.key for section in plugins.space_sections(notebook)]
    assert "plugin_example.notes" not in [section.key for section in plugins.space_sections(elsewhere)]
    assert "plugin_example.notes" in [section.key for section in plugins.space_sections()]


@pytest.mark.django_db
def test_notes_section_renders_only_what_the_viewer_may_see(make_space, make_user):
    member = make_user()
    closed = make_space("members", members={member: Role.MEMBER})
    Note.objects.create(space=closed, author=member, text="<b>only for members</b>")
    section = next(s for s in plugins.space_sections(closed) if s.key == "plugin_example.notes")

    request = RequestFactory().get("/")
    request.user = member
    html = section.render(request, closed)
    assert "&lt;b&gt;only for members&lt;/b&gt;" in html  # escaped, never raw HTML from a user
    request.user = AnonymousUser()
    assert section.render(request, closed) is None


def test_sections_are_sorted_by_order_and_temporary_ones_go_away():
    def extra_sections():
        return [
            plugins.Section(key="tmp.first", label="first", render=lambda request, space: "", order=-1),
            plugins.Section(key="tmp.last", label="last", render=lambda request, space: "", order=10_000),
        ]

    with hooks.register_temporarily(plugins.HOOK_SPACE_SECTIONS, extra_sections):
        keys = [section.key for section in plugins.space_sections()]
        assert keys[0] == "tmp.first" and keys[-1] == "tmp.last"
        assert "plugin_example.notes" in keys
    assert not {"tmp.first", "tmp.last"} & {section.key for section in plugins.space_sections()}


def test_activity_verbs_hook_gives_the_plugins_verb_label():
    with translation.override("en"):
        assert str(verb_label("note.written")) == "wrote a note"
        assert "note.written" in all_verbs()
        assert set(CORE_VERBS) <= set(all_verbs())
        assert verb_label("no.such.verb") == "no.such.verb"  # unknown verbs show as themselves


@pytest.mark.django_db
def test_recorded_activity_shows_the_plugins_verb_label(make_space, make_user):
    author = make_user()
    space = make_space("public", members={author: Role.MEMBER})
    note = Note.objects.create(space=space, author=author, text="a first note")
    activity = record(actor=author, verb="note.written", target=note, space=space)
    assert activity.target == note
    with translation.override("en"):
        assert str(activity.verb_label) == "wrote a note"


def test_register_temporarily_adds_an_activity_verb_for_the_block_only():
    def more_verbs():
        return {"note.pinned": _("pinned a note")}

    with hooks.register_temporarily(plugins.HOOK_ACTIVITY_VERBS, more_verbs):
        with translation.override("en"):
            assert str(verb_label("note.pinned")) == "pinned a note"
        assert {"note.pinned": more_verbs()["note.pinned"]} in plugins.collect(plugins.HOOK_ACTIVITY_VERBS)
    assert verb_label("note.pinned") == "note.pinned"


def test_navigation_is_sorted_and_collect_flattens_lists():
    items = [
        plugins.NavItem(label="z", url=lambda: "/z/", order=99_999),
        plugins.NavItem(label="a", url=lambda: "/a/", order=-5),
    ]
    with hooks.register_temporarily(plugins.HOOK_NAVIGATION, lambda: items):
        navigation = plugins.navigation()
        assert navigation[0] is items[1] and navigation[-1] is items[0]
        assert items[0] in plugins.collect(plugins.HOOK_NAVIGATION)


@pytest.mark.django_db
def test_demo_data_step_comes_after_the_core_and_fills_notes_idempotently(make_space):
    steps = plugins.demo_data_steps()
    keys = [step.key for step in steps]
    assert "plugin_example.notes" in keys
    assert [step.order for step in steps] == sorted(step.order for step in steps)
    assert keys.index("core.people") < keys.index("plugin_example.notes")

    top = [make_space("public"), make_space("secret")]
    make_space("public", parent=top[0])  # children get no demo note
    step = steps[keys.index("plugin_example.notes")]
    advanced = []
    step.run(advanced.append)
    step.run(advanced.append)
    assert advanced == [step.steps, step.steps]  # the progress bar advances by what the step announced
    assert sorted(Note.objects.filter(text=DEMO_NOTE_TEXT).values_list("space_id", flat=True)) == [
        s.pk for s in top
    ]


@pytest.mark.django_db
def test_gate_guards_content_types_from_the_hook_only(make_space, make_user):
    # The app's ready() registers nothing: everything the gate knows about notes came through the hook.
    from tests.plugin_example.apps import PluginExampleConfig

    assert "ready" not in vars(PluginExampleConfig)
    member = make_user()
    space = make_space("secret", members={member: Role.MEMBER})
    note = Note.objects.create(space=space, author=member, text="x")
    assert list(visible(member, Note.objects.all())) == [note]
    assert list(visible(make_user(), Note.objects.all())) == []

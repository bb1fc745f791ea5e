"""The interface speaks Dutch by default and English on request.

The core's Dutch catalogue lives in ``platform/doeplein/locale/nl/LC_MESSAGES``, each plugin's in its
own ``locale/`` (docs/translations.md). In every one: every entry translated, nothing fuzzy, placeholders
kept, the reader addressed as "je", the compiled ``.mo`` in step with the ``.po``; and no interface
string in our code that no catalogue holds.
"""

import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from tests.conftest import require

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_PATH = LOCALE_DIR / "nl" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "nl" / "LC_MESSAGES" / "django.mo"

# %(name)s, %(ratio).1f, %s, %d … and {name} / {0} for str.format strings.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifgeExXrc%]|\{[^{}\s]*\}")


def _unquote(text):
    return ast.literal_eval(text)


def parse_po(path):
    """A small .po reader: a list of dicts with msgctxt, msgid, msgid_plural, msgstr ({index: text}) and flags.

    Obsolete entries (``#~``) are skipped; the header (empty msgid) is returned as the first entry.
    """
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set(), "msgstr": {}}
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            value = _unquote(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
            finish()
            entry = None
        entry = entry or {"flags": set(), "msgstr": {}}
        match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
        if match:
            field = ("msgstr", int(match.group(1) or 0))
            entry["msgstr"][field[1]] = _unquote(rest)
        else:
            field = keyword
            entry[field] = _unquote(rest)
    finish()
    return entries


def _catalogues():
    """The core's catalogue and those of the installed plugins that keep their own."""
    base = Path(settings.BASE_DIR).resolve()
    found = [PO_PATH]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        own = path / "locale" / "nl" / "LC_MESSAGES" / "django.po"
        if (
            base in path.parents
            and path.relative_to(base).parts[0] not in ("tests", ".venv", "var")
            and own.exists()
        ):
            if own.resolve() != PO_PATH.resolve():
                found.append(own)
    return found


@pytest.fixture(scope="module", params=_catalogues(), ids=lambda po: po.parents[3].name)
def po_path(request):
    return request.param


@pytest.fixture(scope="module")
def po_entries(po_path):
    assert po_path.exists(), f"no Dutch catalogue at {po_path}"
    return parse_po(po_path)


def test_every_plugin_with_strings_keeps_its_own_catalogue():
    names = {po.parents[3].name for po in _catalogues()}
    installed = {config.name for config in apps.get_app_configs()}
    for plugin in ("workspaces", "groups", "blogs", "files"):
        if plugin in installed:
            assert plugin in names, f"{plugin} has no locale/nl/LC_MESSAGES/django.po"


def messages(entries):
    return [e for e in entries if e["msgid"]]


def test_dutch_catalogue_header_says_dutch_and_is_not_fuzzy(po_entries):
    header = po_entries[0]
    assert header["msgid"] == ""
    assert "Language: nl\n" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]
    assert "fuzzy" not in header["flags"]


def test_every_dutch_entry_is_translated_and_none_is_fuzzy(po_entries):
    entries = messages(po_entries)
    assert len(entries) > 20
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    plural = [e for e in entries if "msgid_plural" in e]
    assert all(sorted(e["msgstr"]) == [0, 1] for e in plural), "Dutch has two plural forms"


def test_dutch_translations_keep_every_placeholder(po_entries):
    wrong = []
    for e in messages(po_entries):
        for index, text in e["msgstr"].items():
            source = e["msgid_plural"] if index and "msgid_plural" in e else e["msgid"]
            wanted, got = sorted(PLACEHOLDER.findall(source)), sorted(PLACEHOLDER.findall(text))
            # A Dutch singular may leave out the count ("één bestand" for "%(count)s file").
            if got != wanted and not ("msgid_plural" in e and index == 0 and set(got) <= set(wanted)):
                wrong.append((source, text))
    assert wrong == []


# The formal "u"/"uw" as a word of its own; "je", "jij", "jouw" is the voice.
FORMAL = re.compile(r"(?<![\w\\])(?:u|uw|U|Uw)(?![\w])")


def test_dutch_texts_say_je_not_u(po_entries):
    formal = [
        text
        for e in messages(po_entries)
        for text in e["msgstr"].values()
        if FORMAL.search(PLACEHOLDER.sub("", text))
    ]
    assert formal == []


def test_compiled_catalogue_matches_the_po_file(po_path, po_entries):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run compilemessages and commit django.mo"
    with mo_path.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in messages(po_entries):
        ctx = e.get("msgctxt")
        if "msgid_plural" in e:
            for n, index in ((1, 0), (2, 1)):
                got = (
                    mo.npgettext(ctx, e["msgid"], e["msgid_plural"], n)
                    if ctx is not None
                    else mo.ngettext(e["msgid"], e["msgid_plural"], n)
                )
                if got != e["msgstr"][index]:
                    stale.append((e["msgid"], got))
        else:
            got = mo.pgettext(ctx, e["msgid"]) if ctx is not None else mo.gettext(e["msgid"])
            if got != e["msgstr"][0]:
                stale.append((e["msgid"], got))
    assert stale == [], "django.mo is older than django.po: run compilemessages"
    # Nothing in the .mo that the .po no longer has (the header is the one extra key).
    plural_keys = sum(1 for e in messages(po_entries) if "msgid_plural" in e)
    assert len(mo._catalog) - 1 == len(messages(po_entries)) + plural_keys
    assert mo.info()["language"] == "nl"


def _our_source_roots():
    """The folders of our own apps (core and plugins), not the installed third-party packages."""
    base = Path(settings.BASE_DIR).resolve()
    core = LOCALE_DIR.resolve().parent
    roots = {core}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base not in path.parents or core in (path, *path.parents):
            continue
        # Test-only apps (tests/plugin_example …) and installed packages are not our interface.
        if path.relative_to(base).parts[0] not in ("tests", ".venv", "var"):
            roots.add(path)
    return sorted(roots)


def test_catalogue_holds_every_interface_string_of_our_code(tmp_path, settings, monkeypatch):
    """makemessages over a copy of our sources finds no msgid that the committed catalogue lacks."""
    require(
        shutil.which("xgettext") and shutil.which("msgmerge"), "needs GNU gettext (apt-get install gettext)"
    )
    src = tmp_path / "src"
    for root in _our_source_roots():
        shutil.copytree(
            root,
            src / root.name,
            ignore=shutil.ignore_patterns("migrations", "__pycache__", "static", "locale", "*.mo", "*.po"),
        )
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(src)
    call_command("makemessages", locale=["nl"], verbosity=0)
    fresh = parse_po(tmp_path / "locale" / "nl" / "LC_MESSAGES" / "django.po")

    def key(e):
        return (e.get("msgctxt"), e["msgid"], e.get("msgid_plural"))

    known = {key(e) for e in messages(parse_po(PO_PATH))}
    # Plugins may keep their own catalogue (<app>/locale/nl/LC_MESSAGES/django.po); their entries count too.
    for root in _our_source_roots():
        own = root / "locale" / "nl" / "LC_MESSAGES" / "django.po"
        if own.exists() and own.resolve() != PO_PATH.resolve():
            known |= {key(e) for e in messages(parse_po(own))}
    missing = sorted(str(key(e)) for e in messages(fresh) if key(e) not in known)
    assert len(messages(fresh)) > 100
    assert missing == [], "new interface strings: run makemessages -l nl and translate them"


LOGIN_URL = "/accounts/login/"
PROFILE_EDIT_URL = "/people/me/edit/"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
def test_pages_speak_dutch_by_default(client, make_user):
    assert settings.LANGUAGE_CODE == "nl"
    home = page(client, "/")
    assert '<html lang="nl">' in home
    assert "Naar de hoofdinhoud" in home
    assert "Skip to main content" not in home
    assert "Doe mee op het platform" in home

    login = page(client, LOGIN_URL)
    assert '<html lang="nl">' in login
    assert "Naar de hoofdinhoud" in login
    assert "Wachtwoord" in login  # allauth's own Dutch catalogue

    client.force_login(make_user())
    edit = page(client, PROFILE_EDIT_URL)
    assert '<html lang="nl">' in edit
    assert "Naar de hoofdinhoud" in edit
    assert "Mijn profiel bewerken" in edit
    assert "Profiel opslaan" in edit
    assert "Voornaam" in edit
    assert "Wie ziet dit?" in edit


@pytest.mark.django_db
def test_pages_speak_english_after_choosing_english(client, make_user):
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    home = page(client, "/")
    assert '<html lang="en">' in home
    assert "Skip to main content" in home
    assert "Naar de hoofdinhoud" not in home
    assert "Join the platform" in home

    login = page(client, LOGIN_URL)
    assert '<html lang="en">' in login
    assert "Skip to main content" in login
    assert "Password" in login

    client.force_login(make_user())
    edit = page(client, PROFILE_EDIT_URL)
    assert '<html lang="en">' in edit
    assert "Edit my profile" in edit
    assert "Save profile" in edit
    assert "Who sees this?" in edit
    assert "Mijn profiel bewerken" not in edit


@pytest.mark.django_db
def test_switching_back_to_dutch_speaks_dutch_again(client):
    client.post("/language/", {"language": "en", "next": "/"})
    client.post("/language/", {"language": "nl", "next": "/"})
    home = page(client, "/")
    assert '<html lang="nl">' in home
    assert "Naar de hoofdinhoud" in home


@pytest.mark.django_db
def test_unknown_language_is_refused_in_the_current_language(client):
    response = client.post("/language/", {"language": "xx"})
    assert response.status_code == 400
    assert "Onbekende taal xx; kies een van: nl, en." in response.content.decode()

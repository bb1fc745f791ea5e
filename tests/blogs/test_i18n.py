"""The blogs plugin's own Dutch catalogue: complete, nothing fuzzy, compiled, and used by the pages."""

import gettext
from pathlib import Path

import pytest

import blogs
from tests.doeplein.test_i18n import PLACEHOLDER, messages, parse_po

PO = Path(blogs.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_every_entry_is_translated_with_its_placeholders_and_compiled():
    entries = messages(parse_po(PO))
    assert len(entries) > 100
    assert [
        e["msgid"]
        for e in entries
        if not e["msgstr"] or not all(e["msgstr"].values()) or "fuzzy" in e["flags"]
    ] == []
    for e in entries:
        for index, text in e["msgstr"].items():
            source = e["msgid_plural"] if index and "msgid_plural" in e else e["msgid"]
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(text)), (source, text)
    with PO.with_suffix(".mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)

    def compiled(e):
        return mo.pgettext(e["msgctxt"], e["msgid"]) if e.get("msgctxt") else mo.gettext(e["msgid"])

    stale = [e["msgid"] for e in entries if "msgid_plural" not in e and compiled(e) != e["msgstr"][0]]
    assert stale == []


@pytest.mark.django_db
def test_the_blog_list_speaks_dutch_by_default_and_english_on_request(client):
    assert (
        "Nieuwe blogs" in client.get("/blogs/").content.decode()
        or "Nog geen blogs" in client.get("/blogs/").content.decode()
    )
    english = client.get("/blogs/", headers={"Accept-Language": "en"}).content.decode()
    assert "No posts yet." in english

"""The platform's face: the house style as tokens, safe markdown, audit entries in words, the start
page and the home page's feed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import Site

from doeplein.home.models import SiteSettings

pytestmark = pytest.mark.django_db


def test_the_theme_tokens_follow_the_site_settings(client):
    site = Site.objects.get(is_default_site=True)
    SiteSettings.objects.update_or_create(
        site=site,
        defaults={
            "primary_colour": "#8b0000",
            "accent_colour": "#ffcc00",
            "font_family": "'RO Sans', Verdana, sans-serif",
        },
    )
    response = client.get("/theme.css")
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    assert "--voorbeeld-kleuren-violet-500: #8b0000;" in css  # the NL Design System theme's own scale
    assert "--doeplein-accent: #ffcc00;" in css
    assert "--basis-text-font-family-default: 'RO Sans', Verdana, sans-serif;" in css
    assert client.get("/theme.css", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_colours_without_enough_contrast_and_unsafe_fonts_are_refused():
    settings_ = SiteSettings(
        primary_colour="#ffff00", accent_colour="#333333", font_family="x;} body{display:none"
    )
    with pytest.raises(ValidationError) as error:
        settings_.full_clean(exclude=["site"])
    assert {"primary_colour", "accent_colour", "font_family"} <= set(error.value.message_dict)


def test_the_bundle_and_the_favicon_are_served_by_the_platform(client):
    from django.contrib.staticfiles import finders

    bundle = finders.find("nlds/nlds.css")
    assert bundle and ".utrecht-button" in open(bundle, encoding="utf-8").read()
    assert client.get("/favicon.ico").status_code == 301


def test_markdown_keeps_links_and_drops_scripts():
    from doeplein.core.text import markdown_to_html

    html = markdown_to_html(
        "**Welkom!** Lees [de afspraken](https://example.org).\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<strong>Welkom!</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">de afspraken</a>' in html
    assert "<script" not in html and 'href="javascript' not in html


def test_an_audit_entry_reads_as_a_sentence_in_the_readers_language(make_user, make_space):
    from doeplein.moderation.models import AuditEntry
    from doeplein.moderation.templatetags.moderation_audit import audit_sentence

    amira, bas = make_user(first_name="Amira", last_name=""), make_user(first_name="Bas", last_name="")
    space = make_space("public")
    entry = AuditEntry.objects.create(
        space=space, actor=amira, target_user=bas, action="user.mute", reason="schelden"
    )
    entry.data = {"until": (entry.created_at + timedelta(minutes=10)).isoformat()}
    with translation.override("nl"):
        assert audit_sentence(entry) == "Amira heeft Bas 10 minuten gedempt: schelden"
    with translation.override("en"):
        assert audit_sentence(entry) == "Amira muted Bas for 10 minutes: schelden"


def test_the_public_feed_tells_no_sign_ups_and_no_name_twice(make_user, make_space):
    from django.contrib.auth.models import AnonymousUser

    from doeplein.activity.actions import record
    from doeplein.core.start import public_feed

    person = make_user(first_name="Chris")
    space = make_space("public")
    space.name = "Open koffie"
    space.save()
    record(actor=person, verb="account.registered", audience="everyone")
    record(actor=person, verb="space.invited", target=space, space=space, audience="everyone")
    for _ in range(3):
        record(actor=person, verb="space.joined", target=space, space=space)
    lines = public_feed(user=AnonymousUser())
    assert [a.verb for a in lines] == ["space.joined"]  # once, and no sign-up or invitation
    assert lines[0].show_space is False  # "Open koffie — Open koffie" says the name once


def test_logging_in_leads_to_the_start_page_with_my_spaces(client, make_user, make_space):
    from doeplein.spaces.models import Role

    me = make_user(password="correct-horse-battery", first_name="Daan")
    space = make_space("members", members={me: Role.MEMBER})
    response = client.post("/accounts/login/", {"login": me.email, "password": "correct-horse-battery"})
    assert response["Location"] == "/start/"
    html = client.get("/start/").content.decode()
    assert space.name in html
    assert "Hallo Daan" in html

"""Notifications are stored as a verb with parameters and read in the reader's language: what an
English-speaking person causes reads in Dutch for a Dutch reader, and the other way round."""

import pytest
from django.test import Client
from django.utils import translation
from wagtail import hooks

from doeplein.notifications.actions import do_notify
from doeplein.notifications.models import Notification
from doeplein.plugins import HOOK_NOTIFICATION_VERBS
from doeplein.spaces.actions import do_request_to_join
from doeplein.spaces.models import JoinPolicy, Role

pytestmark = pytest.mark.django_db


def speaking(user, language):
    user.profile.language = language
    user.profile.save(update_fields=["language"])
    return user


def test_a_request_by_an_english_speaker_reads_in_dutch_for_a_dutch_manager(make_user, make_space):
    manager = speaking(make_user(first_name="Amira", last_name="Manager"), "nl")
    asker = speaking(make_user(first_name="Bas", last_name="Asker"), "en")
    space = make_space("public", members={manager: Role.OWNER})
    space.name = "Open koffie"
    space.join_policy = JoinPolicy.REQUEST
    space.save()

    with translation.override("en"):  # the asker's request, in the asker's language
        do_request_to_join(user=asker, space=space, message="")

    [notification] = Notification.objects.filter(recipient=manager)
    assert notification.verb == "space.join_requested"
    assert notification.params == {"name": "Bas Asker", "space": "Open koffie"}
    assert notification.message == ""  # nothing stored in the asker's language

    client = Client()
    client.force_login(manager)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en")  # the profile's choice wins
    text = page.content.decode()
    assert "Bas Asker vraagt om lid te worden van Open koffie." in text
    assert "asks to join" not in text
    with translation.override("en"):
        assert notification.text == "Bas Asker asks to join Open koffie."


def test_the_badge_counts_unread_notifications_when_the_page_loads(make_user):
    reader = make_user()
    for _ in range(9):
        do_notify(recipient=reader, verb="space.removed", params={"space": "Dijkwachters"})
    client = Client()
    client.force_login(reader)
    html = client.get("/notifications/").content.decode()
    assert "data-unread-count>9</span>" in html


def test_old_callers_with_a_finished_message_still_work(make_user):
    reader = make_user()
    notification = do_notify(recipient=reader, verb="test.legacy", message="Written once, shown as written")
    with translation.override("en"):
        assert notification.text == "Written once, shown as written"


def test_plugins_bring_their_own_verbs(make_user):
    from django.utils.translation import gettext_lazy as _

    reader = make_user()
    notification = do_notify(recipient=reader, verb="example.thing", params={"name": "Chris"})
    with hooks.register_temporarily(
        HOOK_NOTIFICATION_VERBS, lambda: {"example.thing": _("%(name)s did a thing")}
    ):
        assert notification.text == "Chris did a thing"
    assert notification.text == "example.thing"  # unknown verbs fall back to the verb, never a 500

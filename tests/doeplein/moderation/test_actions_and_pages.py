"""Moderation actions, the audit log nobody can change, the managers' pages and the Wagtail admin."""

import pytest
from django.db import transaction
from django.test import Client

from doeplein.discussion.models import Message
from doeplein.moderation import actions
from doeplein.moderation.models import AuditEntry, Report, Sanction, WordFilter
from doeplein.spaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user, make_space, make_room, post):
    author, reporter, second_reporter, manager = make_user(), make_user(), make_user(), make_user()
    space = make_space(
        "members",
        members={
            author: Role.MEMBER,
            reporter: Role.MEMBER,
            second_reporter: Role.MEMBER,
            manager: Role.COMMUNITY_MANAGER,
        },
    )
    room = make_room(space)
    message = post(author, room, "Scherpe woorden")
    return author, reporter, second_reporter, manager, space, room, message


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize("resolution", ["hidden", "kept", "sanctioned"])
def test_resolving_a_report_resolves_every_open_report_on_the_message(setting, resolution):
    author, reporter, second_reporter, manager, space, room, message = setting
    first = actions.do_report_message(user=reporter, message=message, reason="Te fel")
    actions.do_report_message(user=second_reporter, message=message, reason="Ook te fel")
    actions.do_resolve_report(actor=manager, report=first, resolution=resolution, reason="Besproken")
    message.refresh_from_db()
    assert set(Report.objects.values_list("status", flat=True)) == {resolution}
    assert message.state == ("visible" if resolution == "kept" else "hidden")
    assert Sanction.objects.filter(user=author, kind="mute").exists() == (resolution == "sanctioned")
    assert AuditEntry.objects.filter(
        action=f"report.{resolution}", target_user=author, message=message
    ).exists()
    with pytest.raises(actions.DiscussionError) as again:
        actions.do_resolve_report(actor=manager, report=first, resolution="kept")
    assert again.value.code == "already_resolved"


def test_report_rules(setting):
    author, reporter, second_reporter, manager, space, room, message = setting
    for kwargs, code in (
        ({"user": author, "reason": "x"}, "own_message"),
        ({"user": reporter, "reason": "  "}, "reason_required"),
    ):
        with pytest.raises(actions.DiscussionError) as refused:
            actions.do_report_message(message=message, **kwargs)
        assert refused.value.code == code
    actions.do_report_message(user=reporter, message=message, reason="Te fel")
    with pytest.raises(actions.DiscussionError) as twice:
        actions.do_report_message(user=reporter, message=message, reason="Nog eens")
    assert twice.value.code == "duplicate_report"
    assert Report.objects.count() == 1


def test_every_moderation_action_is_in_the_audit_log_with_who_what_whom_why(setting, post):
    author, reporter, second_reporter, manager, space, room, message = setting
    actions.do_hide_message(actor=manager, message=message, reason="Te fel")
    actions.do_unhide_message(actor=manager, message=message)
    actions.do_pin_message(actor=manager, message=message, pinned=True)
    actions.do_lock_room(actor=manager, room=room, locked=True, reason="Pauze")
    actions.do_set_slow_mode(actor=manager, room=room, seconds=30)
    mute = actions.do_sanction(actor=manager, room=room, user=author, kind="mute", minutes=10, reason="Rust")
    actions.do_lift_sanction(actor=manager, sanction=mute)
    actions.do_sanction(actor=manager, room=room, user=author, kind="ban", reason="Spam")
    word = actions.do_add_word_filter(actor=manager, space=space, word="Kaas", action="hold")
    actions.do_remove_word_filter(actor=manager, word_filter=word)
    report = actions.do_report_message(user=reporter, message=message, reason="Te fel")
    actions.do_resolve_report(actor=manager, report=report, resolution="kept")
    log = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "target_user", "reason"))
    assert log == [
        ("message.hidden", manager.pk, author.pk, "Te fel"),
        ("message.unhidden", manager.pk, author.pk, ""),
        ("message.pinned", manager.pk, None, ""),
        ("room.locked", manager.pk, None, "Pauze"),
        ("room.slow_mode", manager.pk, None, ""),
        ("user.mute", manager.pk, author.pk, "Rust"),
        ("user.mute_lifted", manager.pk, author.pk, ""),
        ("user.ban", manager.pk, author.pk, "Spam"),
        ("filter.added", manager.pk, None, ""),
        ("filter.removed", manager.pk, None, ""),
        ("message.reported", reporter.pk, author.pk, "Te fel"),
        ("report.kept", manager.pk, author.pk, ""),
    ]
    assert all(entry.space_id == space.pk and entry.created_at for entry in AuditEntry.objects.all())


def test_sanction_rules(setting):
    author, reporter, second_reporter, manager, space, room, message = setting
    for kwargs, code in (
        ({"user": manager, "kind": "ban"}, "self_sanction"),
        ({"user": author, "kind": "mute"}, "duration_required"),
        ({"user": author, "kind": "mute", "minutes": "soon"}, "bad_value"),
        ({"user": author, "kind": "exile"}, "bad_value"),
    ):
        with pytest.raises(actions.DiscussionError) as refused:
            actions.do_sanction(actor=manager, room=room, **kwargs)
        assert refused.value.code == code
    assert not Sanction.objects.exists()


def test_the_audit_log_cannot_be_changed_or_deleted(setting):
    author, reporter, second_reporter, manager, space, room, message = setting
    actions.do_hide_message(actor=manager, message=message, reason="Te fel")
    entry = AuditEntry.objects.get()
    entry.reason = "Anders"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="Anders")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with (
        pytest.raises(PermissionError),
        transaction.atomic(),
    ):  # bulk_update breaks the transaction it runs in
        AuditEntry.objects.bulk_update([entry], ["reason"])
    assert AuditEntry.objects.get().reason == "Te fel"


def test_the_audit_page_is_for_managers_only(setting, make_user):
    author, reporter, second_reporter, manager, space, room, message = setting
    actions.do_hide_message(actor=manager, message=message, reason="Te fel")
    page = client_for(manager).get(f"/moderation/spaces/{space.pk}/audit/")
    assert page.status_code == 200 and "Te fel" in page.content.decode()
    assert client_for(author).get(f"/moderation/spaces/{space.pk}/audit/").status_code == 403
    admin = make_user(role="platform_admin")
    assert client_for(admin).get(f"/moderation/spaces/{space.pk}/audit/").status_code == 200


def test_the_word_filter_page_adds_and_removes_filters(setting):
    author, reporter, second_reporter, manager, space, room, message = setting
    client = client_for(manager)
    url = f"/moderation/spaces/{space.pk}/word-filters/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"word": "Kaas", "action": "refuse"}).status_code == 302
    entry = WordFilter.objects.get(space=space)
    assert (entry.word, entry.action) == ("kaas", "refuse")
    assert "kaas" in client.get(url).content.decode()
    assert client.post(url, {"word": "", "action": "hold"}).status_code == 400
    assert client.post(url, {"remove": str(entry.pk)}).status_code == 302
    assert not WordFilter.objects.exists()
    assert client_for(author).get(url).status_code == 403


def test_the_review_queue_page_lists_open_reports_and_resolves_them(setting):
    author, reporter, second_reporter, manager, space, room, message = setting
    report = actions.do_report_message(user=reporter, message=message, reason="Persoonlijke aanval")
    client = client_for(manager)
    page = client.get(f"/moderation/spaces/{space.pk}/reports/")
    assert page.status_code == 200 and "Persoonlijke aanval" in page.content.decode()
    assert client_for(reporter).get(f"/moderation/spaces/{space.pk}/reports/").status_code == 403
    response = client.post(
        f"/moderation/spaces/{space.pk}/reports/{report.pk}/resolve/", {"resolution": "hidden"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    message.refresh_from_db()
    assert (report.status, report.resolved_by, message.state) == ("hidden", manager, "hidden")
    assert "Persoonlijke aanval" not in client.get(f"/moderation/spaces/{space.pk}/reports/").content.decode()


def test_parent_workspace_managers_see_the_audit_log_of_a_group_inside(
    make_user, make_space, make_room, post
):
    manager, member = make_user(), make_user()
    workspace = make_space("public", members={manager: Role.COMMUNITY_MANAGER})
    group = make_space("members", parent=workspace, members={member: Role.MEMBER})
    message = post(member, make_room(group), "In de groep")
    actions.do_hide_message(actor=manager, message=message, reason="Buiten de orde")
    page = client_for(manager).get(f"/moderation/spaces/{workspace.pk}/audit/")
    assert "Buiten de orde" in page.content.decode()


def test_the_wagtail_admin_lists_reports_and_the_audit_log_read_only(setting, make_user):
    author, reporter, second_reporter, manager, space, room, message = setting
    actions.do_report_message(user=reporter, message=message, reason="Persoonlijke aanval")
    admin = client_for(make_user(role="platform_admin"))
    reports = admin.get("/admin/moderation/reports/")
    audit = admin.get("/admin/moderation/audit/")
    assert reports.status_code == 200 and "Persoonlijke aanval" in reports.content.decode()
    assert audit.status_code == 200 and "message.reported" in audit.content.decode()
    for url in (
        "/admin/moderation/reports/new/",
        "/admin/moderation/audit/new/",
        f"/admin/moderation/audit/edit/{AuditEntry.objects.get().pk}/",
        f"/admin/moderation/audit/delete/{AuditEntry.objects.get().pk}/",
    ):
        assert admin.get(url).status_code != 200, url
    assert admin.get(f"/admin/moderation/reports/inspect/{Report.objects.get().pk}/").status_code == 200
    # A community manager is no administrator: the back office is closed to them.
    assert client_for(manager).get("/admin/moderation/reports/").status_code in (302, 403)
    assert Message.objects.get(pk=message.pk).state == "visible"

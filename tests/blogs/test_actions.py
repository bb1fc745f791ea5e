"""Blog actions: drafts, revisions, restore, lock, schedule, comments, moderation — with the exact
live events each one publishes."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from blogs import actions
from blogs.models import Comment, CommentReport, Post
from doeplein.core.exceptions import ActionError

pytestmark = pytest.mark.django_db


def kinds(sent):
    return [(group, event.get("kind"), event.get("frame", event).get("type")) for group, event in sent]


def test_a_draft_publishes_no_event_and_publishing_sends_one_to_the_post(cast, events):
    c = cast()
    with events() as sent:
        post = actions.do_create_post(user=c.author, space=c.space, title="Concept", body="<p>x</p>")
    assert sent == []
    assert not post.live and post.latest_revision_id is not None
    with events() as sent:
        post = actions.do_publish_post(user=c.author, post=post)
    assert post.live
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "post_published")]


def test_publishing_notifies_followers_of_the_space_who_may_read_it(cast, events):
    from blogs.models import Follow

    c = cast("members")
    Follow.objects.create(user=c.member, space=c.space)
    Follow.objects.create(user=c.outsider, space=c.space)  # left over: may not read the space
    post = actions.do_create_post(user=c.author, space=c.space, title="Nieuw", body="<p>x</p>")
    with events() as sent:
        actions.do_publish_post(user=c.author, post=post)
    assert [g for g, _e in sent] == [f"blog.post.{post.pk}", f"user.{c.member.pk}"]
    assert sent[1][1]["type"] == "notification" and sent[1][1]["verb"] == "blog.new_post"


def test_editing_a_live_post_keeps_the_live_text_until_published(cast, write, events):
    c = cast()
    post = write(c.author, c.space, title="Eerst")
    with events() as sent:
        obj, revision = actions.do_update_post(user=c.author, post=post, title="Daarna")
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "post_draft_saved")]
    assert sent[0][1]["moderators_only"] is True
    post.refresh_from_db()
    assert post.title == "Eerst" and post.has_unpublished_changes
    assert post.get_latest_revision_as_object().title == "Daarna"
    actions.do_publish_post(user=c.author, post=post)
    post.refresh_from_db()
    assert post.title == "Daarna" and not post.has_unpublished_changes


def test_revisions_record_who_and_restore_makes_a_new_revision(cast, write, events):
    c = cast()
    post = write(c.author, c.space, title="Een")
    actions.do_update_post(user=c.manager, post=post, title="Twee")
    first = post.revisions.order_by("created_at", "pk").first()
    before = post.revisions.count()
    with events() as sent:
        obj, revision = actions.do_restore_revision(user=c.author, post=post, revision_id=first.pk)
    assert sent == []
    assert post.revisions.count() == before + 1
    assert revision.as_object().title == "Een"
    assert {r.user_id for r in post.revisions.all()} == {c.author.pk, c.manager.pk}


def test_a_restore_racing_an_edit_is_refused_and_no_revision_is_lost(cast, write):
    c = cast()
    post = write(c.author, c.space, title="Een")
    base = Post.objects.get(pk=post.pk).latest_revision_id
    first = post.revisions.order_by("created_at", "pk").first()
    actions.do_update_post(user=c.manager, post=post, title="Twee", base_revision_id=base)  # lands first
    count = post.revisions.count()
    with pytest.raises(ActionError) as refused:
        actions.do_restore_revision(user=c.author, post=post, revision_id=first.pk, base_revision_id=base)
    assert refused.value.status == 409 and refused.value.code == "stale_revision"
    with pytest.raises(ActionError) as refused:
        actions.do_update_post(user=c.author, post=post, title="Drie", base_revision_id=base)
    assert refused.value.status == 409
    assert post.revisions.count() == count
    assert Post.objects.get(pk=post.pk).get_latest_revision_as_object().title == "Twee"


def test_the_edit_lock_keeps_others_out_until_released(cast, write, events):
    c = cast()
    post = write(c.author, c.space)
    with events() as sent:
        actions.do_lock_post(user=c.author, post=post)
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "post_locked")]
    with pytest.raises(ActionError) as refused:
        actions.do_update_post(user=c.manager, post=post, title="Overschreven")
    assert refused.value.status == 423
    actions.do_update_post(user=c.author, post=post, title="Mijn eigen")
    actions.do_unlock_post(user=c.author, post=post)
    actions.do_update_post(user=c.manager, post=post, title="Nu wel")


@pytest.mark.parametrize(
    ("go_live", "expire", "code"),
    [
        (-1, None, "schedule_in_past"),
        (2, 1, "expiry_before_go_live"),
        (None, -1, "expiry_before_go_live"),
    ],
)
def test_a_bad_schedule_is_refused_with_a_clear_422(cast, go_live, expire, code):
    c = cast()
    post = actions.do_create_post(user=c.author, space=c.space, title="Later")
    now = timezone.now()

    def at(hours):
        return None if hours is None else now + timedelta(hours=hours)

    with pytest.raises(ActionError) as refused:
        actions.do_publish_post(user=c.author, post=post, go_live_at=at(go_live), expire_at=at(expire))
    assert (refused.value.status, refused.value.code) == (422, code)


def test_a_scheduled_post_goes_live_when_the_task_runs_and_expires_later(cast, events):
    from blogs.tasks import publish_scheduled_posts

    c = cast()
    post = actions.do_create_post(user=c.author, space=c.space, title="Straks")
    go_live = timezone.now() + timedelta(hours=1)
    with events() as sent:
        post = actions.do_publish_post(
            user=c.author, post=post, go_live_at=go_live, expire_at=go_live + timedelta(days=1)
        )
    assert not post.live and sent == []
    assert publish_scheduled_posts() == {"published": 0, "expired": 0}
    from wagtail.models import Revision

    # The clock moves on: the scheduled time is now just past.
    scheduled = Revision.objects.get(object_id=str(post.pk), approved_go_live_at__isnull=False)
    past = timezone.now() - timedelta(seconds=1)
    scheduled.content["go_live_at"] = past.isoformat()
    scheduled.approved_go_live_at = past
    scheduled.save(update_fields=["content", "approved_go_live_at"])
    with events() as sent:
        assert publish_scheduled_posts() == {"published": 1, "expired": 0}
    post.refresh_from_db()
    assert post.live
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "post_published")]
    Post.objects.filter(pk=post.pk).update(expire_at=timezone.now() - timedelta(seconds=1))
    assert publish_scheduled_posts() == {"published": 0, "expired": 1}
    post.refresh_from_db()
    assert not post.live and post.expired


def test_rich_text_is_sanitised_by_wagtails_whitelist(cast):
    c = cast()
    body = (
        '<p onclick="x()">Hoi<script>alert(1)</script> <a href="javascript:alert(1)">j</a> '
        '<a href="https://example.org" onmouseover="y()">ok</a></p><iframe src="https://evil.example"></iframe>'
    )
    post = actions.do_create_post(user=c.author, space=c.space, title="T", body=body)
    post.refresh_from_db()
    for bad in ("<script", "onclick", "onmouseover", "javascript:", "<iframe"):
        assert bad not in post.body
    assert '<a href="https://example.org">ok</a>' in post.body


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": "x" * 201}, "title_too_long"),
        ({"title": "  "}, "title_required"),
        ({"title": "T", "summary": "s" * 501}, "summary_too_long"),
        ({"title": "T", "visibility": "everyone"}, "bad_visibility"),
        ({"title": "T", "themes": [999999]}, "bad_theme"),
        ({"title": "T", "colour": "red"}, "bad_field"),
    ],
)
def test_bad_post_input_is_a_422_with_a_code(cast, fields, code):
    c = cast()
    with pytest.raises(ActionError) as refused:
        actions.do_create_post(user=c.author, space=c.space, **fields)
    assert (refused.value.status, refused.value.code) == (422, code)
    assert not Post.objects.exists()


def test_a_cover_without_alt_text_is_refused(cast):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # a transactional test before this one flushed it
        Collection.add_root(name="Root")
    c = cast()
    image = get_image_model().objects.create(title="Dak", file=get_test_image_file())
    with pytest.raises(ActionError) as refused:
        actions.do_create_post(user=c.author, space=c.space, title="T", cover=image)
    assert refused.value.code == "alt_required"
    post = actions.do_create_post(
        user=c.author, space=c.space, title="T", cover=image, cover_alt="Een groen dak"
    )
    assert post.cover_id == image.pk


def test_a_comment_a_reply_and_a_mention_notify_the_right_people(cast, write, events):
    c = cast()
    post = write(c.author, c.space, title="Pilot")
    with events() as sent:
        comment = actions.do_add_comment(user=c.member, post=post, body="Mooi! @Anna wat vond jij?")
    groups = [g for g, _e in sent]
    assert groups == [f"blog.post.{post.pk}", f"user.{c.author.pk}"]
    assert sent[1][1]["verb"] == "blog.mentioned"  # one notification: the mention, not also "a comment"
    with events() as sent:
        actions.do_add_comment(user=c.author, post=post, body="Dank je", parent=comment)
    assert [g for g, _e in sent] == [f"blog.post.{post.pk}", f"user.{c.member.pk}"]
    assert sent[1][1]["verb"] == "blog.reply"
    post.refresh_from_db()
    assert post.comment_count == 2


def test_replies_are_one_level_deep(cast, write):
    c = cast()
    post = write(c.author, c.space)
    top = actions.do_add_comment(user=c.member, post=post, body="Eén")
    reply = actions.do_add_comment(user=c.author, post=post, body="Twee", parent=top)
    with pytest.raises(ActionError) as refused:
        actions.do_add_comment(user=c.member, post=post, body="Drie", parent=reply)
    assert refused.value.code == "nested_reply"


def test_no_comment_on_a_closed_a_draft_or_a_deleted_post(cast, write, events):
    c = cast()
    post = write(c.author, c.space)
    with events() as sent:
        actions.do_close_comments(user=c.author, post=post)
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "comments_closed")]
    with pytest.raises(ActionError) as refused:
        actions.do_add_comment(user=c.member, post=post, body="Toch nog")
    assert (refused.value.status, refused.value.code) == (409, "comments_closed")
    with pytest.raises(PermissionDenied):
        actions.do_close_comments(user=c.member, post=post, closed=False)
    draft = write(c.author, c.space, publish=False)
    with pytest.raises(Http404):  # a member may not even see it
        actions.do_add_comment(user=c.member, post=draft, body="Hallo")
    with pytest.raises(ActionError):
        actions.do_add_comment(user=c.author, post=draft, body="Hallo")
    gone = write(c.author, c.space)
    actions.do_delete_post(user=c.author, post=gone)
    with pytest.raises(Post.DoesNotExist):
        actions.do_add_comment(user=c.member, post=gone, body="Hallo")


def test_comment_edits_keep_history_within_the_time_limit(cast, write, events):
    c = cast()
    post = write(c.author, c.space)
    comment = actions.do_add_comment(user=c.member, post=post, body="Eerst")
    with pytest.raises(PermissionDenied):
        actions.do_edit_comment(user=c.author, comment=comment, body="Niet van mij")
    with events() as sent:
        actions.do_edit_comment(user=c.member, comment=comment, body="Daarna")
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "comment_updated")]
    assert list(comment.revisions.values_list("body", flat=True)) == ["Eerst"]
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ActionError) as refused:
        actions.do_edit_comment(user=c.member, comment=comment, body="Te laat")
    assert refused.value.code == "edit_window_passed"
    with events() as sent:
        actions.do_delete_comment(user=c.member, comment=comment)
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "comment_deleted")]


def test_reactions_are_counted_once_per_person(cast, write, events):
    c = cast()
    post = write(c.author, c.space)
    comment = actions.do_add_comment(user=c.member, post=post, body="Hoi")
    with events() as sent:
        actions.do_react(user=c.author, comment=comment, emoji="👍")
    actions.do_react(user=c.author, comment=comment, emoji="👍")
    actions.do_react(user=c.manager, comment=comment, emoji="👍")
    assert kinds(sent) == [(f"blog.post.{post.pk}", "blog", "reactions")]
    assert actions.reaction_counts(comment.pk) == {"👍": 2}
    with pytest.raises(ActionError):
        actions.do_react(user=c.author, comment=comment, emoji="<script>")


def test_a_reported_comment_is_resolved_from_the_space_queue_with_the_audit_log_and_sanctions(
    cast, write, events
):
    from doeplein.moderation.models import AuditEntry, Sanction
    from doeplein.plugins import report_sources

    c = cast()
    post = write(c.author, c.space)
    comment = actions.do_add_comment(user=c.member, post=post, body="Onaardig")
    with events() as sent:
        report = actions.do_report_comment(user=c.author, comment=comment, reason="Beledigend")
    assert (
        kinds(sent) == [(f"blog.post.{post.pk}", "blog", "comment_reported")]
        and sent[0][1]["moderators_only"]
    )
    source = report_sources()["blogs"]
    queue = source.open_reports(c.manager, c.space)
    assert [(item.id, item.reason) for item in queue] == [(report.pk, "Beledigend")]
    with pytest.raises(Http404):
        source.resolve(c.member, report.pk, "hidden", "")
    with events() as sent:
        source.resolve(c.manager, report.pk, "sanctioned", "")
    groups = [g for g, _e in sent]
    assert f"blog.post.{post.pk}" in groups and f"access.{c.member.pk}" in groups
    comment.refresh_from_db()
    assert comment.state == Comment.State.HIDDEN
    assert CommentReport.objects.get(pk=report.pk).status == "sanctioned"
    assert Sanction.objects.filter(user=c.member, kind="mute", room__space=c.space).exists()
    assert {"blog_comment.reported", "blog_comment.hidden", "user.mute", "blog_report.sanctioned"} <= set(
        AuditEntry.objects.filter(space=c.space).values_list("action", flat=True)
    )
    with pytest.raises(ActionError) as refused:  # the mute counts for blog comments too
        actions.do_add_comment(user=c.member, post=post, body="Nog eens")
    assert refused.value.code == "sanction_mute"


def test_review_workflow_approve_and_request_changes(cast):
    from blogs.models import BlogSettings

    c = cast()
    BlogSettings.objects.create(space=c.space, review_required=True)
    post = actions.do_create_post(user=c.author, space=c.space, title="Ter review")
    with pytest.raises(ActionError) as refused:
        actions.do_publish_post(user=c.author, post=post)
    assert refused.value.code == "review_required"
    actions.do_submit_for_review(user=c.author, post=post)
    post = Post.objects.get(pk=post.pk)
    assert post.workflow_in_progress
    with pytest.raises(Http404):  # a draft shared for review is for managers: a member may not see it
        actions.do_review(user=c.member, post=post, decision="approve")
    with pytest.raises(ActionError):
        actions.do_review(user=c.manager, post=post, decision="reject", comment="")
    actions.do_review(user=c.manager, post=post, decision="reject", comment="Graag een samenvatting")
    post = Post.objects.get(pk=post.pk)
    assert not post.live and not post.workflow_in_progress
    actions.do_submit_for_review(user=c.author, post=post)
    actions.do_review(user=c.manager, post=Post.objects.get(pk=post.pk), decision="approve")
    post = Post.objects.get(pk=post.pk)
    assert post.live
    from doeplein.notifications.models import Notification

    assert set(Notification.objects.filter(recipient=c.author).values_list("verb", flat=True)) == {
        "blog.review_reject",
        "blog.review_approve",
    }


def test_profile_posts_live_on_the_authors_own_blog(make_user):
    from doeplein.access import can

    author, other = make_user(), make_user()
    post = actions.do_create_post(user=author, space=None, title="Mijn blog")
    assert post.space.kind == "profile"
    with pytest.raises(PermissionDenied):
        actions.do_create_post(user=other, space=post.space, title="Niet van jou")
    actions.do_publish_post(user=author, post=post)
    assert can(other, "view", Post.objects.get(pk=post.pk))
    actions.do_add_comment(user=other, post=Post.objects.get(pk=post.pk), body="Leuk")

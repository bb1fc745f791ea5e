"""Every change to a post, a comment, a reaction or a follow is one of these: ``check_*`` authorises
and validates (raises), ``do_*`` writes in a transaction, records activity, notifies and broadcasts
after commit. Pages, the API, the websocket consumer and the Celery tasks call them.

Live events go to the post's channel group (:func:`post_group`) as ``{"kind": "blog", "frame": …}``;
frames meant for moderators only carry ``"moderators_only": True``. Notifications go through
``doeplein.notifications.actions.do_notify`` (its own event to the recipient's group).
"""

import re
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from doeplein.access import can
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError
from doeplein.live import access_changed_on_commit, send_event_on_commit
from doeplein.notifications.actions import do_notify
from doeplein.spaces.actions import do_ensure_own_space
from doeplein.spaces.models import Membership, Role, Visibility

from . import richtext
from .models import (
    PROFILE_KIND,
    SUMMARY_MAX,
    TITLE_MAX,
    BlogSettings,
    Comment,
    CommentReaction,
    CommentReport,
    CommentRevision,
    Follow,
    Post,
    PostVisibility,
)
from .permissions import gate_checked

COMMENT_MAX = 5000
COMMENT_EDIT_WINDOW = timedelta(minutes=15)
MAX_ATTACHMENTS = 20
ALLOWED_REACTIONS = ("👍", "❤️", "🎉", "😄", "🤔", "👀", "✅", "🙏")
MAX_MENTIONS = 20
MAX_TAGS = 20


class BlogError(ActionError):
    """A refusal with a clear message and its 4xx status."""


def post_group(post_id):
    return f"blog.post.{post_id}"


def _active(user):
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and not getattr(user, "is_deleted", False)
    )


def sanitise_body(html):
    """Rich text through Wagtail's whitelister and contentstate converter for the post's features:
    scripts, event handlers, ``javascript:`` links and iframes do not survive it (``blogs.richtext``)."""
    return richtext.sanitise_body(html)


def broadcast(post, frame, moderators_only=False):
    send_event_on_commit(
        post_group(post.pk), {"kind": "blog", "frame": frame, "moderators_only": moderators_only}
    )


def _lock_post(post):
    """Lock the post's row for the rest of the transaction and return it fresh: edits, restores and
    publications of one post happen one after another, so no revision is lost."""
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("space", "latest_revision")
        .get(pk=post.pk)
    )


# --- Spaces a person writes in ------------------------------------------------------------------
def profile_space(user):
    """A person's own blog: a public space of kind ``profile`` they own, created on first use."""
    name = _("Blog of %(name)s") % {"name": user.display_name}
    return do_ensure_own_space(user=user, kind=PROFILE_KIND, name=name, visibility=Visibility.PUBLIC)


def profile_owner_id(space):
    if space.kind != PROFILE_KIND:
        return None
    return Membership.objects.filter(space=space, role=Role.OWNER).values_list("user_id", flat=True).first()


def space_requires_review(space):
    return BlogSettings.objects.filter(space=space, review_required=True).exists()


# --- Validation ---------------------------------------------------------------------------------
FIELDS = (
    "attachments",
    "title",
    "summary",
    "body",
    "cover",
    "cover_alt",
    "themes",
    "tags",
    "visibility",
    "go_live_at",
    "expire_at",
)


def clean_post_fields(fields, *, partial=False, post=None):
    """Check and normalise what a form or the API sends. Raises :class:`BlogError` (422)."""
    cleaned = {}
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise BlogError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="bad_field",
            status=422,
        )
    if "title" in fields or not partial:
        title = (fields.get("title") or "").strip()
        if not title:
            raise BlogError(_("Give the post a title."), code="title_required", status=422)
        if len(title) > TITLE_MAX:
            raise BlogError(
                _("A title is at most %(n)d characters.") % {"n": TITLE_MAX},
                code="title_too_long",
                status=422,
            )
        cleaned["title"] = title
    if "summary" in fields:
        summary = (fields.get("summary") or "").strip()
        if len(summary) > SUMMARY_MAX:
            raise BlogError(
                _("A summary is at most %(n)d characters.") % {"n": SUMMARY_MAX},
                code="summary_too_long",
                status=422,
            )
        cleaned["summary"] = summary
    if "body" in fields:
        body = fields.get("body") or ""
        if len(body) > richtext.BODY_HTML_MAX:
            raise BlogError(_("The text is too long."), code="body_too_long", status=422)
        cleaned["body"] = sanitise_body(body)
    if "visibility" in fields:
        if fields["visibility"] not in PostVisibility.values:
            raise BlogError(_("Unknown visibility."), code="bad_visibility", status=422)
        cleaned["visibility"] = fields["visibility"]
    if "cover" in fields:
        cleaned["cover"] = fields["cover"]
    if "cover_alt" in fields:
        alt = (fields.get("cover_alt") or "").strip()
        if len(alt) > 250:
            raise BlogError(
                _("An image description is at most 250 characters."), code="alt_too_long", status=422
            )
        cleaned["cover_alt"] = alt
    cover = cleaned["cover"] if "cover" in cleaned else (post.cover if post is not None else None)
    alt = cleaned["cover_alt"] if "cover_alt" in cleaned else (post.cover_alt if post is not None else "")
    if cover is not None and not alt:
        raise BlogError(
            _("Describe the cover image for people who cannot see it."), code="alt_required", status=422
        )
    if "tags" in fields:
        tags = []
        for tag in fields.get("tags") or []:
            tag = str(tag).strip()
            if not tag:
                continue
            if len(tag) > 100:
                raise BlogError(_("A tag is at most 100 characters."), code="tag_too_long", status=422)
            if tag.lower() not in [t.lower() for t in tags]:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise BlogError(
                _("A post has at most %(n)d tags.") % {"n": MAX_TAGS}, code="too_many_tags", status=422
            )
        cleaned["tags"] = tags
    if "themes" in fields:
        from doeplein.home.models import Theme

        ids = [int(i) for i in fields.get("themes") or [] if str(i).isdigit() and len(str(i)) < 19]
        themes = list(Theme.objects.filter(pk__in=ids))
        if len(themes) != len(set(ids)):
            raise BlogError(_("Unknown theme."), code="bad_theme", status=422)
        cleaned["themes"] = themes
    for name in ("go_live_at", "expire_at"):
        if name in fields:
            cleaned[name] = fields[name]
    if "attachments" in fields:
        cleaned["attachments"] = fields["attachments"]  # checked against the user in clean_attachments
    return cleaned


def clean_attachments(*, user, space, keys, keep=()):
    """The attachment keys a post may hold: each one something ``user`` may see in the post's own
    space, offered by a ``doeplein_attachment_sources`` source (the files plugin: a file they may
    download). ``keep``: keys already on the post, which an editor may leave in place."""
    from doeplein.plugins import attachment

    if not isinstance(keys, list | tuple):
        raise BlogError(_("Attachments are a list."), code="bad_attachment", status=422)
    cleaned = []
    for key in keys:
        key = str(key).strip()
        if not key or key in cleaned:
            continue
        if len(key) > 100:
            raise BlogError(_("Unknown attachment."), code="bad_attachment", status=422)
        cleaned.append(key)
    if len(cleaned) > MAX_ATTACHMENTS:
        raise BlogError(
            _("A post has at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS},
            code="too_many_attachments",
            status=422,
        )
    for key in cleaned:
        if key in keep:
            continue
        found = attachment(user, key)
        if found is None or found.space_id != space.pk:
            raise BlogError(
                _("You can only attach files you may see in this space."), code="bad_attachment", status=422
            )
    return cleaned


def check_schedule(go_live_at, expire_at):
    now = timezone.now()
    if go_live_at is not None and go_live_at <= now:
        raise BlogError(
            _("The publication time is in the past: choose a later time, or publish now."),
            code="schedule_in_past",
            status=422,
        )
    if expire_at is not None and expire_at <= (go_live_at or now):
        raise BlogError(
            _("The end time must come after the publication time."), code="expiry_before_go_live", status=422
        )


def _apply(obj, cleaned):
    for name, value in cleaned.items():
        if name == "tags":
            obj.tags.set(value)
        elif name == "themes":
            obj.themes.set(value)
        else:
            setattr(obj, name, value)


# --- Posts --------------------------------------------------------------------------------------
def check_create_post(*, user, space):
    if not _active(user):
        raise PermissionDenied(_("Log in to write a post."))
    if space.kind == PROFILE_KIND:
        if profile_owner_id(space) != user.pk:
            raise PermissionDenied(_("You can only write on your own blog."))
        return
    if not can(user, "view", space):
        raise Http404
    if not can(user, "contribute", space):
        raise PermissionDenied(_("Only members can write posts here."))


@transaction.atomic
def do_create_post(*, user, space=None, **fields):
    """A new draft in ``space`` (the person's own blog when None), with its first revision."""
    if space is None:
        space = profile_space(user)
    check_create_post(user=user, space=space)
    cleaned = clean_post_fields(fields)
    if "attachments" in cleaned:
        cleaned["attachments"] = clean_attachments(user=user, space=space, keys=cleaned["attachments"])
    post = Post(space=space, author=user, live=False)
    go_live_at, expire_at = cleaned.pop("go_live_at", None), cleaned.pop("expire_at", None)
    if go_live_at or expire_at:
        check_schedule(go_live_at, expire_at)
    _apply(post, cleaned)
    post.go_live_at, post.expire_at = go_live_at, expire_at
    post.save()
    post.save_revision(user=user, log_action=True)
    return post


def check_change_post(*, user, post):
    if not can(user, "view", post):
        raise Http404
    if not can(user, "change", post):
        raise PermissionDenied(_("Only the author and the space's managers can change this post."))
    lock = post.get_lock()
    if lock is not None and lock.for_user(user):
        raise BlogError(
            _("Someone else is editing this post. Try again when they are done."), code="locked", status=423
        )


@transaction.atomic
def do_update_post(*, user, post, base_revision_id=None, **fields):
    """Save changes as a new revision. ``base_revision_id``: the revision the editor started from; if
    someone saved a newer one since, the change is refused (409) instead of silently replacing it."""
    post = _lock_post(post)
    check_change_post(user=user, post=post)
    if base_revision_id is not None and post.latest_revision_id != base_revision_id:
        raise BlogError(
            _(
                "Someone saved a newer version of this post while you were editing. "
                "Open it again to see their changes."
            ),
            code="stale_revision",
            status=409,
        )
    cleaned = clean_post_fields(fields, partial=True, post=post)
    obj = post.get_latest_revision_as_object() if post.live else post
    if "attachments" in cleaned:
        cleaned["attachments"] = clean_attachments(
            user=user, space=post.space, keys=cleaned["attachments"], keep=obj.attachments or []
        )
    _apply(obj, cleaned)
    if not post.live:
        obj.save()
    revision = obj.save_revision(user=user, log_action=True)
    if post.live:
        broadcast(post, {"type": "post_draft_saved", "post": post.pk}, moderators_only=True)
    return obj, revision


def check_publish_post(*, user, post):
    check_change_post(user=user, post=post)
    if space_requires_review(post.space) and not can(user, "moderate", post.space):
        raise BlogError(
            _("Posts in this space are reviewed first: submit it for review."),
            code="review_required",
            status=409,
        )


@transaction.atomic
def do_publish_post(*, user, post, go_live_at=None, expire_at=None):
    """Publish the latest revision now, or schedule it (``go_live_at`` in the future)."""
    post = _lock_post(post)
    check_publish_post(user=user, post=post)
    check_schedule(go_live_at, expire_at)
    obj = post.get_latest_revision_as_object()
    obj.go_live_at, obj.expire_at = go_live_at, expire_at
    revision = obj.save_revision(user=user)
    return _publish_revision(revision, user=user)


def _publish_revision(revision, *, user):
    live_visibility = Post.objects.filter(pk=revision.object_id, live=True).values_list(
        "visibility", flat=True
    )
    was_live = live_visibility.exists()
    before = live_visibility.first()
    first = not Post.objects.filter(pk=revision.object_id, first_published_at__isnull=False).exists()
    revision.publish(user=user if _active(user) else None, skip_permission_checks=True)
    post = Post.objects.select_related("space", "author").get(pk=revision.object_id)
    if not post.live:  # scheduled: nothing is public yet
        return post
    if was_live and post.visibility != before:
        # The live post's audience changed: its open sockets re-read their verdict (and close if gone).
        access_changed_on_commit(groups=[post_group(post.pk)], reason="post_visibility")
    _published(post, actor=user if _active(user) else post.author, first=first and not was_live)
    return post


def _activity_audience(post):
    # Inside a space the gate decides who sees activity; a post narrower than its space records its
    # activity for its author only, so the stream never tells more than the post page would.
    return "logged_in" if post.visibility == PostVisibility.SPACE else "only_me"


def _published(post, *, actor, first):
    record(
        actor=actor,
        verb="blog.published" if first else "blog.updated",
        target=post,
        space=post.space,
        audience=_activity_audience(post),
    )
    broadcast(post, {"type": "post_published", "post": post.pk})
    if first:
        _notify_followers_of_new_post(post)


def _notify_followers_of_new_post(post):
    from doeplein.accounts.models import User

    follows = Follow.objects.filter(space=post.space) | Follow.objects.filter(person_id=post.author_id)
    ids = set(follows.values_list("user_id", flat=True)) - {post.author_id}
    for person in User.objects.filter(pk__in=ids, is_active=True):
        if can(person, "view", post):  # never tell someone about a post they may not read
            do_notify(
                recipient=person,
                verb="blog.new_post",
                message=_("New post: %(title)s") % {"title": post.title},
                url=post.get_absolute_url(),
            )


@transaction.atomic
def do_publish_scheduled(*, revision_id):
    """Publish a revision whose time has come (called by the beat task). Idempotent."""
    from wagtail.models import Revision

    revision = Revision.objects.filter(pk=revision_id, approved_go_live_at__lte=timezone.now()).first()
    if revision is None:
        return None
    _lock_post(Post(pk=revision.object_id))
    return _publish_revision(revision, user=None)


@transaction.atomic
def do_expire_post(*, post_id):
    post = (
        Post.objects.select_for_update(of=("self",))
        .filter(pk=post_id, live=True, expire_at__lte=timezone.now())
        .first()
    )
    if post is None:
        return None
    post.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
    broadcast(post, {"type": "post_unpublished", "post": post.pk})
    return post


@transaction.atomic
def do_unpublish_post(*, user, post):
    post = _lock_post(post)
    check_change_post(user=user, post=post)
    if not post.live:
        raise BlogError(_("This post is not published."), code="not_live", status=409)
    post.unpublish(user=user)
    broadcast(post, {"type": "post_unpublished", "post": post.pk})
    return post


@transaction.atomic
def do_restore_revision(*, user, post, revision_id, base_revision_id=None):
    """Make an earlier revision the latest again: a new revision with its content (nothing is lost)."""
    post = _lock_post(post)
    check_change_post(user=user, post=post)
    if base_revision_id is not None and post.latest_revision_id != base_revision_id:
        raise BlogError(
            _("Someone saved a newer version of this post meanwhile. Look at the history again."),
            code="stale_revision",
            status=409,
        )
    old = post.revisions.filter(pk=revision_id).first() if str(revision_id).isdigit() else None
    if old is None:
        raise BlogError(_("No such revision of this post."), code="no_revision", status=404)
    obj = old.as_object()
    obj.go_live_at = obj.expire_at = None
    if not post.live:
        obj.save()
    revision = obj.save_revision(user=user, log_action=True, previous_revision=old)
    return obj, revision


def check_lock(*, user, post):
    if not can(user, "change", post):
        raise Http404 if not can(user, "view", post) else PermissionDenied(_("You cannot edit this post."))


@transaction.atomic
def do_lock_post(*, user, post):
    """Take the edit lock (others cannot save until it is released)."""
    post = _lock_post(post)
    check_lock(user=user, post=post)
    if post.locked and post.locked_by_id != user.pk:
        raise BlogError(_("Someone else is editing this post."), code="locked", status=423)
    post.locked, post.locked_by, post.locked_at = True, user, timezone.now()
    post.save(update_fields=["locked", "locked_by", "locked_at"])
    broadcast(post, {"type": "post_locked", "post": post.pk, "by": user.display_name}, moderators_only=True)
    return post


@transaction.atomic
def do_unlock_post(*, user, post):
    post = _lock_post(post)
    check_lock(user=user, post=post)
    if post.locked and post.locked_by_id != user.pk and not can(user, "moderate", post.space):
        raise BlogError(
            _("Only the person editing or a manager can release the lock."), code="locked", status=423
        )
    post.locked, post.locked_by, post.locked_at = False, None, None
    post.save(update_fields=["locked", "locked_by", "locked_at"])
    broadcast(post, {"type": "post_unlocked", "post": post.pk}, moderators_only=True)
    return post


@transaction.atomic
def do_close_comments(*, user, post, closed=True):
    post = _lock_post(post)
    if not can(user, "view", post):
        raise Http404
    if not can(user, "change", post):
        raise PermissionDenied(_("Only the author and the space's managers can close comments."))
    Post.objects.filter(pk=post.pk).update(comments_closed=closed)
    post.comments_closed = closed
    broadcast(post, {"type": "comments_closed" if closed else "comments_opened", "post": post.pk})
    return post


@transaction.atomic
def do_delete_post(*, user, post):
    post = _lock_post(post)
    check_change_post(user=user, post=post)
    broadcast(post, {"type": "post_deleted", "post": post.pk})
    post.delete()


# --- Review (Wagtail workflows) ----------------------------------------------------------------
@transaction.atomic
def do_submit_for_review(*, user, post):
    post = _lock_post(post)
    check_change_post(user=user, post=post)
    workflow = post.get_workflow()
    if workflow is None:
        raise BlogError(
            _("Posts in this space are not reviewed: publish it yourself."), code="no_review", status=409
        )
    if post.workflow_in_progress:
        raise BlogError(_("This post is already waiting for review."), code="in_review", status=409)
    # A draft shared for review is for the space's managers (and its author) only.
    obj = post.get_latest_revision_as_object()
    state = post.current_workflow_state
    if state is not None and state.status == state.STATUS_NEEDS_CHANGES:
        state.resume(user)  # the same review goes on, with the author's new revision
    else:
        workflow.start(obj, user)
    _notify_managers(
        post, _("%(name)s asks you to review: %(title)s") % {"name": user.display_name, "title": post.title}
    )
    return post


def _notify_managers(post, message):
    from doeplein.accounts.models import User

    ids = Membership.objects.filter(space=post.space, role__gte=Role.COMMUNITY_MANAGER).values_list(
        "user_id", flat=True
    )
    for person in User.objects.filter(pk__in=list(ids), is_active=True).exclude(pk=post.author_id):
        do_notify(
            recipient=person, verb="blog.review_requested", message=message, url=post.get_absolute_url()
        )


@transaction.atomic
def do_review(*, user, post, decision, comment=""):
    """A manager approves (the post is published) or asks for changes, with a comment."""
    post = _lock_post(post)
    if not can(user, "view", post):
        raise Http404
    if not can(user, "moderate", post.space):
        raise PermissionDenied(_("Only the space's managers review posts."))
    if decision not in ("approve", "reject"):
        raise BlogError(_("Approve or ask for changes."), code="bad_decision", status=422)
    task_state = post.current_workflow_task_state
    if task_state is None:
        raise BlogError(_("This post is not waiting for review."), code="not_in_review", status=409)
    comment = (comment or "").strip()[:1000]
    if decision == "reject" and not comment:
        raise BlogError(_("Say what should change."), code="comment_required", status=422)
    first = post.first_published_at is None
    if decision == "approve":
        # Wagtail's workflow publishes when the last task approves and asks the model's permission
        # policy first; the gate has just said yes for this post (see blogs.permissions).
        with gate_checked():
            task_state.approve(user=user, comment=comment)
        post.refresh_from_db()
        if post.live:
            _published(post, actor=user, first=first)
    else:
        task_state.reject(user=user, comment=comment)
    if post.author_id:
        text = (
            _("Your post was approved: %(title)s")
            if decision == "approve"
            else _("Changes requested for your post: %(title)s")
        ) % {"title": post.title}
        do_notify(
            recipient=post.author, verb=f"blog.review_{decision}", message=text, url=post.get_absolute_url()
        )
    return post


@transaction.atomic
def do_set_blog_settings(*, user, space, review_required):
    if not can(user, "manage", space):
        raise (
            Http404
            if not can(user, "view", space)
            else PermissionDenied(_("Only the space's owners decide this."))
        )
    settings_row, _created = BlogSettings.objects.update_or_create(
        space=space, defaults={"review_required": bool(review_required)}
    )
    return settings_row


# --- Comments ------------------------------------------------------------------------------------
def comment_frame(comment, for_moderator=False):
    shown = comment.state == Comment.State.VISIBLE or for_moderator
    return {
        "type": "comment",
        "id": comment.pk,
        "post": comment.post_id,
        "parent": comment.parent_id,
        "author": comment.author.display_name if comment.author else None,
        "author_id": comment.author_id,
        "body": comment.body if shown else "",
        "state": comment.state,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
    }


def _sanction_room(space):
    from doeplein.discussion.actions import get_or_create_room

    return get_or_create_room(space=space)


def active_sanction(user, space):
    """A mute or ban the person has in the space's discussion counts for its blog comments too: one
    set of sanctions per space."""
    from django.db.models import Q

    from doeplein.moderation.models import Sanction

    now = timezone.now()
    return (
        Sanction.objects.filter(
            room__space=space, room__target_type__isnull=True, user=user, lifted_at__isnull=True
        )
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by("-created_at")
        .first()
    )


def check_comment(*, user, post, body, parent=None):
    check_may_comment(user=user, post=post, parent=parent)
    body = (body or "").strip()
    if not body:
        raise BlogError(_("Write something first."), code="empty", status=422)
    if len(body) > COMMENT_MAX:
        raise BlogError(
            _("A comment is at most %(n)d characters.") % {"n": COMMENT_MAX}, code="too_long", status=422
        )
    return body


def check_may_comment(*, user, post, parent=None):
    """May ``user`` comment on ``post`` (or reply to ``parent``) at all, whatever they write."""
    if not _active(user):
        raise PermissionDenied(_("Log in to comment."))
    if not can(user, "view", post):
        raise Http404
    if not post.live:
        raise BlogError(_("Comments open once the post is published."), code="not_published", status=409)
    if post.comments_closed:
        raise BlogError(_("Comments on this post are closed."), code="comments_closed", status=409)
    if post.space.kind != PROFILE_KIND and not can(user, "contribute", post.space):
        raise PermissionDenied(_("Only members of the space can comment."))
    sanction = active_sanction(user, post.space)
    if sanction is not None:
        raise BlogError(
            _("You cannot comment here at the moment."), code=f"sanction_{sanction.kind}", status=403
        )
    if parent is not None:
        if parent.post_id != post.pk or parent.state == Comment.State.DELETED:
            raise BlogError(_("You can only reply to a comment on this post."), code="bad_parent", status=422)
        if parent.parent_id is not None:
            raise BlogError(
                _("Replies go one level deep: reply to the first comment."), code="nested_reply", status=422
            )


@transaction.atomic
def do_add_comment(*, user, post, body, parent=None, mentions=()):
    post = _lock_post(post)  # a comment racing "close comments" or "delete" sees the final state
    body = check_comment(user=user, post=post, body=body, parent=parent)
    comment = Comment.objects.create(post=post, parent=parent, author=user, body=body)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    record(
        actor=user, verb="blog.commented", target=post, space=post.space, audience=_activity_audience(post)
    )
    broadcast(post, comment_frame(comment))
    _notify_comment(comment, post, parent, mentions)
    Follow.objects.get_or_create(user=user, post=post)
    return comment


def _notify_comment(comment, post, parent, mentions):
    from doeplein.accounts.models import User

    url = post.get_absolute_url() + f"#comment-{comment.pk}"
    told = {comment.author_id}
    mentioned = _mentioned(comment, post, mentions) - told
    for person in User.objects.filter(pk__in=list(mentioned)[:MAX_MENTIONS], is_active=True):
        if can(person, "view", post):
            do_notify(
                recipient=person,
                verb="blog.mentioned",
                url=url,
                message=_("%(name)s mentioned you on %(title)s")
                % {"name": comment.author.display_name, "title": post.title},
            )
            told.add(person.pk)
    if parent is not None and parent.author_id and parent.author_id not in told:
        do_notify(
            recipient=parent.author,
            verb="blog.reply",
            url=url,
            message=_("%(name)s replied to your comment on %(title)s")
            % {"name": comment.author.display_name, "title": post.title},
        )
        told.add(parent.author_id)
    if post.author_id and post.author_id not in told:
        do_notify(
            recipient=post.author,
            verb="blog.comment",
            url=url,
            message=_("%(name)s commented on your post %(title)s")
            % {"name": comment.author.display_name, "title": post.title},
        )
        told.add(post.author_id)
    followers = set(Follow.objects.filter(post=post).values_list("user_id", flat=True)) - told
    for person in User.objects.filter(pk__in=list(followers)[:500], is_active=True):
        if can(person, "view", post):
            do_notify(
                recipient=person,
                verb="blog.comment",
                url=url,
                message=_("New comment on %(title)s") % {"title": post.title},
            )


def _mentioned(comment, post, explicit):
    """Who a comment mentions: ids the client sends, plus ``@Name`` of the people already in the
    conversation (the post's author and commenters), so mentions never reveal who else exists."""
    from doeplein.accounts.models import User

    ids = {int(i) for i in explicit if str(i).isascii() and str(i).isdigit() and len(str(i)) < 19}
    if "@" in comment.body:
        people = set(Comment.objects.filter(post=post).values_list("author_id", flat=True)[:500]) | {
            post.author_id
        }
        text = comment.body.lower()
        for person in User.objects.filter(pk__in=[p for p in people if p]):
            name = person.display_name.lower()
            if name and re.search(r"@" + re.escape(name) + r"(?!\w)", text):
                ids.add(person.pk)
    return ids


def _comment_for_change(user, comment):
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("post__space", "author")
        .get(pk=comment.pk)
    )
    if not can(user, "view", comment.post):
        raise Http404
    return comment


def may_edit_comment(user, comment, now=None):
    """Cheap, for pages: the comment is the user's own, visible, and still in its edit window."""
    return (
        comment.author_id == getattr(user, "pk", None)
        and comment.state == Comment.State.VISIBLE
        and (now or timezone.now()) - comment.created_at <= COMMENT_EDIT_WINDOW
    )


def check_may_edit_comment(*, user, comment):
    if comment.author_id != getattr(user, "pk", None):
        raise PermissionDenied(_("You can only edit your own comments."))
    if comment.state != Comment.State.VISIBLE:
        raise BlogError(_("This comment cannot be edited."), code="not_editable", status=409)
    if timezone.now() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise BlogError(
            _("Comments can be edited for %(n)d minutes.") % {"n": COMMENT_EDIT_WINDOW.seconds // 60},
            code="edit_window_passed",
            status=409,
        )


@transaction.atomic
def do_edit_comment(*, user, comment, body):
    comment = _comment_for_change(user, comment)
    check_may_edit_comment(user=user, comment=comment)
    body = (body or "").strip()
    if not body:
        raise BlogError(_("Write something first."), code="empty", status=422)
    if len(body) > COMMENT_MAX:
        raise BlogError(
            _("A comment is at most %(n)d characters.") % {"n": COMMENT_MAX}, code="too_long", status=422
        )
    if body == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body, comment.edited_at = body, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    broadcast(comment.post, {**comment_frame(comment), "type": "comment_updated"})
    return comment


@transaction.atomic
def do_delete_comment(*, user, comment):
    comment = _comment_for_change(user, comment)
    if comment.author_id != getattr(user, "pk", None):
        raise PermissionDenied(_("You can only delete your own comments; managers hide comments."))
    if comment.state == Comment.State.DELETED:
        return comment
    comment.state = Comment.State.DELETED
    comment.save(update_fields=["state"])
    Post.objects.filter(pk=comment.post_id, comment_count__gt=0).update(comment_count=F("comment_count") - 1)
    broadcast(comment.post, {"type": "comment_deleted", "id": comment.pk, "post": comment.post_id})
    return comment


@transaction.atomic
def do_react(*, user, comment, emoji, on=True):
    comment = Comment.objects.select_related("post__space").get(pk=comment.pk)
    if not _active(user):
        raise PermissionDenied(_("Log in to react."))
    if not can(user, "view", comment):
        raise Http404
    if emoji not in ALLOWED_REACTIONS:
        raise BlogError(_("Unknown reaction."), code="bad_reaction", status=422)
    if on:
        if comment.post.space.kind != PROFILE_KIND and not can(user, "contribute", comment.post.space):
            raise PermissionDenied(_("Only members of the space can react."))
        CommentReaction.objects.get_or_create(comment=comment, user=user, emoji=emoji)
    else:
        CommentReaction.objects.filter(comment=comment, user=user, emoji=emoji).delete()
    broadcast(comment.post, {"type": "reactions", "id": comment.pk, "reactions": reaction_counts(comment.pk)})
    return comment


def reaction_counts(comment_id):
    from django.db.models import Count

    rows = CommentReaction.objects.filter(comment_id=comment_id).values("emoji").annotate(n=Count("id"))
    return {row["emoji"]: row["n"] for row in rows}


# --- Moderation: the same review queue, sanctions and audit log as live discussion ------------------
def _audit(**kwargs):
    from doeplein.moderation.actions import audit

    return audit(**kwargs)


def check_may_report_comment(*, user, comment):
    if not _active(user):
        raise PermissionDenied(_("Log in to report a comment."))
    if not can(user, "view", comment):
        raise Http404
    if comment.author_id == user.pk:
        raise BlogError(_("You cannot report your own comment."), code="own_comment", status=409)


@transaction.atomic
def do_report_comment(*, user, comment, reason):
    if not _active(user):
        raise PermissionDenied(_("Log in to report a comment."))
    comment = Comment.objects.select_related("post__space", "author").get(pk=comment.pk)
    check_may_report_comment(user=user, comment=comment)
    reason = (reason or "").strip()
    if not reason:
        raise BlogError(_("Say why you report this comment."), code="reason_required", status=422)
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=user, reason=reason[:500])
    except IntegrityError:
        raise BlogError(
            _("You have already reported this comment."), code="duplicate_report", status=409
        ) from None
    _audit(
        actor=user,
        space=comment.post.space,
        action="blog_comment.reported",
        target_user=comment.author,
        reason=reason,
        data={"comment": comment.pk, "post": comment.post_id},
    )
    broadcast(comment.post, {"type": "comment_reported", "id": comment.pk}, moderators_only=True)
    return report


def check_may_moderate_comment(*, user, comment):
    _moderate(user, comment)


def _moderate(user, comment):
    if not can(user, "view", comment.post) or not can(user, "moderate", comment.post.space):
        raise Http404


@transaction.atomic
def do_hide_comment(*, user, comment, reason):
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("post__space", "author")
        .get(pk=comment.pk)
    )
    _moderate(user, comment)
    reason = (reason or "").strip()
    if not reason:
        raise BlogError(_("Give a reason for hiding a comment."), code="reason_required", status=422)
    if comment.state == Comment.State.VISIBLE:
        Post.objects.filter(pk=comment.post_id, comment_count__gt=0).update(
            comment_count=F("comment_count") - 1
        )
    comment.state, comment.hidden_reason = Comment.State.HIDDEN, reason[:500]
    comment.save(update_fields=["state", "hidden_reason"])
    _audit(
        actor=user,
        space=comment.post.space,
        action="blog_comment.hidden",
        target_user=comment.author,
        reason=reason,
        data={"comment": comment.pk, "post": comment.post_id},
    )
    broadcast(comment.post, {"type": "comment_hidden", "id": comment.pk, "post": comment.post_id})
    return comment


@transaction.atomic
def do_unhide_comment(*, user, comment):
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("post__space", "author")
        .get(pk=comment.pk)
    )
    _moderate(user, comment)
    if comment.state != Comment.State.HIDDEN:
        raise BlogError(_("This comment is not hidden."), code="not_hidden", status=409)
    comment.state, comment.hidden_reason = Comment.State.VISIBLE, ""
    comment.save(update_fields=["state", "hidden_reason"])
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
    _audit(
        actor=user,
        space=comment.post.space,
        action="blog_comment.unhidden",
        target_user=comment.author,
        data={"comment": comment.pk, "post": comment.post_id},
    )
    broadcast(comment.post, comment_frame(comment))
    return comment


@transaction.atomic
def do_resolve_comment_report(*, user, report_id, resolution, reason="", minutes=60):
    """Resolve from the space's review queue: hide the comment, keep it, or hide it and mute the author
    in the space (the discussion's own sanction, so one mute counts everywhere in the space)."""
    report = (
        CommentReport.objects.select_for_update(of=("self",))
        .select_related("comment__post__space", "comment__author")
        .filter(pk=report_id)
        .first()
        if str(report_id).isdigit()
        else None
    )
    if report is None:
        raise Http404
    comment = report.comment
    _moderate(user, comment)
    if report.status != CommentReport.Status.OPEN:
        raise BlogError(_("This report has already been resolved."), code="already_resolved", status=409)
    if resolution not in ("hidden", "kept", "sanctioned"):
        raise BlogError(_("Resolve as hidden, kept or sanctioned."), code="bad_value", status=422)
    why = reason or report.reason
    if resolution in ("hidden", "sanctioned") and comment.state != Comment.State.HIDDEN:
        do_hide_comment(user=user, comment=comment, reason=why)
    if resolution == "sanctioned" and comment.author:
        from doeplein.moderation.actions import do_sanction

        do_sanction(
            actor=user,
            room=_sanction_room(comment.post.space),
            user=comment.author,
            kind="mute",
            reason=why,
            minutes=minutes,
        )
    CommentReport.objects.filter(comment=comment, status=CommentReport.Status.OPEN).update(
        status=resolution, resolved_by=user, resolved_at=timezone.now()
    )
    _audit(
        actor=user,
        space=comment.post.space,
        action=f"blog_report.{resolution}",
        target_user=comment.author,
        reason=reason,
        data={"comment": comment.pk, "post": comment.post_id},
    )
    report.refresh_from_db()
    return report


# --- Follows --------------------------------------------------------------------------------------
@transaction.atomic
def do_follow(*, user, post=None, space=None, person=None, on=True):
    if not _active(user):
        raise PermissionDenied(_("Log in to follow."))
    targets = [t for t in (post, space, person) if t is not None]
    if len(targets) != 1:
        raise BlogError(_("Follow one post, space or person."), code="bad_target", status=422)
    if post is not None and not can(user, "view", post):
        raise Http404
    if space is not None and not can(user, "view", space):
        raise Http404
    if person is not None and (person.pk == user.pk or not person.is_active):
        raise BlogError(_("You cannot follow this person."), code="bad_target", status=422)
    lookup = {"user": user, "post": post, "space": space, "person": person}
    if on:
        follow, _created = Follow.objects.get_or_create(**lookup)
        return follow
    Follow.objects.filter(**lookup).delete()
    return None

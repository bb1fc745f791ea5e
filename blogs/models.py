"""Blog posts and their comments.

A post is a snippet-style model (not a Wagtail page): it lives in a space (a workspace, a group, or a
person's own blog space), and the page tree knows nothing of spaces. Wagtail's mixins give drafts,
scheduled publishing, revisions, an edit lock, previews and workflows; the row holds the live content
and the latest revision holds the draft (as Wagtail's snippet views do).

Access is the gate's: a post is guarded through its space and narrowed by its own state (see
:func:`blogs.access.post_narrow`), so every list, page, feed, API call and notification asks the same
question. A person's own blog is a space of kind ``profile`` that they own.
"""

import math
import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    Task,
    WorkflowMixin,
)

PROFILE_KIND = "profile"
# The rich text a post may hold. Wagtail's whitelister keeps these and drops everything else.
BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "blockquote"]
TITLE_MAX = 200
SUMMARY_MAX = 500
WORDS_PER_MINUTE = 220


class PostVisibility(models.TextChoices):
    """A post's audience: its space's, or a narrower one. Never wider than the space."""

    SPACE = "space", _("Everyone who may see the space")
    LOGGED_IN = "logged_in", _("Logged-in people who may see the space")
    MEMBERS = "members", _("Members of the space only")
    MANAGERS = "managers", _("Managers of the space only (for review)")


class TaggedPost(TaggedItemBase):
    content_object = ParentalKey("blogs.Post", on_delete=models.CASCADE, related_name="tagged_items")


class Post(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, ClusterableModel):
    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="blog_posts", verbose_name=_("space")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="blog_posts",
        verbose_name=_("author"),
    )
    visibility = models.CharField(
        _("who may read it"), max_length=20, choices=PostVisibility.choices, default=PostVisibility.SPACE
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX, blank=True)
    body = RichTextField(_("text"), features=BODY_FEATURES, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cover image"),
    )
    cover_alt = models.CharField(
        _("cover image description"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with a cover image."),
    )
    themes = ParentalManyToManyField(
        "home.Theme", blank=True, related_name="blog_posts", verbose_name=_("themes")
    )
    tags = ClusterTaggableManager(through=TaggedPost, blank=True, verbose_name=_("tags"))
    # Keys of things other plugins offer through ``doeplein_attachment_sources`` ("files:12"). Stored
    # as keys, never copied: each reader sees an attachment only while the gate lets them see it.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    comments_closed = models.BooleanField(_("comments closed"), default=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("cover"),
        FieldPanel("cover_alt"),
        FieldPanel("themes"),
        FieldPanel("tags"),
        FieldPanel("visibility"),
        FieldPanel("go_live_at"),
        FieldPanel("expire_at"),
    ]

    class Meta:
        verbose_name = _("blog post")
        verbose_name_plural = _("blog posts")
        indexes = [
            models.Index(fields=["space", "live", "-first_published_at", "-id"], name="post_space_newest"),
            models.Index(fields=["author", "live", "-first_published_at"], name="post_author_newest"),
            models.Index(fields=["live", "-first_published_at", "-id"], name="post_live_newest"),
            models.Index(fields=["space", "-comment_count"], name="post_space_discussed"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blogs:post", kwargs={"pk": self.pk})

    # Fields that belong to the post as a whole, not to one revision: publishing an old revision must
    # not bring back an old comment count, move the post, or reopen closed comments.
    _OBJECT_FIELDS = ("space_id", "author_id", "comment_count", "comments_closed", "created_at")

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self._OBJECT_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    def save(self, *args, **kwargs):
        self.reading_minutes = reading_minutes(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = list({*update_fields, "reading_minutes"})
        super().save(*args, **kwargs)

    # --- PreviewableMixin ------------------------------------------------------------------------
    def get_preview_template(self, request, mode_name):
        return "blogs/post_preview.html"

    def get_preview_context(self, request, mode_name):
        return {"post": self, "preview": True}

    # --- WorkflowMixin: review only in spaces whose owner asks for it --------------------------
    def get_workflow(self):
        if not BlogSettings.objects.filter(space_id=self.space_id, review_required=True).exists():
            return None
        return review_workflow()

    @property
    def is_profile_post(self):
        return self.space.kind == PROFILE_KIND


def reading_minutes(html):
    words = len(re.findall(r"\w+", strip_tags(html or "")))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


class BlogSettings(models.Model):
    """A space's blog settings, kept by its owner."""

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="blog_settings")
    review_required = models.BooleanField(
        _("posts are reviewed before publishing"),
        default=False,
        help_text=_("A community manager approves each post, or asks for changes."),
    )

    class Meta:
        verbose_name = _("blog settings")
        verbose_name_plural = _("blog settings")

    def __str__(self):
        return f"Blog settings of {self.space_id}"


class SpaceManagerApprovalTask(Task):
    """A Wagtail workflow task: a manager of the post's space (the gate's ``moderate``) approves it."""

    class Meta:
        verbose_name = _("approval by a space manager")
        verbose_name_plural = _("approvals by space managers")

    def _may_review(self, obj, user):
        from doeplein.access import can

        return isinstance(obj, Post) and can(user, "moderate", obj.space)

    def user_can_access_editor(self, obj, user):
        return self._may_review(obj, user)

    def locked_for_user(self, obj, user):
        return not self._may_review(obj, user)

    def user_can_lock(self, obj, user):
        return self._may_review(obj, user)

    def user_can_unlock(self, obj, user):
        return self._may_review(obj, user)

    def get_actions(self, obj, user):
        if self._may_review(obj, user):
            return [("reject", _("Request changes"), True), ("approve", _("Approve"), False)]
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from wagtail.models import TaskState

        return TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS, task=self.task_ptr)

    @classmethod
    def get_description(cls):
        return _("A manager of the post's space approves it")


def review_workflow():
    """The one review workflow posts use (created on first use)."""
    from wagtail.models import Workflow, WorkflowTask

    workflow = Workflow.objects.filter(name="Blog review").first()
    if workflow is None:
        workflow = Workflow.objects.create(name="Blog review", active=True)
        task = SpaceManagerApprovalTask.objects.create(name="Space manager approves", active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


class Comment(models.Model):
    class State(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by a moderator")
        DELETED = "deleted", _("Deleted by its author")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=5000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    hidden_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["post", "created_at", "id"], name="comment_post_order")]

    def __str__(self):
        return f"Comment {self.pk} on {self.post_id}"


class CommentRevision(models.Model):
    """An earlier text of an edited comment: edits keep history."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "replaced_at", "pk"]

    def __str__(self):
        return f"Revision of comment {self.comment_id}"


class CommentReaction(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user", "emoji"], name="one_comment_reaction_each")
        ]

    def __str__(self):
        return self.emoji


class CommentReport(models.Model):
    """A report on a comment. Listed in the space's review queue beside reports on chat messages."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Resolved: comment hidden")
        KEPT = "kept", _("Resolved: comment kept")
        SANCTIONED = "sanctioned", _("Resolved: author sanctioned")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=models.Q(status="open"),
                name="one_open_comment_report_each",
            )
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id}"


class Follow(models.Model):
    """Someone follows a post, a space's blog or a person's posts (exactly one of the three)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blog_follows")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="blog_followers",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(post__isnull=False, space__isnull=True, person__isnull=True)
                    | models.Q(post__isnull=True, space__isnull=False, person__isnull=True)
                    | models.Q(post__isnull=True, space__isnull=True, person__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["user", "post"], name="follow_post_once"),
            models.UniqueConstraint(fields=["user", "space"], name="follow_space_once"),
            models.UniqueConstraint(fields=["user", "person"], name="follow_person_once"),
        ]

    def __str__(self):
        return f"{self.user_id} follows"

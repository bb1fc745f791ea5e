"""Live discussion: rooms attached to a space (or to an item in it), messages with a strict sequence."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Room(models.Model):
    """A discussion. Who may read and write is the gate's answer for ``space``."""

    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="rooms", verbose_name=_("space")
    )
    # The item a plugin attached the room to (a blog post, a file); empty for the space's own room.
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    title = models.CharField(_("title"), max_length=200)
    is_locked = models.BooleanField(_("locked"), default=False)
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode (seconds between messages)"), default=0)
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("discussion room")
        verbose_name_plural = _("discussion rooms")
        constraints = [
            models.UniqueConstraint(fields=["space", "target_type", "target_id"], name="one_room_per_target"),
            # NULLs never collide in a unique index: the space's own room (no target) needs its own rule.
            models.UniqueConstraint(
                fields=["space"], condition=models.Q(target_type__isnull=True), name="one_room_per_space"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("discussion:room", kwargs={"room_id": self.pk})


class Message(models.Model):
    class State(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HELD = "held", _("Held for review")
        HIDDEN = "hidden", _("Hidden by a moderator")
        DELETED = "deleted", _("Deleted by its author")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=64)
    body = models.TextField(max_length=20_000)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE, db_index=True)
    hidden_reason = models.CharField(max_length=500, blank=True)
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_seq_unique_in_room"),
            models.UniqueConstraint(fields=["room", "author", "client_id"], name="message_client_id_once"),
        ]

    def __str__(self):
        return f"#{self.seq} in {self.room_id}"


class MessageRevision(models.Model):
    """An earlier text of an edited message: edits keep history."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["message", "replaced_at", "pk"]

    def __str__(self):
        return f"Revision of {self.message_id}"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user", "emoji"], name="one_reaction_each")]

    def __str__(self):
        return self.emoji


class Mention(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="one_mention_each")]

    def __str__(self):
        return f"@{self.user_id} in {self.message_id}"


class ReadMarker(models.Model):
    """How far a person has read in a room: unread counts come from here."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="one_read_marker")]

    def __str__(self):
        return f"{self.user_id} read {self.room_id} to {self.last_read_seq}"

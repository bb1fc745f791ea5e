"""Moderation: sanctions, reports, word filters and an audit log nobody can edit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sanction(models.Model):
    #: A sanction given, lifted or shortened changes what the person may do in the room (a ban: not even
    #: read); see ``doeplein.spaces.models.Space.ACCESS_FIELDS``.
    ACCESS_FIELDS = ("kind", "until", "lifted_at")

    class Kind(models.TextChoices):
        MUTE = "mute", _("Muted")
        BAN = "ban", _("Banned")

    room = models.ForeignKey("discussion.Room", on_delete=models.CASCADE, related_name="sanctions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    until = models.DateTimeField(null=True, blank=True, help_text=_("Empty: until lifted."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["room", "user", "kind"])]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user}"


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Resolved: message hidden")
        KEPT = "kept", _("Resolved: message kept")
        SANCTIONED = "sanctioned", _("Resolved: author sanctioned")

    message = models.ForeignKey("discussion.Message", on_delete=models.CASCADE, related_name="reports")
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
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=models.Q(status="open"),
                name="one_open_report_per_person",
            )
        ]

    def __str__(self):
        return f"Report on {self.message_id}: {self.reason[:40]}"


class WordFilter(models.Model):
    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for review")
        REFUSE = "refuse", _("Refuse")

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="word_filters")
    word = models.CharField(_("word or phrase"), max_length=100)
    action = models.CharField(_("what happens"), max_length=10, choices=Action.choices, default=Action.HOLD)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "word"], name="word_once_per_space")]
        verbose_name = _("word filter")
        verbose_name_plural = _("word filters")

    def __str__(self):
        return self.word


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The moderation audit log cannot be changed.")

    def delete(self):
        raise PermissionError("The moderation audit log cannot be changed.")


class AuditEntry(models.Model):
    """Who did what to whom, why and when. Written once; never updated or deleted."""

    space = models.ForeignKey("spaces.Space", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(
        "discussion.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.ForeignKey(
        "discussion.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.actor} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The moderation audit log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The moderation audit log cannot be changed.")

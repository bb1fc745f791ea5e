"""In-app notifications: stored as a verb with parameters, rendered when read in the reader's
language, then pushed live to the person's open pages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=64)
    # What the verb's message is filled with (names, space and room titles), as the caller gave them.
    params = models.JSONField(default=dict, blank=True)
    # Only for callers that still pass a finished text (``message=``); new code passes params.
    message = models.CharField(_("message"), max_length=500, blank=True)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text

    @property
    def text(self):
        """What the notification says, in the active language."""
        from .verbs import render

        if self.message and not self.params:
            return self.message
        return render(self.verb, self.params, fallback=self.message)

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doeplein.spaces.models import Space


class Note(models.Model):
    """A short text in a space; the gate guards it through its space."""

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="example_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="example_notes",
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return self.text[:50]


class Area(Space):
    """A kind of space with a web address, as a later plugin would bring: groups (and other plugins that
    name a parent by slug) are tested inside it, so their tests need no other plugin."""

    KIND = "area"

    slug = models.SlugField(_("web address"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def save(self, *args, **kwargs):
        self.kind = self.KIND
        super().save(*args, **kwargs)

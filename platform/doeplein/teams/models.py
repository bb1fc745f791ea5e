"""Activity profiles, the interaction graph and stored team suggestions.

Everything here is built only from what every logged-in user may see (see :mod:`doeplein.teams.profiles`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpertProfile(models.Model):
    """What a person's declared fields and visible activity say about their expertise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    document = models.TextField(blank=True)  # indexed by BM25 (candidate model), never shown
    documents = models.JSONField(default=list, blank=True)  # [{"text", "weight", "kind", "space"}]
    skills = models.JSONField(default=list, blank=True)  # declared skills and the themes worked on
    stats = models.JSONField(default=dict, blank=True)  # counts per kind, theme and space, for reasons
    activity_weight = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("activity profile")
        verbose_name_plural = _("activity profiles")

    def __str__(self):
        return f"profile of {self.user_id}"


class Interaction(models.Model):
    """How closely two people work together (``a < b``): the sum of their interactions' weights in
    reply-equivalents, each decayed by age. The team algorithms use ``1 / strength`` as distance."""

    a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    strength = models.FloatField()
    kinds = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="teams_interaction_pair"),
            models.CheckConstraint(condition=models.Q(a__lt=models.F("b")), name="teams_interaction_ordered"),
        ]

    def __str__(self):
        return f"{self.a_id}–{self.b_id}: {self.strength:.2f}"


class TeamRequest(models.Model):
    """A manager's request for team suggestions in a space, and its stored result.

    ``key`` is a hash of the normalised request: asking the same thing twice finds this row again,
    so one run and one result.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Computing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="team_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)  # how many times a worker started it
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["space", "key"], name="teams_request_once")]

    def __str__(self):
        return f"team request {self.pk} ({self.status})"

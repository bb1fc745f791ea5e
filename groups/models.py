"""Groups: people who join together, in a workspace or platform-wide. Each is a :class:`~doeplein.spaces.models.Space`."""

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doeplein.spaces.models import JoinPolicy, Role, Space, Visibility


class GroupPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone may join")
    REQUEST = "request", _("On request: admins approve")
    INVITATION = "invitation", _("By invitation")
    SECRET = "secret", _("Secret: by invitation, invisible to others")


# Group roles are the platform roles under a group's own names.
GROUP_ROLES = [(Role.OWNER, _("Owner")), (Role.COMMUNITY_MANAGER, _("Admin")), (Role.MEMBER, _("Member"))]


class Group(Space):
    KIND = "group"

    slug = models.SlugField(_("web address"), max_length=80, validators=[MinLengthValidator(2)])
    description = models.TextField(_("description"), max_length=2000, blank=True)
    policy = models.CharField(
        _("membership"), max_length=20, choices=GroupPolicy.choices, default=GroupPolicy.REQUEST
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The workspace's space id, 0 platform-wide: a local copy of ``parent`` so that the database can keep
    # slugs unique per workspace (a constraint may only name the model's own columns, not the parent table's).
    scope = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "slug"], name="group_slug_unique_in_workspace")
        ]

    def save(self, *args, **kwargs):
        self.kind = self.KIND
        self.scope = self.parent_id or 0
        self.apply_policy()
        super().save(*args, **kwargs)

    def apply_policy(self):
        """The membership policy decides how people join; a secret group is also invisible."""
        self.join_policy = {
            GroupPolicy.OPEN: JoinPolicy.OPEN,
            GroupPolicy.REQUEST: JoinPolicy.REQUEST,
            GroupPolicy.INVITATION: JoinPolicy.INVITATION,
            GroupPolicy.SECRET: JoinPolicy.INVITATION,
        }[self.policy]
        if self.policy == GroupPolicy.SECRET:
            self.visibility = Visibility.SECRET
        elif self.visibility == Visibility.SECRET:
            self.visibility = Visibility.MEMBERS

    @property
    def parent_space(self):
        """The space the group lives in (of whatever kind), or None for a platform-wide group."""
        return self.parent.specific if self.parent_id else None

    # The older name, from when groups lived in workspaces only.
    workspace = parent_space

    def get_absolute_url(self):
        return reverse("groups:detail", kwargs={"pk": self.pk, "slug": self.slug})

"""What the gate reads: spaces (the containers plugins build on), memberships and grants.

A *space* is any container with a visibility: a workspace, a group, later others. Plugins give their
container model a one-to-one ``space`` link (multi-table inheritance) and their content a foreign key
to it; the gate then derives access to posts and files through joins, never a row per user per object.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone, also without logging in")
    LOGGED_IN = "logged_in", _("Logged-in users")
    MEMBERS = "members", _("Members only")
    SECRET = "secret", _("Secret: members only, hidden from everyone else")


class Role(models.IntegerChoices):
    GUEST = 10, _("Guest")
    MEMBER = 20, _("Member")
    COMMUNITY_MANAGER = 30, _("Community manager")
    OWNER = 40, _("Owner")


class Space(models.Model):
    """A container with a visibility, members and roles. ``parent`` nests a group in a workspace."""

    kind = models.CharField(_("kind"), max_length=50, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("parent")
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        indexes = [models.Index(fields=["visibility", "kind"])]
        permissions = [
            ("contribute_space", _("Can post in the space")),
            ("moderate_space", _("Can moderate the space")),
            ("manage_space", _("Can manage the space")),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.PositiveSmallIntegerField(_("role"), choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="one_membership_per_space")]
        indexes = [models.Index(fields=["user", "space", "role"])]

    def __str__(self):
        return f"{self.user} in {self.space} ({self.get_role_display()})"


# django-guardian's direct foreign-key permission models: real foreign keys, indexed, cascading.
class SpaceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Space, on_delete=models.CASCADE)


class SpaceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Space, on_delete=models.CASCADE)

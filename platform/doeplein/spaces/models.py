"""The data of spaces (the containers plugins build on): spaces, memberships, grants, requests, invitations.

This module is the lowest layer of :mod:`doeplein.spaces`: it imports nothing from the platform, so
that the gate (:mod:`doeplein.access`) may read it while everything else in ``doeplein.spaces``
(actions, views, the API) sits above the gate. The tables keep the names they had when these models
lived in the ``access`` app (``db_table``), see ``migrations/0001_initial.py``.

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


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone who can see it may join")
    REQUEST = "request", _("On request: managers approve")
    INVITATION = "invitation", _("By invitation only")


class Space(models.Model):
    """A container with a visibility, members and roles. ``parent`` nests a group in a workspace."""

    #: The fields that decide who may see, join or write in the space. An action that changes one of them
    #: calls ``doeplein.live.access_changed_on_commit`` (tests/doeplein/spaces/test_access_events.py
    #: finds every action that writes them and proves it does).
    ACCESS_FIELDS = ("visibility", "join_policy", "parent", "is_archived")

    kind = models.CharField(_("kind"), max_length=50, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("parent"),
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    join_policy = models.CharField(
        _("who may join"), max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.REQUEST
    )
    allow_leaving = models.BooleanField(
        _("members may leave"), default=True, help_text=_("Switch off for mandatory teams.")
    )
    welcome_message = models.TextField(_("welcome message for new members"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    member_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        db_table = "access_space"
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        indexes = [models.Index(fields=["visibility", "kind"], name="access_spac_visibil_c242fc_idx")]
        permissions = [
            ("contribute_space", _("Can post in the space")),
            ("moderate_space", _("Can moderate the space")),
            ("manage_space", _("Can manage the space")),
        ]

    def __str__(self):
        return self.name

    @property
    def specific(self):
        """The plugin's own object for this space (a workspace, a group), found through the kind."""
        child = getattr(self, self.kind, None) if self.kind else None
        return child if child is not None else self


class Membership(models.Model):
    #: Changing or ending a membership changes what the person may do (see ``Space.ACCESS_FIELDS``).
    ACCESS_FIELDS = ("role",)

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.PositiveSmallIntegerField(_("role"), choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "access_membership"
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="one_membership_per_space")]
        indexes = [
            models.Index(fields=["user", "space", "role"], name="access_memb_user_id_08348e_idx"),
            models.Index(fields=["space", "-role", "id"], name="membership_by_role"),
        ]

    def __str__(self):
        return f"{self.user} in {self.space} ({self.get_role_display()})"


# django-guardian's direct foreign-key permission models: real foreign keys, indexed, cascading.
class SpaceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Space, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "access_spaceuserobjectpermission"


class SpaceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Space, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "access_spacegroupobjectpermission"


class JoinRequest(models.Model):
    """A request to join a space whose policy is "on request"."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_message = models.TextField(_("message to the person"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "access_joinrequest"
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_space",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.space} ({self.status})"


class Invitation(models.Model):
    """An invitation to a space, to an existing person or to an e-mail address. Single use, expiring."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "access_invitation"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["space", "email"], name="access_invi_space_i_eeba18_idx")]

    def __str__(self):
        return f"{self.email} → {self.space}"

    @property
    def is_open(self):
        from django.utils import timezone

        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

"""Folders, files and their versions, kept per space (a workspace, a group, a person's own space).

Names are stored as people give them (NFC); the bytes live in a private storage under a random key
(``FileVersion.blob``), so a name is never a path on disk. Nothing is overwritten: a new version, a
restore, a copy each add a :class:`FileVersion`; a (file, number) pair is unique.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class TrashQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)


class Folder(models.Model):
    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="folders", verbose_name=_("space")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("parent folder"),
    )
    name = models.CharField(_("name"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Items trashed together with a folder come back with it (and only then).
    trashed_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TrashQuerySet.as_manager()

    class Meta:
        verbose_name = _("folder")
        verbose_name_plural = _("folders")
        indexes = [models.Index(fields=["space", "parent", "name"], name="folder_listing")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("files:folder", kwargs={"folder_id": self.pk})


class File(models.Model):
    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="files", verbose_name=_("space")
    )
    folder = models.ForeignKey(
        Folder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("folder"),
    )
    name = models.CharField(_("name"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now_add=True)
    # The newest version, denormalised so that listings need no join over versions.
    current = models.ForeignKey(
        "FileVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version_count = models.PositiveIntegerField(default=0)
    size = models.BigIntegerField(default=0)
    content_type = models.CharField(max_length=255, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trashed_with = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The current version's extracted text, for the site search (see files/search.py).
    search_text = models.TextField(blank=True, editable=False)

    objects = TrashQuerySet.as_manager()

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        indexes = [
            models.Index(fields=["space", "folder", "name"], name="file_listing"),
            models.Index(fields=["space", "-updated_at"], name="file_recent"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("files:file", kwargs={"file_id": self.pk})


class ScanStatus(models.TextChoices):
    SCANNING = "scanning", _("Being checked for viruses")
    CLEAN = "clean", _("Checked, no virus found")
    INFECTED = "infected", _("Virus found: blocked")
    ERROR = "error", _("Could not be checked yet")


class WorkStatus(models.TextChoices):
    """The state of a preview or a text extraction."""

    PENDING = "pending", _("Waiting")
    READY = "ready", _("Ready")
    NONE = "none", _("Not available for this type")
    BROKEN = "broken", _("The file could not be read")
    ENCRYPTED = "encrypted", _("The file is encrypted")
    REFUSED = "refused", _("Refused: too large or a compression bomb")


def new_blob_key():
    key = uuid.uuid4().hex
    return f"v/{key[:2]}/{key}"


class FileVersion(models.Model):
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # Blobs are immutable; a restore or a copy shares its source's blob (deleted with its last version).
    blob = models.CharField(max_length=100, db_index=True, editable=False)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=255)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    original_name = models.CharField(max_length=255)
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    restored_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scan_status = models.CharField(
        max_length=20, choices=ScanStatus.choices, default=ScanStatus.SCANNING, db_index=True
    )
    scan_result = models.CharField(max_length=255, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    preview_status = models.CharField(max_length=20, choices=WorkStatus.choices, default=WorkStatus.PENDING)
    preview_blob = models.CharField(max_length=100, blank=True, editable=False)
    preview_text = models.TextField(blank=True)
    text_status = models.CharField(max_length=20, choices=WorkStatus.choices, default=WorkStatus.PENDING)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["file", "number"], name="one_version_number_per_file")]

    def __str__(self):
        return f"{self.file} v{self.number}"

    @property
    def space_id(self):
        return self.file.space_id

    def get_download_url(self):
        return reverse("files:download", kwargs={"file_id": self.file_id, "number": self.number})


class Usage(models.Model):
    """Bytes held per space or per person (every version, trash included), locked while an upload counts."""

    space = models.OneToOneField(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    bytes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(space__isnull=False, user__isnull=True)
                | models.Q(space__isnull=True, user__isnull=False),
                name="usage_of_space_or_person",
            )
        ]

    def __str__(self):
        return f"{self.space_id or self.user_id}: {self.bytes}"


class Follow(models.Model):
    """Someone follows a folder (new files in it) or a file (new versions of it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    file = models.ForeignKey(File, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(folder__isnull=False, file__isnull=True)
                | models.Q(folder__isnull=True, file__isnull=False),
                name="follow_folder_or_file",
            ),
            models.UniqueConstraint(fields=["user", "folder"], name="one_follow_per_folder"),
            models.UniqueConstraint(fields=["user", "file"], name="one_follow_per_file"),
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.folder_id or self.file_id}"


class Upload(models.Model):
    """A resumable upload (tus 1.0): its offset is kept here, its bytes in a private temporary file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey(
        File, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # a new version
    name = models.CharField(max_length=255)
    note = models.CharField(max_length=500, blank=True)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    result = models.ForeignKey(
        FileVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"upload {self.pk} ({self.offset}/{self.length})"

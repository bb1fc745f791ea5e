"""Reads, always through the access gate; listings with a fixed number of queries."""

from django.db.models import Q
from django.http import Http404

from doeplein.access import can, get_object_or_404, visible

from .models import File, FileVersion, Folder, Follow, ScanStatus

SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "size": ("size", "pk"),
    "-size": ("-size", "-pk"),
}
FOLDER_SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
}


def folder_by_id(*, user, folder_id, action="view"):
    folder = get_object_or_404(
        user, Folder.objects.select_related("space", "space__parent"), action, pk=folder_id
    )
    if folder.deleted_at is not None and not can(user, "change", folder):
        raise Http404
    return folder


def file_by_id(*, user, file_id, action="view"):
    file = get_object_or_404(
        user,
        File.objects.select_related("space", "space__parent", "folder", "current", "created_by"),
        action,
        pk=file_id,
    )
    if file.deleted_at is not None and not can(user, "change", file):
        raise Http404
    return file


def folder_listing(*, user, space, folder=None, sort="name"):
    """``(folders, files)`` in ``folder`` (None: the top level) of ``space``, live ones only, visible to
    ``user``. Querysets, so callers page them."""
    folder_id = folder.pk if folder is not None else None
    folders = visible(user, Folder.objects.alive().filter(space=space, parent_id=folder_id))
    files = visible(user, File.objects.alive().filter(space=space, folder_id=folder_id))
    files = files.select_related("current", "created_by").order_by(*SORTS.get(sort, SORTS["name"]))
    folders = folders.order_by(*FOLDER_SORTS.get(sort, FOLDER_SORTS["name"]))
    return folders, files


def recent_files(*, user, space, limit=8):
    return list(
        visible(user, File.objects.alive().filter(space=space))
        .select_related("current", "created_by", "folder")
        .order_by("-updated_at", "-pk")[:limit]
    )


def versions_of(*, file):
    return file.versions.select_related("uploaded_by").order_by("-number")


def trash_of(*, user, space):
    """What ``user`` may take out of the trash of ``space`` (what they put there themselves as a unit)."""
    folders = Folder.objects.trashed().filter(space=space, trashed_with__isnull=True)
    files = File.objects.trashed().filter(space=space, trashed_with__isnull=True)
    from doeplein.access import filter_for

    return (
        filter_for(user, "change", folders).select_related("deleted_by").order_by("-deleted_at"),
        filter_for(user, "change", files).select_related("deleted_by", "current").order_by("-deleted_at"),
    )


def breadcrumbs(folder):
    """The folders from the top down to ``folder`` (one query per level; folders nest a few deep)."""
    chain = []
    while folder is not None:
        chain.append(folder)
        folder = Folder.objects.filter(pk=folder.parent_id).first() if folder.parent_id else None
    return list(reversed(chain))


def may_download(user, version):
    """Clean versions for everyone who may see the file; a version still being checked only for its uploader;
    an infected version for no one."""
    if version.scan_status == ScanStatus.CLEAN:
        return True
    if version.scan_status == ScanStatus.INFECTED:
        return False
    return user.is_authenticated and version.uploaded_by_id == user.pk


def version_by_number(*, file, number):
    version = FileVersion.objects.filter(file=file, number=number).select_related("uploaded_by").first()
    if version is None:
        raise Http404
    version.file = file
    return version


def is_following(*, user, obj):
    if not user.is_authenticated:
        return False
    field = "file" if isinstance(obj, File) else "folder"
    return Follow.objects.filter(Q(user=user) & Q(**{field: obj})).exists()

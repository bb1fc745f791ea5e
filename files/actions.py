"""Every write on folders, files and versions: ``check_*`` authorises and validates, ``do_*`` changes
state in a transaction, records activity, notifies followers and queues the scan and previews after
commit. Pages, the API, the tus endpoint and tasks all call these."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError
from doeplein.notifications.actions import do_notify
from doeplein.spaces.models import Role

from . import conf
from .models import File, FileVersion, Folder, Follow, ScanStatus, Usage, new_blob_key
from .search import reindex_later
from .storage import clean_name, file_storage, measure

# --- limits --------------------------------------------------------------------------------------------


def _usage(*, space=None, user=None, lock=False):
    lookup = {"space": space} if space is not None else {"user": user}
    usage, _created = Usage.objects.get_or_create(**lookup)
    if lock:
        usage = Usage.objects.select_for_update().get(pk=usage.pk)
    return usage


def remaining_bytes(*, user, space):
    """What ``user`` may still upload into ``space``: the smallest of the space's and the person's room
    and the largest upload."""
    space_used = Usage.objects.filter(space=space).values_list("bytes", flat=True).first() or 0
    person_used = (
        Usage.objects.filter(user=user).values_list("bytes", flat=True).first() or 0
        if user.is_authenticated
        else 0
    )
    return max(
        0,
        min(
            conf.get("FILES_SPACE_QUOTA_BYTES") - space_used,
            conf.get("FILES_PERSON_QUOTA_BYTES") - person_used,
            conf.get("FILES_MAX_UPLOAD_BYTES"),
        ),
    )


def _quota_error(size, room, whose):
    from django.template.defaultfilters import filesizeformat

    return ActionError(
        _("There is not enough room: %(whose)s has %(room)s left and this file is %(size)s.")
        % {"whose": whose, "room": filesizeformat(max(room, 0)), "size": filesizeformat(size)},
        code="quota_exceeded",
        status=413,
    )


def check_size(size):
    from django.template.defaultfilters import filesizeformat

    if size is None or size <= 0:
        raise ActionError(_("The file is empty."), code="empty_file", status=400)
    largest = conf.get("FILES_MAX_UPLOAD_BYTES")
    if size > largest:
        raise ActionError(
            _("The file is too large: at most %(max)s.") % {"max": filesizeformat(largest)},
            code="too_large",
            status=413,
        )


def check_type(content_type):
    allowed, refused = conf.get("FILES_ALLOWED_TYPES"), conf.get("FILES_REFUSED_TYPES")
    if content_type in refused or (allowed and content_type not in allowed):
        raise ActionError(
            _("Files of this type (%(type)s) are not accepted here.") % {"type": content_type},
            code="refused_type",
            status=415,
        )


def _reserve(*, user, space, size):
    """Lock both counters, check the quotas and count the bytes (inside the caller's transaction)."""
    space_usage = _usage(space=space, lock=True)
    person_usage = _usage(user=user, lock=True)
    space_room = conf.get("FILES_SPACE_QUOTA_BYTES") - space_usage.bytes
    if size > space_room:
        raise _quota_error(size, space_room, _("this space"))
    person_room = conf.get("FILES_PERSON_QUOTA_BYTES") - person_usage.bytes
    if size > person_room:
        raise _quota_error(size, person_room, _("your own storage"))
    Usage.objects.filter(pk__in=[space_usage.pk, person_usage.pk]).update(bytes=F("bytes") + size)


def _release(*, space_id, user_id, size):
    Usage.objects.filter(space_id=space_id).update(bytes=F("bytes") - size)
    if user_id:
        Usage.objects.filter(user_id=user_id).update(bytes=F("bytes") - size)


# --- helpers -------------------------------------------------------------------------------------------


def _alive_folder(folder, space, *, lock=False):
    """The folder, fresh (and locked), or a clear refusal when it is gone or in another space."""
    if folder is None:
        return None
    rows = Folder.objects.filter(pk=folder.pk)
    if lock:
        rows = rows.select_for_update()
    fresh = rows.first()
    if fresh is None or fresh.deleted_at is not None:
        raise ActionError(_("This folder was deleted in the meantime."), code="folder_deleted", status=409)
    if fresh.space_id != space.pk:
        raise ActionError(_("The folder is in another space."), code="other_space", status=400)
    return fresh


def _check_writable(user, space):
    check(user, "view", space)
    if space.is_archived:
        raise ActionError(
            _("This space is archived: it can be read, not changed."), code="archived", status=409
        )
    if not can(user, "contribute", space):
        raise PermissionDenied(_("Only members can add files here."))


def _managers(space):
    from doeplein.accounts.models import User

    return User.objects.filter(
        memberships__space=space, memberships__role__gte=Role.COMMUNITY_MANAGER, is_active=True
    ).distinct()


def _notify_followers(*, actor, follows, message, url, obj):
    for follow in follows.select_related("user"):
        if follow.user_id != actor.pk and can(follow.user, "view", obj):
            do_notify(recipient=follow.user, verb="files.followed", message=message, url=url)


def _queue_processing(version_id):
    from .tasks import scan_version_task

    scan_version_task.delay_on_commit(version_id)


def _name_free(*, space, folder, name, exclude_file=None, exclude_folder=None):
    """Two live items in one folder may not share a name (case-insensitive), so a listing is unambiguous."""
    folder_id = folder.pk if folder is not None else None
    files = File.objects.alive().filter(space=space, folder_id=folder_id, name__iexact=name)
    folders = Folder.objects.alive().filter(space=space, parent_id=folder_id, name__iexact=name)
    if exclude_file is not None:
        files = files.exclude(pk=exclude_file.pk)
    if exclude_folder is not None:
        folders = folders.exclude(pk=exclude_folder.pk)
    if files.exists() or folders.exists():
        raise ActionError(
            _("There is already something called “%(name)s” here.") % {"name": name},
            code="name_taken",
            status=409,
        )


# --- uploads -------------------------------------------------------------------------------------------


def check_upload(*, user, space, folder=None, name, size=None, file=None):
    """May ``user`` put a file called ``name`` of ``size`` bytes here? Returns the clean name."""
    _check_writable(user, space)
    if file is not None:
        if file.deleted_at is not None:
            raise ActionError(_("This file is in the trash: restore it first."), code="in_trash", status=409)
    else:
        _alive_folder(folder, space)
    name = clean_name(name)
    if size is not None:
        check_size(size)
        room = remaining_bytes(user=user, space=space)
        if size > room:
            raise _quota_error(size, room, _("this space or your own storage"))
    return name


def do_upload(*, user, space, fileobj, name, folder=None, note="", file=None):
    """Store ``fileobj`` as a new file (or as a new version of ``file``). The version waits in
    "scanning" until the scanner clears it."""
    name = check_upload(user=user, space=space, folder=folder, name=name, file=file)
    note = (note or "").strip()[:500]
    if isinstance(getattr(fileobj, "size", None), int):
        check_size(fileobj.size)  # refuse before reading a byte when the size is known
    measured = measure(fileobj)
    check_size(measured.size)
    check_type(measured.content_type)
    blob = new_blob_key()
    saved = file_storage().save(blob, fileobj)
    try:
        with transaction.atomic():
            version = _create_version(
                user=user,
                space=space,
                folder=folder,
                name=name,
                note=note,
                file=file,
                blob=saved,
                measured=measured,
            )
    except BaseException:
        file_storage().delete(saved)
        raise
    return version


def _create_version(
    *,
    user,
    space,
    folder,
    name,
    note,
    file,
    blob,
    measured,
    scan_status=ScanStatus.SCANNING,
    restored_from=None,
    verb=None,
):
    _reserve(user=user, space=space, size=measured.size)
    now = timezone.now()
    if file is None:
        folder = _alive_folder(folder, space, lock=True)
        _name_free(space=space, folder=folder, name=name)
        file = File.objects.create(space=space, folder=folder, name=name, created_by=user, updated_at=now)
        new_file = True
    else:
        # The row lock numbers concurrent versions one after the other: both are kept.
        file = File.objects.select_for_update().get(pk=file.pk)
        if file.deleted_at is not None:
            raise ActionError(_("This file is in the trash: restore it first."), code="in_trash", status=409)
        new_file = False
    version = FileVersion.objects.create(
        file=file,
        number=file.version_count + 1,
        blob=blob,
        size=measured.size,
        sha256=measured.sha256,
        content_type=measured.content_type,
        width=measured.width,
        height=measured.height,
        original_name=name,
        note=note,
        uploaded_by=user,
        scan_status=scan_status,
        restored_from=restored_from,
        scanned_at=now if scan_status != ScanStatus.SCANNING else None,
    )
    if restored_from is not None:
        # Previews and text travel with the bytes.
        FileVersion.objects.filter(pk=version.pk).update(
            preview_status=restored_from.preview_status,
            preview_blob=restored_from.preview_blob,
            preview_text=restored_from.preview_text,
            text_status=restored_from.text_status,
            text=restored_from.text,
        )
        file.search_text = restored_from.text
    file.current = version
    file.version_count = version.number
    file.size = version.size
    file.content_type = version.content_type
    file.updated_at = now
    file.save(update_fields=["current", "version_count", "size", "content_type", "updated_at", "search_text"])
    Follow.objects.get_or_create(user=user, file=file)
    if new_file:
        record(actor=user, verb=verb or "file.uploaded", target=file, space=space)
        if file.folder_id:
            _notify_followers(
                actor=user,
                follows=Follow.objects.filter(folder_id=file.folder_id),
                obj=file,
                url=file.get_absolute_url(),
                message=_("%(person)s added “%(file)s” to a folder you follow.")
                % {"person": user.get_full_name() or user, "file": file.name},
            )
    else:
        record(
            actor=user,
            verb=verb or "file.version_added",
            target=file,
            space=space,
            data={"number": version.number},
        )
        _notify_followers(
            actor=user,
            follows=Follow.objects.filter(file=file),
            obj=file,
            url=file.get_absolute_url(),
            message=_("%(person)s uploaded version %(number)d of “%(file)s”.")
            % {"person": user.get_full_name() or user, "number": version.number, "file": file.name},
        )
    if scan_status == ScanStatus.SCANNING:
        _queue_processing(version.pk)
    return version


def check_restore_version(*, user, version):
    file = version.file
    check(user, "view", file)
    _check_writable(user, file.space)
    if file.deleted_at is not None:
        raise ActionError(_("This file is in the trash: restore it first."), code="in_trash", status=409)
    if version.scan_status == ScanStatus.INFECTED:
        raise ActionError(
            _("This version holds a virus and cannot be restored."), code="infected", status=409
        )


@transaction.atomic
def do_restore_version(*, user, version):
    """Make an old version the newest again, as a new version: nothing is overwritten."""
    check_restore_version(user=user, version=version)
    file = version.file
    return _create_version(
        user=user,
        space=file.space,
        folder=file.folder,
        name=file.name,
        file=file,
        blob=version.blob,
        measured=version,
        scan_status=version.scan_status,
        restored_from=version,
        note=_("Restored version %(number)d") % {"number": version.number},
        verb="file.version_restored",
    )


# --- folders -------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_folder(*, user, space, name, parent=None):
    _check_writable(user, space)
    name = clean_name(name)
    parent = _alive_folder(parent, space, lock=True)
    _name_free(space=space, folder=parent, name=name)
    folder = Folder.objects.create(space=space, parent=parent, name=name, created_by=user)
    record(actor=user, verb="folder.created", target=folder, space=space)
    return folder


def _check_change(user, obj):
    check(user, "view", obj)
    if obj.space.is_archived:
        raise ActionError(
            _("This space is archived: it can be read, not changed."), code="archived", status=409
        )
    if not can(user, "change", obj):
        raise PermissionDenied(_("Only the person who added it or a community manager can change this."))
    if obj.deleted_at is not None:
        raise ActionError(_("This is in the trash: restore it first."), code="in_trash", status=409)


@transaction.atomic
def do_rename(*, user, obj, name):
    """Rename a file or a folder."""
    _check_change(user, obj)
    name = clean_name(name)
    if isinstance(obj, File):
        _name_free(space=obj.space, folder=obj.folder, name=name, exclude_file=obj)
    else:
        _name_free(space=obj.space, folder=obj.parent, name=name, exclude_folder=obj)
    old = obj.name
    obj.name = name
    obj.save(update_fields=["name"])
    record(
        actor=user,
        verb="file.renamed" if isinstance(obj, File) else "folder.renamed",
        target=obj,
        space=obj.space,
        data={"from": old},
    )
    return obj


def _descendant_ids(folder):
    """Ids of ``folder`` and every folder below it (one query per level)."""
    ids, level = [folder.pk], [folder.pk]
    while level:
        level = list(Folder.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids.extend(level)
    return ids


@transaction.atomic
def do_move(*, user, obj, folder):
    """Move a file or a folder to ``folder`` (None: the space's top level) of the same space."""
    _check_change(user, obj)
    target = _alive_folder(folder, obj.space, lock=True)
    if isinstance(obj, Folder) and target is not None and target.pk in _descendant_ids(obj):
        raise ActionError(_("A folder cannot move into itself."), code="into_itself", status=400)
    if isinstance(obj, File):
        _name_free(space=obj.space, folder=target, name=obj.name, exclude_file=obj)
        obj.folder = target
        obj.save(update_fields=["folder"])
    else:
        _name_free(space=obj.space, folder=target, name=obj.name, exclude_folder=obj)
        obj.parent = target
        obj.save(update_fields=["parent"])
    record(
        actor=user,
        verb="file.moved" if isinstance(obj, File) else "folder.moved",
        target=obj,
        space=obj.space,
    )
    return obj


def check_copy(*, user, file, space, folder=None):
    check(user, "view", file)
    if file.deleted_at is not None or file.current is None:
        raise ActionError(_("This file is in the trash: restore it first."), code="in_trash", status=409)
    if file.current.scan_status != ScanStatus.CLEAN:
        raise ActionError(_("This file is still being checked for viruses."), code="not_scanned", status=409)
    _check_writable(user, space)
    _alive_folder(folder, space)


@transaction.atomic
def do_copy(*, user, file, space, folder=None):
    """Copy the current version of ``file`` to ``space`` (where ``user`` may add files) as a new file."""
    check_copy(user=user, file=file, space=space, folder=folder)
    current = file.current
    name = file.name
    target_folder = folder
    free = File.objects.alive().filter(space=space, folder=target_folder, name__iexact=name).exists()
    if free:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem} ({_('copy')}).{ext}" if dot and stem else f"{name} ({_('copy')})"
    version = _create_version(
        user=user,
        space=space,
        folder=target_folder,
        name=clean_name(name),
        note=_("Copied from %(space)s") % {"space": file.space.name},
        file=None,
        blob=current.blob,
        measured=current,
        scan_status=current.scan_status,
        restored_from=current,
        verb="file.copied",
    )
    return version.file


# --- trash ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_trash(*, user, obj):
    """Put a file or a folder (with all it holds) in the trash, kept ``FILES_TRASH_DAYS`` days."""
    _check_change(user, obj)
    now = timezone.now()
    if isinstance(obj, File):
        File.objects.filter(pk=obj.pk).update(deleted_at=now, deleted_by=user, trashed_with=None)
        reindex_later([obj.pk])
        verb = "file.trashed"
    else:
        ids = _descendant_ids(obj)
        Folder.objects.filter(pk__in=ids[1:], deleted_at__isnull=True).update(
            deleted_at=now, deleted_by=user, trashed_with=obj
        )
        inside = File.objects.filter(folder_id__in=ids, deleted_at__isnull=True)
        reindex_later(list(inside.values_list("pk", flat=True)))
        inside.update(deleted_at=now, deleted_by=user, trashed_with=obj)
        Folder.objects.filter(pk=obj.pk).update(deleted_at=now, deleted_by=user, trashed_with=None)
        verb = "folder.trashed"
    obj.deleted_at, obj.deleted_by = now, user
    record(actor=user, verb=verb, target=obj, space=obj.space)
    return obj


def check_restore(*, user, obj):
    check(user, "view", obj.space)
    if obj.deleted_at is None or obj.trashed_with_id is not None:
        raise Http404  # only what was put in the trash itself can come back (with what it held)
    if obj.space.is_archived:
        raise ActionError(
            _("This space is archived: it can be read, not changed."), code="archived", status=409
        )
    if not can(user, "change", obj):
        raise PermissionDenied(_("Only the person who added it or a community manager can restore this."))


@transaction.atomic
def do_restore(*, user, obj):
    """Take a file or folder out of the trash, back into its folder (or the top level if that is gone)."""
    check_restore(user=user, obj=obj)
    parent_field = "folder" if isinstance(obj, File) else "parent"
    parent = getattr(obj, parent_field)
    if parent is not None and parent.deleted_at is not None:
        setattr(obj, parent_field, None)
    if isinstance(obj, File):
        _name_free(space=obj.space, folder=obj.folder, name=obj.name, exclude_file=obj)
    else:
        _name_free(space=obj.space, folder=obj.parent, name=obj.name, exclude_folder=obj)
        Folder.objects.filter(trashed_with=obj).update(deleted_at=None, deleted_by=None, trashed_with=None)
        inside = File.objects.filter(trashed_with=obj)
        reindex_later(list(inside.values_list("pk", flat=True)))
        inside.update(deleted_at=None, deleted_by=None, trashed_with=None)
    obj.deleted_at = obj.deleted_by = None
    obj.save(update_fields=["deleted_at", "deleted_by", parent_field])
    record(
        actor=user,
        verb="file.restored" if isinstance(obj, File) else "folder.restored",
        target=obj,
        space=obj.space,
    )
    return obj


def _purge_file(file):
    versions = list(file.versions.values("pk", "blob", "preview_blob", "size", "uploaded_by_id"))
    space_id = file.space_id
    file.delete()
    for v in versions:
        _release(space_id=space_id, user_id=v["uploaded_by_id"], size=v["size"])
    blobs = {v["blob"] for v in versions} | {v["preview_blob"] for v in versions if v["preview_blob"]}

    def delete_blobs():
        still_used = set(FileVersion.objects.filter(blob__in=blobs).values_list("blob", flat=True)) | set(
            FileVersion.objects.filter(preview_blob__in=blobs).values_list("preview_blob", flat=True)
        )
        for blob in blobs - still_used:
            file_storage().delete(blob)

    transaction.on_commit(delete_blobs)


@transaction.atomic
def do_empty_trash(*, older_than_days=None, now=None):
    """Delete for good what has been in the trash longer than the retention (Celery beat calls this)."""
    days = conf.get("FILES_TRASH_DAYS") if older_than_days is None else older_than_days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    count = 0
    for file in File.objects.filter(deleted_at__lt=cutoff).select_for_update(skip_locked=True)[:1000]:
        _purge_file(file)
        count += 1
    for folder in Folder.objects.filter(deleted_at__lt=cutoff, trashed_with__isnull=True):
        ids = _descendant_ids(folder)
        for file in File.objects.filter(folder_id__in=ids):
            _purge_file(file)
            count += 1
        folder.delete()
    return count


# --- following -----------------------------------------------------------------------------------------


def do_follow(*, user, obj, follow=True):
    check(user, "view", obj)
    if not user.is_authenticated:
        raise PermissionDenied
    lookup = {"file": obj} if isinstance(obj, File) else {"folder": obj}
    if follow:
        Follow.objects.get_or_create(user=user, **lookup)
    else:
        Follow.objects.filter(user=user, **lookup).delete()
    return follow


# --- scanning and processing (called by tasks) -----------------------------------------------------------


@transaction.atomic
def do_record_scan(*, version_id, infected, signature=""):
    """Store the scanner's verdict once; an infected version is blocked (kept), its uploader and the
    space's managers are told."""
    version = (
        FileVersion.objects.select_for_update(of=("self",))
        .select_related("file__space", "uploaded_by")
        .filter(pk=version_id)
        .first()
    )
    if version is None or version.scan_status not in (ScanStatus.SCANNING, ScanStatus.ERROR):
        return version  # gone or decided already: a retried task changes nothing
    version.scan_status = ScanStatus.INFECTED if infected else ScanStatus.CLEAN
    version.scan_result = signature[:255]
    version.scanned_at = timezone.now()
    version.save(update_fields=["scan_status", "scan_result", "scanned_at"])
    if infected:
        file = version.file
        url = file.get_absolute_url()
        message = _(
            "A virus (%(signature)s) was found in version %(number)d of “%(file)s”; it is blocked."
        ) % {
            "signature": signature or "?",
            "number": version.number,
            "file": file.name,
        }
        recipients = {u.pk: u for u in _managers(file.space)}
        if version.uploaded_by is not None:
            recipients[version.uploaded_by.pk] = version.uploaded_by
        for recipient in recipients.values():
            do_notify(recipient=recipient, verb="files.infected", message=message, url=url)
    return version

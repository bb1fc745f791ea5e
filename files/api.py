"""Files as JSON at /api/v1/files/…: the same actions and gate as the pages.

Uploads are multipart (``files`` several at once); large ones use the resumable tus endpoint at
``/files/tus/`` (see docs/files.md). Downloads answer with the bytes (or a redirect in S3 mode)."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Form, Router, Schema, Status, UploadedFile
from ninja import File as FileParam
from pydantic import StringConstraints

from doeplein.access import can
from doeplein.api.auth import OPTIONAL
from doeplein.api.common import STRICT, Id, PageOut, paginate

from . import actions, conf
from .downloads import serve_blob
from .models import File, Folder
from .selectors import (
    file_by_id,
    folder_by_id,
    folder_listing,
    may_download,
    trash_of,
    version_by_number,
    versions_of,
)
from .views import space_by_id

router = Router(tags=["files"])
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Sort = Literal["name", "-name", "updated", "-updated", "size", "-size"]


class PersonOut(Schema):
    id: int
    name: str


def _person(user):
    return {"id": user.pk, "name": user.get_full_name() or str(user)} if user is not None else None


class VersionOut(Schema):
    number: int
    size: int
    sha256: str
    content_type: str
    width: int | None
    height: int | None
    note: str
    uploaded_by: PersonOut | None
    uploaded_at: datetime
    scan_status: str
    preview_status: str
    text_status: str
    download_url: str | None
    thumbnail_url: str | None


class FileOut(Schema):
    id: int
    name: str
    space_id: int
    folder_id: int | None
    size: int
    content_type: str
    version_count: int
    created_by: PersonOut | None
    updated_at: datetime
    in_trash: bool
    url: str
    current: VersionOut | None


class FolderOut(Schema):
    id: int
    name: str
    space_id: int
    parent_id: int | None
    in_trash: bool
    url: str


class ListingOut(PageOut):
    folders: list[FolderOut]
    results: list[FileOut]


class SpaceFilesOut(Schema):
    space_id: int
    may_upload: bool
    remaining_bytes: int | None
    max_upload_bytes: int


class MineOut(SpaceFilesOut):
    name: str
    url: str
    items_url: str


class TrashOut(Schema):
    folders: list[FolderOut]
    files: list[FileOut]
    days: int


class FolderIn(Schema):
    model_config = STRICT
    name: Name
    parent: int | None = Field(None, ge=1, le=2**63 - 1)


class RenameIn(Schema):
    model_config = STRICT
    name: Name


class MoveIn(Schema):
    model_config = STRICT
    folder: int | None = Field(None, ge=1, le=2**63 - 1)


class CopyIn(Schema):
    model_config = STRICT
    space: int = Field(..., ge=1, le=2**63 - 1)
    folder: int | None = Field(None, ge=1, le=2**63 - 1)


class FollowIn(Schema):
    model_config = STRICT
    follow: bool = True


def _version_out(user, file, version):
    downloadable = may_download(user, version)
    return {
        "number": version.number,
        "size": version.size,
        "sha256": version.sha256,
        "content_type": version.content_type,
        "width": version.width,
        "height": version.height,
        "note": version.note,
        "uploaded_by": _person(version.uploaded_by),
        "uploaded_at": version.uploaded_at,
        "scan_status": version.scan_status,
        "preview_status": version.preview_status,
        "text_status": version.text_status,
        "download_url": f"/api/v1/files/files/{file.pk}/versions/{version.number}/download"
        if downloadable
        else None,
        "thumbnail_url": f"/api/v1/files/files/{file.pk}/versions/{version.number}/thumbnail"
        if downloadable and version.preview_blob
        else None,
    }


def _file_out(user, file):
    return {
        "id": file.pk,
        "name": file.name,
        "space_id": file.space_id,
        "folder_id": file.folder_id,
        "size": file.size,
        "content_type": file.content_type,
        "version_count": file.version_count,
        "created_by": _person(file.created_by),
        "updated_at": file.updated_at,
        "in_trash": file.deleted_at is not None,
        "url": file.get_absolute_url(),
        "current": _version_out(user, file, file.current) if file.current else None,
    }


def _folder_out(folder):
    return {
        "id": folder.pk,
        "name": folder.name,
        "space_id": folder.space_id,
        "parent_id": folder.parent_id,
        "in_trash": folder.deleted_at is not None,
        "url": folder.get_absolute_url(),
    }


def _folder(user, space, folder_id):
    if folder_id is None:
        return None
    folder = Folder.objects.filter(pk=folder_id, space=space).first()
    if folder is None:
        raise Http404
    return folder


@router.get(
    "/spaces/{space_id}", auth=OPTIONAL, response=SpaceFilesOut, summary="What I may do with a space's files"
)
def space_info(request, space_id: Id):
    space = space_by_id(request.user, space_id)
    may = can(request.user, "contribute", space)
    return {
        "space_id": space.pk,
        "may_upload": may,
        "remaining_bytes": actions.remaining_bytes(user=request.user, space=space) if may else None,
        "max_upload_bytes": conf.get("FILES_MAX_UPLOAD_BYTES"),
    }


@router.get("/mine", response=MineOut, summary="My own files space (made on first use)")
def mine(request):
    from .personal import do_ensure_personal_space

    space = do_ensure_personal_space(user=request.user)
    return {
        "space_id": space.pk,
        "name": space.name,
        "may_upload": can(request.user, "contribute", space),
        "remaining_bytes": actions.remaining_bytes(user=request.user, space=space),
        "max_upload_bytes": conf.get("FILES_MAX_UPLOAD_BYTES"),
        "url": reverse("files:mine"),
        "items_url": f"/api/v1/files/spaces/{space.pk}/items",
    }


@router.get(
    "/spaces/{space_id}/items",
    auth=OPTIONAL,
    response=ListingOut,
    summary="Folders and files at a space's top level or in a folder",
)
def listing(
    request, space_id: Id, folder: int | None = None, sort: Sort = "name", page: int = 1, per_page: int = 50
):
    space = space_by_id(request.user, space_id)
    target = None
    if folder is not None:
        target = folder_by_id(user=request.user, folder_id=folder)
        if target.space_id != space.pk or target.deleted_at is not None:
            raise Http404
    folders, files = folder_listing(user=request.user, space=space, folder=target, sort=sort)
    result = paginate(
        files,
        page=page,
        per_page=per_page,
        serialize=lambda items: [_file_out(request.user, f) for f in items],
    )
    result["folders"] = [_folder_out(f) for f in folders[:500]] if result["page"] == 1 else []
    return result


@router.post("/spaces/{space_id}/files", response={201: list[FileOut]}, summary="Upload one or more files")
def upload(request, space_id: Id, files: FileParam[list[UploadedFile]], folder: Form[int | None] = None):
    space = space_by_id(request.user, space_id)
    target = _folder(request.user, space, folder)
    versions = [
        actions.do_upload(user=request.user, space=space, fileobj=f, name=f.name, folder=target)
        for f in files
    ]
    return Status(
        201,
        [
            _file_out(request.user, File.objects.select_related("current", "created_by").get(pk=v.file_id))
            for v in versions
        ],
    )


@router.post("/spaces/{space_id}/folders", response={201: FolderOut}, summary="Create a folder")
def create_folder(request, space_id: Id, payload: FolderIn):
    space = space_by_id(request.user, space_id)
    parent = _folder(request.user, space, payload.parent)
    return Status(
        201,
        _folder_out(
            actions.do_create_folder(user=request.user, space=space, name=payload.name, parent=parent)
        ),
    )


@router.get(
    "/spaces/{space_id}/trash",
    auth=OPTIONAL,
    response=TrashOut,
    summary="What I may restore from a space's trash",
)
def trash(request, space_id: Id):
    space = space_by_id(request.user, space_id)
    folders, files = trash_of(user=request.user, space=space)
    return {
        "folders": [_folder_out(f) for f in folders[:200]],
        "files": [_file_out(request.user, f) for f in files[:500]],
        "days": conf.get("FILES_TRASH_DAYS"),
    }


@router.get("/files/{file_id}", auth=OPTIONAL, response=FileOut, summary="A file")
def file_detail(request, file_id: Id):
    return _file_out(request.user, file_by_id(user=request.user, file_id=file_id))


@router.get(
    "/files/{file_id}/versions",
    auth=OPTIONAL,
    response=list[VersionOut],
    summary="A file's versions, newest first",
)
def versions(request, file_id: Id):
    file = file_by_id(user=request.user, file_id=file_id)
    return [_version_out(request.user, file, v) for v in versions_of(file=file)]


@router.post("/files/{file_id}/versions", response={201: FileOut}, summary="Upload a new version")
def new_version(request, file_id: Id, file: FileParam[UploadedFile], note: Form[str] = ""):
    target = file_by_id(user=request.user, file_id=file_id)
    actions.do_upload(
        user=request.user, space=target.space, fileobj=file, name=target.name, file=target, note=note[:500]
    )
    return Status(201, _file_out(request.user, file_by_id(user=request.user, file_id=file_id)))


@router.post(
    "/files/{file_id}/versions/{number}/restore",
    response={201: FileOut},
    summary="Restore a version (as a new version)",
)
def restore_version(request, file_id: Id, number: Id):
    file = file_by_id(user=request.user, file_id=file_id)
    actions.do_restore_version(user=request.user, version=version_by_number(file=file, number=number))
    return Status(201, _file_out(request.user, file_by_id(user=request.user, file_id=file_id)))


def _download(request, file, version, inline=False):
    if not may_download(request.user, version):
        from doeplein.core.exceptions import ActionError

        if version.scan_status == "infected":
            raise ActionError(_("This version holds a virus and is blocked."), code="infected", status=403)
        raise ActionError(_("This version is still being checked for viruses."), code="scanning", status=409)
    return serve_blob(
        request,
        blob=version.blob,
        name=version.original_name if version.number != file.version_count else file.name,
        content_type=version.content_type,
        size=version.size,
        inline=inline,
    )


@router.get(
    "/files/{file_id}/download",
    auth=OPTIONAL,
    summary="Download the current version (the bytes)",
    response={200: None},
)
def download_current(request, file_id: Id):
    file = file_by_id(user=request.user, file_id=file_id)
    if file.current is None:
        raise Http404
    return _download(request, file, file.current)


@router.get(
    "/files/{file_id}/versions/{number}/download",
    auth=OPTIONAL,
    summary="Download a version (the bytes)",
    response={200: None},
)
def download(request, file_id: Id, number: Id):
    file = file_by_id(user=request.user, file_id=file_id)
    return _download(request, file, version_by_number(file=file, number=number))


@router.get(
    "/files/{file_id}/versions/{number}/thumbnail",
    auth=OPTIONAL,
    summary="A version's thumbnail (PNG)",
    response={200: None},
)
def thumbnail(request, file_id: Id, number: Id):
    file = file_by_id(user=request.user, file_id=file_id)
    version = version_by_number(file=file, number=number)
    if not may_download(request.user, version) or not version.preview_blob:
        raise Http404
    from .storage import file_storage

    return serve_blob(
        request,
        blob=version.preview_blob,
        name=f"{file.name}.png",
        content_type="image/png",
        size=file_storage().size(version.preview_blob),
        inline=True,
    )


def _item(request, kind, item_id):
    if kind == "files":
        return file_by_id(user=request.user, file_id=item_id)
    return folder_by_id(user=request.user, folder_id=item_id)


def _out(request, obj):
    return _file_out(request.user, obj) if isinstance(obj, File) else _folder_out(obj)


Kind = Literal["files", "folders"]


@router.post("/{kind}/{item_id}/rename", response=FileOut | FolderOut, summary="Rename a file or folder")
def rename(request, kind: Kind, item_id: Id, payload: RenameIn):
    return _out(
        request, actions.do_rename(user=request.user, obj=_item(request, kind, item_id), name=payload.name)
    )


@router.post("/{kind}/{item_id}/move", response=FileOut | FolderOut, summary="Move within the space")
def move(request, kind: Kind, item_id: Id, payload: MoveIn):
    obj = _item(request, kind, item_id)
    target = None
    if payload.folder is not None:
        target = Folder.objects.filter(pk=payload.folder).first()
        if target is None:
            from doeplein.core.exceptions import ActionError

            raise ActionError(
                _("This folder was deleted in the meantime."), code="folder_deleted", status=409
            )
    return _out(request, actions.do_move(user=request.user, obj=obj, folder=target))


@router.post(
    "/files/{file_id}/copy", response={201: FileOut}, summary="Copy to another space where I may add files"
)
def copy(request, file_id: Id, payload: CopyIn):
    file = file_by_id(user=request.user, file_id=file_id)
    space = space_by_id(request.user, payload.space)
    target = _folder(request.user, space, payload.folder)
    return Status(
        201,
        _file_out(request.user, actions.do_copy(user=request.user, file=file, space=space, folder=target)),
    )


@router.post("/{kind}/{item_id}/trash", response=FileOut | FolderOut, summary="Move to the trash")
def trash_item(request, kind: Kind, item_id: Id):
    return _out(request, actions.do_trash(user=request.user, obj=_item(request, kind, item_id)))


@router.post("/{kind}/{item_id}/restore", response=FileOut | FolderOut, summary="Restore from the trash")
def restore(request, kind: Kind, item_id: Id):
    return _out(request, actions.do_restore(user=request.user, obj=_item(request, kind, item_id)))


@router.post(
    "/{kind}/{item_id}/follow", response={204: None}, summary="Follow or unfollow (new files / new versions)"
)
def follow(request, kind: Kind, item_id: Id, payload: FollowIn):
    actions.do_follow(user=request.user, obj=_item(request, kind, item_id), follow=payload.follow)
    return Status(204, None)

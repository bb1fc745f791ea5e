"""File pages: a space's files, folders, a file with its versions, the trash, downloads. Thin: forms
parse, actions change, selectors read through the gate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doeplein.access import can, filter_for, get_object_or_404
from doeplein.core.exceptions import ActionError
from doeplein.core.navigation import back_to
from doeplein.spaces.models import Space

from . import actions, conf
from .downloads import serve_blob
from .forms import CopyForm, FolderForm, MoveForm, NameForm, SortForm, UploadForm, VersionForm
from .models import File, Folder, WorkStatus
from .selectors import (
    breadcrumbs,
    file_by_id,
    folder_by_id,
    folder_listing,
    is_following,
    may_download,
    trash_of,
    version_by_number,
    versions_of,
)

PER_PAGE = 50


def space_by_id(user, space_id, action="view"):
    return get_object_or_404(user, Space.objects.select_related("parent"), action, pk=space_id)


def space_url(space):
    from doeplein.spaces.kinds import space_url as url_of

    return url_of(space)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _refused(request, error, back):
    if _wants_json(request):
        return JsonResponse({"detail": error.message, "code": error.code}, status=error.status)
    messages.error(request, error.message)
    return redirect(back)


def _form_error(request, form, back):
    first = next(iter(form.errors.values()))[0] if form.errors else _("The input is not valid.")
    return _refused(request, ActionError(first, code="invalid", status=400), back)


def _listing_context(request, space, folder):
    sort_form = SortForm(request.GET)
    sort = sort_form.cleaned_data.get("sort") if sort_form.is_valid() else "name"
    folders, files = folder_listing(user=request.user, space=space, folder=folder, sort=sort or "name")
    page = Paginator(files, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    may_add = can(request.user, "contribute", space)
    return {
        "space": space,
        "space_url": space_url(space),
        "folder": folder,
        "crumbs": breadcrumbs(folder) if folder else [],
        "folders": list(folders[:500]) if page.number == 1 else [],
        "page": page,
        "query": query.urlencode(),
        "sort": sort or "name",
        "sort_form": sort_form,
        "may_add": may_add,
        "remaining": actions.remaining_bytes(user=request.user, space=space) if may_add else None,
        "max_upload": conf.get("FILES_MAX_UPLOAD_BYTES"),
        "upload_form": UploadForm(initial={"folder": folder.pk if folder else None}),
        "folder_form": FolderForm(initial={"parent": folder.pk if folder else None}),
        "following": is_following(user=request.user, obj=folder) if folder else False,
        "may_change": can(request.user, "change", folder) if folder else False,
    }


@require_GET
def space_files(request, space_id):
    space = space_by_id(request.user, space_id)
    return render(request, "files/folder.html", _listing_context(request, space, None))


@login_required
@require_GET
def my_files(request):
    """The person's own files (their personal space, made on the first visit)."""
    from .personal import do_ensure_personal_space

    space = do_ensure_personal_space(user=request.user)
    context = _listing_context(request, space, None)
    context["personal"] = True
    return render(request, "files/folder.html", context)


@require_GET
def folder_page(request, folder_id):
    folder = folder_by_id(user=request.user, folder_id=folder_id)
    if folder.deleted_at is not None:
        raise Http404
    return render(request, "files/folder.html", _listing_context(request, folder.space, folder))


@require_GET
def file_page(request, file_id):
    file = file_by_id(user=request.user, file_id=file_id)
    versions = list(versions_of(file=file))
    for version in versions:
        version.file = file
        version.downloadable = may_download(request.user, version)
    user = request.user
    context = {
        "file": file,
        "space": file.space,
        "space_url": space_url(file.space),
        "crumbs": breadcrumbs(file.folder) if file.folder_id else [],
        "versions": versions,
        "current": file.current,
        "may_add_version": can(user, "contribute", file) and file.deleted_at is None,
        "may_change": can(user, "change", file),
        "following": is_following(user=user, obj=file),
        "version_form": VersionForm(),
        "rename_form": NameForm(initial={"name": file.name}),
        "move_targets": list(
            Folder.objects.alive().filter(space=file.space).exclude(pk=file.folder_id).order_by("name")[:200]
        ),
        "copy_targets": list(
            filter_for(user, "contribute", Space.objects.exclude(pk=file.space_id)).order_by("name")[:100]
        )
        if user.is_authenticated
        else [],
        "remaining": actions.remaining_bytes(user=user, space=file.space) if user.is_authenticated else None,
        "WorkStatus": WorkStatus,
    }
    return render(request, "files/file.html", context)


@require_GET
def download(request, file_id, number=None):
    file = file_by_id(user=request.user, file_id=file_id)
    version = version_by_number(file=file, number=number) if number is not None else file.current
    if version is None:
        raise Http404
    if not may_download(request.user, version):
        status = 403 if version.scan_status == "infected" else 409
        message = (
            _("This version holds a virus and is blocked.")
            if status == 403
            else _("This version is still being checked for viruses; try again in a moment.")
        )
        return render(request, "error.html", {"status": status, "message": message}, status=status)
    name = file.name if version.number == file.version_count else version.original_name
    return serve_blob(
        request,
        blob=version.blob,
        name=name,
        content_type=version.content_type,
        size=version.size,
        inline=request.GET.get("inline") == "1",
    )


@require_GET
def thumbnail(request, file_id, number):
    file = file_by_id(user=request.user, file_id=file_id)
    version = version_by_number(file=file, number=number)
    if not may_download(request.user, version) or not version.preview_blob:
        raise Http404
    from .storage import file_storage

    size = file_storage().size(version.preview_blob)
    return serve_blob(
        request,
        blob=version.preview_blob,
        name=f"{file.name}.png",
        content_type="image/png",
        size=size,
        inline=True,
    )


def _save_uploads(request, space, folder_id, files):
    folder = Folder.objects.filter(pk=folder_id, space=space).first() if folder_id else None
    if folder_id and folder is None:
        raise ActionError(_("This folder was deleted in the meantime."), code="folder_deleted", status=409)
    done = []
    for upload in files:
        done.append(
            actions.do_upload(user=request.user, space=space, fileobj=upload, name=upload.name, folder=folder)
        )
    return done


@login_required
@require_POST
def upload(request, space_id):
    """The plain form (several files at once) and the JavaScript uploader's per-file requests."""
    space = space_by_id(request.user, space_id)
    form = UploadForm(request.POST, request.FILES)
    back = back_to(request, f"/files/space/{space.pk}/")
    if not form.is_valid():
        return _form_error(request, form, back)
    try:
        versions = _save_uploads(request, space, form.cleaned_data.get("folder"), form.cleaned_data["files"])
    except ActionError as error:
        return _refused(request, error, back)
    if _wants_json(request):
        return JsonResponse(
            {
                "files": [
                    {"id": v.file_id, "url": v.file.get_absolute_url(), "name": v.file.name} for v in versions
                ]
            },
            status=201,
        )
    messages.success(
        request,
        _("%(count)d file(s) uploaded. They are checked for viruses before others can download them.")
        % {"count": len(versions)},
    )
    return redirect(back)


@login_required
@require_POST
def new_version(request, file_id):
    file = file_by_id(user=request.user, file_id=file_id)
    form = VersionForm(request.POST, request.FILES)
    back = file.get_absolute_url()
    if not form.is_valid():
        return _form_error(request, form, back)
    upload = form.cleaned_data["file"]
    try:
        actions.do_upload(
            user=request.user,
            space=file.space,
            fileobj=upload,
            name=file.name,
            file=file,
            note=form.cleaned_data["note"],
        )
    except ActionError as error:
        return _refused(request, error, back)
    if _wants_json(request):
        return JsonResponse({"id": file.pk, "url": back}, status=201)
    messages.success(request, _("New version uploaded."))
    return redirect(back)


@login_required
@require_POST
def restore_version(request, file_id, number):
    file = file_by_id(user=request.user, file_id=file_id)
    version = version_by_number(file=file, number=number)
    try:
        actions.do_restore_version(user=request.user, version=version)
    except ActionError as error:
        return _refused(request, error, file.get_absolute_url())
    messages.success(
        request, _("Version %(number)d is the current version again (as a new version).") % {"number": number}
    )
    return redirect(file.get_absolute_url())


@login_required
@require_POST
def create_folder(request, space_id):
    space = space_by_id(request.user, space_id)
    form = FolderForm(request.POST)
    back = back_to(request, f"/files/space/{space.pk}/")
    if not form.is_valid():
        return _form_error(request, form, back)
    parent = (
        Folder.objects.filter(pk=form.cleaned_data["parent"], space=space).first()
        if form.cleaned_data["parent"]
        else None
    )
    try:
        if form.cleaned_data["parent"] and parent is None:
            raise ActionError(
                _("This folder was deleted in the meantime."), code="folder_deleted", status=409
            )
        folder = actions.do_create_folder(
            user=request.user, space=space, name=form.cleaned_data["name"], parent=parent
        )
    except ActionError as error:
        return _refused(request, error, back)
    return redirect(folder.get_absolute_url())


def _item(request, kind, item_id):
    item_id = int(item_id)
    if kind == "file":
        return file_by_id(user=request.user, file_id=item_id)
    if kind == "folder":
        return folder_by_id(user=request.user, folder_id=item_id)
    raise Http404


def _back(obj):
    if obj.deleted_at is None:
        return obj.get_absolute_url()
    return f"/files/space/{obj.space_id}/"


@login_required
@require_POST
def rename(request, kind, item_id):
    obj = _item(request, kind, item_id)
    form = NameForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, _back(obj))
    try:
        actions.do_rename(user=request.user, obj=obj, name=form.cleaned_data["name"])
    except ActionError as error:
        return _refused(request, error, _back(obj))
    return redirect(_back(obj))


@login_required
@require_POST
def move(request, kind, item_id):
    obj = _item(request, kind, item_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, _back(obj))
    target = None
    if form.cleaned_data["folder"]:
        target = Folder.objects.filter(pk=form.cleaned_data["folder"]).first()
        if target is None:
            return _refused(
                request,
                ActionError(_("This folder was deleted in the meantime."), code="folder_deleted", status=409),
                _back(obj),
            )
    try:
        actions.do_move(user=request.user, obj=obj, folder=target)
    except ActionError as error:
        return _refused(request, error, _back(obj))
    messages.success(request, _("Moved."))
    return redirect(_back(obj))


@login_required
@require_POST
def copy(request, file_id):
    file = file_by_id(user=request.user, file_id=file_id)
    form = CopyForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, file.get_absolute_url())
    space = space_by_id(request.user, form.cleaned_data["space"])
    folder = (
        Folder.objects.filter(pk=form.cleaned_data["folder"]).first() if form.cleaned_data["folder"] else None
    )
    try:
        copied = actions.do_copy(user=request.user, file=file, space=space, folder=folder)
    except ActionError as error:
        return _refused(request, error, file.get_absolute_url())
    messages.success(request, _("Copied."))
    return redirect(copied.get_absolute_url())


@login_required
@require_POST
def trash(request, kind, item_id):
    obj = _item(request, kind, item_id)
    try:
        actions.do_trash(user=request.user, obj=obj)
    except ActionError as error:
        return _refused(request, error, _back(obj))
    messages.success(
        request,
        _("Moved to the trash. It can be restored for %(days)d days.")
        % {"days": conf.get("FILES_TRASH_DAYS")},
    )
    parent = obj.folder if isinstance(obj, File) else obj.parent
    return redirect(
        parent.get_absolute_url() if parent and parent.deleted_at is None else f"/files/space/{obj.space_id}/"
    )


@login_required
@require_POST
def restore(request, kind, item_id):
    obj = _item(request, kind, item_id)
    try:
        actions.do_restore(user=request.user, obj=obj)
    except ActionError as error:
        return _refused(request, error, f"/files/space/{obj.space_id}/trash/")
    messages.success(request, _("Restored."))
    return redirect(obj.get_absolute_url())


@login_required
@require_GET
def trash_page(request, space_id):
    space = space_by_id(request.user, space_id)
    folders, files = trash_of(user=request.user, space=space)
    return render(
        request,
        "files/trash.html",
        {
            "space": space,
            "space_url": space_url(space),
            "folders": list(folders[:200]),
            "files": list(files[:500]),
            "days": conf.get("FILES_TRASH_DAYS"),
        },
    )


@login_required
@require_POST
def follow(request, kind, item_id):
    obj = _item(request, kind, item_id)
    wanted = request.POST.get("follow", "1") == "1"
    try:
        actions.do_follow(user=request.user, obj=obj, follow=wanted)
    except PermissionDenied:
        raise
    return redirect(_back(obj))


def version_status(request, file_id):
    """The JavaScript uploader polls this until the scan is done (a small JSON answer)."""
    file = file_by_id(user=request.user, file_id=file_id)
    current = file.current
    return JsonResponse({"scan_status": current.scan_status if current else None})

"""Opening and changing workspaces. Membership changes are the core's (doeplein.spaces.actions)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError
from doeplein.live import access_changed_on_commit
from doeplein.spaces.actions import do_create_space_membership, free_slug
from doeplein.spaces.models import Role, Space

from .models import Workspace

EDITABLE = (
    "name",
    "description",
    "welcome",
    "visibility",
    "join_policy",
    "cover_image",
    "welcome_message",
    "allow_leaving",
)


def _store_cover(*, user, upload, title):
    """An uploaded cover (already checked to be an image) becomes a Wagtail image."""
    from wagtail.images import get_image_model

    image = get_image_model()(title=title[:255], file=upload, uploaded_by_user=user)
    image._set_image_file_metadata()
    image.save()
    return image


def _lock_and_refresh(space):
    """Lock the space's row and take its counters fresh: the full save() below must not write back a stale
    member count or archive flag (joins update them in the database while this object sits in memory)."""
    list(Space.objects.select_for_update().filter(pk=space.pk).values_list("pk"))
    space.refresh_from_db(fields=["member_count", "last_activity_at", "is_archived"])


@transaction.atomic
def do_open_workspace(*, user, name, slug, themes, tags=(), cover_upload=None, **fields) -> Workspace:
    """A civil servant opens a workspace and becomes its owner. ``cover_upload``: an uploaded image file."""
    if not can(user, "open_workspace"):
        raise PermissionDenied(_("Only civil servants can open workspaces."))
    if not themes:
        raise ActionError(_("Choose at least one theme."), code="theme_required")
    # A slug taken by a secret workspace answers like a free one (made unique): names reveal nothing.
    slug = free_slug(user, Workspace.objects.all(), slug)
    if cover_upload is not None:
        fields["cover_image"] = _store_cover(user=user, upload=cover_upload, title=name)
    workspace = Workspace(
        name=name,
        slug=slug,
        created_by=user,
        kind=Workspace.KIND,
        **{k: v for k, v in fields.items() if k in EDITABLE},
    )
    # Whoever calls this (a form, the API, a script), lengths and formats are checked the same way.
    workspace.full_clean(exclude=["tags", "themes", "created_by", "cover_image"], validate_unique=False)
    try:
        with transaction.atomic():
            workspace.save()
    except IntegrityError:  # a parallel request took the slug
        raise ActionError(
            _("The web address %(slug)s is taken.") % {"slug": slug}, code="duplicate_slug", status=409
        ) from None
    workspace.themes.set(themes)
    workspace.tags.set(list(tags))
    workspace.save()
    do_create_space_membership(space=workspace, user=user, role=Role.OWNER)
    record(actor=user, verb="workspace.opened", target=workspace, space=workspace)
    return workspace


@transaction.atomic
def do_update_workspace(*, user, workspace, themes=None, tags=None, cover_upload=None, **fields) -> Workspace:
    """Owners change settings; community managers may change the welcome text."""
    if set(fields) - {"welcome", "welcome_message"} or themes is not None or tags is not None or cover_upload:
        check(user, "manage", workspace)
    else:
        check(user, "moderate", workspace)
    _lock_and_refresh(workspace)
    if workspace.is_archived:
        raise ActionError(_("This workspace is archived: restore it first."), code="archived", status=409)
    if cover_upload is not None:
        fields["cover_image"] = _store_cover(
            user=user, upload=cover_upload, title=fields.get("name") or workspace.name
        )
    before = (workspace.visibility, workspace.join_policy)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(workspace, name, value)
    if themes is not None:
        if not themes:
            raise ActionError(_("Choose at least one theme."), code="theme_required")
        workspace.themes.set(themes)
    if tags is not None:
        workspace.tags.set(list(tags))
    workspace.save()
    if (workspace.visibility, workspace.join_policy) != before:
        # Who may see or join changed: open connections re-read their verdict.
        access_changed_on_commit(space_ids=[workspace.pk], reason="settings_changed")
    record(actor=user, verb="workspace.updated", target=workspace, space=workspace)
    return workspace

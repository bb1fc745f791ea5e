"""Creating and changing groups. Membership changes are the core's (doeplein.access.actions)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.access.actions import do_create_space_membership
from doeplein.access.models import Role, Space
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError

from .models import Group

EDITABLE = ("name", "description", "policy", "visibility", "welcome_message", "allow_leaving")


def _lock_and_refresh(space):
    """Lock the space's row and take its counters fresh: the full save() below must not write back a stale
    member count or archive flag (joins update them in the database while this object sits in memory)."""
    list(Space.objects.select_for_update().filter(pk=space.pk).values_list("pk"))
    space.refresh_from_db(fields=["member_count", "last_activity_at", "is_archived"])


@transaction.atomic
def do_create_group(*, user, name, slug, workspace=None, **fields):
    """Inside a workspace: its members (not guests) may create groups. Platform-wide: civil servants."""
    if workspace is not None:
        check(user, "contribute", workspace)
    elif not can(user, "open_workspace"):
        raise PermissionDenied(_("Only civil servants can create platform-wide groups."))
    parent = workspace.space_ptr if workspace is not None else None
    if Group.objects.filter(parent=parent, slug=slug).exists():
        raise ActionError(_("The web address %(slug)s is taken.") % {"slug": slug}, code="duplicate_slug", status=409)
    group = Group(
        name=name, slug=slug, parent=parent, created_by=user, kind=Group.KIND,
        **{k: v for k, v in fields.items() if k in EDITABLE},
    )
    group.apply_policy()
    # Whoever calls this (a form, the API, a script), lengths and formats are checked the same way.
    group.full_clean(exclude=["created_by", "parent"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ActionError(_("The web address %(slug)s is taken.") % {"slug": slug}, code="duplicate_slug", status=409) from None
    do_create_space_membership(space=group, user=user, role=Role.OWNER)
    record(actor=user, verb="group.created", target=group, space=group)
    return group


@transaction.atomic
def do_update_group(*, user, group, **fields):
    check(user, "manage", group)
    _lock_and_refresh(group)
    if group.is_archived:
        raise ActionError(_("This group is archived: restore it first."), code="archived", status=409)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(group, name, value)
    group.save()
    record(actor=user, verb="group.updated", target=group, space=group)
    return group

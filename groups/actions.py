"""Creating and changing groups. Membership changes are the core's (doeplein.access.actions)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.access.actions import do_create_space_membership
from doeplein.access.models import Role
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError

from .models import Group

EDITABLE = ("name", "description", "policy", "visibility", "welcome_message", "allow_leaving")


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
    try:
        with transaction.atomic():
            group = Group.objects.create(
                name=name, slug=slug, parent=parent, created_by=user,
                **{k: v for k, v in fields.items() if k in EDITABLE},
            )
    except IntegrityError:
        raise ActionError(_("The web address %(slug)s is taken.") % {"slug": slug}, code="duplicate_slug", status=409)
    do_create_space_membership(space=group, user=user, role=Role.OWNER)
    record(actor=user, verb="group.created", target=group, space=group)
    return group


@transaction.atomic
def do_update_group(*, user, group, **fields):
    check(user, "manage", group)
    if group.is_archived:
        raise ActionError(_("This group is archived: restore it first."), code="archived", status=409)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(group, name, value)
    group.save()
    record(actor=user, verb="group.updated", target=group, space=group)
    return group

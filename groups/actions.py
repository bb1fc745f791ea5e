"""Creating and changing groups. Membership changes are the core's (doeplein.spaces.actions)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

from doeplein.access import can, check
from doeplein.activity.actions import record
from doeplein.core.exceptions import ActionError
from doeplein.live import access_changed_on_commit
from doeplein.spaces.actions import do_create_space_membership, do_invite_people, free_slug
from doeplein.spaces.kinds import kind_label
from doeplein.spaces.models import Role, Space, Visibility

from .models import Group, GroupPolicy

EDITABLE = ("name", "description", "policy", "visibility", "welcome_message", "allow_leaving")


def _lock_and_refresh(space):
    """Lock the space's row and take its counters fresh: the full save() below must not write back a stale
    member count or archive flag (joins update them in the database while this object sits in memory)."""
    list(Space.objects.select_for_update().filter(pk=space.pk).values_list("pk"))
    space.refresh_from_db(fields=["member_count", "last_activity_at", "is_archived"])


def check_may_create_group(user, parent=None) -> None:
    """Inside a space (of any kind): its members (not guests) may create groups, unless it is archived.
    Platform-wide: civil servants. Raises Http404 / PermissionDenied / ActionError (archived, 409)."""
    if parent is not None:
        check(user, "discover", parent)  # a space the person may not know of is a 404
        kind = kind_label(parent)
        if parent.is_archived:
            raise ActionError(
                _("This %(kind)s is archived: no groups can be added to it.") % {"kind": kind},
                code="archived",
                status=409,
            )
        if not can(user, "contribute", parent):
            raise PermissionDenied(
                _("Only members of this %(kind)s can create groups in it.") % {"kind": kind}
            )
    elif not can(user, "open_workspace"):
        raise PermissionDenied(_("Only civil servants can create platform-wide groups."))


@transaction.atomic
def do_create_group(*, user, name, slug, parent=None, workspace=None, **fields) -> Group:
    """A group in ``parent`` (a space of any kind; ``workspace`` is the older name) or platform-wide."""
    parent = parent if parent is not None else workspace
    check_may_create_group(user, parent)
    # A slug taken by a group the person may not find answers like a free one (made unique).
    slug = free_slug(user, Group.objects.filter(scope=parent.pk if parent is not None else 0), slug)
    group = Group(
        name=name,
        slug=slug,
        parent=parent,
        created_by=user,
        kind=Group.KIND,
        **{k: v for k, v in fields.items() if k in EDITABLE},
    )
    group.apply_policy()
    # Whoever calls this (a form, the API, a script), lengths and formats are checked the same way.
    group.full_clean(exclude=["created_by", "parent"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ActionError(
            _("The web address %(slug)s is taken.") % {"slug": slug}, code="duplicate_slug", status=409
        ) from None
    do_create_space_membership(space=group, user=user, role=Role.OWNER)
    record(actor=user, verb="group.created", target=group, space=group)
    return group


@transaction.atomic
def do_update_group(*, user, group, **fields) -> Group:
    check(user, "manage", group)
    _lock_and_refresh(group)
    if group.is_archived:
        raise ActionError(_("This group is archived: restore it first."), code="archived", status=409)
    before = (group.visibility, group.join_policy)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(group, name, value)
    group.save()
    if (group.visibility, group.join_policy) != before:
        # Who may see or join changed: open connections re-read their verdict.
        access_changed_on_commit(space_ids=[group.pk], reason="settings_changed")
    record(actor=user, verb="group.updated", target=group, space=group)
    return group


def may_create_group(user, parent) -> bool:
    """The gate's verdict on :func:`check_may_create_group`, as a yes or no."""
    try:
        check_may_create_group(user, parent)
    except (PermissionDenied, ActionError, Http404):
        return False
    return True


@transaction.atomic
def do_create_group_for_team(*, user, parent, name, people):
    """A group by invitation inside ``parent`` for a suggested team, with ``people`` invited as members
    through the core invitations: the team destination this plugin offers (``doeplein.plugins``).
    Returns ``(group, invited, skipped)``."""
    name = " ".join(str(name or "").split())
    if not name:
        raise ActionError(_("Give the new group a name."), code="no_name", status=422)
    slug = slugify(name)[:80].strip("-")
    if len(slug) < 2:
        slug = "team"
    try:
        group = do_create_group(
            user=user,
            name=name[:200],
            slug=slug,
            parent=parent,
            policy=GroupPolicy.INVITATION,
            visibility=Visibility.MEMBERS,
        )
    except ActionError as e:
        if e.code == "duplicate_slug":
            raise ActionError(
                _(
                    "A group called %(name)s already exists here: invite the team to it, or choose another name."
                )
                % {"name": name},
                code="duplicate_name",
                status=409,
            ) from None
        raise
    invited, skipped = do_invite_people(actor=user, space=group, people=people)
    return group, invited, skipped

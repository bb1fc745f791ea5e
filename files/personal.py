"""A person's own space for files: a secret space of kind ``personal_files`` that they own, made on
first use. Only its owner may see it (the gate's rules for a secret space with one member); from it they
copy files to spaces where they may add files, as from any other space."""

from django.db import transaction
from django.utils.translation import gettext as _

from doeplein.spaces.models import JoinPolicy, Membership, Role, Space, Visibility

PERSONAL_KIND = "personal_files"


def personal_space_of(user):
    """The person's own files space, or None when they have none yet (no write)."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user=user, role=Role.OWNER, space__kind=PERSONAL_KIND)
        .select_related("space")
        .order_by("pk")
        .first()
    )
    return membership.space if membership is not None else None


@transaction.atomic
def do_ensure_personal_space(*, user):
    """The person's own files space, created the first time they need it (once, also when two requests
    of theirs arrive together: the person's row is locked while it is made)."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    space = personal_space_of(user)
    if space is not None:
        return space
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    space = personal_space_of(user)
    if space is not None:
        return space
    name = _("My files (%(name)s)") % {"name": getattr(user, "display_name", None) or str(user)}
    space = Space.objects.create(
        kind=PERSONAL_KIND,
        name=str(name)[:200],
        visibility=Visibility.SECRET,
        join_policy=JoinPolicy.INVITATION,
        allow_leaving=False,
        member_count=1,
    )
    Membership.objects.create(space=space, user=user, role=Role.OWNER)
    return space

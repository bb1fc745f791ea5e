"""A person's own space for files: a secret space of kind ``personal_files`` that they own, made on
first use. Only its owner may see it (the gate's rules for a secret space with one member); from it they
copy files to spaces where they may add files, as from any other space."""

from django.utils.translation import gettext as _

from doeplein.spaces.actions import do_ensure_own_space, own_space_of
from doeplein.spaces.models import Visibility

PERSONAL_KIND = "personal_files"


def personal_space_of(user):
    """The person's own files space, or None when they have none yet (no write)."""
    if not user.is_authenticated:
        return None
    return own_space_of(user, PERSONAL_KIND)


def do_ensure_personal_space(*, user):
    """The person's own files space, created the first time they need it (once: see
    :func:`doeplein.spaces.actions.do_ensure_own_space`)."""
    from django.core.exceptions import PermissionDenied

    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    name = _("My files (%(name)s)") % {"name": getattr(user, "display_name", None) or str(user)}
    return do_ensure_own_space(user=user, kind=PERSONAL_KIND, name=name, visibility=Visibility.SECRET)

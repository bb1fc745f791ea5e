"""Forms of the membership pages. They validate input; the actions in ``actions.py`` decide and change."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role, Space

# Some kinds of space use only some roles (a group has owners, admins and members, no guests).
# Keyed by ``Space.kind``, a plain string, so that the core names no plugin.
_ROLES_BY_KIND = {"group": (Role.OWNER, Role.COMMUNITY_MANAGER, Role.MEMBER)}


def specific_of(space):
    # A Workspace or Group passed in is already specific; a bare Space needs one query to find its child.
    return space if type(space) is not Space else space.specific


def role_labeller(space):
    """A function ``role -> label`` under the names this kind of space uses (a group says "Admin")."""
    own = getattr(specific_of(space), "role_label", None)
    if callable(own):
        return lambda role: str(own(role))
    return lambda role: str(Role(role).label)


def space_roles(space, *, exclude=()):
    """The ``(role, label)`` pairs a space offers, strongest first."""
    label = role_labeller(space)
    roles = _ROLES_BY_KIND.get(space.kind, tuple(reversed(Role)))
    return [(int(role), label(role)) for role in roles if role not in exclude]


class AccessibleForm(forms.Form):
    """Errors linked to their fields: ``aria-invalid`` and ``aria-describedby`` naming the error list."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"


class MemberFilterForm(AccessibleForm):
    q = forms.CharField(label=_("Search by name or organisation"), max_length=100, required=False)
    role = forms.TypedChoiceField(label=_("Role"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles"))] + space_roles(space)


class JoinRequestForm(AccessibleForm):
    message = forms.CharField(
        label=_("Message to the managers (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(AccessibleForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    message = forms.CharField(
        label=_("Message to the person (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InviteForm(AccessibleForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.TypedChoiceField(label=_("Role"), coerce=int, initial=int(Role.MEMBER))

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        # Ownership is handed over later, never given by invitation.
        choices = space_roles(space, exclude=(Role.OWNER,))
        # Member first: the usual choice.
        self.fields["role"].choices = sorted(choices, key=lambda choice: choice[0] != Role.MEMBER)


class RoleForm(AccessibleForm):
    role = forms.TypedChoiceField(label=_("Role"), coerce=int)

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = space_roles(space)


class ArchiveForm(AccessibleForm):
    archived = forms.TypedChoiceField(
        label=_("Archived"), choices=[("1", _("Archive")), ("0", _("Restore"))], coerce=lambda value: value == "1"
    )

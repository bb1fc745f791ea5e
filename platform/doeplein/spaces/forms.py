"""Forms of the membership pages. They validate input; the actions in ``actions.py`` decide and change."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import role_label, roles_of
from .models import Role


def role_labeller(space):
    """A function ``role -> label`` under the names this kind of space uses (a group says "Admin")."""
    return lambda role: role_label(space, role)


def space_roles(space, *, exclude=()):
    """The ``(role, label)`` pairs a space offers, strongest first."""
    return [(role, label) for role, label in roles_of(space) if role not in exclude]


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

    def __init__(self, *args, space, by_owner=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Ownership is handed over later, never given by invitation; only owners give roles above member.
        choices = [
            (role, label) for role, label in space_roles(space, exclude=(Role.OWNER,))
            if by_owner or role <= Role.MEMBER
        ]
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

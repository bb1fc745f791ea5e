"""Forms of the membership pages. They validate input; the actions in ``actions.py`` decide and change."""

from django import forms
from django.utils.text import slugify
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
        label=_("Message to the managers (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(AccessibleForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    message = forms.CharField(
        label=_("Message to the person (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(AccessibleForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.TypedChoiceField(label=_("Role"), coerce=int, initial=int(Role.MEMBER))

    def __init__(self, *args, space, by_owner=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Ownership is handed over later, never given by invitation; only owners give roles above member.
        choices = [
            (role, label)
            for role, label in space_roles(space, exclude=(Role.OWNER,))
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
        label=_("Archived"),
        choices=[("1", _("Archive")), ("0", _("Restore"))],
        coerce=lambda value: value == "1",
    )


def slug_field(model, *, help_text):
    """The web address of a new space: one field, the same on every kind's form (``SlugForm`` cleans it)."""
    return forms.CharField(
        label=_("Web address"),
        required=False,
        max_length=model._meta.get_field("slug").max_length,
        help_text=help_text,
    )


def welcome_message_field(model, *, help_text):
    """The message new members of a space get: one field, the same on every kind's form."""
    return forms.CharField(
        label=_("Welcome message for new members"),
        required=False,
        max_length=model._meta.get_field("welcome_message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class SlugForm(forms.Form):
    """The form of a kind of space that names its spaces by web address (``slug``).

    Subclasses set ``slug_max`` and ``slug_format`` (a validator with the kind's own example),
    ``no_slug_message`` (said when the name gives no address) and ``slug_taken(slug)``: whether the
    person may find a space of this kind under that address. One they may not find is not "taken": the
    action makes the address unique, exactly as if it were free. An existing space keeps its address.
    """

    slug_max = 80
    slug_format = None
    no_slug_message = ""

    def __init__(self, *args, instance=None, user=None, **kwargs):
        self.instance = instance
        self.user = user
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["slug"]  # links to the space must keep working

    def slug_taken(self, slug) -> bool:
        raise NotImplementedError

    def with_slug(self, fields) -> dict:
        """``fields`` for the action, with the web address when the form asks for one (a new space)."""
        return {**fields, "slug": self.cleaned_data["slug"]} if "slug" in self.fields else fields

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "").strip().lower()
        if not slug:
            slug = slugify(self.cleaned_data.get("name", ""))[: self.slug_max].strip("-")
            if not slug:
                if "name" in self.cleaned_data:  # a name without letters or digits gives no address
                    raise forms.ValidationError(self.no_slug_message)
                return slug
        if self.slug_format is not None:
            self.slug_format(slug)
        if len(slug) < 2:
            raise forms.ValidationError(_("A web address has at least 2 characters."))
        if self.slug_taken(slug):
            raise forms.ValidationError(_("The web address %(slug)s is taken.") % {"slug": slug})
        return slug

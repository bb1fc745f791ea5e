"""Forms for the group pages. They validate input; the actions in actions.py change state."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from doeplein.access import discoverable
from doeplein.spaces.forms import SlugForm, slug_field, welcome_message_field
from doeplein.spaces.models import Visibility

from .models import Group, GroupPolicy

NAME_MAX = Group._meta.get_field("name").max_length
SLUG_MAX = Group._meta.get_field("slug").max_length

slug_format = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters, digits and hyphens only, for example youth-care-team."),
)

# A secret group is chosen through its membership policy; the other visibilities are free.
VISIBILITIES = [(value, label) for value, label in Visibility.choices if value != Visibility.SECRET]


class GroupForm(SlugForm):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    slug = slug_field(
        Group, help_text=_("The last part of the group's address. Left empty, it is made from the name.")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=Group._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    policy = forms.ChoiceField(
        label=_("Membership"),
        choices=GroupPolicy.choices,
        initial=GroupPolicy.REQUEST,
        widget=forms.RadioSelect,
    )
    visibility = forms.ChoiceField(
        label=_("Who can see the group"),
        choices=VISIBILITIES,
        initial=Visibility.LOGGED_IN,
        help_text=_("A secret group is seen by its members only, whatever you choose here."),
    )
    welcome_message = welcome_message_field(
        Group,
        help_text=_("Sent to new members and shown on the group's noticeboard, which only members see."),
    )
    allow_leaving = forms.BooleanField(
        label=_("Members may leave"),
        required=False,
        initial=True,
        help_text=_("Switch off for mandatory teams."),
    )

    slug_max = SLUG_MAX
    slug_format = slug_format
    no_slug_message = _("Choose a web address: the name gives none.")

    def __init__(self, *args, parent=None, **kwargs):
        self.parent = parent  # the space a new group lives in, or None for platform-wide
        super().__init__(*args, **kwargs)

    def slug_taken(self, slug) -> bool:
        scope = self.parent.pk if self.parent is not None else 0
        return discoverable(self.user, Group.objects.filter(scope=scope, slug=slug)).exists()

    def action_fields(self):
        data = self.cleaned_data
        return self.with_slug(
            {
                "name": data["name"].strip(),
                "description": data["description"].strip(),
                "policy": data["policy"],
                "visibility": data["visibility"],
                "welcome_message": data["welcome_message"].strip(),
                "allow_leaving": data["allow_leaving"],
            }
        )

    @classmethod
    def initial_for(cls, group):
        return {
            "name": group.name,
            "description": group.description,
            "policy": group.policy,
            "visibility": group.visibility if group.visibility != Visibility.SECRET else Visibility.MEMBERS,
            "welcome_message": group.welcome_message,
            "allow_leaving": group.allow_leaving,
        }


class GroupSearchForm(forms.Form):
    q = forms.CharField(label=_("Search groups"), required=False, max_length=200)

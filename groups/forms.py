"""Forms for the group pages. They validate input; the actions in actions.py change state."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from doeplein.access import discoverable
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


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    slug = forms.CharField(
        label=_("Web address"),
        required=False,
        max_length=SLUG_MAX,
        help_text=_("The last part of the group's address. Left empty, it is made from the name."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=Group._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    policy = forms.ChoiceField(
        label=_("Membership"), choices=GroupPolicy.choices, initial=GroupPolicy.REQUEST, widget=forms.RadioSelect
    )
    visibility = forms.ChoiceField(
        label=_("Who can see the group"),
        choices=VISIBILITIES,
        initial=Visibility.LOGGED_IN,
        help_text=_("A secret group is seen by its members only, whatever you choose here."),
    )
    welcome_message = forms.CharField(
        label=_("Welcome message for new members"),
        required=False,
        max_length=Group._meta.get_field("welcome_message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to new members and shown on the group's noticeboard, which only members see."),
    )
    allow_leaving = forms.BooleanField(
        label=_("Members may leave"), required=False, initial=True, help_text=_("Switch off for mandatory teams.")
    )

    def __init__(self, *args, instance=None, parent=None, user=None, **kwargs):
        self.instance = instance
        self.parent = parent  # the space a new group lives in, or None for platform-wide
        self.user = user  # a slug taken by a group this person may not find is not "taken"
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["slug"]  # links to the group must keep working

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "").strip().lower()
        if not slug:
            slug = slugify(self.cleaned_data.get("name", ""))[:SLUG_MAX].strip("-")
            if not slug:
                if "name" in self.cleaned_data:
                    raise forms.ValidationError(_("Choose a web address: the name gives none."))
                return slug
        slug_format(slug)
        if len(slug) < 2:
            raise forms.ValidationError(_("A web address has at least 2 characters."))
        scope = self.parent.pk if self.parent is not None else 0
        if discoverable(self.user, Group.objects.filter(scope=scope, slug=slug)).exists():
            raise forms.ValidationError(_("The web address %(slug)s is taken.") % {"slug": slug})
        return slug

    def action_fields(self):
        data = self.cleaned_data
        fields = {
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "policy": data["policy"],
            "visibility": data["visibility"],
            "welcome_message": data["welcome_message"].strip(),
            "allow_leaving": data["allow_leaving"],
        }
        if "slug" in self.fields:
            fields["slug"] = data["slug"]
        return fields

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

"""Forms for the workspace pages. They validate input; the actions in actions.py change state."""

import html
import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.html import linebreaks, strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from doeplein.access import discoverable
from doeplein.core.forms import ModelMultipleIdField
from doeplein.home.models import Theme
from doeplein.spaces.forms import slug_field
from doeplein.spaces.models import JoinPolicy, Visibility

from .models import Workspace

NAME_MAX = Workspace._meta.get_field("name").max_length
SLUG_MAX = Workspace._meta.get_field("slug").max_length
TAG_MAX = 100  # taggit's Tag.name
TAGS_MAX = 20
WELCOME_MAX = 10_000

slug_format = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters, digits and hyphens only, for example climate-adaptation."),
)


def text_to_html(text):
    """Plain text from a textarea as simple HTML paragraphs, the user's input escaped."""
    text = (text or "").strip()
    return linebreaks(text, autoescape=True) if text else ""


def html_to_text(value):
    """Stored rich text back to the plain text the textarea edits."""
    value = re.sub(r"</p>\s*<p[^>]*>", "\n\n", value or "")
    value = re.sub(r"<br\s*/?>", "\n", value)
    return html.unescape(strip_tags(value)).strip()


def split_tags(value):
    """ "a, b ,a" → ["a", "b"]: trimmed, without duplicates, in order."""
    seen, tags = set(), []
    for tag in (value or "").split(","):
        tag = " ".join(tag.split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


class WelcomeForm(forms.Form):
    """What community managers may change: the welcome text and the message to new members."""

    welcome = forms.CharField(
        label=_("Welcome text"),
        required=False,
        max_length=WELCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Shown on the workspace's home page. Leave an empty line between paragraphs."),
    )
    welcome_message = forms.CharField(
        label=_("Welcome message for new members"),
        required=False,
        max_length=Workspace._meta.get_field("welcome_message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to people when they become a member."),
    )

    def action_fields(self):
        data = self.cleaned_data
        return {"welcome": text_to_html(data["welcome"]), "welcome_message": data["welcome_message"].strip()}


class WorkspaceForm(WelcomeForm):
    """Everything about a workspace: used to open one and by its owners to change it."""

    name = forms.CharField(label=_("Title"), max_length=NAME_MAX)
    slug = slug_field(
        Workspace,
        help_text=_("The last part of the workspace's address. Left empty, it is made from the title."),
    )
    themes = ModelMultipleIdField(
        label=_("Themes"),
        queryset=Theme.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one theme."),
            "invalid_choice": _("Theme %(value)s does not exist."),
            "invalid_pk_value": _("Theme %(pk)s does not exist."),
        },
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=2000,
        help_text=_("Free words that help people find the workspace, separated by commas."),
    )
    description = forms.CharField(
        label=_("Short description"),
        required=False,
        max_length=Workspace._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cover_image = WagtailImageField(label=_("Cover image"), required=False)
    visibility = forms.ChoiceField(
        label=_("Who can see the workspace"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    join_policy = forms.ChoiceField(
        label=_("Who may join"), choices=JoinPolicy.choices, initial=JoinPolicy.REQUEST
    )

    field_order = [
        "name",
        "slug",
        "themes",
        "tags",
        "description",
        "welcome",
        "welcome_message",
        "cover_image",
        "visibility",
        "join_policy",
    ]

    def __init__(self, *args, instance=None, user=None, **kwargs):
        self.instance = instance
        self.user = user  # who opens it: a slug taken by a workspace they may not find is not "taken"
        super().__init__(*args, **kwargs)
        # Wagtail writes the image field's help text once, in the language active when the class was
        # defined (Dutch); build the field again so the text follows this request's language.
        self.fields["cover_image"] = WagtailImageField(label=_("Cover image"), required=False)
        if instance is not None:
            # The web address stays what it is: links to the workspace must keep working.
            del self.fields["slug"]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "").strip().lower()
        if not slug:
            slug = slugify(self.cleaned_data.get("name", ""))[:SLUG_MAX].strip("-")
            if not slug:
                if "name" in self.cleaned_data:  # a title without letters or digits gives no address
                    raise forms.ValidationError(_("Choose a web address: the title gives none."))
                return slug
        slug_format(slug)
        if len(slug) < 2:
            raise forms.ValidationError(_("A web address has at least 2 characters."))
        # Taken by a workspace the person may find: say so. Taken by a secret one: the action makes the
        # address unique, exactly as if it were free.
        if discoverable(self.user, Workspace.objects.filter(slug=slug)).exists():
            raise forms.ValidationError(_("The web address %(slug)s is taken.") % {"slug": slug})
        return slug

    def clean_tags(self):
        tags = split_tags(self.cleaned_data.get("tags"))
        if len(tags) > TAGS_MAX:
            raise forms.ValidationError(_("Give at most %(n)d tags.") % {"n": TAGS_MAX})
        too_long = [t for t in tags if len(t) > TAG_MAX]
        if too_long:
            raise forms.ValidationError(_("A tag has at most %(n)d characters.") % {"n": TAG_MAX})
        return tags

    def action_fields(self):
        data = self.cleaned_data
        fields = super().action_fields()
        fields.update(
            name=data["name"].strip(),
            themes=list(data["themes"]),
            tags=data["tags"],
            description=data["description"].strip(),
            visibility=data["visibility"],
            join_policy=data["join_policy"],
        )
        if data.get("cover_image"):
            fields["cover_upload"] = data["cover_image"]
        if "slug" in self.fields:
            fields["slug"] = data["slug"]
        return fields

    @classmethod
    def initial_for(cls, workspace):
        return {
            "name": workspace.name,
            "themes": list(workspace.themes.all()),
            "tags": ", ".join(t.name for t in workspace.tags.all()),
            "description": workspace.description,
            "welcome": html_to_text(workspace.welcome),
            "welcome_message": workspace.welcome_message,
            "visibility": workspace.visibility,
            "join_policy": workspace.join_policy,
        }


class DirectoryForm(forms.Form):
    """The directory's filters. Unknown values fall back to defaults instead of failing."""

    SORTS = [("name", _("Name")), ("newest", _("Newest")), ("active", _("Most active"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    theme = forms.SlugField(label=_("Theme"), required=False, max_length=100)
    mine = forms.BooleanField(label=_("Only my workspaces"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def filters(self):
        self.is_valid()  # cleaned_data then keeps the fields that are valid
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip() or None,
            "theme": data.get("theme") or None,
            "mine": bool(data.get("mine")),
            "sort": data.get("sort") or "name",
        }

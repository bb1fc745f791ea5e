"""Forms parse what the pages send; the actions check it again (the API goes straight to them)."""

import copy
import json

from django import forms
from django.core import validators
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.rich_text import DraftailRichTextArea
from wagtail.admin.staticfiles import versioned_static
from wagtail.images.fields import WagtailImageField

from . import richtext
from .models import BODY_FEATURES, SUMMARY_MAX, TITLE_MAX, PostVisibility
from .richtext import text_to_html

EDITOR_SUFFIX = "_draftail"
TOOLBAR_LABELS = {
    "header-two": pgettext_lazy("rich text editor", "Heading 2"),
    "header-three": pgettext_lazy("rich text editor", "Heading 3"),
    "ordered-list-item": pgettext_lazy("rich text editor", "Numbered list"),
    "unordered-list-item": pgettext_lazy("rich text editor", "Bulleted list"),
    "blockquote": pgettext_lazy("rich text editor", "Quote"),
    "BOLD": pgettext_lazy("rich text editor", "Bold"),
    "ITALIC": pgettext_lazy("rich text editor", "Italic"),
    "LINK": pgettext_lazy("rich text editor", "Link"),
}


class BodyEditor(DraftailRichTextArea):
    """Wagtail's Draftail editor for the post's features, for members on the site (not the admin).

    It renders two inputs. A text area, named after the field, holds the body as simple HTML: without
    script it is what the member edits and sends. A hidden input (``<name>_draftail``), disabled until
    ``blogs/editor.js`` starts Draftail on it, holds the same body as contentstate; with script the
    text area is disabled instead, so the server gets exactly one of them. Wagtail builds the editor's
    options from the features (``DraftailRichTextArea``); the link feature's admin choosers are left out
    (members are not admin users): ``editor.js`` gives links a dialog of its own.
    """

    template_name = "blogs/widgets/body_editor.html"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, features=BODY_FEATURES)
        # The features' plugins put their own (shared) dicts in the options: change a copy, never what
        # the admin's editors use.
        self.options = copy.deepcopy(self.options)
        for entity in self.options.get("entityTypes", []):
            entity.pop("chooserUrls", None)
        # The toolbar's labels in the site's words (Wagtail's Dutch leaves "Bold" and "Italic" English).
        for kind in ("blockTypes", "inlineStyles", "entityTypes"):
            for item in self.options.get(kind, []):
                item["description"] = TOOLBAR_LABELS.get(item["type"], item["description"])
        # editor.js starts the editor itself (Wagtail's Stimulus controller lives in the admin's core.js).
        for name in ("data-controller", "data-w-init-event-value"):
            self.attrs.pop(name, None)

    def value_from_datadict(self, data, files, name):
        if name + EDITOR_SUFFIX in data:
            return ("contentstate", data.get(name + EDITOR_SUFFIX))
        if name in data:
            return ("html", data.get(name))
        return None

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + EDITOR_SUFFIX not in data

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, None, attrs)
        html, contentstate = "", html_to_state("")
        if isinstance(value, tuple):  # sent back with an error elsewhere in the form: keep what was typed
            kind, raw = value
            if kind == "html":
                html = raw or ""
                try:
                    contentstate = html_to_state(richtext.sanitise_body(text_to_html(html)))
                except richtext.CONVERTER_ERRORS:
                    pass
            else:
                try:
                    stored = richtext.contentstate_to_html(raw)
                except richtext.BadContentstate:
                    stored = ""
                html, contentstate = richtext.html_for_textarea(stored), html_to_state(stored)
        elif value:
            html, contentstate = richtext.html_for_textarea(value), html_to_state(value)
        widget = context["widget"]
        widget["html"] = html
        widget["contentstate"] = contentstate
        widget["editor_name"] = name + EDITOR_SUFFIX
        widget["options"] = json.dumps(self.options, cls=DjangoJSONEncoder)
        return context

    @property
    def media(self):
        # Wagtail's own built files, from this site's static files (no CDN): vendor.js holds React and
        # Draft.js for draftail.js; no admin script (core.js, jQuery, the modal workflow) is needed.
        return forms.Media(
            js=[
                versioned_static("wagtailadmin/js/vendor.js"),
                versioned_static("wagtailadmin/js/draftail.js"),
                versioned_static("blogs/editor.js"),
            ],
            css={
                "all": [
                    versioned_static("wagtailadmin/css/panels/draftail.css"),
                    versioned_static("blogs/editor.css"),
                ]
            },
        )


def html_to_state(html):
    return richtext.html_to_contentstate(html)


class BodyField(forms.Field):
    """The body from either input of :class:`BodyEditor`, as HTML for the actions (which whitelist it)."""

    widget = BodyEditor
    default_error_messages = {
        "bad_contentstate": _("The text from the editor could not be read. Nothing was saved; try again."),
        "too_long": _("The text is too long."),
    }

    def to_python(self, value):
        if not value:
            return ""
        kind, raw = value
        raw = raw or ""
        # As forms.CharField does: PostgreSQL cannot store a NUL character (it would be a 500).
        validators.ProhibitNullCharactersValidator()(raw)
        if kind == "contentstate":
            try:
                html = richtext.contentstate_to_html(raw)
            except richtext.BadContentstate as exc:
                raise forms.ValidationError(
                    self.error_messages["bad_contentstate"], code="bad_contentstate"
                ) from exc
        else:
            if len(raw) > richtext.BODY_HTML_MAX:
                raise forms.ValidationError(self.error_messages["too_long"], code="too_long")
            html = text_to_html(raw)
        if len(html) > richtext.BODY_HTML_MAX:
            raise forms.ValidationError(self.error_messages["too_long"], code="too_long")
        return html

    def bound_data(self, data, initial):
        return data


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary"), max_length=SUMMARY_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = BodyField(
        label=_("Text"),
        required=False,
        help_text=_(
            "Headings, bold, italic, lists, quotes and links are kept. "
            "Without the editor, separate paragraphs with an empty line."
        ),
    )
    cover_file = WagtailImageField(label=_("Cover image"), required=False)
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)
    cover_alt = forms.CharField(
        label=_("Description of the cover image"),
        max_length=250,
        required=False,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000, help_text=_("Separate tags with commas.")
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=PostVisibility.choices, initial=PostVisibility.SPACE
    )
    attachments = forms.MultipleChoiceField(
        label=_("Attachments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Files from this space. A reader sees an attachment only if they may download it."),
    )
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)

    def __init__(self, *args, has_cover=False, attachment_choices=(), current_attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        from doeplein.home.models import Theme

        self.fields["themes"].queryset = Theme.objects.all()
        self.has_cover = has_cover
        # What the writer may attach (offered by the plugins behind doeplein_attachment_sources), plus
        # what the post has already, which an editor may keep even when it is not theirs to see.
        choices = list(attachment_choices)
        offered = {key for key, _label in choices}
        choices += [(key, key) for key in current_attachments if key not in offered]
        if choices:
            self.fields["attachments"].choices = choices
        else:
            del self.fields["attachments"]

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean(self):
        data = super().clean()
        keeps_cover = (self.has_cover and not data.get("remove_cover")) or data.get("cover_file")
        if keeps_cover and not (data.get("cover_alt") or "").strip():
            self.add_error("cover_alt", _("Describe the cover image for people who cannot see it."))
        return data

    def post_fields(self):
        data = self.cleaned_data
        fields = {
            name: data[name] for name in ("title", "summary", "body", "cover_alt", "tags", "visibility")
        }
        fields["themes"] = [t.pk for t in data["themes"]]
        if "attachments" in self.fields:
            fields["attachments"] = list(data["attachments"])
        return fields


class ScheduleForm(forms.Form):
    go_live_at = forms.DateTimeField(
        label=_("Publish at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    expire_at = forms.DateTimeField(
        label=_("Take offline at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)


class ListFilterForm(forms.Form):
    theme = forms.SlugField(required=False, max_length=100)
    tag = forms.SlugField(required=False, max_length=100, allow_unicode=True)
    sort = forms.ChoiceField(
        required=False, choices=[("newest", _("Newest")), ("discussed", _("Most discussed"))]
    )

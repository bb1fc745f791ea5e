"""Forms parse what the pages send; the actions check it again (the API goes straight to them)."""

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from .models import SUMMARY_MAX, TITLE_MAX, PostVisibility


def text_to_html(text):
    """Paragraphs typed without markup become ``<p>`` elements; markup goes to Wagtail's whitelister."""
    if "<" in text:
        return text
    return "".join(
        f"<p>{escape(p.strip())}</p>" for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()
    )


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary"), max_length=SUMMARY_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Paragraphs separated by an empty line. Headings, bold, italic, lists, quotes and links are kept."
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

    def clean_body(self):
        return text_to_html(self.cleaned_data["body"])

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

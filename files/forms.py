"""Form parsing at the edge: names, ids, notes. The actions check the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from doeplein.core.forms import MAX_ID


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Files"), widget=MultipleFileInput(attrs={"multiple": True}))
    folder = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"), allow_empty_file=True)
    note = forms.CharField(label=_("What changed (optional)"), required=False, max_length=500)


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255, strip=True)


class FolderForm(NameForm):
    parent = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    folder = forms.IntegerField(label=_("To folder"), required=False, min_value=1, max_value=MAX_ID)


class CopyForm(forms.Form):
    space = forms.IntegerField(label=_("To space"), min_value=1, max_value=MAX_ID)
    folder = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class SortForm(forms.Form):
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("name", _("Name")),
            ("-updated", _("Newest first")),
            ("updated", _("Oldest first")),
            ("-size", _("Largest first")),
            ("size", _("Smallest first")),
        ],
    )

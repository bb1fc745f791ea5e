"""The search's parameters, parsed at the edge: bad values become notes, never errors."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .query import MAX_CHARS
from .selectors import MAX_PAGE, SearchParams

MAX_ID = 2**63 - 1


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    type = forms.MultipleChoiceField(label=_("Type"), required=False)
    theme = forms.IntegerField(label=_("Theme"), required=False, min_value=1, max_value=MAX_ID)
    space = forms.IntegerField(label=_("Space"), required=False, min_value=1, max_value=MAX_ID)
    person = forms.IntegerField(label=_("Person"), required=False, min_value=1, max_value=MAX_ID)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE + 1)

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(type_choices)

    def params(self):
        """SearchParams from what was valid; invalid fields are left out and named in notes."""
        self.is_valid()
        data = self.cleaned_data
        notes = [
            _("We ignored the filter “%(name)s”: its value is not valid.")
            % {"name": self.fields[name].label or name}
            for name in self.errors
            if name not in ("type", "page", "q")
        ]
        types = data.get("type") or []
        if "type" in self.errors:
            raw = self.data.getlist("type") if hasattr(self.data, "getlist") else []
            types = [t[:50] for t in raw[:20]]  # unknown types: the search says so
        page = data.get("page") or 1
        if "page" in self.errors:
            page = 0  # out of range: the search answers "there is no such page"
        q = data.get("q") or (self.data.get("q", "") if "q" in self.errors else "")
        return (
            SearchParams(
                q=str(q)[: MAX_CHARS * 20],
                types=types,
                theme=data.get("theme"),
                space=data.get("space"),
                person=data.get("person"),
                year=data.get("year"),
                date_from=_valid_date(data.get("date_from")),
                date_to=_valid_date(data.get("date_to")),
                page=page,
            ),
            notes,
        )


def _valid_date(value):
    return value if isinstance(value, date) else None

from django import forms
from django.utils.translation import gettext_lazy as _


def _split(value):
    return [s.strip() for s in (value or "").replace(";", ",").split(",") if s.strip()]


class ExpertSearchForm(forms.Form):
    q = forms.CharField(label=_("What do you need to know?"), max_length=500, required=False)
    skills = forms.CharField(label=_("Skills or themes (comma-separated)"), max_length=500, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    space = forms.IntegerField(label=_("Only members of space (number)"), required=False, min_value=1)

    def clean_skills(self):
        return _split(self.cleaned_data["skills"])

    def clean(self):
        data = super().clean()
        if not (data.get("q") or data.get("skills")):
            raise forms.ValidationError(_("Describe your question or name a skill."))
        return data


class TeamRequestForm(forms.Form):
    skills = forms.CharField(label=_("Skills and themes the team needs (comma-separated)"), max_length=1000)
    min_size = forms.IntegerField(label=_("Smallest team"), min_value=1, max_value=50, initial=2)
    max_size = forms.IntegerField(
        label=_("Largest team"), min_value=1, max_value=50, required=False, initial=6
    )
    must_include = forms.CharField(
        label=_("Must be in it (e-mail addresses, comma-separated)"), required=False, max_length=2000
    )
    exclude = forms.CharField(
        label=_("Leave out (e-mail addresses, comma-separated)"), required=False, max_length=2000
    )

    def clean_skills(self):
        skills = _split(self.cleaned_data["skills"])
        if not skills:
            raise forms.ValidationError(_("Name at least one skill or theme."))
        return skills

    def _people(self, name):
        from doeplein.accounts.models import User

        emails = _split(self.cleaned_data.get(name))
        found = dict(
            User.objects.filter(email__in=[e.lower() for e in emails], is_active=True).values_list(
                "email", "pk"
            )
        )
        missing = [e for e in emails if e.lower() not in found]
        if missing:
            raise forms.ValidationError(
                _("Nobody has the address %(emails)s.") % {"emails": ", ".join(missing)}
            )
        return list(found.values())

    def clean_must_include(self):
        return self._people("must_include")

    def clean_exclude(self):
        return self._people("exclude")

    def clean(self):
        data = super().clean()
        if data.get("min_size") and data.get("max_size") and data["min_size"] > data["max_size"]:
            raise forms.ValidationError(_("The smallest team size is larger than the largest."))
        return data


class InviteForm(forms.Form):
    space = forms.IntegerField(min_value=1)
    people = forms.CharField(max_length=5000)

    def clean_people(self):
        try:
            return [int(x) for x in self.cleaned_data["people"].split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("Choose people to invite.")) from None


class InviteTeamForm(forms.Form):
    """Invite suggested team number ``team`` to ``destination``: "space:<id>" or "new:<kind>" (then ``name``)."""

    team = forms.IntegerField(min_value=1, max_value=10, error_messages={"required": _("Choose a team.")})
    destination = forms.CharField(
        max_length=100, error_messages={"required": _("Choose where to invite the team.")}
    )
    name = forms.CharField(max_length=200, required=False)

    def clean(self):
        data = super().clean()
        value = data.get("destination") or ""
        prefix, _sep, rest = value.partition(":")
        data["space_id"], data["new_kind"] = None, None
        if prefix == "space" and rest.isdigit() and int(rest) > 0:
            data["space_id"] = int(rest)
        elif prefix == "new" and rest:
            data["new_kind"] = rest
            if not (data.get("name") or "").strip():
                self.add_error("name", _("Give the new space a name."))
        elif value:
            self.add_error("destination", _("Choose where to invite the team."))
        data["name"] = (data.get("name") or "").strip()
        return data

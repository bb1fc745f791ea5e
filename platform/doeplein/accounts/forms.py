"""Forms for sign-up and the profile."""

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField

from doeplein.core.forms import ModelMultipleIdField
from doeplein.home.models import Theme

from .models import Audience, Profile, ProfileEntry


class SignupExtraForm(forms.Form):
    """Extra sign-up fields for allauth's form: the name people will see."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def signup(self, request, user):
        """allauth calls this after creating the user; the adapter already copied the names."""


class ProfileForm(forms.ModelForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    skills = TagField(
        label=_("Skills"),
        required=False,
        max_length=1000,
        help_text=_("Separate skills with commas, for example: participation, spatial planning, GDPR."),
    )
    themes = ModelMultipleIdField(
        label=_("Themes of interest"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Profile
        fields = ["organisation", "job_title", "avatar", "bio", "suggestible", "language", "digest"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.instance
        self.fields["first_name"].initial = profile.user.first_name
        self.fields["last_name"].initial = profile.user.last_name
        if profile.pk:
            self.fields["skills"].initial = ", ".join(sorted(profile.skills.names()))
            self.fields["themes"].initial = list(profile.themes.values_list("pk", flat=True))
        self.fields["findable"] = forms.ChoiceField(
            label=_("Who may find you in the search?"),
            choices=[
                (Audience.EVERYONE, _("Everyone")),
                (Audience.LOGGED_IN, _("Logged-in users")),
                (Audience.ONLY_ME, _("Nobody (only platform administrators)")),
            ],
            initial=profile.findable_by(),
            required=False,
            help_text=_("They find you by your name and by the fields they may see."),
        )
        for name in Profile.PRIVATE_FIELDS:
            self.fields[f"audience_{name}"] = forms.ChoiceField(
                label=_("Who sees this?"),
                choices=Audience.choices,
                initial=profile.audience_for(name),
                widget=forms.Select(attrs={"class": "audience"}),
            )

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if avatar and hasattr(avatar, "size") and avatar.size > settings.AVATAR_MAX_BYTES:
            raise forms.ValidationError(
                _("The picture is too large: at most %(mb)d MB.")
                % {"mb": settings.AVATAR_MAX_BYTES // (1024 * 1024)}
            )
        return avatar

    def clean_skills(self):
        skills = self.cleaned_data.get("skills") or []
        too_long = [s for s in skills if len(s) > 100]
        if too_long:
            raise forms.ValidationError(_("A skill can be at most 100 characters long."))
        if len(skills) > 50:
            raise forms.ValidationError(_("At most 50 skills."))
        return skills

    def audience_fields(self):
        return [self[f"audience_{name}"] for name in Profile.PRIVATE_FIELDS]

    def split(self):
        """(data, audience) for :func:`doeplein.accounts.actions.do_update_profile`."""
        data = {
            name: self.cleaned_data[name]
            for name in ("first_name", "last_name", "skills", "themes", *self._meta.fields)
        }
        if data.get("avatar") is False:  # the "clear" box was ticked
            data["avatar"] = ""
        audience = {name: self.cleaned_data[f"audience_{name}"] for name in Profile.PRIVATE_FIELDS}
        if self.cleaned_data.get("findable"):
            audience[Profile.FINDABLE] = self.cleaned_data["findable"]
        return data, audience


class EntryForm(forms.ModelForm):
    class Meta:
        model = ProfileEntry
        fields = ["kind", "title", "organisation", "start_year", "end_year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        for name in ("start_year", "end_year"):
            year = cleaned.get(name)
            if year is not None and not (1900 <= year <= 2100):
                self.add_error(name, _("Give a year between 1900 and 2100."))
        if start and end and end < start:
            self.add_error("end_year", _("The end year comes before the start year."))
        return cleaned


EntryFormSet = inlineformset_factory(
    Profile, ProfileEntry, form=EntryForm, extra=1, can_delete=True, max_num=50
)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, strip=False)
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good; what I wrote stays, as 'deleted user'.")
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"), max_length=100, help_text=_("For example: my script")
    )

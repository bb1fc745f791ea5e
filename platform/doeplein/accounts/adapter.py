"""allauth adapter: Doeplein's own rules for sign-up."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.first_name = form.cleaned_data.get("first_name", "")[:150]
        user.last_name = form.cleaned_data.get("last_name", "")[:150]
        if commit:
            user.save()
        return user

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

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails with the site's name and public address (``SITE_URL``), never the host
        name the request came in on, in the recipient's language."""
        from django.utils import translation

        from doeplein.accounts.language import language_of
        from doeplein.core.mail import absolute, mail_context

        context = {**context, **mail_context()}
        for key, value in list(context.items()):
            if key.endswith("_url") and key != "site_url" and isinstance(value, str) and value:
                context[key] = absolute(value)
        user = context.get("user")
        language = (
            language_of(user)
            if user is not None and getattr(user, "pk", None)
            else translation.get_language()
        )
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

"""allauth's signals, handed to the account actions."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver


@receiver(user_signed_up)
def on_signed_up(sender, request, user, **kwargs):
    from .actions import new_user_signed_up

    new_user_signed_up(user=user)


@receiver(email_confirmed)
def on_email_confirmed(sender, request, email_address, **kwargs):
    from .actions import do_confirm_email

    do_confirm_email(user=email_address.user, email=email_address.email)

"""Grant a platform role from the command line (the Wagtail admin does the same through groups)."""

from django.core.management.base import BaseCommand, CommandError

from doeplein.accounts.actions import ROLE_GROUPS, do_grant_role
from doeplein.accounts.models import User


class Command(BaseCommand):
    help = "Make a person a civil servant or a platform administrator."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", choices=sorted(ROLE_GROUPS))

    def handle(self, *args, email, role, **options):
        user = User.objects.filter(email__iexact=email, is_deleted=False).first()
        if user is None:
            raise CommandError(f"No account with e-mail address {email}.")
        do_grant_role(actor=None, user=user, role=role)
        self.stdout.write(self.style.SUCCESS(f"{email} is now {role.replace('_', ' ')}."))

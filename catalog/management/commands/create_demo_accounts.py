from django.core.management.base import BaseCommand, CommandError

from catalog.members import DEMO_PASSWORD, MemberError, create_demo_accounts


class Command(BaseCommand):
    help = "Create the demo curator and IBM editor (development mode only)."

    def handle(self, *args, **options):
        try:
            accounts = create_demo_accounts()
        except MemberError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("Demo accounts, to log in at /admin/ (development only):")
        for username, what in accounts:
            self.stdout.write(f"  {username} / {DEMO_PASSWORD}  ({what})")

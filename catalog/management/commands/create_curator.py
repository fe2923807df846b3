from django.core.management.base import BaseCommand, CommandError

from catalog.management.commands.create_member import (
    checked_password,
    read_password,
    stdin_is_tty,
)
from catalog.members import MemberError, create_curator


class Command(BaseCommand):
    help = (
        "Make a user (created if new) a site-wide curator. The password comes from "
        "CATALOG_PASSWORD or is asked for at the terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        password = checked_password(read_password(stdin_is_tty()), username)
        try:
            create_curator(username, email=email, password=password)
        except MemberError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{username} is a curator."))

import getpass
import os
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalog.members import MemberError, check_role, create_member, find_organization
from catalog.models import MembershipRole


def read_password(stdin_is_tty: bool) -> str:
    """From CATALOG_PASSWORD, or asked for twice at a terminal; never an argument."""
    password = os.environ.get("CATALOG_PASSWORD")
    if password:
        return password
    if not stdin_is_tty:
        raise CommandError("Set CATALOG_PASSWORD, or run this at a terminal to be asked.")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError("The passwords differ; nothing was changed.")
    return first


def checked_password(password: str, username: str) -> str:
    try:
        validate_password(password)
    except ValidationError as error:
        raise CommandError(f"Password for {username}: {' '.join(error.messages)}") from None
    return password


def stdin_is_tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


class Command(BaseCommand):
    help = (
        "Give a user (created if new) a role in a member organization. The password comes "
        "from CATALOG_PASSWORD or is asked for at the terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--role", required=True, help=", ".join(MembershipRole.values))
        parser.add_argument("--email", default="")

    def handle(self, *args, username, organization, role, email, **options):
        try:
            # Say what is wrong before asking for a password.
            check_role(role)
            find_organization(organization)
            password = checked_password(read_password(stdin_is_tty()), username)
            membership = create_member(
                username, organization=organization, role=role, email=email, password=password
            )
        except MemberError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{membership}."))

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from catalog.members import MemberError, find_organization
from catalog.models import TokenScope
from catalog.tokens import TokenError, issue_token, parse_lifetime


class Command(BaseCommand):
    help = (
        "Create an API token for a user, acting for some of their organizations. The "
        "secret is printed once; only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The username.")
        parser.add_argument(
            "--organization",
            action="append",
            default=[],
            help="An organization's slug the token acts for (repeat for several).",
        )
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            help=f"{', '.join(TokenScope.values)} (repeat for several; publish for curators).",
        )
        parser.add_argument(
            "--expires", default="90d", help="Lifetime, like 90d, 12w or 48h (at most 365d)."
        )
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args, user, organization, scope, expires, name, **options):
        try:
            account = User.objects.filter(username=user).first()
            if account is None:
                raise TokenError(f"No account is named '{user}'.")
            issued = issue_token(
                user=account,
                name=name,
                organizations=[find_organization(slug) for slug in organization],
                scopes=scope,
                lifetime=parse_lifetime(expires),
            )
        except (TokenError, MemberError) as error:
            raise CommandError(f"{error} No token was created.") from None
        token = issued.token
        self.stderr.write(
            f"Token '{token.name}' for {account.username}, expires {token.expires_at:%Y-%m-%d}. "
            "Copy it now: it is shown only this once."
        )
        self.stdout.write(issued.secret)

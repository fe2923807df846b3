from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.seeding import SEEDS_DIR, SeedError, load_seeds


class Command(BaseCommand):
    help = "Load the real catalog from seeds/ (idempotent; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seeds-dir", type=Path, default=SEEDS_DIR, help="Folder of seed files."
        )

    def handle(self, *args, seeds_dir: Path, **options):
        try:
            report = load_seeds(seeds_dir)
        except SeedError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        if report.changed:
            self.stdout.write(self.style.SUCCESS("Seeds loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Seeds loaded; nothing changed."))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.progress import Progress
from catalog.transfer import ImportError_, import_catalog


class Command(BaseCommand):
    help = (
        "Load a file written by `export_catalog` into this catalog, empty or not: all or "
        "nothing, and importing it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A JSON Lines export.")

    def handle(self, *args, file: Path, **options):
        try:
            with file.open(encoding="utf-8") as lines:
                total = sum(1 for line in lines if line.strip())
            with (
                Progress("Importing records", total) as progress,
                file.open(encoding="utf-8") as source,
            ):
                report = import_catalog(source, progress=progress.step)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"Nothing was imported. {file} is not UTF-8 text.") from None
        except ImportError_ as error:
            raise CommandError(f"Nothing was imported. {file}, {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        if report.changed:
            self.stdout.write(self.style.SUCCESS("Catalog imported."))
        else:
            self.stdout.write(self.style.SUCCESS("Catalog imported; nothing changed."))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.progress import Progress
from catalog.transfer import count_records, export_catalog


class Command(BaseCommand):
    help = (
        "Write the whole catalog as JSON Lines (one record a line, natural keys, no "
        "database ids), for backups and moving between databases; `import_catalog` reads it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path, help="The file to write (default: standard output)."
        )
        parser.add_argument(
            "--with-memberships",
            action="store_true",
            help="Also the member accounts (without passwords) and their memberships.",
        )
        parser.add_argument(
            "--with-history",
            action="store_true",
            help=(
                "Also the revision history of organizations and entries (and the accounts, "
                "without passwords, that made it)."
            ),
        )

    def handle(
        self, *args, output: Path | None, with_memberships: bool, with_history: bool, **options
    ):
        progress = Progress(
            "Exporting records", count_records(memberships=with_memberships, history=with_history)
        )
        if output is None:
            written = export_catalog(
                self.stdout,
                memberships=with_memberships,
                history=with_history,
                progress=progress.step,
            )
            progress.close()
            return
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                written = export_catalog(
                    out, memberships=with_memberships, history=with_history, progress=progress.step
                )
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None
        progress.close()
        # Renamed only once complete, so a crashed export never looks like a backup.
        partial.replace(output)
        total = sum(written.values())
        details = ", ".join(f"{count} {kind}" for kind, count in sorted(written.items()))
        self.stderr.write(f"Wrote {total} records to {output}: {details}.")

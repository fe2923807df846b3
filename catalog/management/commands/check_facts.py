from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.facts import check_facts
from catalog.seeding import SEEDS_DIR


class Command(BaseCommand):
    help = (
        "Check the seed files' facts: sources, unverified claims kept apart, lineage kinds, "
        "licenses, Hugging Face ids and contributing members. Exits non-zero on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seeds-dir", type=Path, default=SEEDS_DIR, help="Folder of seed files."
        )

    def handle(self, *args, seeds_dir: Path, **options):
        report = check_facts(seeds_dir)
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.ok:
            count = len(report.problems)
            raise CommandError(f"{count} problem{'s' if count != 1 else ''} in the seed facts.")
        checked = ", ".join(f"{n} in {name}" for name, n in sorted(report.records.items()))
        self.stdout.write(f"Checked {sum(report.records.values())} records ({checked}).")
        if report.members_without_contributions:
            self.stdout.write(
                f"{len(report.members_without_contributions)} founding members have no listed "
                f"contributions yet: {', '.join(report.members_without_contributions)}."
            )
        self.stdout.write(self.style.SUCCESS("The seed facts hold up."))

"""Rebuild the full-text search index, or with --check verify it (exit 1 if out of sync)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.models import Artifact
from catalog.planner import refresh_statistics
from catalog.progress import Progress
from catalog.search.documents import check_index, rebuild_documents


class Command(BaseCommand):
    help = "Rebuild the search documents and index from the catalog, or check them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit non-zero and say what differs if the index is stale.",
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            result = check_index()
            if not result.ok:
                raise CommandError(
                    "The search index is out of sync:\n  "
                    + "\n  ".join(result.lines())
                    + "\nRun `manage.py rebuild_search_index` to rebuild it."
                )
            self.stdout.write("The search index is in sync with the catalog.")
            return
        total = Artifact.objects.count()
        with transaction.atomic(), Progress("Indexing entries", total) as progress:
            count = rebuild_documents(progress=progress.step)
        refresh_statistics()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search index: {count} artifacts."))

"""Build a deterministic synthetic catalog for benchmarks (see benchmarks/synthetic.py)."""

from django.core.management.base import BaseCommand, CommandError

from catalog.progress import Progress


class Command(BaseCommand):
    help = (
        "Add N synthetic artifacts (realistic names, Zipf-distributed words and tags, "
        "many organizations) to a fresh database; the same N and seed give the same "
        "catalog."
    )

    def add_arguments(self, parser):
        parser.add_argument("--artifacts", type=int, required=True, help="How many (N).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, artifacts: int, seed: int, **options):
        from benchmarks.synthetic import SyntheticCatalogExists, generate_catalog

        if not 1 <= artifacts <= 2_000_000:
            raise CommandError("--artifacts must be between 1 and 2000000.")
        try:
            with Progress("Generating entries", artifacts) as progress:
                count = generate_catalog(artifacts, seed, progress=progress.step)
        except SyntheticCatalogExists as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Generated {count} synthetic artifacts."))

"""Seeds -> database: the real catalog, loaded idempotently in one transaction.

`load_seeds()` reads `fixtures/taxonomy.yaml`, `fixtures/licenses.yaml` and the records
in `seeds/`, and makes the database say exactly what they say. A second run changes
nothing. Any bad record stops the run with a SeedError that names the file, the record
and the field, and the transaction leaves the database as it was.

- `schema`: the record schema, declared once, and the check that holds records to it;
- `records`: pure functions from a checked record to the values its rows should hold;
- `rows`: the one compare-then-save routine, for rows, child rows, links, shared rows;
- `load`: the order of the load, the lookups, and the error reporting;
- `report`: what a load did (SeedReport) or where it failed (SeedError).
"""

from catalog.seeding.load import (
    ARTIFACT_FILES,
    SEEDS_DIR,
    TAXONOMY_FIXTURE,
    load_seeds,
    load_taxonomy,
    read_yaml,
)
from catalog.seeding.report import SeedError, SeedReport

__all__ = [
    "ARTIFACT_FILES",
    "SEEDS_DIR",
    "TAXONOMY_FIXTURE",
    "SeedError",
    "SeedReport",
    "load_seeds",
    "load_taxonomy",
    "read_yaml",
]

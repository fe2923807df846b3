"""The query planner's statistics, brought up to date after a bulk write.

SQLite keeps none until ANALYZE runs, and without them it guesses: it reads a page of
the catalog by name through the status index and sorts every entry, where with them it
walks the index in that order (`artifact_reading_order`). PostgreSQL's autovacuum
analyzes a table in its own time after a bulk load; asking now plans the next search on
what is there. Bulk writers (the seed load, imports, a generated catalog, an index
rebuild) call `refresh_statistics` at their end.

The whole of each index is read (0.7 s at 100k entries on SQLite): a sample
(`PRAGMA analysis_limit`) misjudged how many entries share a status by 50x, and the
planner then sorted the catalog for a deep page instead of walking the index (0.42 s
against 0.10).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


def refresh_statistics(using: str = DEFAULT_DB_ALIAS) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")

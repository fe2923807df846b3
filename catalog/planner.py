"""The query planner's statistics, brought up to date after a bulk write.

SQLite keeps none until ANALYZE runs, and without them it guesses: it reads a page of
the catalog by name through the status index and sorts every entry, where with them it
walks the index in that order (`artifact_reading_order`). PostgreSQL's autovacuum
analyzes a table in its own time after a bulk load; asking now plans the next search on
what is there. Bulk writers (the seed load, imports, a generated catalog, an index
rebuild) call `refresh_statistics` at their end.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

# Rows SQLite samples per index: enough to choose between the catalog's indexes, and
# fast whatever the catalog's size (https://sqlite.org/lang_analyze.html#approx).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics(using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")

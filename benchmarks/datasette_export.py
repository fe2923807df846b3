"""The catalog's published entries as a Datasette database: one table, `entries`, and an
FTS5 index over the same text with the same tokenizer (benchmarks.side_by_side).

    export(Path("bench.sqlite3"), Path("datasette.db"))   # -> entries written
    check(Path("bench.sqlite3"), Path("datasette.db"))    # -> [] or what differs

`entries` holds what the API lists (published and deprecated entries): id, namespace,
slug, name, kind, summary, release date, openness class; each facet dimension the
catalog counts (its `ArtifactFacet` rows) as a column: `kind`, `openness_class` and
`commercial_use` plain, the many-to-many ones as JSON arrays of the same values
(organization slugs, license keys, ...), which Datasette facets with `_facet_array=`;
and the search documents' text (name, summary, terms, organization names, description).
`entries_fts` is an external-content FTS5 table over those five columns in the
catalog's order, so `bm25(entries_fts, *FTS_WEIGHTS)` weighs them as the catalog does,
and a MATCH expression the catalog compiles matches the same entries here.

Read and written with the standard library's sqlite3 only: Datasette runs in its own
virtualenv and only ever reads the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# The catalog's FTS5 definition (catalog.search.backends.SqliteSearch.install_sql).
TOKENIZER = "porter unicode61 remove_diacritics 2"
PREFIX = "2 3"
VISIBLE = ("published", "deprecated")  # catalog.models.PUBLIC_STATUSES
# Catalog facet -> the column holding its values; arrays are JSON arrays of strings.
PLAIN_FACETS = {name: name for name in ("kind", "openness_class", "commercial_use")}
ARRAY_FACETS = {
    "organization": "organizations",
    "license": "licenses",
    "license_category": "license_categories",
    "task": "tasks",
    "modality": "modalities",
    "language": "languages",
    "tag": "tags",
}
COLUMN_OF = {**PLAIN_FACETS, **ARRAY_FACETS}
# The search documents' columns, in the order of catalog.search.backends.COLUMNS (the
# organizations' names are `organization_names` here: `organizations` holds their slugs).
TEXT_COLUMNS = ("name", "summary", "terms", "organization_names", "description")
SEARCH_ONLY = ("terms", "organization_names", "description")  # not shown in a list


def _array(dimension: str) -> str:
    return (
        "(SELECT json_group_array(value) FROM (SELECT value FROM catalog.catalog_artifactfacet "
        f"WHERE artifact_id = a.id AND dimension = '{dimension}' ORDER BY value))"
    )


def _plain(dimension: str) -> str:
    return (
        "(SELECT value FROM catalog.catalog_artifactfacet "
        f"WHERE artifact_id = a.id AND dimension = '{dimension}')"
    )


def export(catalog: Path, target: Path) -> int:
    """Write `target` (replacing it) from the catalog database `catalog`; the number of
    entries written."""
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target)
    try:
        db.execute("ATTACH DATABASE ? AS catalog", [str(catalog)])
        arrays = ",\n".join(f"    {column} TEXT NOT NULL" for column in ARRAY_FACETS.values())
        db.executescript(
            f"""
            CREATE TABLE entries (
                id INTEGER PRIMARY KEY,
                namespace TEXT NOT NULL,
                slug TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                released_on TEXT,
                openness_class TEXT,
                commercial_use TEXT,
                summary TEXT NOT NULL,
                {arrays},
                terms TEXT NOT NULL,
                organization_names TEXT NOT NULL,
                description TEXT NOT NULL
            );
            """
        )
        columns = [
            "id", "namespace", "slug", "name", "kind", "status", "released_on",
            "openness_class", "commercial_use", "summary", *ARRAY_FACETS.values(),
            "terms", "organization_names", "description",
        ]  # fmt: skip
        values = [
            "a.id", "a.namespace", "a.slug", "d.name", "a.kind", "a.status", "a.released_on",
            _plain("openness_class"), _plain("commercial_use"), "d.summary",
            *(_array(dimension) for dimension in ARRAY_FACETS),
            "d.terms", "d.organizations", "d.description",
        ]  # fmt: skip
        placeholders = ", ".join("?" for _ in VISIBLE)
        db.execute(
            f"INSERT INTO entries ({', '.join(columns)}) SELECT {', '.join(values)} "
            "FROM catalog.catalog_artifact a "
            "JOIN catalog.catalog_artifactsearchdocument d ON d.artifact_id = a.id "
            f"WHERE a.status IN ({placeholders}) ORDER BY a.id",
            VISIBLE,
        )
        db.executescript(
            f"""
            CREATE VIRTUAL TABLE entries_fts USING fts5(
                {", ".join(TEXT_COLUMNS)},
                content='entries', content_rowid='id',
                tokenize='{TOKENIZER}', prefix='{PREFIX}'
            );
            INSERT INTO entries_fts(entries_fts) VALUES ('rebuild');
            INSERT INTO entries_fts(entries_fts) VALUES ('optimize');
            -- What a Datasette publisher indexes: the sort column and the plain facet.
            CREATE INDEX entries_name ON entries(name);
            CREATE INDEX entries_kind ON entries(kind);
            ANALYZE;
            """
        )
        db.commit()
        (count,) = db.execute("SELECT count(*) FROM entries").fetchone()
        db.execute("DETACH DATABASE catalog")
        db.execute("VACUUM")
    finally:
        db.close()
    return count


def check(catalog: Path, target: Path, words: list[str]) -> list[str]:
    """What differs between the catalog and its export (empty when nothing does): the
    number of entries, the count of every facet value (as the catalog counts it from its
    `ArtifactFacet` rows of visible entries), and the entries each of `words` matches in
    either FTS5 index."""
    problems = []
    db = sqlite3.connect(target)
    try:
        db.execute("ATTACH DATABASE ? AS catalog", [str(catalog)])
        placeholders = ", ".join("?" for _ in VISIBLE)
        published = f"SELECT id FROM catalog.catalog_artifact WHERE status IN ({placeholders})"
        (expected,) = db.execute(f"SELECT count(*) FROM ({published})", VISIBLE).fetchone()
        (found,) = db.execute("SELECT count(*) FROM entries").fetchone()
        if expected != found:
            problems.append(f"{found} entries exported, {expected} visible in the catalog")
        for dimension, column in COLUMN_OF.items():
            catalog_counts = dict(
                db.execute(
                    "SELECT value, count(*) FROM catalog.catalog_artifactfacet "
                    f"WHERE dimension = ? AND artifact_id IN ({published}) GROUP BY value",
                    [dimension, *VISIBLE],
                ).fetchall()
            )
            if dimension in ARRAY_FACETS:
                sql = f"SELECT j.value, count(*) FROM entries, json_each(entries.{column}) j"
            else:
                sql = f"SELECT {column}, count(*) FROM entries WHERE {column} IS NOT NULL"
            export_counts = dict(db.execute(sql + " GROUP BY 1").fetchall())
            if catalog_counts != export_counts:
                differ = sorted(
                    v
                    for v in catalog_counts.keys() | export_counts.keys()
                    if catalog_counts.get(v) != export_counts.get(v)
                )
                problems.append(f"facet {dimension}: counts differ for {differ[:5]}")
        for word in words:
            match = f'"{word}"'
            (in_catalog,) = db.execute(
                "SELECT count(*) FROM catalog.catalog_search_fts "
                f"WHERE catalog_search_fts MATCH ? AND rowid IN ({published})",
                [match, *VISIBLE],
            ).fetchone()
            (in_export,) = db.execute(
                "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?", [match]
            ).fetchone()
            if in_catalog != in_export:
                problems.append(f"{word!r} matches {in_catalog} in the catalog, {in_export} here")
    finally:
        db.close()
    return problems

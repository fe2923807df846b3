"""One search interface, two engines, chosen by the database in use.

- SQLite: an FTS5 table with external content (the search documents), kept in sync by
  triggers, ranked with bm25 and per-column weights.
- PostgreSQL: a stored, weighted tsvector column on the search documents (A name;
  B summary, terms, organizations; C description) with a GIN index, ranked by ts_rank.

Both answer `match(query, limit, statuses)` with the best `limit` entries in those
statuses as (artifact id, score, name) rows, best first (higher scores are better), and
`matching_sql(terms)` with a subquery of the ids matching any of `terms` (for
exclusions). The schema objects are made by migration 0002 through `install_sql` and
`uninstall_sql` below.

SQL here is built from constant identifiers and placeholders only (hence the `noqa:
S608`); what a user typed always travels as a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DatabaseError, connection

from catalog.search.syntax import ParsedQuery, Term

DOCUMENT_TABLE = "catalog_artifactsearchdocument"
ARTIFACT_TABLE = "catalog_artifact"
FTS_TABLE = "catalog_search_fts"
COLUMNS = ("name", "summary", "terms", "organizations", "description")
# bm25 weights by column, in COLUMNS order: the name counts most, the description least.
FTS_WEIGHTS = (10.0, 4.0, 3.0, 2.0, 1.0)
TEXT_SEARCH_CONFIG = "english"


class SqliteSearch:
    vendor = "sqlite"

    install_sql = [
        f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
            {", ".join(COLUMNS)},
            content='{DOCUMENT_TABLE}', content_rowid='artifact_id',
            tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'
        )""",
        f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {DOCUMENT_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {", ".join(COLUMNS)})
            VALUES (new.artifact_id, {", ".join(f"new.{c}" for c in COLUMNS)});
        END""",  # noqa: S608 (constant identifiers only)
        f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {DOCUMENT_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {", ".join(COLUMNS)})
            VALUES ('delete', old.artifact_id, {", ".join(f"old.{c}" for c in COLUMNS)});
        END""",  # noqa: S608 (constant identifiers only)
        f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE ON {DOCUMENT_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {", ".join(COLUMNS)})
            VALUES ('delete', old.artifact_id, {", ".join(f"old.{c}" for c in COLUMNS)});
            INSERT INTO {FTS_TABLE}(rowid, {", ".join(COLUMNS)})
            VALUES (new.artifact_id, {", ".join(f"new.{c}" for c in COLUMNS)});
        END""",  # noqa: S608 (constant identifiers only)
    ]
    uninstall_sql = [
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
        f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
        f"DROP TABLE IF EXISTS {FTS_TABLE}",
    ]

    _bm25 = f"bm25({FTS_TABLE}, {', '.join(str(w) for w in FTS_WEIGHTS)})"

    @staticmethod
    def _quote(text: str) -> str:
        # Inside double quotes FTS5 reads everything as text; a quote is doubled.
        return '"' + text.replace('"', '""') + '"'

    def _term(self, term: Term) -> str:
        quoted = self._quote(term.text if term.phrase else " ".join(term.tokens))
        return f"({quoted} OR {quoted}*)" if term.prefix else quoted

    def _all(self, clauses) -> str:
        return " AND ".join(f"({' OR '.join(self._term(t) for t in clause)})" for clause in clauses)

    def expression(self, query: ParsedQuery) -> str:
        """The FTS5 MATCH expression of a query with at least one clause."""
        text = self._all(query.clauses)
        if query.adjacency_boost is not None:
            # Matches no entry the words alone miss; bm25 adds its score where it matches.
            text = f"({text}) OR {self._term(query.adjacency_boost)}"
        for variant in query.variants:
            text = f"({text}) OR ({self._all(variant.clauses)})"
        if query.excluded:
            text = f"({text}) NOT ({' OR '.join(self._term(t) for t in query.excluded)})"
        return text

    def match(
        self, query: ParsedQuery, limit: int, statuses: Sequence[str]
    ) -> list[tuple[int, float, str]]:
        placeholders = ", ".join(["%s"] * len(statuses))
        sql = f"SELECT {FTS_TABLE}.rowid, {self._bm25} AS score, {ARTIFACT_TABLE}.name "
        sql += f"FROM {FTS_TABLE} "
        sql += f"JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = {FTS_TABLE}.rowid "
        sql += f"WHERE {FTS_TABLE} MATCH %s AND {ARTIFACT_TABLE}.status IN ({placeholders}) "
        sql += "ORDER BY score LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.expression(query), *statuses, limit])
            # bm25 is lower for better matches; the interface says higher is better.
            return [(pk, -score, name) for pk, score, name in cursor.fetchall()]

    def match_some(
        self, query: ParsedQuery, limit: int, statuses: Sequence[str]
    ) -> list[tuple[int, float, str, int]]:
        """Entries matching any clause of `query`, as (id, score, name, mask) rows, where
        bit i of `mask` says clause i matched; most clauses first, then by score."""
        clauses = [" OR ".join(self._term(t) for t in clause) for clause in query.clauses]
        anything = " OR ".join(f"({clause})" for clause in clauses)
        if query.excluded:
            anything = f"({anything}) NOT ({' OR '.join(self._term(t) for t in query.excluded)})"
        each = [
            f"({FTS_TABLE}.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s))"  # noqa: S608
            for _ in clauses
        ]
        mask = " + ".join(f"{test} * {1 << index}" for index, test in enumerate(each))
        matched = " + ".join(each)
        placeholders = ", ".join(["%s"] * len(statuses))
        sql = (
            f"SELECT {FTS_TABLE}.rowid, {self._bm25} AS score, {ARTIFACT_TABLE}.name, "  # noqa: S608
            f"{mask} AS mask, {matched} AS matched FROM {FTS_TABLE} "
            f"JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {ARTIFACT_TABLE}.status IN ({placeholders}) "
            "ORDER BY matched DESC, score LIMIT %s"
        )
        params = [*clauses, *clauses, anything, *statuses, limit]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(pk, -score, name, mask) for pk, score, name, mask, _ in cursor.fetchall()]

    def matching_sql(self, terms: tuple[Term, ...]) -> tuple[str, list]:
        expression = " OR ".join(self._term(t) for t in terms)
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]  # noqa: S608

    def clear_index(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608

    def check_index(self) -> str:
        """'' when the FTS5 index holds exactly the documents' text, else what is wrong."""
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
                )
        except DatabaseError as error:
            return f"The FTS5 index does not match the search documents ({error})."
        return ""


class PostgresSearch:
    vendor = "postgresql"

    _vector = (
        f"setweight(to_tsvector('{TEXT_SEARCH_CONFIG}', name), 'A') || "
        f"setweight(to_tsvector('{TEXT_SEARCH_CONFIG}', "
        "summary || ' ' || terms || ' ' || organizations), 'B') || "
        f"setweight(to_tsvector('{TEXT_SEARCH_CONFIG}', description), 'C')"
    )
    install_sql = [
        f"ALTER TABLE {DOCUMENT_TABLE} ADD COLUMN vector tsvector "
        f"GENERATED ALWAYS AS ({_vector}) STORED",
        f"CREATE INDEX catalog_search_vector ON {DOCUMENT_TABLE} USING GIN (vector)",
    ]
    uninstall_sql = [
        "DROP INDEX IF EXISTS catalog_search_vector",
        f"ALTER TABLE {DOCUMENT_TABLE} DROP COLUMN IF EXISTS vector",
    ]

    def _term(self, term: Term) -> tuple[str, list]:
        config = f"'{TEXT_SEARCH_CONFIG}'"
        if not term.phrase and len(term.tokens) > 1:
            # `llama-2` or `2.0`: its tokens in a row, as FTS5 reads them ("Llama 2" too).
            term = Term(" ".join(term.tokens), phrase=True, prefix=term.prefix)
        if term.phrase and term.prefix:
            # Letters and digits only in each token, so quoting makes a valid tsquery.
            *head, last = term.tokens
            prefixed = " <-> ".join([*(f"'{t}'" for t in head), f"'{last}':*"])
            return (
                f"(phraseto_tsquery({config}, %s) || to_tsquery({config}, %s))",
                [term.text, prefixed],
            )
        if term.phrase:
            return f"phraseto_tsquery({config}, %s)", [term.text]
        # plainto_tsquery reads any text safely, with the parser that built the vectors.
        if not term.prefix:
            return f"plainto_tsquery({config}, %s)", [term.text]
        # Each token is letters and digits only, so quoting it makes a valid tsquery.
        *head, last = term.tokens
        prefixed = " & ".join([*(f"'{t}'" for t in head), f"'{last}':*"])
        return (
            f"(plainto_tsquery({config}, %s) || to_tsquery({config}, %s))",
            [term.text, prefixed],
        )

    def _any(self, terms: tuple[Term, ...]) -> tuple[str, list]:
        parts = [self._term(t) for t in terms]
        return "(" + " || ".join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]

    def _all(self, clauses) -> tuple[str, list]:
        parts = [self._any(clause) for clause in clauses]
        return " && ".join(s for s, _ in parts), [p for _, ps in parts for p in ps]

    def tsquery(self, query: ParsedQuery) -> tuple[str, list]:
        sql, params = self._all(query.clauses)
        if query.adjacency_boost is not None:
            boost_sql, boost_params = self._term(query.adjacency_boost)
            sql = f"(({sql}) || {boost_sql})"
            params += boost_params
        for variant in query.variants:
            variant_sql, variant_params = self._all(variant.clauses)
            sql = f"(({sql}) || ({variant_sql}))"
            params += variant_params
        if query.excluded:
            excluded_sql, excluded_params = self._any(query.excluded)
            sql = f"({sql}) && !!{excluded_sql}"
            params += excluded_params
        return sql, params

    def match(
        self, query: ParsedQuery, limit: int, statuses: Sequence[str]
    ) -> list[tuple[int, float, str]]:
        tsquery, params = self.tsquery(query)
        sql = f"SELECT artifact_id, ts_rank(vector, query) AS score, {ARTIFACT_TABLE}.name "
        sql += f"FROM {DOCUMENT_TABLE} JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = artifact_id, "
        sql += f"(SELECT {tsquery} AS query) AS q "
        sql += f"WHERE vector @@ query AND {ARTIFACT_TABLE}.status = ANY(%s) "
        sql += "ORDER BY score DESC, artifact_id LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, list(statuses), limit])
            return list(cursor.fetchall())

    def match_some(
        self, query: ParsedQuery, limit: int, statuses: Sequence[str]
    ) -> list[tuple[int, float, str, int]]:
        """As SqliteSearch.match_some: any clause, with a mask of the clauses matched."""
        parts = [self._any(clause) for clause in query.clauses]
        anything = " || ".join(sql for sql, _ in parts)
        params = [p for _, ps in parts for p in ps]
        if query.excluded:
            excluded_sql, excluded_params = self._any(query.excluded)
            anything = f"({anything}) && !!{excluded_sql}"
            params += excluded_params
        named = ", ".join(f"{sql} AS q{index}" for index, (sql, _) in enumerate(parts))
        params += [p for _, ps in parts for p in ps]
        tests = [f"(CASE WHEN vector @@ q{index} THEN 1 ELSE 0 END)" for index in range(len(parts))]
        mask = " + ".join(f"{test} * {1 << index}" for index, test in enumerate(tests))
        sql = (
            f"SELECT artifact_id, ts_rank(vector, query) AS score, {ARTIFACT_TABLE}.name, "  # noqa: S608
            f"{mask} AS mask, {' + '.join(tests)} AS matched "
            f"FROM {DOCUMENT_TABLE} JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = artifact_id, "
            f"(SELECT {anything} AS query, {named}) AS q "
            f"WHERE vector @@ query AND {ARTIFACT_TABLE}.status = ANY(%s) "
            "ORDER BY matched DESC, score DESC, artifact_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, list(statuses), limit])
            return [(pk, score, name, mask) for pk, score, name, mask, _ in cursor.fetchall()]

    def matching_sql(self, terms: tuple[Term, ...]) -> tuple[str, list]:
        tsquery, params = self._any(terms)
        return f"SELECT artifact_id FROM {DOCUMENT_TABLE} WHERE vector @@ {tsquery}", params  # noqa: S608

    def clear_index(self) -> None:
        """Nothing to do: the vector is a generated column of the documents."""

    def check_index(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
                [DOCUMENT_TABLE, "catalog_search_vector"],
            )
            if cursor.fetchone() is None:
                return "The GIN index catalog_search_vector is missing; migrate the database."
        return ""


ENGINES = {engine.vendor: engine for engine in (SqliteSearch, PostgresSearch)}


def for_vendor(vendor: str):
    try:
        return ENGINES[vendor]()
    except KeyError:
        raise NotImplementedError(f"Full-text search is not available on {vendor}.") from None


def current():
    """The engine for the database in use."""
    return for_vendor(connection.vendor)

"""One search interface, two engines, chosen by the database in use.

- SQLite: an FTS5 table with external content (the search documents), kept in sync by
  triggers, ranked with bm25 and per-column weights.
- PostgreSQL: a stored, weighted tsvector column on the search documents (A name;
  B summary, terms, organizations; C description) with a GIN index, ranked by ts_rank
  divided by the document's length (as bm25 does, so a long description that mentions
  a word in passing does not outrank an entry about it). Its English stemmer keeps the
  s of `LLMs` or `GPUs` (no vowel before it), where FTS5's Porter stemmer drops it, so a
  plain word there also matches with its s added or removed.

Both answer `match(query, limit, statuses, within=...)` with the best `limit` entries
in those statuses (and, given `within`, among the ids that subquery selects: the
filters, applied in the same statement) as (artifact id, score, name) rows, best
first (higher scores are better) and ties by id; `match_some` also counts every entry
that matches (a window count), not only the `limit` returned. `query_sql(query)` and
`matching_sql(terms)` are subqueries of the ids matching the query, or any of `terms`
(for exclusions). The schema objects are made by migration 0002 through `install_sql`
and `uninstall_sql` below.

SQL here is built from constant identifiers and placeholders only (hence the `noqa:
S608`); what a user typed always travels as a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from django.apps import apps
from django.db import DatabaseError, connection, connections, router

from catalog.search.syntax import ParsedQuery, Term

DOCUMENT_TABLE = "catalog_artifactsearchdocument"
ARTIFACT_TABLE = "catalog_artifact"
FTS_TABLE = "catalog_search_fts"
COLUMNS = ("name", "summary", "terms", "organizations", "description")
# bm25 weights by column, in COLUMNS order: the name counts most, the description least.
FTS_WEIGHTS = (10.0, 4.0, 3.0, 2.0, 1.0)
TEXT_SEARCH_CONFIG = "english"
# ts_rank's normalization 2: the rank divided by the document's length in words.
PG_RANK = "ts_rank(vector, query, 2)"


@runtime_checkable
class SearchEngine(Protocol):
    """What the search core asks of an engine; the module docstring says what each
    answer means. `install_sql` and `uninstall_sql` make and drop its index."""

    vendor: str
    install_sql: list[str]
    uninstall_sql: list[str]

    def match(
        self,
        query: ParsedQuery,
        limit: int,
        statuses: Sequence[str],
        *,
        within: tuple[str, list] | None = None,
        worst_first: bool = False,
    ) -> list[tuple[int, float, str]]: ...

    def match_some(
        self,
        query: ParsedQuery,
        limit: int,
        statuses: Sequence[str],
        *,
        within: tuple[str, list] | None = None,
        worst_first: bool = False,
    ) -> tuple[list[tuple[int, float, str, int, int]], tuple[int, list[int]]]: ...

    def query_sql(self, query: ParsedQuery) -> tuple[str, list]: ...

    def some_sql(self, query: ParsedQuery) -> tuple[str, list]: ...

    def matching_sql(self, terms: tuple[Term, ...]) -> tuple[str, list]: ...

    def clear_index(self) -> None: ...

    def check_index(self) -> str: ...


Expression = tuple[str, list]  # an engine's text-query expression and its parameters


class _QueryAlgebra:
    """A ParsedQuery compiled over an engine's primitives: how it writes one term, "or",
    "and" and "but not". The engines differ only in those; the algebra (every clause, any
    term of each, the adjacency boost and name variants as alternatives, exclusions taken
    away) is written once, here."""

    OR: str
    AND: str

    def term(self, term: Term) -> Expression:
        raise NotImplementedError

    def but_not(self, expression: Expression, excluded: Expression) -> Expression:
        raise NotImplementedError

    @staticmethod
    def _join(operator: str, parts: list[Expression]) -> Expression:
        sql = "(" + operator.join(sql for sql, _ in parts) + ")"
        return sql, [p for _, params in parts for p in params]

    def any_of(self, terms: Sequence[Term]) -> Expression:
        return self._join(self.OR, [self.term(t) for t in terms])

    def each_clause(self, query: ParsedQuery) -> list[Expression]:
        """One expression per clause: any of its terms."""
        return [self.any_of(clause) for clause in query.clauses]

    def _every_clause(self, clauses) -> Expression:
        return self._join(self.AND, [self.any_of(clause) for clause in clauses])

    def _without_excluded(self, expression: Expression, query: ParsedQuery) -> Expression:
        if not query.excluded:
            return expression
        return self.but_not(expression, self.any_of(query.excluded))

    def compile(self, query: ParsedQuery) -> Expression:
        """Every clause (of a query with at least one), or every clause of a variant,
        minus the exclusions."""
        expression = self._every_clause(query.clauses)
        if query.adjacency_boost is not None:
            # Matches no entry the words alone miss; the rank adds its score where it does.
            expression = self._join(self.OR, [expression, self.term(query.adjacency_boost)])
        for variant in query.variants:
            expression = self._join(self.OR, [expression, self._every_clause(variant.clauses)])
        return self._without_excluded(expression, query)

    def compile_some(self, query: ParsedQuery) -> Expression:
        """Any clause, minus the exclusions."""
        return self._without_excluded(self._join(self.OR, self.each_clause(query)), query)


class SqliteSearch(_QueryAlgebra):
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

    OR, AND = " OR ", " AND "

    def term(self, term: Term) -> Expression:
        quoted = self._quote(term.text if term.phrase else " ".join(term.tokens))
        return (f"({quoted} OR {quoted}*)" if term.prefix else quoted), []

    def but_not(self, expression: Expression, excluded: Expression) -> Expression:
        return f"({expression[0]} NOT {excluded[0]})", []

    def expression(self, query: ParsedQuery) -> str:
        """The FTS5 MATCH expression of a query with at least one clause."""
        return self.compile(query)[0]

    def match(
        self,
        query: ParsedQuery,
        limit: int,
        statuses: Sequence[str],
        *,
        within: tuple[str, list] | None = None,
        worst_first: bool = False,
    ) -> list[tuple[int, float, str]]:
        placeholders = ", ".join(["%s"] * len(statuses))
        sql = f"SELECT {FTS_TABLE}.rowid AS id, {self._bm25} AS score, {ARTIFACT_TABLE}.name "
        sql += f"FROM {FTS_TABLE} "
        sql += f"JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = {FTS_TABLE}.rowid "
        sql += f"WHERE {FTS_TABLE} MATCH %s AND {ARTIFACT_TABLE}.status IN ({placeholders}) "
        params = [self.expression(query), *statuses]
        if within is not None:
            # The unary + keeps SQLite from looking each filtered id up in the index and
            # testing the match on it alone (17 s for a common word and an organization
            # at 100k entries); the match's own rows are checked against the ids instead.
            sql += f"AND +{FTS_TABLE}.rowid IN ({within[0]}) "
            params += within[1]
        # bm25 is lower for better matches.
        order = "score DESC, id DESC" if worst_first else "score, id"
        sql += f"ORDER BY {order} LIMIT %s"
        with reading().cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            # The interface says higher is better.
            return [(pk, -score, name) for pk, score, name in cursor.fetchall()]

    def query_sql(self, query: ParsedQuery) -> tuple[str, list]:
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [  # noqa: S608
            self.expression(query)
        ]

    def some_sql(self, query: ParsedQuery) -> tuple[str, list]:
        """The ids matching any clause of `query` (and no exclusion)."""
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [  # noqa: S608
            self.compile_some(query)[0]
        ]

    def match_some(
        self,
        query: ParsedQuery,
        limit: int,
        statuses: Sequence[str],
        *,
        within: tuple[str, list] | None = None,
        worst_first: bool = False,
    ) -> tuple[list[tuple[int, float, str, int, int]], tuple[int, list[int]]]:
        """Entries matching any clause of `query`, as (id, score, name, mask, total) rows,
        where bit i of `mask` says clause i matched; most clauses first, then by score.
        Beside them, (how many entries match any clause, how many match each one),
        counted before `within`: how rare each word is in the whole catalog."""
        clauses = [sql for sql, _ in self.each_clause(query)]
        anything = self.compile_some(query)[0]
        each = [
            f"({FTS_TABLE}.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s))"  # noqa: S608
            for _ in clauses
        ]
        mask = " + ".join(f"{test} * {1 << index}" for index, test in enumerate(each))
        matched = " + ".join(each)
        placeholders = ", ".join(["%s"] * len(statuses))
        passes = "1" if within is None else f"({FTS_TABLE}.rowid IN ({within[0]}))"
        sql = (
            f"SELECT {FTS_TABLE}.rowid AS id, {self._bm25} AS score, {ARTIFACT_TABLE}.name, "  # noqa: S608
            f"{mask} AS mask, {matched} AS matched, {passes} AS passes FROM {FTS_TABLE} "
            f"JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {ARTIFACT_TABLE}.status IN ({placeholders})"
        )
        params = [*clauses, *clauses, *(within[1] if within else []), anything, *statuses]
        order = "matched, score DESC, id DESC" if worst_first else "matched DESC, score, id"
        with reading().cursor() as cursor:
            cursor.execute(_counted_some(sql, len(clauses), order), [*params, limit])
            return _some_rows(cursor.fetchall(), sign=-1)

    def matching_sql(self, terms: tuple[Term, ...]) -> tuple[str, list]:
        expression = self.any_of(terms)[0]
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


class PostgresSearch(_QueryAlgebra):
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

    OR, AND = " || ", " && "

    def but_not(self, expression: Expression, excluded: Expression) -> Expression:
        return f"({expression[0]} && !!{excluded[0]})", [*expression[1], *excluded[1]]

    def term(self, term: Term) -> Expression:
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
        sql = f"plainto_tsquery({config}, %s)"
        params = [term.text]
        if len(term.tokens) == 1:
            sql = f"({sql} || plainto_tsquery({config}, %s))"
            params.append(_other_number(term.tokens[0]))
        if not term.prefix:
            return sql, params
        # Each token is letters and digits only, so quoting it makes a valid tsquery.
        *head, last = term.tokens
        prefixed = " & ".join([*(f"'{t}'" for t in head), f"'{last}':*"])
        return f"({sql} || to_tsquery({config}, %s))", [*params, prefixed]

    def tsquery(self, query: ParsedQuery) -> Expression:
        return self.compile(query)

    def match(
        self,
        query: ParsedQuery,
        limit: int,
        statuses: Sequence[str],
        *,
        within: tuple[str, list] | None = None,
        worst_first: bool = False,
    ) -> list[tuple[int, float, str]]:
        tsquery, params = self.tsquery(query)
        sql = f"SELECT artifact_id, {PG_RANK} AS score, {ARTIFACT_TABLE}.name "
        sql += f"FROM {DOCUMENT_TABLE} "
        sql += f"JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = artifact_id, "
        sql += f"(SELECT {tsquery} AS query) AS q "
        sql += f"WHERE vector @@ query AND {ARTIFACT_TABLE}.status = ANY(%s) "
        params.append(list(statuses))
        if within is not None:
            sql += f"AND artifact_id IN ({within[0]}) "
            params += within[1]
        if worst_first:
            sql += "ORDER BY score, artifact_id DESC LIMIT %s"
        else:
            sql += "ORDER BY score DESC, artifact_id LIMIT %s"
        with reading().cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return list(cursor.fetchall())

    def query_sql(self, query: ParsedQuery) -> tuple[str, list]:
        tsquery, params = self.tsquery(query)
        return f"SELECT artifact_id FROM {DOCUMENT_TABLE} WHERE vector @@ {tsquery}", params  # noqa: S608

    def some_sql(self, query: ParsedQuery) -> tuple[str, list]:
        """The ids matching any clause of `query` (and no exclusion)."""
        anything, params = self.compile_some(query)
        return f"SELECT artifact_id FROM {DOCUMENT_TABLE} WHERE vector @@ {anything}", params  # noqa: S608

    def match_some(
        self,
        query: ParsedQuery,
        limit: int,
        statuses: Sequence[str],
        *,
        within: tuple[str, list] | None = None,
        worst_first: bool = False,
    ) -> tuple[list[tuple[int, float, str, int, int]], tuple[int, list[int]]]:
        """As SqliteSearch.match_some: any clause, with a mask of the clauses matched."""
        parts = self.each_clause(query)
        anything, params = self.compile_some(query)
        named = ", ".join(f"{sql} AS q{index}" for index, (sql, _) in enumerate(parts))
        params += [p for _, ps in parts for p in ps]
        tests = [f"(CASE WHEN vector @@ q{index} THEN 1 ELSE 0 END)" for index in range(len(parts))]
        mask = " + ".join(f"{test} * {1 << index}" for index, test in enumerate(tests))
        passes = "1"
        if within is not None:
            # In the select list, before the query's own parameters.
            passes = f"(CASE WHEN artifact_id IN ({within[0]}) THEN 1 ELSE 0 END)"
            params = [*within[1], *params]
        sql = (
            f"SELECT artifact_id AS id, {PG_RANK} AS score, {ARTIFACT_TABLE}.name, "  # noqa: S608
            f"{mask} AS mask, {' + '.join(tests)} AS matched, {passes} AS passes "
            f"FROM {DOCUMENT_TABLE} JOIN {ARTIFACT_TABLE} ON {ARTIFACT_TABLE}.id = artifact_id, "
            f"(SELECT {anything} AS query, {named}) AS q "
            f"WHERE vector @@ query AND {ARTIFACT_TABLE}.status = ANY(%s)"
        )
        params.append(list(statuses))
        order = "matched, score, id DESC" if worst_first else "matched DESC, score DESC, id"
        with reading().cursor() as cursor:
            cursor.execute(_counted_some(sql, len(parts), order), [*params, limit])
            return _some_rows(cursor.fetchall(), sign=1)

    def matching_sql(self, terms: tuple[Term, ...]) -> tuple[str, list]:
        tsquery, params = self.any_of(terms)
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


def _other_number(word: str) -> str:
    """`word` with a final s removed, or added (`LLMs` and `LLM`), as Porter folds them."""
    if word[-1:] in "sS" and word[-2:-1] not in "sS":
        return word[:-1]
    return word + "s"


def _counted_some(matches: str, clauses: int, order: str) -> str:
    """`matches` (id, score, name, mask, matched, passes) with window counts over all of
    them, then only those that pass the filters, in `order`: the same SQL on both."""
    holding = ", ".join(f"SUM((mask >> {i}) & 1) OVER () AS h{i}" for i in range(clauses))
    names = ", ".join(f"h{i}" for i in range(clauses))
    return (
        f"SELECT id, score, name, mask, total, everywhere, {names} FROM ("  # noqa: S608
        "SELECT id, score, name, mask, matched, passes, COUNT(*) OVER () AS everywhere, "
        f"SUM(passes) OVER () AS total, {holding} FROM ({matches}) AS matches"
        f") AS counted WHERE passes = 1 ORDER BY {order} LIMIT %s"
    )


def _some_rows(rows: list[tuple], sign: int):
    """match_some's answer from _counted_some's rows; `sign` makes higher scores better."""
    if not rows:
        return [], (0, [])
    everywhere, holding = rows[0][5], [int(h) for h in rows[0][6:]]
    return [
        (pk, sign * score, name, mask, int(total)) for pk, score, name, mask, total, *_ in rows
    ], (
        int(everywhere),
        holding,
    )


ENGINES = {engine.vendor: engine for engine in (SqliteSearch, PostgresSearch)}


def for_vendor(vendor: str) -> SearchEngine:
    try:
        return ENGINES[vendor]()
    except KeyError:
        raise NotImplementedError(f"Full-text search is not available on {vendor}.") from None


def current() -> SearchEngine:
    """The engine for the database in use."""
    return for_vendor(connection.vendor)


def reading():
    """The connection search reads from: where the router sends reads of the search
    documents, a read replica within a request that may use one (catalog/replicas.py)."""
    return connections[router.db_for_read(apps.get_model("catalog", "ArtifactSearchDocument"))]

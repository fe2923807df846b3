"""The index's own words, for "did you mean": `graniet` -> granite.

Each search document's words (lowercased, as written, not stemmed, so a suggestion
reads as a word) go into one small table, `catalog_search_vocabulary`, when the
document is written (`add_words`). Words are never removed one by one: a word no
entry holds any more is harmless, since a suggestion is only offered when searching
it finds something, and `rebuild_search_index` starts the table afresh.

Looking a word up costs the same however large the catalog: on PostgreSQL pg_trgm's
GIN index finds the words sharing trigrams with it; on SQLite the primary key's
b-tree reads the words that start with the same two letters and have about its
length. Both then go through the same edit distance here, so the engines suggest alike.
Measured on the 2-core machine, one typo against 205,000 words: SQLite ~1 ms,
PostgreSQL ~2 ms through the trigram index (under ~10,000 words its planner prefers
scanning the table, ~8 ms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection

from catalog.search.backends import reading
from catalog.search.reading import STOP_WORDS

VOCABULARY_TABLE = "catalog_search_vocabulary"
MIN_WORD_LENGTH = 4  # shorter words are too often a different word one letter away
MAX_WORD_LENGTH = 32
INSERT_BATCH = 500
CANDIDATES_PER_WORD = 50
SQLITE_RANGE_LIMIT = 2000  # words sharing two first letters and about the length
_WORDS = re.compile(r"[^\W\d_][^\W_]*")

INSTALL_SQL = {
    "sqlite": [
        f"CREATE TABLE {VOCABULARY_TABLE} (word TEXT PRIMARY KEY) WITHOUT ROWID",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE TABLE {VOCABULARY_TABLE} (word text PRIMARY KEY)",
        f"CREATE INDEX {VOCABULARY_TABLE}_trgm ON {VOCABULARY_TABLE} USING GIN (word gin_trgm_ops)",
    ],
}
UNINSTALL_SQL = {
    "sqlite": [f"DROP TABLE IF EXISTS {VOCABULARY_TABLE}"],
    # The extension stays: something else may use it.
    "postgresql": [f"DROP TABLE IF EXISTS {VOCABULARY_TABLE}"],
}


def words_of(texts: Iterable[str]) -> set[str]:
    """The words worth suggesting in `texts`: letters first, not too short, not common."""
    words = set()
    for text in texts:
        for word in _WORDS.findall(text.lower()):
            if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH and word not in STOP_WORDS:
                words.add(word)
    return words


def add_words(words: Iterable[str]) -> None:
    """Remember `words` (those already known are skipped), a few hundred per statement."""
    words = sorted(set(words))
    with connection.cursor() as cursor:
        for start in range(0, len(words), INSERT_BATCH):
            batch = words[start : start + INSERT_BATCH]
            values = ", ".join(["(%s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {VOCABULARY_TABLE} (word) VALUES {values} "  # noqa: S608
                "ON CONFLICT (word) DO NOTHING",
                batch,
            )


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {VOCABULARY_TABLE}")  # noqa: S608


def _candidates(words: list[str]) -> dict[str, set[str]]:
    """Known words that may be what each of `words` meant (each word itself if known)."""
    found: dict[str, set[str]] = {word: set() for word in words}
    with reading().cursor() as cursor:
        if cursor.db.vendor == "postgresql":
            cursor.execute(
                "SELECT typed.word, near.word FROM unnest(%s::text[]) AS typed(word) "  # noqa: S608
                "CROSS JOIN LATERAL ("
                f"  SELECT word FROM {VOCABULARY_TABLE} WHERE word %% typed.word "
                "  ORDER BY similarity(word, typed.word) DESC LIMIT %s"
                ") AS near",
                [words, CANDIDATES_PER_WORD],
            )
        else:
            selects, params = [], []
            for word in words:
                start = word[:2]
                end = start[:-1] + chr(ord(start[-1]) + 1)
                selects.append(
                    f"SELECT * FROM (SELECT %s, word FROM {VOCABULARY_TABLE} "  # noqa: S608
                    "WHERE word >= %s AND word < %s AND length(word) BETWEEN %s AND %s "
                    "LIMIT %s)"
                )
                spread = _allowed_distance(word)
                params += [word, start, end, len(word) - spread, len(word) + spread]
                params.append(SQLITE_RANGE_LIMIT)
                # The word itself, however many its neighbours: known words are no typos.
                selects.append(f"SELECT %s, word FROM {VOCABULARY_TABLE} WHERE word = %s")  # noqa: S608
                params += [word, word]
            cursor.execute(" UNION ALL ".join(selects), params)
        for typed, near in cursor.fetchall():
            found[typed].add(near)
    return found


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): a swap of two letters counts one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _allowed_distance(word: str) -> int:
    return 1 if len(word) < 7 else 2


def corrections(words: Iterable[str]) -> dict[str, str]:
    """For each of `words` the index does not hold, the closest word it does, if any
    is close enough; one statement for all of them."""
    typed = sorted({w.lower() for w in words if w.isalpha() and len(w) >= MIN_WORD_LENGTH})
    if not typed:
        return {}
    result = {}
    for word, near in _candidates(typed).items():
        if word in near:
            continue  # a word of the index: not a typo
        allowed = _allowed_distance(word)
        letters = set(word)
        scored = sorted(
            (edit_distance(word, candidate), abs(len(candidate) - len(word)), candidate)
            for candidate in near
            # Each edit changes at most two of the letters two words do not share: a
            # cheap test that spares the edit distance of most candidates.
            if len(letters ^ set(candidate)) <= 2 * allowed and candidate not in STOP_WORDS
        )
        if scored and scored[0][0] <= allowed:
            result[word] = scored[0][2]
    return result

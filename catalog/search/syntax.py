"""What a researcher types, parsed into terms both backends can match safely.

The syntax: words (all must match), `"exact phrases"`, `-word` or `-"phrase"` to
exclude, and `OR` between two terms for either of them (it binds the terms beside it:
`llama OR mistral 7b` is `(llama OR mistral) AND 7b`, as web search engines read it).
The last word also matches as a prefix, so `gran` finds Granite while it is typed.

Nothing typed is ever handed to a query language as syntax: every term becomes quoted
text (FTS5) or goes through plainto/phraseto_tsquery (PostgreSQL), so quotes, `*`,
`NEAR`, `AND`, brackets and any unicode are only words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 300
MAX_TERMS = 16
MIN_PREFIX_LENGTH = 2  # shorter prefixes expand to too many index terms
_TOKEN_CHARACTERS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False

    @property
    def tokens(self) -> list[str]:
        """The letters-and-digits runs of the term: what an index can hold."""
        return _TOKEN_CHARACTERS.findall(self.text)


@dataclass(frozen=True)
class ParsedQuery:
    """All `clauses` must match (each clause: any of its terms); no `excluded` term may."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    # Other spellings of the same query an entry may match instead (`llama2` for
    # `llama 2`), each a query without exclusions; see catalog.search.reading.
    variants: tuple[ParsedQuery, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.excluded

    @property
    def term_count(self) -> int:
        return sum(len(clause) for clause in self.clauses) + len(self.excluded)

    @property
    def words(self) -> list[str]:
        """The words of a query of plain words only (no OR, no phrases), else []."""
        if any(len(clause) > 1 or clause[0].phrase for clause in self.clauses):
            return []
        return [clause[0].text for clause in self.clauses]

    @property
    def adjacency_boost(self) -> Term | None:
        """For `text generation`: the phrase "text generation", which matches a subset
        of the same entries, so an engine may OR it in to rank adjacent words higher."""
        words = self.words
        if len(words) < 2:
            return None
        return Term(" ".join(words), phrase=True, prefix=self.clauses[-1][0].prefix)


class QuerySyntaxError(ValueError):
    """A query too long or with too many terms to be answered quickly."""


def _tokens(text: str):
    """Yield (negated, is_phrase, text, is_or) for each piece of the query, in order."""
    position, length = 0, len(text)
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        negated = text[position] == "-" and position + 1 < length
        start = position + 1 if negated else position
        if start < length and text[start] == '"':
            end = text.find('"', start + 1)
            end = length if end == -1 else end
            yield negated, True, text[start + 1 : end], False
            position = end + 1
            continue
        end = start
        while end < length and not text[end].isspace():
            end += 1
        word = text[start:end].replace('"', " ")
        yield negated, False, word, (word == "OR" and not negated)
        position = end


def parse_query(text: str) -> ParsedQuery:
    """Parse `text`; raise QuerySyntaxError if it is too long to search."""
    text = text or ""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"Use at most {MAX_QUERY_LENGTH} characters (this has {len(text)}).")
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False  # the previous piece was OR
    last_positive: Term | None = None
    for negated, is_phrase, piece, is_or in _tokens(text):
        if is_or:
            join_next = bool(clauses)
            continue
        term = Term(piece.strip(), phrase=is_phrase)
        if not term.tokens:
            join_next = False
            continue
        if negated:
            excluded.append(term)
            join_next = False
            continue
        if join_next:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
        last_positive = term
    count = sum(len(c) for c in clauses) + len(excluded)
    if count > MAX_TERMS:
        raise QuerySyntaxError(f"Use at most {MAX_TERMS} words or phrases (this has {count}).")
    # The last word, if it ends the query and is a plain word, also matches as a prefix.
    if (
        clauses
        and clauses[-1][-1] is last_positive
        and not last_positive.phrase
        and len(last_positive.tokens[-1]) >= MIN_PREFIX_LENGTH
    ):
        clauses[-1][-1] = Term(last_positive.text, prefix=True)
    return ParsedQuery(clauses=tuple(tuple(clause) for clause in clauses), excluded=tuple(excluded))

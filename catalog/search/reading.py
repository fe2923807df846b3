"""How a researcher's words are read before they are matched, the same on both engines.

    reading = read_query(parse_query("datasets for geospatial work"), kind_given=False)
    reading.kinds          # ("dataset",): "datasets" asks for a kind, it is no text
    reading.ignored        # ("for",): a common word that need not match
    reading.query          # what is matched: geospatial AND work (the last as a prefix)

- Common words (PostgreSQL's English stop words, so SQLite reads them alike) need not
  match; inside a "phrase" they stay.
- "model(s)", "dataset(s)", "tool(s)" as plain words name a kind, unless they say what
  an entry is about ("attacks on models", "dataset metadata"): then they are text.
  When the reader also set `kind`, theirs wins and the word is simply left out.
- Letters and digits joined or apart are one name: `llama2` also matches "Llama 2"
  and `llama 2` (or `llama-2`) also matches "Llama2" (`query.variants`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from catalog.search.syntax import ParsedQuery, Term

# PostgreSQL's `english` stop words (snowball), which its parser drops anyway.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
KIND_WORDS = {
    "model": "model",
    "models": "model",
    "dataset": "dataset",
    "datasets": "dataset",
    "tool": "tool",
    "tools": "tool",
}
# After these a kind word is what the entry is about: "attacks on models".
OBJECT_PREPOSITIONS = frozenset(
    ["on", "of", "for", "against", "about", "from", "into", "over", "between", "by", "with"]
)
MAX_VARIANTS = 4
_LETTER_DIGIT_RUNS = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True)
class Reading:
    query: ParsedQuery
    kinds: tuple[str, ...] = ()  # kinds the words asked for ("models" -> "model")
    kind_words: tuple[str, ...] = ()  # the words read as a kind (or left out for `kind`)
    ignored: tuple[str, ...] = ()  # common words that need not match

    @property
    def only_common_words(self) -> bool:
        """Every word was a common one: nothing is left to search for."""
        return bool(self.ignored) and self.query.is_empty and not self.kind_words


def _plain_word(term: Term) -> str | None:
    """The lowercased word of a plain (unquoted, single-token) term, else None."""
    if term.phrase or len(term.tokens) != 1:
        return None
    return term.tokens[0].lower()


def _names_a_kind(words: list[str | None], index: int) -> bool:
    """Whether the kind word at `index` asks for that kind, not for what it is about:
    "attacks on models" is about models (after a preposition), "dataset metadata" is
    about datasets (a singular before another word); "Arabic model", "models for code"
    and "Meta permissive models" ask for models."""
    before = words[index - 1] if index else None
    after = words[index + 1] if index + 1 < len(words) else None
    if before in OBJECT_PREPOSITIONS:
        return False
    singular = KIND_WORDS.get(words[index] or "") == words[index]
    return not (singular and after is not None and after not in STOP_WORDS)


def _is_common(term: Term) -> bool:
    return not term.phrase and all(token.lower() in STOP_WORDS for token in term.tokens)


def split_form(word: str) -> str | None:
    """`llama2` -> `llama 2`, `gpt4o` -> `gpt 4 o`: a name written joined, written apart.
    Only where every letter run has two letters or more (`7b` stays `7b`)."""
    runs = _LETTER_DIGIT_RUNS.findall(word)
    if len(runs) < 2 or "".join(runs) != word:
        return None
    if any(run.isalpha() and len(run) < 2 for run in runs):
        return None
    return " ".join(runs)


def _joinable(left: str | None, right: str | None) -> bool:
    """`llama` + `2`: a word ending in a letter and one starting with a digit."""
    return bool(left and right and left[-1].isalpha() and right[0].isdigit())


def _variants(clauses: list[tuple[Term, ...]]) -> tuple[ParsedQuery, ...]:
    variants: list[ParsedQuery] = []
    for index, clause in enumerate(clauses):
        word = _plain_word(clause[0]) if len(clause) == 1 else None
        # "llama-2" or "llama2": the same tokens apart or joined.
        if len(clause) == 1 and not clause[0].phrase:
            term = clause[0]
            pieces: list[str] = []
            for token in (t.lower() for t in term.tokens):
                if pieces and _joinable(pieces[-1], token):
                    pieces[-1] += token
                else:
                    pieces.append(token)
            if len(pieces) < len(term.tokens):
                joined = Term(" ".join(pieces), phrase=len(pieces) > 1, prefix=term.prefix)
                variants.append(_with(clauses, index, 1, joined))
            elif word and (apart := split_form(word)):
                apart_term = Term(apart, phrase=True, prefix=term.prefix)
                variants.append(_with(clauses, index, 1, apart_term))
        # "llama 2": two words that may be one name.
        if index + 1 < len(clauses) and len(clauses[index + 1]) == 1 and len(clause) == 1:
            right = _plain_word(clauses[index + 1][0])
            if word and _joinable(word, right):
                joined = Term(word + right, prefix=clauses[index + 1][0].prefix)
                variants.append(_with(clauses, index, 2, joined))
    return tuple(variants[:MAX_VARIANTS])


def _with(clauses: list[tuple[Term, ...]], index: int, width: int, term: Term) -> ParsedQuery:
    """The clauses with `width` of them from `index` replaced by one clause of `term`."""
    return ParsedQuery(clauses=(*clauses[:index], (term,), *clauses[index + width :]))


def read_query(query: ParsedQuery, *, kind_given: bool) -> Reading:
    """Read kinds and common words out of `query`; see the module docstring."""
    clauses: list[tuple[Term, ...]] = []
    kinds: list[str] = []
    kind_words: list[str] = []
    ignored: list[str] = []
    words = [_plain_word(clause[0]) if len(clause) == 1 else None for clause in query.clauses]
    for index, clause in enumerate(query.clauses):
        word = words[index]
        if word in KIND_WORDS and _names_a_kind(words, index):
            kind_words.append(clause[0].text)
            if not kind_given and KIND_WORDS[word] not in kinds:
                kinds.append(KIND_WORDS[word])
            continue
        kept = tuple(term for term in clause if not _is_common(term))
        ignored += [term.text for term in clause if _is_common(term)]
        if kept:
            clauses.append(kept)
    excluded = tuple(term for term in query.excluded if not _is_common(term))
    ignored += [f"-{term.text}" for term in query.excluded if _is_common(term)]
    read = ParsedQuery(clauses=tuple(clauses), excluded=excluded)
    if clauses:
        read = replace(read, variants=_variants(clauses))
    return Reading(
        query=read,
        kinds=tuple(kinds),
        kind_words=tuple(kind_words),
        ignored=tuple(dict.fromkeys(ignored)),
    )

"""An artifact's license in plain words: may I use it commercially, must I share alike, ...

Each License row answers yes, no or "it depends / not known" (None). An expression
combines them: under `A AND B` both licenses apply, so the stricter answer wins; under
`A OR B` the user may choose, so the more generous one does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from license_expression import AND, OR, LicenseWithExceptionSymbol

from catalog.licenses import LicenseExpressionError, parse_expression
from catalog.models import License, LicenseCategory


@dataclass(frozen=True)
class Question:
    field: str
    text: str
    # Which answer is the restrictive one, for combining under AND.
    restrictive: bool
    yes: str
    no: str
    # Whether the restrictive answer deserves a caution badge (attribution is routine).
    cautions: bool = True


QUESTIONS = (
    Question(
        "commercial_use",
        "Commercial use?",
        False,
        "Allowed",
        "Not allowed",
    ),
    Question(
        "share_alike",
        "Share-alike?",
        True,
        "Yes: derived works must use the same license",
        "No",
    ),
    Question(
        "attribution",
        "Attribution required?",
        True,
        "Yes: credit the makers",
        "No",
        cautions=False,
    ),
    Question(
        "use_restrictions",
        "Use restrictions?",
        True,
        "Yes: some uses are forbidden (read the license)",
        "None",
    ),
)
UNKNOWN = "Depends or unknown: read the license"


@dataclass(frozen=True)
class Answer:
    field: str
    question: str
    value: bool | None
    words: str

    @property
    def tone(self) -> str:
        """'good', 'neutral', 'caution' or 'unknown', for the badge colour."""
        if self.value is None:
            return "unknown"
        question = next(q for q in QUESTIONS if q.field == self.field)
        if self.value != question.restrictive:
            return "good"
        return "caution" if question.cautions else "neutral"


@dataclass(frozen=True)
class LicensePart:
    """A license as a result card keeps it (`catalog.search.cards.LICENSE_FIELDS`)."""

    key: str
    name: str
    url: str
    category: str
    commercial_use: bool | None
    share_alike: bool | None
    attribution: bool | None
    use_restrictions: bool | None


@dataclass(frozen=True)
class LicenseSummary:
    expression: str
    licenses: list[License | LicensePart]
    answers: list[Answer]
    has_choice: bool  # the expression has an OR: the user picks one license

    @property
    def names(self) -> str:
        """The expression in license names: 'Llama 2 Community License and Apache License 2.0'."""
        names = {license.key.lower(): license.name for license in self.licenses}
        words = []
        for token in re.split(r"(\s+|[()])", self.expression):
            if token in OPERATOR_WORDS:
                words.append(OPERATOR_WORDS[token])
            else:
                words.append(names.get(token.lower(), token))
        return "".join(words)

    @property
    def categories(self) -> str:
        """What kind of license it is: 'Custom license: free to use with conditions'."""
        labels = dict.fromkeys(LicenseCategory(license.category).label for license in self.licenses)
        return "; ".join(labels)


OPERATOR_WORDS = {"AND": "and", "OR": "or", "WITH": "with"}


def summarize_license(expression: str, licenses: Iterable) -> LicenseSummary | None:
    """Plain-words answers for a license expression, from the licenses it names: License
    rows, or a result card's license parts read as `LicensePart`."""
    if not expression:
        return None
    by_key = {license.key.lower(): license for license in licenses}
    try:
        tree = parse_expression(expression).tree
    except LicenseExpressionError:
        tree = None
    answers = []
    for question in QUESTIONS:
        value = None if tree is None else _combine(tree, question, by_key)
        words = UNKNOWN if value is None else (question.yes if value else question.no)
        answers.append(Answer(question.field, question.text, value, words))
    ordered = sorted(by_key.values(), key=lambda license: license.key)
    return LicenseSummary(
        expression=expression,
        licenses=ordered,
        answers=answers,
        has_choice=tree is not None and _has_choice(tree),
    )


def _combine(node, question: Question, by_key: dict[str, License]) -> bool | None:
    if isinstance(node, AND | OR):
        values = [_combine(arg, question, by_key) for arg in node.args]
        # Under AND every license applies: one restrictive answer is enough.
        # Under OR the user chooses: one generous answer is enough.
        decisive = question.restrictive if isinstance(node, AND) else not question.restrictive
        if decisive in values:
            return decisive
        if None in values:
            return None
        return not decisive
    if isinstance(node, LicenseWithExceptionSymbol):
        return _combine(node.license_symbol, question, by_key)
    license = by_key.get(node.key.lower())
    return None if license is None else getattr(license, question.field)


def _has_choice(node) -> bool:
    if isinstance(node, OR):
        return True
    return isinstance(node, AND) and any(_has_choice(arg) for arg in node.args)

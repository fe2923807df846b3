"""Keyset paging: a cursor names the last entry of a page by its sort key, and the next
page is the entries after it in the same order, so page 5,000 costs what page 2 costs.

    cursor = Keyset.for_ordering("-released").cursor(last_row_values, page=3)
    keyset = Keyset.for_ordering("-released")
    after = keyset.after(decode(cursor, "-released").values)   # a Q for the next page

A cursor is signed (django.core.signing), so a tampered or truncated one is refused
(`BadCursor`) rather than read; it names its ordering and the page it opens, so page
numbers still show. Relevance has no keyset (its order is computed, not a column) and
pages by number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q

SALT = "catalog.search.cursor"
# The columns each ordering sorts by, after its own: as people read names, then unique.
_NAME_KEY = ("sort_name", "name", "namespace", "slug")


class BadCursor(ValueError):
    """The cursor was not made by this catalog, or not for this ordering."""


@dataclass(frozen=True)
class Position:
    ordering: str
    values: tuple
    page: int


@dataclass(frozen=True)
class Keyset:
    """The sort key of one ordering: `fields` in order, the first `descending` (and the
    rest too when `all_descending`), `nullable` ones sorted last either way."""

    ordering: str
    fields: tuple[str, ...]
    descending: bool
    all_descending: bool
    nullable: frozenset[str]
    kinds: dict  # field -> "date" / "datetime" for values that travel as text

    @classmethod
    def for_ordering(cls, ordering: str) -> Keyset | None:
        name = ordering.lstrip("-")
        descending = ordering.startswith("-")
        if name == "name":
            return cls(ordering, _NAME_KEY, descending, descending, frozenset(), {})
        primary = {
            "released": ("released_on", True, "date"),
            "updated": ("updated_at", False, "datetime"),
            "parameters": ("largest_parameters", True, None),
        }.get(name)
        if primary is None:
            return None
        field, nullable, kind = primary
        return cls(
            ordering,
            (field, *_NAME_KEY),
            descending,
            False,
            frozenset({field} if nullable else ()),
            {field: kind} if kind else {},
        )

    def _is_descending(self, index: int) -> bool:
        return self.descending if index == 0 else self.all_descending

    def _after(self, index: int, field: str, value) -> Q | None:
        """Rows strictly after `value` in this field's order (nulls last)."""
        if value is None:
            return None  # nothing sorts after a null but other nulls, which tie
        lookup = "lt" if self._is_descending(index) else "gt"
        condition = Q(**{f"{field}__{lookup}": value})
        if field in self.nullable:
            condition |= Q(**{f"{field}__isnull": True})
        return condition

    def after(self, values: tuple) -> Q:
        """The entries after the one whose sort key is `values`."""
        condition = Q(pk__in=[])
        equal = Q()
        for index, (field, value) in enumerate(zip(self.fields, values, strict=True)):
            step = self._after(index, field, value)
            if step is not None:
                condition |= equal & step
            equal &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
        # The same, led by a plain range on the first column, which an index can serve.
        field, value = self.fields[0], values[0]
        if value is None:
            return Q(**{f"{field}__isnull": True}) & condition
        lead = Q(**{f"{field}__{'lte' if self.descending else 'gte'}": value})
        if field in self.nullable:
            lead |= Q(**{f"{field}__isnull": True})
        return lead & condition

    def cursor(self, values: tuple, *, page: int) -> str:
        encoded = [
            v.isoformat() if isinstance(v, datetime.date | datetime.datetime) else v for v in values
        ]
        return signing.dumps([self.ordering, encoded, page], salt=SALT, compress=True)

    def decode(self, cursor: str) -> Position:
        try:
            ordering, encoded, page = signing.loads(cursor, salt=SALT)
            if ordering == self.ordering:
                values = tuple(
                    self._value(field, value)
                    for field, value in zip(self.fields, encoded, strict=True)
                )
                page = int(page)
        except (signing.BadSignature, ValueError, TypeError):
            raise BadCursor(
                "This cursor is not one this catalog gave out; follow a `next` link as it "
                "is, or use page numbers."
            ) from None
        if ordering != self.ordering:
            raise BadCursor(
                f"This cursor pages ordering={ordering}, not ordering={self.ordering}; "
                "keep the parameters of the page that gave it."
            )
        return Position(ordering, values, max(1, page))

    def _value(self, field: str, value):
        kind = self.kinds.get(field)
        if value is not None and kind == "date":
            return datetime.date.fromisoformat(value)
        if value is not None and kind == "datetime":
            return datetime.datetime.fromisoformat(value)
        return value

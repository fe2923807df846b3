"""What a seed load says: the rows it created, updated, deleted or left, or where it failed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


class RecordError(Exception):
    """What is wrong with one field of a record, named as the seed file names it."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class SeedError(Exception):
    """A seed record that cannot be loaded, with where it is and what is wrong."""

    def __init__(self, file: str, record: str, field: str, message: str):
        self.file, self.record, self.field, self.message = file, record, field, message
        super().__init__(f"{file}, record '{record}', field '{field}': {message}")


@dataclass
class SeedReport:
    """What a load did, per kind of row: created, updated, deleted, left unchanged.

    Link rows (an artifact's tags, licenses, tasks, ...) are counted one by one, so an
    artifact without tags counts nothing, and a first run on an empty database counts
    only creations. Shared rows (licenses, tags) are counted once per load, however many
    entries use them.
    """

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    seen: set = field(default_factory=set)  # (label, key) of the shared rows counted

    STATES = ("created", "updated", "deleted", "unchanged")

    def count(self, what: str, state: str, number: int = 1) -> None:
        getattr(self, state)[what] += number

    def count_shared(self, what: str, key: object, state: str) -> None:
        """Count a shared row the first time this load meets it."""
        if (what, key) not in self.seen:
            self.seen.add((what, key))
            self.count(what, state)

    def lines(self) -> list[str]:
        names = sorted(set().union(*(getattr(self, state) for state in self.STATES)))
        return [
            f"{name}: "
            + ", ".join(f"{getattr(self, state)[name]} {state}" for state in self.STATES)
            for name in names
        ]

    @property
    def changed(self) -> bool:
        return any(sum(getattr(self, state).values()) for state in self.STATES[:3])

"""Progress of a long command: a tqdm bar on standard error with the count, the rate and
the time left, shown only when standard error is a terminal (quiet in pipes, files, cron
and CI logs). Used by export_catalog, import_catalog, generate_catalog and
rebuild_search_index; the work itself takes a plain `step(n)` callback."""

from __future__ import annotations

import sys
from typing import IO

from tqdm import tqdm


class Progress:
    def __init__(self, description: str, total: int | None, stream: IO[str] | None = None):
        stream = stream or sys.stderr
        self.bar = tqdm(
            total=total,
            desc=description,
            unit=" records",
            file=stream,
            disable=not stream.isatty(),
            mininterval=0.2,
            dynamic_ncols=True,
        )

    def step(self, number: int = 1) -> None:
        self.bar.update(number)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

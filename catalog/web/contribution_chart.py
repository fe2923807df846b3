"""A member's contributions over time: a small stacked bar chart, one bar a year.

Drawn on the server as SVG; the page shows the same numbers as a table for screen
readers and for anyone who prefers numbers to bars.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from catalog.models import Artifact, ArtifactKind

BAR_WIDTH = 40
BAR_GAP = 18
CHART_HEIGHT = 170
LEFT = 28
TOP = 10
BOTTOM = 24
KINDS = tuple(ArtifactKind)


@dataclass(frozen=True)
class YearRow:
    year: int
    counts: dict[str, int]  # by kind

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def contributions_by_year(artifacts: list[Artifact]) -> tuple[list[YearRow], int]:
    """Rows for every year from the first release to the last, and the count without a date."""
    counts: Counter[tuple[int, str]] = Counter()
    undated = 0
    for artifact in artifacts:
        if artifact.released_on is None:
            undated += 1
        else:
            counts[(artifact.released_on.year, artifact.kind)] += 1
    if not counts:
        return [], undated
    years = [year for year, _ in counts]
    rows = [
        YearRow(year, {kind.value: counts[(year, kind.value)] for kind in KINDS})
        for year in range(min(years), max(years) + 1)
    ]
    return rows, undated


def contribution_chart_svg(rows: list[YearRow]) -> SafeString:
    if not rows:
        return mark_safe("")
    tallest = max(row.total for row in rows)
    unit = (CHART_HEIGHT - TOP - BOTTOM) / tallest
    width = LEFT + len(rows) * (BAR_WIDTH + BAR_GAP)
    baseline = CHART_HEIGHT - BOTTOM
    parts = [
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="tick" x="{}" y="{}" text-anchor="end">0</text>',
            LEFT - 4,
            baseline,
            width,
            baseline,
            LEFT - 8,
            TOP + 10,
            tallest,
            LEFT - 8,
            baseline,
        )
    ]
    for index, row in enumerate(rows):
        x = LEFT + index * (BAR_WIDTH + BAR_GAP)
        y = baseline
        for kind in KINDS:
            count = row.counts[kind.value]
            if not count:
                continue
            height = round(count * unit)
            y -= height
            parts.append(
                format_html(
                    '<rect class="bar kind-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {} {}</title></rect>",
                    kind.value,
                    x,
                    y,
                    BAR_WIDTH,
                    height,
                    row.year,
                    count,
                    kind.label.lower() + ("s" if count != 1 else ""),
                )
            )
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                x + BAR_WIDTH // 2,
                baseline + 16,
                f"\u2019{row.year % 100:02d}" if len(rows) > 8 else row.year,
            )
        )
    return format_html(
        '<svg class="contribution-chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" '
        'focusable="false">{}</svg>',
        mark_safe("".join(parts)),  # noqa: S308 - each part built by format_html
        w=width,
        h=CHART_HEIGHT,
    )

"""`make bench`: the search API at 10k and 100k artifacts on SQLite and PostgreSQL, and
the write API's registrations per second on each.

For each backend and size a fresh database is built with generate_catalog, then
benchmarks.measure times the API (p50, p95 through Django's test client, so without
HTTP) on the query mix and, beside it, the same SQL statements run alone: the floor
the database sets. On a fresh database of each backend, benchmarks.writes registers
entries as a release pipeline does (create, then submit). The tables go to
docs/benchmarks.md. Then benchmarks.side_by_side serves the SQLite catalog of one size
and a Datasette copy of it over HTTP and asks both the same questions (reusing the
catalog measured at that size, or generating one). BENCH_SIZES (default
"10000,100000"; "" for none), BENCH_WRITE_ROUNDS (default 200; 0 for none) and
BENCH_SIDE_BY_SIDE (default 100000; "" for none) choose what runs.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if n]
WRITE_ROUNDS = int(os.environ.get("BENCH_WRITE_ROUNDS", "200"))
SIDE_BY_SIDE = int(os.environ.get("BENCH_SIDE_BY_SIDE", "100000") or 0)
SEED = 1
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432/postgres")
POSTGRES_DATABASE = "catalog_bench"


def postgres_url() -> str | None:
    """A fresh benchmark database on the local server, or None if none is reachable."""
    try:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE}")
            conn.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable ({error}); SQLite only.", file=sys.stderr)
        return None
    return POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{POSTGRES_DATABASE}"


def run_cell(database_url: str, module: str, *arguments: str) -> dict:
    """Run benchmarks.<module> in a fresh process on `database_url`; its JSON answer."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false"}
    output = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", f"benchmarks.{module}", *arguments],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if output.returncode != 0:
        raise SystemExit(f"benchmark failed on {database_url}:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure(database_url: str, artifacts: int) -> dict:
    return run_cell(database_url, "measure", "--artifacts", str(artifacts), "--seed", str(SEED))


def side_by_side(path: str, artifacts: int) -> dict:
    """benchmarks.side_by_side on the SQLite catalog at `path` (generated there if the
    file does not exist yet)."""
    arguments = ["--artifacts", str(artifacts), "--seed", str(SEED), "--database", path]
    return run_cell(f"sqlite:///{path}", "side_by_side", *arguments)


def on_each_backend(run, then_on_sqlite=None) -> list[tuple[str, dict]]:
    """[(backend, run(database_url))] on a fresh SQLite file and, if reachable, a fresh
    PostgreSQL database. `then_on_sqlite(path)` is called with the SQLite file before it
    is deleted."""
    cells = []
    with tempfile.TemporaryDirectory() as directory:
        cells.append(("SQLite", run(f"sqlite:///{directory}/bench.sqlite3")))
        if then_on_sqlite:
            then_on_sqlite(f"{directory}/bench.sqlite3")
    url = postgres_url()
    if url:
        cells.append(("PostgreSQL", run(url)))
    return cells


def main() -> None:
    rows = []
    compared: dict = {}

    def compare(path: str) -> None:
        compared.update(side_by_side(path, SIDE_BY_SIDE))

    for size in SIZES:
        then = compare if size == SIDE_BY_SIDE else None
        for backend, cell in on_each_backend(lambda url, size=size: measure(url, size), then):
            rows.append((backend, size, cell))
            print(f"{backend} {size}: built in {cell['build_seconds']:.0f} s", file=sys.stderr)
    if SIDE_BY_SIDE and not compared:
        with tempfile.TemporaryDirectory() as directory:
            compare(f"{directory}/side.sqlite3")
    writes = []
    if WRITE_ROUNDS:
        rounds = str(WRITE_ROUNDS)
        writes = on_each_backend(lambda url: run_cell(url, "writes", "--rounds", rounds))
    write_report(rows, writes, side_by_side=compared or None)


KEPT = "<!-- kept by make bench -->"


def write_lines(writes: list[tuple[str, dict]]) -> list[str]:
    if not writes:
        return []
    lines = [
        "",
        WRITES_HEADING,
        "",
        "Each round registers a model as a release pipeline does (`benchmarks/writes.py`): "
        "`POST /api/v1/artifacts/` with a license, a task, a contributor, a source and a "
        "size, then `POST .../submit/` with its ETag, through Django's test client with an "
        "API token, one after another on a fresh database of 200 entries. Measured "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"with {os.cpu_count()} CPUs.",
        "",
        "| backend | rounds | registrations / s | round p50 (ms) | round p95 (ms) "
        "| queries / round |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for backend, cell in writes:
        lines.append(
            f"| {backend} | {cell['rounds']} | {cell['per_second']:.1f} | {cell['p50']:.1f} "
            f"| {cell['p95']:.1f} | {cell['queries']} |"
        )
    return lines


WRITES_HEADING = "## Writes"


def search_lines(rows: list[tuple[str, int, dict]]) -> list[str]:
    lines = [
        "# Search benchmarks",
        "",
        "Written by `make bench` (benchmarks/run.py); do not edit by hand.",
        "",
        f"- When: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, on "
        f"{platform.machine()} with {os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "- Catalog: `manage.py generate_catalog --artifacts N --seed 1` (Zipf words and tags).",
        "- API: `GET /api/v1/artifacts/` through Django's test client (no HTTP), 25 runs "
        "after one warm-up; p50 and p95 in milliseconds.",
        "- Floor: the same SQL statements the request ran, executed alone on the same "
        "connection (p50): what the database itself costs.",
        "- Framework: the same request to a DRF view that returns the same body without "
        "searching or touching the database (benchmarks/urls.py): what Django and DRF "
        "cost on their own. The API can never be faster than floor + framework.",
        "- Every count is exact: filters run inside the text match, which ranks only what "
        "passes them (a top-k sort up to the page), then one count when the prefix is "
        "full. Counts and facets that depend on no filter are cached.",
        "",
        "| backend | artifacts | query | matches | queries | API p50 | API p95 | floor p50 "
        "| framework p50 | p50 / floor |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for backend, size, cell in rows:
        for label, r in cell["results"].items():
            count = f"{r['count']:,}"
            ratio = r["api_p50"] / r["floor_p50"] if r["floor_p50"] else float("nan")
            lines.append(
                f"| {backend} | {size:,} | {label} | {count} | {r['queries']} "
                f"| {r['api_p50']:.2f} | {r['api_p95']:.2f} | {r['floor_p50']:.2f} "
                f"| {r['framework_p50']:.2f} | {ratio:.1f}x |"
            )
    lines += [
        "",
        "The floor and framework columns say where a request's time goes. (They once set a "
        "target, API p50 within 2x the floor, which issue 11 retired: it rewarded cheap "
        "statements rather than fewer ones.)",
        "",
        "Query parameters:",
        "",
    ]
    for label, r in rows[0][2]["results"].items():
        lines.append(f"- {label}: `{json.dumps(r['params'])}`")
    return lines


def measured_sections(measured: str) -> dict[str, list[str]]:
    """The report above KEPT by its `## ` headings; "" is the search part before them."""
    sections: dict[str, list[str]] = {"": []}
    heading = ""
    for line in measured.rstrip("\n").splitlines():
        if line.startswith("## "):
            heading = line
            sections[heading] = []
        sections[heading].append(line)
    return {heading: lines for heading, lines in sections.items() if "".join(lines).strip()}


def write_report(
    rows: list[tuple[str, int, dict]],
    writes: list[tuple[str, dict]],
    *,
    side_by_side: dict | None = None,
) -> None:
    """docs/benchmarks.md: the search, writes and side-by-side sections from this run, or
    as the report had them where this run measured none; notes below KEPT survive."""
    from benchmarks.side_by_side import HEADING as SIDE_HEADING
    from benchmarks.side_by_side import report_lines as side_by_side_lines

    report = ROOT / "docs" / "benchmarks.md"
    old = report.read_text(encoding="utf-8") if report.exists() else ""
    measured, _, kept = old.partition(KEPT)
    old_sections = measured_sections(measured)
    lines = search_lines(rows) if rows else old_sections.get("", [])
    while lines and not lines[-1].strip():
        lines.pop()
    for heading, new in (
        (WRITES_HEADING, write_lines(writes)[1:] if writes else []),
        (SIDE_HEADING, side_by_side_lines(side_by_side) if side_by_side else []),
    ):
        section = new or old_sections.get(heading, [])
        while section and not section[-1].strip():
            section.pop()
        if section:
            lines += ["", *section]
    if kept:
        lines += ["", KEPT + kept.rstrip("\n")]
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("Wrote docs/benchmarks.md", file=sys.stderr)


if __name__ == "__main__":
    main()

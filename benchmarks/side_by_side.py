"""The catalog beside Datasette: the same entries, the same questions, over HTTP.

1. The published entries of a generated catalog (SQLite) are copied into a Datasette
   database (benchmarks.datasette_export: one table, JSON arrays for the many-to-many
   facets, FTS5 over the same text with the same tokenizer), and the copy is checked
   against the catalog (entries, every facet value's count, a few words' matches).
2. Both are served, one process each: the catalog by gunicorn with one sync worker
   (DEBUG off, the SQLite file, the local-memory cache of that one process), Datasette
   with `datasette serve -i` (immutable) from .venv-bench, its SQL and facet time
   limits raised so it answers every question fully (DATASETTE_SETTINGS).
3. QUESTIONS are asked of both over HTTP, interleaved (catalog, Datasette, catalog,
   ...), one warm-up each, then REPEAT times; p50 and p95 in milliseconds. Both must
   give the same count, and the same count for each facet value both list, or the run
   stops and prints both answers.

How Datasette is asked, as its users would, with the catalog's own MATCH expression
(`SqliteSearch().expression` of q as the catalog reads it), so both match the same
entries:
- text (q): its SQL endpoint, ranked by bm25 with the catalog's column weights (name
  highest), the page of 20 and an exact count in one statement (a window count, or a
  materialized match counted, with the facets, in the same statement): its table view's
  `_search` does not rank.
- filters, facets, sorting by name: its table view (`_facet_array=` for JSON arrays,
  `_facet=` for plain columns, `_sort=name`, 20 a page).
- the deep page: the catalog's cursor (`next` of the page before) against Datasette's
  keyset `_next` at the same place, both in the middle of the catalog sorted by name.

    python -m benchmarks.side_by_side --artifacts 10000 [--database bench.sqlite3] [--report]

A --database that does not exist yet is generated (migrate, generate_catalog, ANALYZE);
without --database, in a temporary directory. Prints JSON;
with --report, also writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
from pathlib import Path

from benchmarks.datasette_export import ARRAY_FACETS, COLUMN_OF, SEARCH_ONLY, check, export

ROOT = Path(__file__).resolve().parent.parent
DATASETTE = ROOT / ".venv-bench" / "bin" / "datasette"
HOST = "127.0.0.1"
CATALOG_PORT = int(os.environ.get("BENCH_CATALOG_PORT", "8771"))
DATASETTE_PORT = int(os.environ.get("BENCH_DATASETTE_PORT", "8772"))
REPEAT = int(os.environ.get("BENCH_SIDE_BY_SIDE_RUNS", "25"))
PAGE_SIZE = 20  # the catalog's default page
FACETS = ("organization", "license_category", "modality", "language")
# One SQL thread: one request at a time, as one sync worker answers (Datasette runs a
# request's statements one after another anyway). Facet lists as long as the
# catalog's (FACET_LIMIT); no suggested facets, which the catalog does not compute.
DATASETTE_SETTINGS = {
    "sql_time_limit_ms": "120000",
    "facet_time_limit_ms": "120000",
    "max_returned_rows": "5000",
    "default_facet_size": "20",
    "default_page_size": str(PAGE_SIZE),
    "num_sql_threads": "1",
    "suggest_facets": "off",
}
LIST_COLUMNS = (
    "id", "namespace", "slug", "name", "kind", "status", "released_on", "openness_class",
    "commercial_use", "summary", *ARRAY_FACETS.values(),
)  # fmt: skip
HEADING = "## Side by side with Datasette (issue 11)"


def questions(seed: int, artifacts: int) -> dict[str, dict]:
    """The catalog's API parameters of each question (words from benchmarks.measure)."""
    from benchmarks.measure import query_mix

    mix = query_mix(seed, artifacts)
    facets = ",".join(FACETS)
    return {
        "rare word": mix["rare word"],
        "two words": mix["two words"],
        "common word": mix["common word"],
        "common word + organization": mix["common word + organization"],
        "filters, sorted by name": {**mix["filters only"], "ordering": "name"},
        "filters + 4 facets": {**mix["filters only"], "facets": facets},
        "two words + 4 facets": {**mix["two words"], "facets": facets},
        "whole catalog + 4 facets": {"facets": facets},
        # The page in the middle, reached by the cursor of the page before (deep_page).
        "deep page": {"ordering": "name", "page": str(max(2, artifacts // 40))},
    }


# ------------------------------------------------------------------------------
# Datasette's requests
# ------------------------------------------------------------------------------


def match_expression(q: str, params: dict) -> str:
    """The FTS5 MATCH expression the catalog's search compiles for `q`."""
    from catalog.search.backends import SqliteSearch
    from catalog.search.reading import read_query
    from catalog.search.syntax import parse_query

    reading = read_query(parse_query(q), kind_given=bool(params.get("kind")))
    if reading.kinds:
        raise ValueError(f"{q!r} names a kind, which the Datasette questions do not model")
    return SqliteSearch().expression(reading.query)


def _filters(params: dict) -> dict[str, str]:
    return {name: value for name, value in params.items() if name in COLUMN_OF}


def _condition(name: str, table: str = "e") -> str:
    """A filter in SQL, as Datasette's own filters write it (`__arraycontains`)."""
    column = COLUMN_OF[name]
    if name in ARRAY_FACETS:
        return f":{name} in (select value from json_each({table}.{column}))"
    return f"{table}.{column} = :{name}"


def _facet_sql(name: str, source: str) -> str:
    column = COLUMN_OF[name]
    if name in ARRAY_FACETS:
        counted = f"select j.value, count(*) as n from {source}, json_each({source}.{column}) j "
        counted += "group by j.value"
    else:
        counted = f"select {column} as value, count(*) as n from {source} "
        counted += f"where {column} is not null group by {column}"
    return (
        f"(select json_group_object(value, n) from ({counted} "
        f"order by n desc, value limit {DATASETTE_SETTINGS['default_facet_size']}))"
    )


def ranked_sql(params: dict) -> str:
    """The SQL endpoint's statement for a text question: the first page by bm25 with the
    catalog's weights, the exact count and, when asked, the facets. (SQLite allows bm25
    only in the FTS5 table's own query, not beside a window function: hence the CTE.)"""
    from catalog.search.backends import FTS_WEIGHTS

    weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
    where = " ".join(f"and {_condition(name)}" for name in _filters(params))
    shown = ", ".join(f"e.{column}" for column in LIST_COLUMNS)
    scored = (
        f"select rowid as id, bm25(entries_fts, {weights}) as score from entries_fts "
        "where entries_fts match :q"
    )
    joined = f"from scored s join entries e on e.id = s.id where 1 {where}"
    facets = [name for name in params.get("facets", "").split(",") if name]
    if not facets:
        return (
            f"with scored as materialized ({scored}) "
            f"select {shown}, s.score, count(*) over () as total {joined} "
            f"order by s.score, e.id limit {PAGE_SIZE}"
        )
    fields = ", ".join(f"'{column}', {column}" for column in LIST_COLUMNS)
    parts = [
        f"(select json_group_array(json_object({fields})) from "
        f"(select * from matched order by score, id limit {PAGE_SIZE})) as results",
        "(select count(*) from matched) as total",
        *(f"{_facet_sql(name, 'matched')} as {name}" for name in facets),
    ]
    return (
        f"with scored as materialized ({scored}), "
        f"matched as materialized (select {shown}, s.score {joined}) "
        f"select {', '.join(parts)}"
    )


def table_query(params: dict, after: str = "") -> list[tuple[str, str]]:
    """The table view's parameters for a question without text."""
    query = [("_sort", "name")]
    for name, value in _filters(params).items():
        column = COLUMN_OF[name]
        query.append((f"{column}__arraycontains" if name in ARRAY_FACETS else column, value))
    for name in (n for n in params.get("facets", "").split(",") if n):
        query.append(("_facet_array" if name in ARRAY_FACETS else "_facet", COLUMN_OF[name]))
    query += [("_nocol", column) for column in SEARCH_ONLY]
    query.append(("_shape", "objects"))
    if after:
        query.append(("_next", after))
    return query


def datasette_path(params: dict, after: str = "") -> str:
    if params.get("q"):
        sql = ranked_sql(params)
        values = {"q": match_expression(params["q"], params), **_filters(params)}
        query = {"sql": sql, "_shape": "objects", **values}
        return "/entries.json?" + urllib.parse.urlencode(query)
    return "/entries/entries.json?" + urllib.parse.urlencode(table_query(params, after))


def tilde_encode(text: str) -> str:
    """Datasette's encoding of a value in a `_next` token (datasette.utils.tilde_encode)."""
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "".join(
        chr(b) if b in safe else "+" if b == ord(" ") else f"~{b:02X}" for b in text.encode()
    )


def keyset_after(export_db: Path, offset: int) -> tuple[str, int]:
    """Datasette's `_next` token naming the entry at `offset` in its name order (name,
    then id), and the id of the entry after it."""
    with sqlite3.connect(export_db) as db:
        rows = db.execute(
            "select name, id from entries order by name, id limit 2 offset ?", [offset]
        ).fetchall()
    (name, pk), (_, following) = rows
    return f"{tilde_encode(name)},{pk}", following


# ------------------------------------------------------------------------------
# Serving and asking
# ------------------------------------------------------------------------------


class Endpoint:
    """One server through one persistent connection (reopened, outside the timing, when
    the server closes it: gunicorn's sync worker closes it after each answer)."""

    def __init__(self, name: str, port: int) -> None:
        self.name, self.port = name, port
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[float, dict]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=600)
            self.connection.connect()
        began = time.perf_counter()
        self.connection.request("GET", path, headers={"Accept": "application/json"})
        response = self.connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - began
        if response.will_close:
            self.close()
        if response.status != 200:
            raise SystemExit(f"{self.name} answered {response.status} to {path}:\n{body[:2000]}")
        return seconds, json.loads(body)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _wait_until_ready(process: subprocess.Popen, port: int, path: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server on port {port} stopped; see {log}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server on port {port} was not ready in 3 minutes; see {log}")


def start_catalog(database: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "false",
        "CATALOG_ENV": "development",  # production refuses SQLite's local cache
        "WEB_CONCURRENCY": "1",
        "HOST": HOST,
        "PORT": str(CATALOG_PORT),
        "CATALOG_ANON_RATE": "100000000/second",  # measure search, not the throttle
    }
    for name in ("CACHE_URL", "PROMETHEUS_MULTIPROC_DIR", "DATABASE_REPLICA_URLS"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "alliance_site/gunicorn_conf.py",
         "--worker-class", "sync", "alliance_site.wsgi"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    _wait_until_ready(process, CATALOG_PORT, "/readyz", log)
    return process


def start_datasette(database: Path, log: Path) -> subprocess.Popen:
    if not DATASETTE.exists():
        raise SystemExit(f"{DATASETTE} is missing: `make bench` installs it (.venv-bench).")
    settings = [a for name, value in DATASETTE_SETTINGS.items() for a in ("--setting", name, value)]
    process = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
        [str(DATASETTE), "serve", "-i", str(database), "--host", HOST,
         "--port", str(DATASETTE_PORT), *settings],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    _wait_until_ready(process, DATASETTE_PORT, "/-/versions.json", log)
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ------------------------------------------------------------------------------
# Answers
# ------------------------------------------------------------------------------


def catalog_answer(body: dict) -> tuple[int, dict[str, dict[str, int]]]:
    facets = {
        name: {value["value"]: value["count"] for value in values}
        for name, values in (body.get("facets") or {}).items()
    }
    return body["count"], facets


def datasette_answer(body: dict, params: dict) -> tuple[int, dict[str, dict[str, int]]]:
    names = [name for name in params.get("facets", "").split(",") if name]
    if params.get("q"):
        rows = body["rows"]
        if not names:
            return (rows[0]["total"] if rows else 0), {}
        row = rows[0]
        return row["total"], {name: json.loads(row[name] or "{}") for name in names}
    results = body["facet_results"]
    facets = {
        name: {str(r["value"]): r["count"] for r in results[COLUMN_OF[name]]["results"]}
        for name in names
    }
    return body["filtered_table_rows_count"], facets


def differences(params: dict, catalog: tuple, datasette: tuple) -> list[str]:
    """Where the two answers disagree: the count, or a facet value both list (facets
    whose own filter is set are counted differently: the catalog leaves that filter out)."""
    problems = []
    if catalog[0] != datasette[0]:
        problems.append(f"count: catalog {catalog[0]}, Datasette {datasette[0]}")
    for name, ours in catalog[1].items():
        if name in params:
            continue
        theirs = datasette[1].get(name, {})
        both = ours.keys() & theirs.keys()
        if ours and not both:
            problems.append(f"facet {name}: no value in common")
        problems += [
            f"facet {name}={value}: catalog {ours[value]}, Datasette {theirs[value]}"
            for value in sorted(both)
            if ours[value] != theirs[value]
        ]
    return problems


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def deep_page(catalog: Endpoint, export_db: Path, params: dict) -> tuple[str, str, int]:
    """(catalog path, Datasette path, the id Datasette's page starts with) of the deep
    page: each after the page before it."""
    page = int(params["page"])
    _, body = catalog.get(api_path({**params, "page": str(page - 1)}))
    cursor = urllib.parse.urlsplit(body["next"])
    catalog_path = f"{cursor.path}?{cursor.query}"
    after, first = keyset_after(export_db, (page - 1) * PAGE_SIZE - 1)
    return catalog_path, datasette_path({"ordering": "name"}, after=after), first


def api_path(params: dict) -> str:
    return "/api/v1/artifacts/?" + urllib.parse.urlencode(params)


def ask_both(
    catalog: Endpoint, datasette: Endpoint, export_db: Path, seed: int, artifacts: int
) -> dict:
    results = {}
    for label, params in questions(seed, artifacts).items():
        first_id = None
        if label == "deep page":
            ours, theirs, first_id = deep_page(catalog, export_db, params)
        else:
            ours, theirs = api_path(params), datasette_path(params)
        _, catalog_body = catalog.get(ours)  # warm up (and fill the caches)
        _, datasette_body = datasette.get(theirs)
        answers = catalog_answer(catalog_body), datasette_answer(datasette_body, params)
        problems = differences(params, *answers)
        if first_id is not None and datasette_body["rows"][0]["id"] != first_id:
            problems.append(f"Datasette's deep page starts at {datasette_body['rows'][0]['id']}")
        if problems:
            print(f"{label}: the answers differ: {problems}", file=sys.stderr)
            print(f"catalog {ours}:\n{json.dumps(catalog_body)[:4000]}", file=sys.stderr)
            print(f"Datasette {theirs}:\n{json.dumps(datasette_body)[:4000]}", file=sys.stderr)
            raise SystemExit(f"side by side: {label}: the answers differ")
        times: dict[str, list[float]] = {"catalog": [], "datasette": []}
        for _ in range(REPEAT):
            times["catalog"].append(catalog.get(ours)[0] * 1000)
            times["datasette"].append(datasette.get(theirs)[0] * 1000)
        results[label] = {
            "params": params,
            "datasette": theirs,
            "count": answers[0][0],
            **{
                f"{side}_{name}": value
                for side, values in times.items()
                for name, value in (
                    ("p50", statistics.median(values)),
                    ("p95", percentile(values, 0.95)),
                )
            },
        }
        r = results[label]
        print(
            f"{label}: {r['count']:,} | catalog {r['catalog_p50']:.1f} ms | "
            f"Datasette {r['datasette_p50']:.1f} ms",
            file=sys.stderr,
        )
    return results


def compare(database: Path, artifacts: int, seed: int) -> dict:
    """Export, check, serve both and ask both; the figures."""
    from benchmarks.synthetic import vocabulary

    words = vocabulary(seed).words
    with tempfile.TemporaryDirectory() as directory:
        export_db = Path(directory) / "entries.db"
        started = time.perf_counter()
        entries = export(database, export_db)
        export_seconds = time.perf_counter() - started
        problems = check(database, export_db, [words[1], words[40], words[400], words[4000]])
        if problems:
            raise SystemExit("The Datasette copy differs from the catalog: " + "; ".join(problems))
        print(f"Exported {entries:,} entries in {export_seconds:.1f} s; checked.", file=sys.stderr)
        logs = ROOT / "var"
        logs.mkdir(exist_ok=True)
        catalog_server = datasette_server = None
        catalog = Endpoint("catalog", CATALOG_PORT)
        datasette = Endpoint("Datasette", DATASETTE_PORT)
        try:
            catalog_server = start_catalog(database, logs / "bench-catalog.log")
            datasette_server = start_datasette(export_db, logs / "bench-datasette.log")
            versions = datasette.get("/-/versions.json")[1]
            results = ask_both(catalog, datasette, export_db, seed, artifacts)
        finally:
            catalog.close()
            datasette.close()
            stop(catalog_server)
            stop(datasette_server)
    import django
    import gunicorn

    return {
        "artifacts": artifacts,
        "entries": entries,
        "export_seconds": export_seconds,
        "runs": REPEAT,
        "when": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "versions": {
            "datasette": versions["datasette"]["version"],
            "sqlite": versions["sqlite"]["version"],
            "django": django.get_version(),
            "gunicorn": gunicorn.__version__,
            "python": platform.python_version(),
        },
        "results": results,
    }


# ------------------------------------------------------------------------------
# The report
# ------------------------------------------------------------------------------


def report_lines(cell: dict) -> list[str]:
    v = cell["versions"]
    settings = ", ".join(f"`{name}` {value}" for name, value in DATASETTE_SETTINGS.items())
    about = (
        f"Measured by `make bench` (benchmarks/side_by_side.py) {cell['when']} on "
        f"{platform.machine()} with {os.cpu_count()} CPUs: the same {cell['entries']:,} "
        f"published entries of a {cell['artifacts']:,}-entry generated catalog, served by "
        f"the catalog (gunicorn {v['gunicorn']}, one sync worker, Django {v['django']}, "
        "DEBUG off, SQLite, its local-memory cache) and by Datasette "
        f"{v['datasette']} (`datasette serve -i`, one process: {settings}), both on "
        f"SQLite {v['sqlite']} and Python {v['python']}. Datasette's copy "
        "(benchmarks/datasette_export.py) is one table with the many-to-many facets as "
        "JSON arrays and an FTS5 index over the same five text columns with the same "
        "tokenizer; before timing, each facet value's count and a few words' matches are "
        "checked equal to the catalog's. Each question goes to both over HTTP from one "
        "client, interleaved, one warm-up then "
        f"{cell['runs']} runs each; p50 and p95 in milliseconds. Both answers must have the same "
        "count (and the same count for each facet value both list). Text questions go to "
        "Datasette's SQL endpoint with the catalog's own FTS5 MATCH expression, ranked by "
        "bm25 with the catalog's weights (name highest), the page and an exact count (a "
        "window count; with facets, the match materialized once and counted, the facets "
        "grouped from it) in one statement, since its table view's `_search` does not "
        "rank; filters and facets go to its table view (`_facet_array`, `_sort=name`, 20 "
        "rows); the deep page is the middle of the catalog by name, reached by the "
        "catalog's cursor and by Datasette's `_next`. The catalog keeps counts and facets "
        "that depend on no filter in its cache (filled by the warm-up); gunicorn's sync "
        "worker closes each connection, so the client reconnects (outside the timing). "
        "The SQL of each text question is `ranked_sql` in benchmarks/side_by_side.py."
    )
    lines = [
        HEADING,
        "",
        *textwrap.wrap(about, 88, break_on_hyphens=False),
        "",
        "| question | matches | catalog p50 | catalog p95 | Datasette p50 | Datasette p95 "
        "| catalog / Datasette (p50) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in cell["results"].items():
        lines.append(
            f"| {label} | {r['count']:,} | {r['catalog_p50']:.1f} | {r['catalog_p95']:.1f} "
            f"| {r['datasette_p50']:.1f} | {r['datasette_p95']:.1f} "
            f"| {r['catalog_p50'] / r['datasette_p50']:.2f} |"
        )
    lines += ["", "Questions (the catalog's parameters; Datasette's request):", ""]
    for label, r in cell["results"].items():
        asked = urllib.parse.parse_qs(urllib.parse.urlsplit(r["datasette"]).query)
        how = (
            f"SQL endpoint, MATCH `{asked['q'][0]}`"
            if "sql" in asked
            else "table view `" + urllib.parse.unquote_plus(r["datasette"]) + "`"
        )
        lines.append(f"- {label}: `{json.dumps(r['params'])}`; {how}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database", type=Path, help="the catalog's SQLite file (generated if missing)"
    )
    parser.add_argument("--report", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        database = args.database or Path(directory) / "catalog.sqlite3"
        generate = not database.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{database.resolve()}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_site.settings")
        import django

        django.setup()
        if generate:
            build(args.artifacts, args.seed)
        cell = compare(database.resolve(), args.artifacts, args.seed)
    if args.report:
        from benchmarks.run import write_report

        write_report([], [], side_by_side=cell)
    print(json.dumps(cell))


def build(artifacts: int, seed: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    print(f"Generating a {artifacts:,}-entry catalog ...", file=sys.stderr)
    call_command("migrate", verbosity=0)
    call_command("generate_catalog", artifacts=artifacts, seed=seed, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


if __name__ == "__main__":
    main()

"""`make fuzz`: Schemathesis against the catalog as it is served, on a seeded database.

    python -m tests.fuzz                        # SQLite, in a temporary folder
    python -m tests.fuzz --postgres URL         # PostgreSQL: a database `fuzz` made there

A fresh database gets the migrations, the real catalog from seeds/ and one account for
the fuzzer: a curator who is also an admin of every organization, with an API token for
every organization and scope, so that every write and every transition is allowed and
is fuzzed for real (not only its 401). gunicorn serves it on a free port of 127.0.0.1,
with the rate limits raised so that no answer is a 429, and writes each request it
answers to an access log. Schemathesis then runs every check in its examples, coverage
and fuzzing phases, with a fixed seed in deterministic mode (tests/fuzz/schemathesis.toml),
against the schema served at /api/schema/.

The run fails when Schemathesis reports a failure (a server error, an answer the schema
does not describe, a status the schema does not list, ...), when the server's own access
log shows a 5xx, or when fewer than --min-requests requests were generated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
# High enough that the fuzzer is never throttled (the 429s are tested in test_throttling).
UNTHROTTLED = "1000000/second"
# Access log lines: the status, then the request line as sent ("GET /api/v1/?q=x HTTP/1.1").
ACCESS_LOG_FORMAT = "%(s)s %(r)s"
DATABASE_NAME = "fuzz"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_postgres(url: str) -> str:
    """A new, empty database named DATABASE_NAME on the server of `url`; its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE_NAME}")
    head, _, _ = url.rpartition("/")
    return f"{head}/{DATABASE_NAME}"


def drop_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the seeds and make the fuzzer's account; its token's secret."""
    setup = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from tests.fuzz.account import make_fuzzer\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('load_seeds', verbosity=0, stdout=open(__import__('os').devnull, 'w'))\n"
        "print(make_fuzzer())\n"
    )
    command = [sys.executable, "-c", setup]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"Preparing the catalog failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def serve(env: dict[str, str], port: int, access_log: Path, server_log) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "alliance_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # No limit on the request line: gunicorn's own (4 KB, a 414 page in HTML) is
            # the HTTP server's, like a proxy's; what is checked is what the API answers.
            "--limit-request-line",
            "0",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--error-logfile",
            str(access_log.with_name("server.log")),
        ],
        env=env,
        cwd=ROOT,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped before it served.") from None
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within a minute.")


def fuzz(env: dict[str, str], port: int, secret: str, reports: Path, seed: int, examples: int):
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"http://127.0.0.1:{port}/api/schema/?format=json",
        "--seed",
        str(seed),
        "--max-examples",
        str(examples),
        "--report",
        "json",
        "--report-dir",
        str(reports),
        "--no-color",
    ]
    return subprocess.run(
        command, env={**env, "FUZZ_TOKEN": secret}, cwd=ROOT, check=False
    ).returncode


def served(access_log: Path) -> Counter:
    """How many requests to the API the server answered with each status."""
    counts = Counter()
    for line in access_log.read_text(errors="replace").splitlines():
        status, _, request_line = line.partition(" ")
        target = request_line.split(" ")[1] if request_line.count(" ") >= 2 else ""
        if target.startswith("/api/v1/"):
            counts[int(status)] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to fuzz on")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-examples", type=int, default=250)
    parser.add_argument("--min-requests", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="catalog-fuzz-"))
    database_url = (
        fresh_postgres(args.postgres) if args.postgres else f"sqlite:///{work / 'fuzz.sqlite3'}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "alliance_site.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "CATALOG_ANON_RATE": UNTHROTTLED,
        "CATALOG_USER_RATE": UNTHROTTLED,
        "CATALOG_TOKEN_RATE": UNTHROTTLED,
    }
    backend = "PostgreSQL" if args.postgres else "SQLite"
    try:
        return run(env, work, backend, args)
    finally:
        if args.postgres:
            drop_postgres(args.postgres)
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work)


def run(env: dict[str, str], work: Path, backend: str, args: argparse.Namespace) -> int:
    started = time.monotonic()
    print(f"== Schemathesis on {backend}: preparing a seeded catalog ==", flush=True)
    secret = prepare(env)
    port = free_port()
    access_log = work / "access.log"
    with (work / "server.out").open("w") as server_log:
        server = serve(env, port, access_log, server_log)
        try:
            code = fuzz(env, port, secret, work / "reports", args.seed, args.max_examples)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    statuses = served(access_log)
    errors = sum(n for status, n in statuses.items() if status >= 500)
    report = json.loads(next((work / "reports").glob("*.json")).read_text())
    generated = report["test_cases"]["generated"]
    print(
        f"Schemathesis on {backend}: {generated} requests generated; the server answered "
        f"{sum(statuses.values())} API requests ("
        + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
        + f"), {errors} with a server error; {time.monotonic() - started:.0f} s in all."
    )
    if errors:
        print("The server's log:", (work / "server.out").read_text()[-20000:], sep="\n")
    if generated < args.min_requests:
        print(f"Too few requests generated: {generated}, fewer than {args.min_requests}.")
        return 1
    return 1 if errors else code


if __name__ == "__main__":
    sys.exit(main())

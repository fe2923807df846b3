"""`make loadtest`: the production stack under 32 researchers at once, then under faults.

1. A 100,000-entry catalog in the PostgreSQL database `catalog_load` on the local server
   (`generate_catalog`, kept between runs: made again only when missing or smaller).
2. `deploy/serve` (gunicorn, WhiteNoise, PostgreSQL, production settings) on port 8765,
   with a Redis of the run's own (port 6390, keeping nothing on disk), told it sits
   behind one proxy, so each client's `X-Forwarded-For` address is the address it is
   counted by: 2,000 researchers' addresses, as on the real service.
3. The steady run: after each question is timed alone on the idle server, 32 clients,
   each reusing its connection where the server keeps it open, for 60 seconds, ask the
   mix researchers ask (MAKERS, in the proportions of WEIGHTS_BY_LABEL): searches,
   filters and facets through the API, list pages, entries through the API, entry pages
   and the search page. Every answer must be a 200: any other status or a broken
   connection is an error.
4. The fault run: the same readers, and 2 writers registering entries through the API
   with a token, while at a quarter, half and three quarters of the run a gunicorn worker
   is killed, the run's Redis is restarted, then the machine's PostgreSQL is restarted
   (so nothing else may use it meanwhile). Answers may fail during
   a fault (a 503 with Retry-After while the database restarts, a connection cut by the
   killed worker); the service must recover by itself, and every write that was answered
   201 must be in the database afterwards.

Both runs' figures go to docs/benchmarks.md (the "Load" section below the measured part,
which `make bench` keeps). Exits non-zero when the steady run had an error, the service
did not recover after a fault, or an acknowledged write is missing.

The clients are threads of this one Python process, on the same 2-core machine as the
server, PostgreSQL and Redis: its latencies include the client's own share of the CPU.

    python -m benchmarks.loadtest [--steady-only] [--duration 60] [--clients 32]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import django
import psycopg

# The synthetic catalog's vocabulary comes with its models, which need the app registry
# (no database is opened here: the script reads and checks through psycopg).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_site.settings")
django.setup()

from benchmarks.measure import percentile  # noqa: E402
from benchmarks.synthetic import SLUG_PREFIX, Vocabulary, vocabulary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("LOADTEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "catalog_load"
ARTIFACTS = int(os.environ.get("LOADTEST_ARTIFACTS", "100000"))
SEED = 1
HOST = "127.0.0.1"
PORT = int(os.environ.get("LOADTEST_PORT", "8765"))
# A Redis of the run's own, keeping nothing on disk: restarting it under load touches
# no one else's data.
REDIS_PORT = int(os.environ.get("LOADTEST_REDIS_PORT", "6390"))
CACHE_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
ADDRESSES = [f"10.{n // 250}.{n % 250}.{1 + n % 7}" for n in range(2000)]
# What the load balancer in front adds: it ended TLS, and whose request it passes on.
PROXY = {"X-Forwarded-Proto": "https"}
FACETS = "kind,organization,license,license_category,task,modality,language"
REPORT = ROOT / "docs" / "benchmarks.md"
HEADING = "## Load (issue 13)"
WRITER = "load-writer"


def database_url() -> str:
    return SERVER_URL.rsplit("/", 1)[0] + f"/{DATABASE}"


# ------------------------------------------------------------------------------
# The catalog under load
# ------------------------------------------------------------------------------


def synthetic_count() -> int | None:
    """How many synthetic entries `catalog_load` holds; None when it does not exist."""
    with psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=3) as server:
        if not server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone():
            return None
    with psycopg.connect(database_url(), connect_timeout=3) as db:
        try:
            row = db.execute(
                "SELECT count(*) FROM catalog_artifact WHERE namespace LIKE %s",
                [SLUG_PREFIX + "%"],
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return row[0]


def manage(*arguments: str, env: dict | None = None) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url(), **(env or {})}, check=True,
    )  # fmt: skip


def build_catalog() -> None:
    found = synthetic_count()
    if found is not None and found >= ARTIFACTS:
        print(f"Using {DATABASE}: {found:,} synthetic entries.", file=sys.stderr)
    else:
        print(f"Building {DATABASE} with {ARTIFACTS:,} entries ...", file=sys.stderr)
        with psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=3) as server:
            server.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            server.execute(f"CREATE DATABASE {DATABASE}")
        manage("migrate", "--noinput", "--verbosity", "0")
        manage("generate_catalog", "--artifacts", str(ARTIFACTS), "--seed", str(SEED))
    # Fresh statistics and visibility map, as a maintained database has them (autovacuum):
    # without them PostgreSQL plans the searches several times slower.
    with psycopg.connect(database_url(), autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def writer_token() -> str:
    """An API token for the writers: an editor of the first synthetic member."""
    script = (
        "from django.contrib.auth.models import User\n"
        "from catalog.models import Membership, MembershipRole, Organization\n"
        "from catalog.tokens import issue_token\n"
        f"user, _ = User.objects.get_or_create(username={WRITER!r}, "
        "defaults={'is_staff': True})\n"
        f"lead = Organization.objects.get(slug='{SLUG_PREFIX}1')\n"
        "Membership.objects.get_or_create(user=user, organization=lead, "
        "defaults={'role': MembershipRole.EDITOR})\n"
        f"print(issue_token(user=user, name='loadtest {time.time():.0f}', organizations=[lead], "
        "scopes=['read', 'write']).secret)\n"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url()},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if output.returncode:
        raise SystemExit(f"Could not make the writers' token:\n{output.stderr}")
    return output.stdout.strip().splitlines()[-1]


def sample_entries(count: int = 2000) -> list[tuple[str, str]]:
    with psycopg.connect(database_url()) as db:
        return db.execute(
            "SELECT namespace, slug FROM catalog_artifact WHERE status = 'published' "
            "ORDER BY md5(slug) LIMIT %s",
            [count],
        ).fetchall()


# ------------------------------------------------------------------------------
# The server and its faults
# ------------------------------------------------------------------------------


class Server:
    """`deploy/serve` in a process group of its own, so stopping it stops its workers."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.log = open(ROOT / "var" / "loadtest-server.log", "w")  # noqa: SIM115

    def start(self) -> None:
        env = {
            **os.environ,
            "PY": sys.executable,
            "DATABASE_URL": database_url(),
            "CACHE_URL": CACHE_URL,
            "HOST": HOST,
            "PORT": str(PORT),
            "CATALOG_NUM_PROXIES": "1",
        }
        self.process = subprocess.Popen(
            ["deploy/serve"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"deploy/serve stopped; see {self.log.name}")
            try:
                if status_of("/readyz") == 200:
                    return
            except OSError:
                pass
            time.sleep(1)
        raise SystemExit(f"The server did not become ready in 5 minutes; see {self.log.name}")

    def kill_a_worker(self) -> str:
        workers = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        os.kill(int(workers[0]), signal.SIGKILL)
        return f"killed gunicorn worker {workers[0]} (of {len(workers)})"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        self.log.close()


def status_of(path: str) -> int:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def start_redis() -> None:
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(REDIS_PORT),
         "--save", "", "--appendonly", "no", "--logfile", str(ROOT / "var" / "loadtest-redis.log")],
        check=True, capture_output=True,
    )  # fmt: skip
    for _ in range(50):
        ping = ["redis-cli", "-p", str(REDIS_PORT), "ping"]
        if subprocess.run(ping, capture_output=True, text=True).stdout.strip() == "PONG":
            return
        time.sleep(0.1)
    raise SystemExit(f"Redis did not start on port {REDIS_PORT}; see var/loadtest-redis.log")


def stop_redis() -> None:
    subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False, capture_output=True
    )


def restart_redis() -> str:
    stop_redis()
    time.sleep(0.5)
    start_redis()
    return "restarted Redis (its keys lost: rate counts and cached facets)"


def restart_postgres() -> str:
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[
        -1
    ]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True, capture_output=True,
    )  # fmt: skip
    return f"restarted PostgreSQL {version} (fast shutdown: open connections cut)"


def can_inject_faults() -> str | None:
    """Why the fault run cannot run here, or None."""
    if not Path("/etc/postgresql").is_dir():
        return "PostgreSQL is not a local Debian cluster (no /etc/postgresql)"
    for program in ("pg_ctlcluster", "pgrep"):
        if shutil.which(program) is None:
            return f"{program} is not installed"
    if os.geteuid() != 0:
        return "restarting PostgreSQL needs root"
    return None


# ------------------------------------------------------------------------------
# The clients
# ------------------------------------------------------------------------------


@dataclass
class Answer:
    at: float  # seconds since the run began
    label: str
    seconds: float
    status: int  # 0: the connection failed
    error: str = ""


@dataclass
class Mix:
    """What researchers ask (MAKERS, weighted by WEIGHTS_BY_LABEL), about which entries."""

    entries: list[tuple[str, str]]
    vocabulary: Vocabulary = field(default_factory=lambda: vocabulary(SEED))

    def word(self, rng: random.Random) -> str:
        """A word researchers type: any of the catalog's words, rare ones as likely as
        common ones (a name, a method, a dataset), from rank 2 on: words[0] is "model",
        read as the kind, and words[1] is the commonest word, asked on its own below."""
        return rng.choice(self.vocabulary.words[2:])

    def common_word(self) -> str:
        return self.vocabulary.words[1]  # in 94% of the entries

    def request(self, rng: random.Random) -> tuple[str, str]:
        label = rng.choices(LABELS, weights=WEIGHTS)[0]
        return label, MAKERS[label](self, rng)


def api(params: dict) -> str:
    return "/api/v1/artifacts/?" + urllib.parse.urlencode(params)


def entry(mix: Mix, rng: random.Random) -> tuple[str, str]:
    return rng.choice(mix.entries)


MAKERS = {
    "API: one word": lambda mix, rng: api({"q": mix.word(rng)}),
    "API: the commonest word": lambda mix, rng: api({"q": mix.common_word()}),
    "API: two words": lambda mix, rng: api({"q": f"{mix.word(rng)} {mix.word(rng)}"}),
    "API: word + organization": lambda mix, rng: api(
        {"q": mix.word(rng), "organization": f"{SLUG_PREFIX}{rng.randint(1, 1000)}"}
    ),
    "API: filters + facets": lambda mix, rng: api(
        {
            "kind": rng.choice(["model", "dataset", "tool"]),
            "license": rng.choice(["Apache-2.0", "MIT", "CC-BY-4.0"]),
            "facets": FACETS,
        }
    ),
    "API: word + facets": lambda mix, rng: api({"q": mix.word(rng), "facets": FACETS}),
    "API: list page by name": lambda mix, rng: api(
        {"ordering": "name", "kind": "dataset", "page": rng.randint(1, 50)}
    ),
    "API: entry": lambda mix, rng: "/api/v1/artifacts/{}/{}/".format(*entry(mix, rng)),
    "page: entry": lambda mix, rng: "/artifacts/{}/{}/".format(*entry(mix, rng)),
    "page: search": lambda mix, rng: "/search/?" + urllib.parse.urlencode({"q": mix.word(rng)}),
}
WEIGHTS_BY_LABEL = {
    "API: one word": 13,
    "API: the commonest word": 2,
    "API: two words": 10,
    "API: word + organization": 8,
    "API: filters + facets": 7,
    "API: word + facets": 5,
    "API: list page by name": 10,
    "API: entry": 20,
    "page: entry": 15,
    "page: search": 10,
}
LABELS = list(WEIGHTS_BY_LABEL)
WEIGHTS = [WEIGHTS_BY_LABEL[label] for label in LABELS]


class Client(threading.Thread):
    """One researcher's browser or script: a keep-alive connection, reopened when cut."""

    def __init__(self, number: int, run: Run) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(f"client-{number}")
        self.run_ = run
        self.connection: http.client.HTTPConnection | None = None
        self.answers: list[Answer] = []

    def send(self, method: str, path: str, headers: dict, body: bytes | None = None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def ask(self, label: str, method: str, path: str, headers: dict, body: bytes | None = None):
        began = time.perf_counter()
        try:
            response = self.send(method, path, headers, body)
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.answers.append(
                Answer(began - self.run_.began, label, time.perf_counter() - began, 0,
                       type(error).__name__)
            )  # fmt: skip
            return None
        self.answers.append(
            Answer(began - self.run_.began, label, time.perf_counter() - began, response.status)
        )
        return response

    def run(self) -> None:
        while time.perf_counter() < self.run_.ends:
            label, path = self.run_.mix.request(self.rng)
            headers = {**PROXY, "X-Forwarded-For": self.rng.choice(ADDRESSES), "Accept": "*/*"}
            self.ask(label, "GET", path, headers)
        self.close()


class Writer(Client):
    """A release pipeline registering entries, one after another, with its token."""

    def __init__(self, number: int, run: Run, token: str) -> None:
        super().__init__(1000 + number, run)
        self.number = number
        self.token = token
        self.acknowledged: list[str] = []

    def run(self) -> None:
        count = 0
        while time.perf_counter() < self.run_.ends:
            count += 1
            slug = f"load-{self.run_.tag}-{self.number}-{count}"
            body = json.dumps(
                {
                    "slug": slug,
                    "kind": "model",
                    "lead_organization": f"{SLUG_PREFIX}1",
                    "name": f"Load Model {self.number}-{count}",
                    "summary": "Registered by make loadtest.",
                    "license_expression": "Apache-2.0",
                    "release_date": "2026-12",
                    "tasks": ["text-generation"],
                    "sources": [f"https://example.org/load/{slug}"],
                }
            ).encode()
            headers = {
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                **PROXY,
                "X-Forwarded-For": "192.0.2.1",
            }
            response = self.ask(
                "API: register an entry", "POST", "/api/v1/artifacts/", headers, body
            )
            if response is not None and response.status == 201:
                self.acknowledged.append(slug)
            elif response is not None and response.status == 503:
                time.sleep(float(response.getheader("Retry-After") or 1))
        self.close()


def alone(mix: Mix, repeat: int = 3) -> dict[str, float]:
    """Each question's p50 asked by one client on an idle server: what it costs, without
    the wait for a worker and the cores that the load adds."""
    run = Run(mix, seconds=0, tag="alone")
    run.start()
    client = Client(0, run)
    medians = {}
    for label in LABELS:
        rng = random.Random(label)
        headers = {**PROXY, "X-Forwarded-For": "192.0.2.2"}
        client.ask(label, "GET", MAKERS[label](mix, rng), headers)  # warm up
        client.answers.clear()
        for _ in range(repeat):
            client.ask(label, "GET", MAKERS[label](mix, rng), headers)
        medians[label] = statistics.median(a.seconds * 1000 for a in client.answers)
        client.answers.clear()
    client.close()
    return medians


@dataclass
class Run:
    mix: Mix
    seconds: float
    tag: str
    began: float = 0.0
    ends: float = 0.0

    def start(self) -> None:
        self.began = time.perf_counter()
        self.ends = self.began + self.seconds


def run_load(mix: Mix, *, seconds: float, clients: int, server: Server, token: str | None) -> dict:
    run = Run(mix, seconds, tag=str(int(time.time())))
    readers = [Client(n, run) for n in range(clients)]
    writers = [Writer(n, run, token) for n in range(2)] if token else []
    faults: list[tuple[float, str]] = []
    run.start()
    for thread in readers + writers:
        thread.start()
    if token:
        for fraction, inject in (
            (0.25, server.kill_a_worker),
            (0.50, restart_redis),
            (0.75, restart_postgres),
        ):
            time.sleep(max(0.0, run.began + fraction * seconds - time.perf_counter()))
            at = time.perf_counter() - run.began
            faults.append((at, inject()))
    for thread in readers + writers:
        thread.join()
    answers = [a for thread in readers + writers for a in thread.answers]
    acknowledged = [slug for writer in writers for slug in writer.acknowledged]
    return summarise(answers, seconds, clients, faults, acknowledged)


def summarise(answers, seconds, clients, faults, acknowledged) -> dict:
    def figures(group: list[Answer]) -> dict:
        times = [a.seconds * 1000 for a in group if a.status in (200, 201)]
        return {
            "requests": len(group),
            "errors": sum(1 for a in group if a.status not in (200, 201)),
            "p50": statistics.median(times) if times else None,
            "p95": percentile(times, 0.95) if times else None,
            "p99": percentile(times, 0.99) if times else None,
        }

    by_label = defaultdict(list)
    for answer in answers:
        by_label[answer.label].append(answer)
    report = {
        "seconds": seconds,
        "clients": clients,
        "per_second": len(answers) / seconds,
        "all": figures(answers),
        "by_label": {label: figures(group) for label, group in sorted(by_label.items())},
        "error_kinds": dict(
            Counter(a.error or str(a.status) for a in answers if a.status not in (200, 201))
        ),
    }
    if faults:
        windows = []
        for index, (at, what) in enumerate(faults):
            until = faults[index + 1][0] if index + 1 < len(faults) else seconds
            # A failure belongs to the fault in force when it was answered.
            failed = [
                a for a in answers if at <= a.at + a.seconds < until and a.status not in (200, 201)
            ]
            kinds = Counter(a.error or str(a.status) for a in failed)
            last_failure = max((a.at + a.seconds for a in failed), default=at)
            windows.append(
                {
                    "at": at,
                    "fault": what,
                    "failed": len(failed),
                    "kinds": dict(kinds),
                    "recovered_after": last_failure - at,
                    "recovered": last_failure < until - 1.0,
                }
            )
        report["faults"] = windows
        report["acknowledged_writes"] = acknowledged
    return report


def missing_writes(slugs: list[str]) -> list[str]:
    with psycopg.connect(database_url()) as db:
        found = {
            row[0]
            for row in db.execute(
                "SELECT slug FROM catalog_artifact WHERE slug = ANY(%s)", [slugs]
            ).fetchall()
        }
    return [slug for slug in slugs if slug not in found]


# ------------------------------------------------------------------------------
# The report
# ------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def table(report: dict, alone: dict[str, float] | None = None) -> list[str]:
    alone = alone or {}
    lines = [
        "| request | requests | errors | p50 ms | p95 ms | p99 ms | alone: p50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, f in [*report["by_label"].items(), ("**all**", report["all"])]:
        lines.append(
            f"| {label} | {f['requests']:,} | {f['errors']:,} "
            f"| {ms(f['p50'])} | {ms(f['p95'])} | {ms(f['p99'])} | {ms(alone.get(label))} |"
        )
    return lines


def report_lines(
    steady: dict, faulted: dict | None, workers: int, fault_note: str | None
) -> list[str]:
    today = time.strftime("%Y-%m-%d")
    about = (
        f"Measured by `make loadtest` on {today} on this 2-core machine: {ARTIFACTS:,} "
        f"synthetic entries on PostgreSQL, served by `deploy/serve` (gunicorn with {workers} "
        f"sync workers, Redis), asked by {steady['clients']} clients at once (threads of one "
        "Python process on the same machine, each reusing its connection where the server "
        "keeps it open) from 2,000 researchers' addresses, for "
        f"{steady['seconds']:.0f} s. The questions are MAKERS in benchmarks/loadtest.py, in "
        "the proportions of WEIGHTS_BY_LABEL: searches with words drawn from the catalog's "
        "vocabulary, filters and facets through the API, list pages, entries through the "
        "API, entry pages and the search page. Latencies are of successful answers; "
        '"alone" is the same question asked by one client on the idle server, so the '
        "difference is the wait for a worker and the cores."
    )
    lines = [
        HEADING,
        "",
        *textwrap.wrap(about, 88),
        "",
        f"Steady: **{steady['per_second']:,.0f} requests per second, "
        f"{steady['all']['errors']} errors**.",
        "",
        *table(steady, steady.get("alone")),
    ]
    if faulted:
        acknowledged = len(faulted["acknowledged_writes"])
        faults = (
            "The same readers and 2 writers registering entries through the API, while a "
            "gunicorn worker is killed (SIGKILL), Redis is restarted, then PostgreSQL is "
            "restarted. A failed answer is a connection cut or a non-2xx status, counted "
            'against the fault in force when it was answered; "recovered after" is when '
            "the last failed answer after that fault ended."
        )
        lines += [
            "",
            "### Under faults",
            "",
            *textwrap.wrap(faults, 88),
            "",
            "| at | fault | failed answers | of which | recovered after |",
            "|---:|---|---:|---|---:|",
        ]
        for window in faulted["faults"]:
            kinds = (
                ", ".join(f"{kind}: {count}" for kind, count in sorted(window["kinds"].items()))
                or "-"
            )
            lines.append(
                f"| {window['at']:.0f} s | {window['fault']} | {window['failed']:,} | {kinds} | "
                f"{window['recovered_after']:.1f} s |"
            )
        lines += [
            "",
            f"{faulted['per_second']:,.0f} requests per second over the run. "
            f"{acknowledged} entries were acknowledged (201); "
            f"{acknowledged - len(faulted['missing_writes'])} of them are in the database "
            f"afterwards ({len(faulted['missing_writes'])} lost).",
            "",
            *table(faulted),
        ]
    elif fault_note:
        lines += ["", f"The fault run did not run: {fault_note}."]
    return lines


def write_report(lines: list[str]) -> None:
    """Replace the Load section of docs/benchmarks.md (below `make bench`'s KEPT marker)."""
    from benchmarks.run import KEPT

    text = REPORT.read_text(encoding="utf-8")
    measured, marker, kept = text.partition(KEPT)
    if not marker:
        measured, kept = text.rstrip("\n") + "\n\n", "\n"
    before, found, rest = kept.partition(HEADING)
    after = ""
    if found:
        following = rest.find("\n## ")
        after = rest[following + 1 :] if following != -1 else ""
    kept = before.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" + ("\n" + after if after else "")
    REPORT.write_text(measured + KEPT + kept, encoding="utf-8")
    print(f"Wrote {REPORT.relative_to(ROOT)}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run (60)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent readers (32)")
    parser.add_argument("--steady-only", action="store_true", help="skip the fault run")
    parser.add_argument("--no-report", action="store_true", help="print, do not write the docs")
    args = parser.parse_args()

    try:
        build_catalog()
    except psycopg.OperationalError as error:
        raise SystemExit(f"make loadtest needs PostgreSQL at {SERVER_URL}: {error}") from None
    fault_note = None if not args.steady_only else "--steady-only"
    fault_note = fault_note or can_inject_faults()
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        raise SystemExit("make loadtest needs Redis (redis-server and redis-cli) installed.")
    token = writer_token() if fault_note is None else None
    mix = Mix(sample_entries())
    (ROOT / "var").mkdir(exist_ok=True)
    server = Server()
    try:
        start_redis()
        server.start()
        workers = len(
            subprocess.run(
                ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
            ).stdout.split()
        )
        print("Each question alone ...", file=sys.stderr)
        costs = alone(mix)
        print(f"Steady run: {args.clients} clients, {args.duration:.0f} s ...", file=sys.stderr)
        steady = run_load(
            mix, seconds=args.duration, clients=args.clients, server=server, token=None
        )
        steady["alone"] = costs
        faulted = None
        if token:
            print("Fault run: worker kill, Redis restart, PostgreSQL restart ...", file=sys.stderr)
            faulted = run_load(
                mix, seconds=args.duration, clients=args.clients, server=server, token=token
            )
    finally:
        server.stop()
        stop_redis()
    if faulted:
        faulted["missing_writes"] = missing_writes(faulted["acknowledged_writes"])
    lines = report_lines(steady, faulted, workers, fault_note)
    print("\n".join(lines))
    if not args.no_report:
        write_report(lines)
    problems = []
    if steady["all"]["errors"]:
        problems.append(f"the steady run had {steady['all']['errors']} errors")
    if faulted:
        problems += [
            f"not recovered after: {w['fault']}" for w in faulted["faults"] if not w["recovered"]
        ]
        if faulted["missing_writes"]:
            problems.append(f"acknowledged writes lost: {faulted['missing_writes']}")
    if problems:
        raise SystemExit("make loadtest failed: " + "; ".join(problems))


if __name__ == "__main__":
    main()

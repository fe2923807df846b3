"""A real streaming replica of the PostgreSQL server the tests use (tests/test_replicas.py).

`pg_basebackup -R` copies the server's whole data directory, every database on it (so the
test database must exist first), into a temporary directory; the copy starts as a hot
standby on a free port of 127.0.0.1 and streams the server's changes from then on. It
needs the server's own binaries (/usr/lib/postgresql/<major>/bin, or on the PATH) and
replication connections allowed by its pg_hba.conf (.ci/run allows local ones); as root,
the `postgres` account runs it, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

# Hot standby refuses to start with less of these than its primary has.
PRIMARY_SIZED = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class CannotReplicate(Exception):
    """Why no replica could be made here."""


@dataclass
class StreamingReplica:
    directory: Path
    port: int
    binaries: Path
    run_as: list[str]
    built_in_seconds: float

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        data, log = str(self.directory / "data"), str(self.directory / "log")
        return _run([*self.run_as, str(self.binaries / "pg_ctl"), "-D", data, "-l", log, *args])

    def start(self) -> None:
        result = self._pg_ctl("start", "-w", "-t", "120")
        if result.returncode != 0:
            log = (self.directory / "log").read_text(errors="replace")[-2000:]
            raise CannotReplicate(f"the replica did not start: {result.stderr.strip()}\n{log}")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-w", "-m", mode)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _conninfo(primary: dict) -> dict:
    return {
        "host": primary["HOST"] or None,
        "port": primary["PORT"] or None,
        "user": primary["USER"] or None,
        "password": primary["PASSWORD"] or None,
        "dbname": primary["NAME"],
    }


def build(primary: dict) -> StreamingReplica:
    """A running replica of the server behind `primary` (a Django settings_dict)."""
    started = time.monotonic()
    conninfo = {k: v for k, v in _conninfo(primary).items() if v is not None}
    try:
        with psycopg.connect(**conninfo, connect_timeout=5) as server:
            major = server.info.server_version // 10000
            sized = dict(
                server.execute(
                    "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                    [list(PRIMARY_SIZED)],
                ).fetchall()
            )
    except psycopg.Error as error:
        raise CannotReplicate(f"the server did not answer: {error}") from error
    binaries = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (binaries / "pg_basebackup").exists():
        found = shutil.which("pg_basebackup")
        if found is None:
            raise CannotReplicate(f"no pg_basebackup for PostgreSQL {major}")
        binaries = Path(found).parent
    run_as: list[str] = []
    account = None
    directory = Path(tempfile.mkdtemp(prefix="catalog-replica-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise CannotReplicate("running as root, and no postgres account to run it") from None
        os.chown(directory, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = directory / "data"

    backup = [
        *run_as,
        str(binaries / "pg_basebackup"),
        *(["-h", conninfo["host"]] if "host" in conninfo else []),
        *(["-p", str(conninfo["port"])] if "port" in conninfo else []),
        *(["-U", conninfo["user"]] if "user" in conninfo else []),
        "-D",
        str(data),
        "--write-recovery-conf",
        "--wal-method=stream",
        # An immediate checkpoint, and no fsync of a copy thrown away after the tests.
        "--checkpoint=fast",
        "--no-sync",
        "--no-manifest",
    ]
    # One copy at a time on this machine (test processes in parallel would each make
    # one), and a second try: a checkpoint running meanwhile can end the copy's WAL stream
    # ("terminating process ... to release replication slot").
    with open(Path(tempfile.gettempdir()) / "catalog-replica-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for _attempt in range(2):
            result = _run(backup)
            if result.returncode == 0:
                break
    if result.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise CannotReplicate(f"pg_basebackup failed: {result.stderr.strip()[-600:]}")

    # The server's own configuration may live outside its data directory (Debian's
    # /etc/postgresql): the copy gets its own, listening on 127.0.0.1 and in `directory`.
    port = _free_port()
    settings = {
        "port": port,
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{directory}'",
        "hot_standby": "on",
        "fsync": "off",
        "shared_buffers": "'32MB'",
        **sized,
    }
    config = "".join(f"{name} = {value}\n" for name, value in settings.items())
    access = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    for name, text in (("postgresql.conf", config), ("pg_hba.conf", access)):
        (data / name).write_text(text)
        if run_as:
            os.chown(data / name, account.pw_uid, account.pw_gid)

    replica = StreamingReplica(directory, port, binaries, run_as, 0.0)
    try:
        replica.start()
    except CannotReplicate:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    replica.built_in_seconds = round(time.monotonic() - started, 1)
    return replica

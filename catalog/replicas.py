"""Read replicas: a web request reads from a streaming replica of PostgreSQL, every write
and every transaction goes to the primary, and nobody misses their own change.

`DATABASE_REPLICA_URLS` (settings) makes one database alias per replica, listed in
`CATALOG_READ_REPLICAS`. Where a request reads is decided once, when its view is known
(`ReadReplicasMiddleware`):

- the primary for POST, PUT, PATCH and DELETE (what a write checks must be current;
  views marked `reads_only` excepted), and for the next `CATALOG_READ_PRIMARY_SECONDS`
  for a client whose request wrote (a signed cookie), so a change is seen at once by
  whoever made it;
- otherwise a replica that is up and at most `CATALOG_REPLICA_MAX_LAG_SECONDS` behind,
  as this process last found it (`ReplicaStates`: measured at most every
  `CATALOG_REPLICA_CHECK_SECONDS`, a replica found down left alone for
  `CATALOG_REPLICA_DOWN_SECONDS`);
- the primary when no replica is fit.

`ReadReplicaRouter` sends every write to the primary, and every read too once the
request has written, inside a transaction of the primary (`transaction.atomic`, hence
`select_for_update`) and outside web requests (commands, the shell, migrations). A
replica that fails while a GET reads from it is marked down and the view is answered
again from the primary: a replica never causes a 500.
"""

from __future__ import annotations

import contextvars
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from time import monotonic

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

PRIMARY = DEFAULT_DB_ALIAS
PIN_COOKIE = "catalog_read_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

logger = logging.getLogger("catalog.replicas")


# ------------------------------------------------------------------------------
# How fit a replica is
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaState:
    """What a check found: `state` is one of STATES; only an ok replica is read from."""

    state: str
    lag_seconds: float | None = None
    detail: str = ""

    @property
    def fit(self) -> bool:
        return self.state == "ok"

    def as_json(self) -> dict:
        found = {"state": self.state, "lag_seconds": self.lag_seconds}
        if self.detail:
            found["detail"] = self.detail
        return found


# Each state, and how long this process trusts it before checking again (a setting's name).
STATES = {
    "ok": "CATALOG_REPLICA_CHECK_SECONDS",
    "behind": "CATALOG_REPLICA_CHECK_SECONDS",
    "unknown": "CATALOG_REPLICA_CHECK_SECONDS",  # the primary did not answer the check
    "unreachable": "CATALOG_REPLICA_DOWN_SECONDS",
    "not a replica": "CATALOG_REPLICA_DOWN_SECONDS",  # promoted, or pointed at a primary
}


def _points_at_primary(alias: str) -> bool:
    """True for an alias of the primary's own database (a replica mirrored in tests)."""
    mine, primary = connections[alias].settings_dict, connections[PRIMARY].settings_dict
    return all(mine[key] == primary[key] for key in ("ENGINE", "HOST", "PORT", "NAME"))


def measure(alias: str) -> ReplicaState:
    """How far the replica `alias` is behind the primary, now.

    Caught up when it has replayed the WAL the primary had flushed a moment before;
    otherwise its lag is the age of the last transaction it replayed. After a long quiet
    spell on the primary that overstates the lag for the moment the newest WAL takes to
    arrive: a check landing there sends reads to the primary, never to a stale replica.
    """
    if _points_at_primary(alias):
        return ReplicaState("ok", 0.0)
    replica = connections[alias]
    streams = replica.vendor == "postgresql"
    try:
        primary_lsn = _flushed_lsn() if streams else None
    except DatabaseError as error:
        return ReplicaState("unknown", detail=f"primary: {type(error).__name__}")
    try:
        with replica.cursor() as cursor:
            if not streams:
                # Only PostgreSQL streams; elsewhere (the tests' SQLite) answering is all.
                cursor.execute("SELECT 1")
                return ReplicaState("ok")
            cursor.execute(
                "SELECT pg_is_in_recovery(), "
                "COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, false), "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float",
                [primary_lsn],
            )
            in_recovery, caught_up, since_last_replay = cursor.fetchone()
    except DatabaseError as error:
        _close_quietly(alias)
        return ReplicaState("unreachable", detail=type(error).__name__)
    if not in_recovery:
        return ReplicaState("not a replica", detail="not in recovery: promoted, or a primary")
    if caught_up:
        return ReplicaState("ok", 0.0)
    if since_last_replay is None:
        return ReplicaState("behind", detail="no transaction replayed since it started")
    lag = round(max(since_last_replay, 0.0), 3)
    return ReplicaState("behind" if lag > settings.CATALOG_REPLICA_MAX_LAG_SECONDS else "ok", lag)


def _flushed_lsn() -> str:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        return cursor.fetchone()[0]


def _close_quietly(alias: str) -> None:
    # A connection to a server that is gone may fail even to close.
    with suppress(DatabaseError):
        connections[alias].close()


class ReplicaStates:
    """What this process last found of each replica, and when (a monotonic time).

    Per process on purpose: each process measures the replicas it reaches, and nothing
    another process needs is kept here. Each state is trusted for the time STATES gives
    it, so a replica that does not answer costs a connection timeout only that seldom.
    """

    def __init__(self):
        self._found: dict[str, tuple[float, ReplicaState]] = {}

    def current(self, alias: str, *, now: float) -> ReplicaState:
        found = self._found.get(alias)
        if found is not None:
            checked_at, state = found
            if now - checked_at < getattr(settings, STATES[state.state]):
                return state
        return self._record(alias, measure(alias), now=now)

    def mark_down(self, alias: str, error: DatabaseError, *, now: float) -> None:
        self._record(alias, ReplicaState("unreachable", detail=type(error).__name__), now=now)

    def _record(self, alias: str, state: ReplicaState, *, now: float) -> ReplicaState:
        before = self._found.get(alias)
        if before is None or before[1].state != state.state:
            log = logger.info if state.fit else logger.warning
            log("Read replica %s is %s %s", alias, state.state, state.detail or state.lag_seconds)
        self._found[alias] = (now, state)
        return state

    def forget(self) -> None:
        self._found.clear()


replica_states = ReplicaStates()


def replicas_report(*, now: float) -> dict[str, dict]:
    """Each replica as this process finds it, for /readyz."""
    return {
        alias: replica_states.current(alias, now=now).as_json()
        for alias in settings.CATALOG_READ_REPLICAS
    }


def fit_replica(*, now: float) -> str | None:
    """A replica to read from (any fit one, so the load spreads), or None."""
    fit = [
        alias
        for alias in settings.CATALOG_READ_REPLICAS
        if replica_states.current(alias, now=now).fit
    ]
    return random.choice(fit) if fit else None  # noqa: S311 (spreading load, not a secret)


# ------------------------------------------------------------------------------
# Where this request reads
# ------------------------------------------------------------------------------


@dataclass
class RequestReads:
    alias: str
    wrote: bool = False


_request_reads: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "catalog_request_reads", default=None
)


@contextmanager
def reads_from(alias: str) -> Iterator[RequestReads]:
    """Reads go to `alias` (a replica or PRIMARY) within this block."""
    reads = RequestReads(alias)
    token = _request_reads.set(reads)
    try:
        yield reads
    finally:
        _request_reads.reset(token)


def read_alias() -> str:
    """Where a read goes now: where the request reads, unless that must be the primary
    (outside requests, once the request wrote, inside a transaction of the primary)."""
    reads = _request_reads.get()
    if reads is None or reads.wrote or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return reads.alias


def shareable(changed_at: float, *, now: float) -> bool:
    """Whether what is read now may be cached for everyone as the catalog after a change
    committed at `changed_at` (wall-clock seconds, as `now`): always from the primary;
    from a replica only once every fit replica has that change, since one is at most
    CATALOG_REPLICA_MAX_LAG_SECONDS behind when measured and read until its next check."""
    if read_alias() == PRIMARY:
        return True
    trails = settings.CATALOG_REPLICA_MAX_LAG_SECONDS + settings.CATALOG_REPLICA_CHECK_SECONDS
    return now - changed_at > trails


class ReadReplicaRouter:
    """Writes to the primary; reads where `read_alias` says."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        reads = _request_reads.get()
        if reads is not None:
            reads.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        same = {PRIMARY, *settings.CATALOG_READ_REPLICAS}
        return True if {obj1._state.db, obj2._state.db} <= same else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db in settings.CATALOG_READ_REPLICAS else None


def reads_only(view):
    """Marks a view that never writes, so that it reads from a replica under POST too
    (CKAN's actions, which ckanapi always posts)."""
    view.reads_only = True
    return view


def _pinned(request) -> bool:
    """True within CATALOG_READ_PRIMARY_SECONDS of a write by this client."""
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_COOKIE, max_age=settings.CATALOG_READ_PRIMARY_SECONDS
    )
    return value is not None


def _pin(response) -> None:
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_COOKIE,
        max_age=settings.CATALOG_READ_PRIMARY_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReadReplicasMiddleware:
    """Chooses where each request reads once its view is known (the primary until
    then), pins a client whose request wrote to the primary, and answers a read again
    from the primary when its replica fails. Does nothing without replicas."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.CATALOG_READ_REPLICAS:
            return self.get_response(request)
        with reads_from(PRIMARY) as reads:
            response = self.get_response(request)
        if reads.wrote:
            _pin(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        reads = _request_reads.get()
        reading = request.method in SAFE_METHODS or getattr(view_func, "reads_only", False)
        if reads is not None and reading and not _pinned(request):
            reads.alias = fit_replica(now=monotonic()) or PRIMARY

    def process_exception(self, request, exception):
        reads = _request_reads.get()
        if (
            reads is None
            or reads.alias == PRIMARY
            or not isinstance(exception, DatabaseError)
            or not connections[reads.alias].errors_occurred
        ):
            return None
        logger.warning(
            "Read replica %s failed (%s); answering %s from the primary",
            reads.alias,
            type(exception).__name__,
            request.path,
        )
        replica_states.mark_down(reads.alias, exception, now=monotonic())
        _close_quietly(reads.alias)
        reads.alias = PRIMARY
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        return response

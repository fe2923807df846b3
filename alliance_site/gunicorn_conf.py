"""Gunicorn's configuration for `make serve` and the container (`deploy/start`).

Workers: WEB_CONCURRENCY, or 2 x cores + 1 (gunicorn's advice for sync workers), at most
12 so a large machine does not open more database connections than PostgreSQL's default
100 allow for a few app servers.
"""

import multiprocessing
import os


def default_workers(cores: int) -> int:
    return max(2, min(2 * cores + 1, 12))


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(multiprocessing.cpu_count()))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Requests are logged by the app itself (JSON, with their request id).
accesslog = None
errorlog = "-"
# Behind a load balancer, it is the one that sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def child_exit(server, worker):
    """Tell prometheus-client a worker is gone, so its live numbers are dropped."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

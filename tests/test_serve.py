"""`make serve` (deploy/serve -> deploy/start -> gunicorn) and the container files."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

from alliance_site.gunicorn_conf import default_workers
from tests import find_postgres

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "deploy" / "serve"
# What the test run itself sets: the browser tests allow async-unsafe calls in their
# process, which production rightly refuses.
SECRET_VARIABLES = {
    "SECRET_KEY",
    "DATABASE_URL",
    "CACHE_URL",
    "DEBUG",
    "CATALOG_ENV",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def clean_env(**env: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
    return {**inherited, "PY": str(ROOT / ".venv" / "bin" / "python"), **env}


def test_serve_passes_the_deployment_checks_with_a_key_it_makes_and_keeps(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    env = clean_env(SECRET_KEY_FILE=str(key_file))
    first = subprocess.run(
        [str(SERVE), "--check-only"], env=env, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert "System check identified no issues" in first.stdout
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = subprocess.run(
        [str(SERVE), "--check-only"], env=env, capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0, second.stderr
    assert key_file.read_text().strip() == key  # made once, then reused


def test_the_secret_key_file_is_kept_out_of_git():
    # deploy/serve keeps it in var/, which git ignores.
    assert 'SECRET_KEY_FILE="${SECRET_KEY_FILE:-$PWD/var/secret_key}"' in SERVE.read_text()
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "var/" in ignored


def test_serve_says_what_to_install_when_postgresql_is_missing(tmp_path):
    # A PATH with the basic tools but no PostgreSQL client programs.
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("bash", "dirname", "cat", "mkdir", "ls", "sort", "tail", "seq", "sleep"):
        (tools / name).symlink_to(shutil.which(name))
    env = clean_env(PATH=str(tools), SECRET_KEY_FILE=str(tmp_path / "key"))
    result = subprocess.run(
        [str(tools / "bash"), str(SERVE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "PostgreSQL is not installed" in result.stderr
    assert "apt-get install postgresql" in result.stderr


@pytest.mark.parametrize(("cores", "workers"), [(1, 3), (2, 5), (4, 9), (64, 12)])
def test_workers_follow_the_cores_within_bounds(cores, workers):
    assert default_workers(cores) == workers


# ------------------------------------------------------------------------------
# The container files say the same as `make serve`.
# ------------------------------------------------------------------------------


def serve_variables() -> set[str]:
    return set(re.findall(r"^export ([A-Z_]+)", SERVE.read_text(), flags=re.MULTILINE))


def containerfile() -> str:
    return (ROOT / "Containerfile").read_text()


def compose_app() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["app"]


def test_make_serve_runs_deploy_serve_which_starts_deploy_start():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^serve: install\n\t.*deploy/serve$", makefile, flags=re.MULTILINE)
    assert re.search(r"^PYTHON=\"\$PY\" exec deploy/start$", SERVE.read_text(), re.MULTILINE)


def test_the_container_runs_the_same_command_as_make_serve():
    assert 'CMD ["deploy/start"]' in containerfile()
    assert compose_app()["command"] == ["deploy/start"]
    assert compose_app()["build"]["dockerfile"] == "Containerfile"


def test_the_container_sets_the_same_variables_as_make_serve():
    assert set(compose_app()["environment"]) == serve_variables()
    assert compose_app()["environment"]["CATALOG_ENV"] == "production"
    assert "ENV " in containerfile()
    assert "CATALOG_ENV=production" in containerfile()
    assert "export CATALOG_ENV=production" in SERVE.read_text()


def test_the_container_and_make_serve_use_the_same_port():
    serve_port = re.search(r'PORT="\$\{PORT:-(\d+)\}"', SERVE.read_text()).group(1)
    makefile_port = re.search(r"^PORT \?= (\d+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert serve_port == makefile_port
    assert f"EXPOSE {serve_port}" in containerfile()
    assert f"PORT={serve_port}" in containerfile()
    assert compose_app()["environment"]["PORT"] == serve_port
    assert compose_app()["ports"] == [f"{serve_port}:{serve_port}"]
    assert f"127.0.0.1:{serve_port}/readyz" in containerfile()


# ------------------------------------------------------------------------------
# For real: gunicorn on PostgreSQL and Redis, where both are reachable.
# ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http only)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def postgres_database():
    server = None
    for candidate in find_postgres.candidates():
        if find_postgres.reachable(candidate) is None:
            server = candidate
            break
    if server is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (REQUIRE_POSTGRES=1) but none is reachable.")
        pytest.skip("No PostgreSQL reachable: make serve runs only on PostgreSQL.")
    if not redis_reachable():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis is required (REQUIRE_REDIS=1) but none runs on 127.0.0.1:6379.")
        pytest.skip("No Redis on 127.0.0.1:6379: make serve runs only with Redis.")
    name = f"serve_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_make_serve_serves_the_seeded_catalog_in_production_mode(postgres_database, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(
        DATABASE_URL=postgres_database,
        CACHE_URL="redis://127.0.0.1:6379/13",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        STATIC_ROOT=str(tmp_path / "static"),
        CATALOG_METRICS_PUBLIC="true",
    )
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [str(SERVE)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        ready = None
        for _ in range(240):
            if server.poll() is not None:
                break
            try:
                ready = get(f"{base}/readyz")
                break
            except OSError:
                time.sleep(0.5)
        assert ready is not None, (tmp_path / "serve.log").read_text()
        assert ready[0] == 200, ready[1]

        https = {"X-Forwarded-Proto": "https"}
        status, page = get(f"{base}/", **https)
        assert status == 200
        assert b"Llama 2" in page or b"llama" in page.lower()
        # Plain HTTP is sent to HTTPS (the load balancer ends TLS).
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            opener.open(f"{base}/search/")
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"].startswith("https://")
        # Static files come from WhiteNoise with their hashed, cacheable names.
        stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page).group(1)
        status, _ = get(base + stylesheet.decode(), **https)
        assert status == 200
        status, entry = get(f"{base}/api/v1/artifacts/meta/llama-2/", **https)
        assert status == 200, entry
        # Every worker's requests are counted together.
        for _ in range(6):
            get(f"{base}/healthz")
        status, metrics = get(f"{base}/metrics")
        assert status == 200
        counted = re.search(
            rb'catalog_request_duration_seconds_count\{method="GET",view="healthz"\} (\d+)',
            metrics,
        )
        assert counted is not None
        assert int(float(counted.group(1))) == 6
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()

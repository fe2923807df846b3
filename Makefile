# Alliance Catalog: `make run` serves the seeded catalog, `make test` runs the suite.
# Needs only Python 3.11+ on the PATH (as python3, or set PYTHON=...).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The last 0.x huggingface_hub client cannot share .venv with the 2.x one; the tests run
# it from here (tests/test_protocol_huggingface.py).
HF0_VENV := .venv-hf0
# Datasette, for make bench's side-by-side, kept out of .venv (benchmarks/side_by_side.py).
BENCH_VENV := .venv-bench
PORT ?= 8000
HOST ?= 127.0.0.1
# Test processes: one per core by default (pytest-xdist); WORKERS=0 runs in this process.
WORKERS ?= auto
# The slowest tests are listed at the end of each run: where the suite spends its time.
PYTEST := $(PY) -m pytest -n $(WORKERS) --durations=15

.PHONY: help install run serve test test-sqlite test-postgres fuzz lint migrations-check bench loadtest screenshots clean

help:
	@echo "make run               set up .venv, migrate, load the seeds, serve on http://$(HOST):$(PORT)/"
	@echo "make serve             production mode: gunicorn on PostgreSQL and Redis (started if installed)"
	@echo "make test              the whole suite on SQLite, then on PostgreSQL when one is reachable"
	@echo "make fuzz              schemathesis against the served schema, on SQLite and PostgreSQL"
	@echo "make lint              ruff, and import-linter's layer contracts"
	@echo "make migrations-check  fail if the models have changes without a migration"
	@echo "make bench             measure search and write speed; writes docs/benchmarks.md"
	@echo "make loadtest          the production stack under 32 clients, then under faults (restarts"
	@echo "                       the local PostgreSQL); writes docs/benchmarks.md"
	@echo "make screenshots       run the browser journeys and write docs/screenshots/*.png"

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11 (or newer).")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(HF0_VENV)/.installed: requirements-hf0.lock
	$(PYTHON) -m venv $(HF0_VENV)
	$(HF0_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-hf0.lock
	@touch $@

$(BENCH_VENV)/.installed: benchmarks/requirements-datasette.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements-datasette.txt
	@touch $@

install: $(VENV)/.installed $(HF0_VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seeds
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production mode on this machine: gunicorn with WhiteNoise on PostgreSQL and Redis,
# migrations, the seeds and static files; see deploy/serve and docs/operations.md.
serve: install
	PY=$(PY) PORT=$(PORT) HOST=$(HOST) deploy/serve

# The suite runs once per backend. PostgreSQL is found through TEST_DATABASE_URL or on
# 127.0.0.1:5432; with REQUIRE_POSTGRES=1 (as in CI) not finding one is a failure.
test: install
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres ALSO_RAN="SQLite and "

test-sqlite: install
	@echo "== Test suite on SQLite =="
	DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(PYTEST) $(PYTEST_ARGS)

test-postgres: install
	@url="$$($(PY) -m tests.find_postgres)" || exit 1; \
	if [ -n "$$url" ]; then \
		echo "== Test suite on PostgreSQL =="; \
		DATABASE_URL="$$url" $(PYTEST) $(PYTEST_ARGS) || exit $$?; \
		echo "Backends run: $(ALSO_RAN)PostgreSQL."; \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but none is reachable: set TEST_DATABASE_URL."; \
		exit 1; \
	else \
		echo "Backends run: $(if $(ALSO_RAN),SQLite only,none). No PostgreSQL reachable (set TEST_DATABASE_URL to test on it)."; \
	fi

# Schemathesis against the schema as served by gunicorn on a seeded catalog, at least 5,000
# generated requests, once per backend (tests/fuzz): a fresh SQLite database, then a fresh
# database `fuzz` on the PostgreSQL server that `make test` would use.
fuzz: install
	$(PY) -m tests.fuzz
	@url="$$($(PY) -m tests.find_postgres)" || exit 1; \
	if [ -n "$$url" ]; then \
		$(PY) -m tests.fuzz --postgres "$$url"; \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but none is reachable: set TEST_DATABASE_URL."; \
		exit 1; \
	else \
		echo "Schemathesis ran on SQLite only: no PostgreSQL reachable (set TEST_DATABASE_URL)."; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # the layers and acyclic contracts in pyproject.toml

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# The browser journeys again, this time writing what they see to docs/screenshots/.
screenshots: install
	SCREENSHOTS=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(PYTEST) -m browser tests/browser

# BENCH_SIZES, BENCH_WRITE_ROUNDS and BENCH_SIDE_BY_SIDE choose what runs (benchmarks/run.py).
bench: install $(BENCH_VENV)/.installed
	$(PY) -m benchmarks.run

# deploy/serve on a 100,000-entry catalog (database catalog_load, kept between runs) under
# 32 clients for 60 s, then again while a worker is killed, its own Redis and the local
# PostgreSQL are restarted; see benchmarks/loadtest.py. Not while tests use PostgreSQL.
loadtest: install
	$(PY) -m benchmarks.loadtest

clean:
	rm -rf $(VENV) $(HF0_VENV) $(BENCH_VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache

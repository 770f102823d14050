# Two commands matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON ?= $(shell scripts/find-python.sh)
BIN := $(VENV)/bin
PY := $(BIN)/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help run dev test venv install install-test lint typecheck checks catalogue test-sqlite test-postgres test-browser messages bench load clean

help:
	@echo "make run    - install, migrate, load demo data, serve on http://127.0.0.1:8000 (DEBUG off)"
	@echo "make dev    - the same with Django's development server and DEBUG on"
	@echo "make test   - lint, checks, the whole suite on SQLite and PostgreSQL, browser journeys"
	@echo "make load   - about two minutes of concurrent users on loopback (docs/quality.md)"

$(PY):
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml requirements/constraints.txt
	$(PY) -m pip install -q -c requirements/constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -c requirements/constraints.txt -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# `run` serves as production would (DEBUG off: Vietnamese error pages, compressed static files
# through whitenoise); `dev` reloads on code changes and shows Django's debug pages.
run: install
	$(BIN)/khuyencong migrate
	$(BIN)/khuyencong demo
	DEBUG=false KC_STATIC_COMPRESSED=true $(BIN)/khuyencong manage collectstatic --noinput -v 0
	@echo ""
	@echo "Open http://127.0.0.1:8000/ and log in with one of the accounts above."
	DEBUG=false KC_STATIC_COMPRESSED=true $(BIN)/khuyencong serve

dev: install
	$(BIN)/khuyencong migrate
	$(BIN)/khuyencong demo
	DEBUG=true $(BIN)/khuyencong manage runserver 127.0.0.1:8000

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	KC_ENV=test $(PY) -m pytest -q tests/test_layers.py tests/test_write_seam.py

# Types on the kernel, the tabular engine and every app's services and actions (pyproject [tool.mypy]).
TYPED = $(wildcard khuyencong/finance/acceptance.py khuyencong/finance/settlement.py khuyencong/finance/rollups.py khuyencong/kernel/*.py khuyencong/tabular/*.py khuyencong/tabular/*/*.py khuyencong/*/services.py khuyencong/*/actions.py khuyencong/organisation/access.py khuyencong/projects/deadlines.py)

typecheck: install-test
	KC_ENV=test $(PY) -m mypy $(TYPED)

checks: install-test
	KC_ENV=production DEBUG=false SECRET_KEY=ci-only-$$(printf 'x%.0s' {1..60})-Zq7 ALLOWED_HOSTS=khuyencong.example.vn \
	  DATABASE_URL=sqlite:///$(CURDIR)/var/check.sqlite3 $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

catalogue: install-test
	$(PY) scripts/check_catalogue.py

test-sqlite: install-test
	KC_ENV=test $(BIN)/pytest -m "not browser" -q

test-postgres: install-test
	scripts/ensure-postgres.sh
	KC_ENV=test DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -q

test-browser: install-test
	scripts/system-deps.sh
	KC_ENV=test $(BIN)/pytest -m browser -q
	scripts/ensure-postgres.sh
	KC_ENV=test KC_BROWSER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kc_browser_test $(BIN)/pytest -m browser -q

test: install-test
	scripts/system-deps.sh
	$(MAKE) lint typecheck checks catalogue
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(MAKE) test-browser

messages: install-test
	cd khuyencong && ../$(PY) ../manage.py makemessages -l vi --no-obsolete --no-location --ignore 'static/*'
	$(PY) scripts/check_catalogue.py

# Not part of `make test`: every benchmark on both databases, one table in bench/results/latest.md
# (bench/README.md). BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--quick --only import,finance".
bench: install-test
	scripts/ensure-postgres.sh
	$(PY) bench/all.py $(BENCH_ARGS)

# Not part of `make test`: about two minutes of load on loopback (docs/quality.md). LOAD_ARGS passes
# options, e.g. make load LOAD_ARGS="--users 100 --scale national".
load: install-test
	scripts/ensure-postgres.sh
	$(PY) scripts/load/run.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static

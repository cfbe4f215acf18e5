# The hotline's everyday commands. Everything runs inside .venv, created on first use.
VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint bench messages serve clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $@

## demo: a demo centre (var/demo.db, console SMS, 90 days of history) served; writes ./.env for the CLI
demo: $(VENV)/.installed
	$(VENV)/bin/hotline demo --host $(HOST) --port $(PORT)

## test: the whole test suite (PostgreSQL too when HOTLINE_TEST_POSTGRES_URL is set)
test: $(VENV)/.installed
	$(PY) -m pytest

## lint: ruff and mypy, plus translation completeness
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy config dispatch providers sms callbacks hotline
	$(PY) scripts/messages.py --check

## bench: performance scripts (ratios against a baseline measured in the same run)
bench: $(VENV)/.installed
	@set -e; for script in $(wildcard bench/*.py); do echo "== $$script"; $(PY) $$script; done

## messages: extract user-facing text and update every package's .po catalogs
messages: $(VENV)/.installed
	$(PY) scripts/messages.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

# Two commands do everything (README.md):
#   make run   - install what is missing, migrate, load the demo park, serve http://127.0.0.1:8000
#   make test  - the same set-up plus dev tools, PostgreSQL, Redis and Chromium; lint, migrations
#                check, OpenAPI drift check and the whole test suite
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

PY := .venv/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run bootstrap migrate demo test lint format openapi openapi-check messages clean scale benchmark benchmark-pull benchmark-risk backup restore

help:
	@echo "make run    - set up and serve the demo park on http://$(HOST):$(PORT) (SQLite, eager Celery)"
	@echo "make test   - set up and run lint, migration check, OpenAPI drift check and pytest"
	@echo "make format - format the code with ruff"
	@echo "make openapi - regenerate docs/api/openapi.yaml"
	@echo "make messages - update the translation catalogues (locale/)"
	@echo "make scale  - build the district-scale data set in PostgreSQL (SCALE=1.0, database SCALE_DB)"
	@echo "make benchmark - measure pages and API lists on it under gunicorn (docs/performance.md)"
	@echo "make benchmark-pull - pull every contract through the API cursor, rows per second"
	@echo "make benchmark-risk - recompute the risk watch list of every enterprise on it (target 60 s)"
	@echo "make backup - dump the database and media into BACKUP_DIR (encrypted with BACKUP_ENCRYPTION_KEY)"
	@echo "make restore BACKUP=backups/<time> - restore such a backup (asks first)"

run:
	@export DJANGO_SETTINGS_MODULE=config.settings.local
	scripts/bootstrap.sh run
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

test:
	@scripts/bootstrap.sh test
	. scripts/test-services.sh
	export DJANGO_SETTINGS_MODULE=config.settings.test
	echo "== ruff"
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	echo "== import order (lint-imports, contracts in pyproject.toml)"
	.venv/bin/lint-imports --no-cache
	echo "== migrations"
	$(MANAGE) makemigrations --check --dry-run
	echo "== translations"
	scripts/check-translations.sh
	echo "== OpenAPI drift"
	$(MAKE) --no-print-directory openapi-check
	echo "== pytest"
	.venv/bin/pytest --create-db $(PYTEST_ARGS)
	echo "== production-shaped run (gunicorn, Celery worker and beat; scripts/prod-smoke.sh)"
	scripts/prod-smoke.sh

openapi:
	@DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) spectacular --lang en --validate --fail-on-warn --file docs/api/openapi.yaml

openapi-check:
	@tmp="$$(mktemp)"
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) spectacular --lang en --validate --fail-on-warn --file "$$tmp"
	if ! diff -u docs/api/openapi.yaml "$$tmp"; then
		echo "docs/api/openapi.yaml is out of date: run 'make openapi' and commit it." >&2
		rm -f "$$tmp"; exit 1
	fi
	rm -f "$$tmp"; echo "OpenAPI schema up to date."

format:
	@.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

messages:
	@$(MANAGE) makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=static/vendor --ignore=test-artifacts --ignore=tests

# The district-scale benchmark (docs/performance.md). Not part of `make test`: building the data
# set takes about 11 minutes and the run about 15 on a 2-core machine.
SCALE ?= 1.0
SCALE_DB ?= postgres://postgres@127.0.0.1:5432/scale
scale:
	@scripts/bootstrap.sh test
	export DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL="$(SCALE_DB)"
	psql "$${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$${DATABASE_URL##*/}'" | grep -q 1 \
		|| psql "$${DATABASE_URL%/*}/postgres" -c "CREATE DATABASE $${DATABASE_URL##*/}"
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_scale --scale $(SCALE) $(SCALE_ARGS)
	$(MANAGE) record_cockpit_months   # the cockpit's 24 months of trends (issue 20; about 80 s)

benchmark:
	@scripts/bootstrap.sh test
	export DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL="$(SCALE_DB)" REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/7}"
	$(MANAGE) migrate --noinput
	$(MANAGE) benchmark --write-docs $(BENCH_ARGS)

# Every contract of the district-scale data set pulled through the API cursor (issue 15: 5,000 rows/s).
benchmark-pull:
	@scripts/bootstrap.sh test
	export DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL="$(SCALE_DB)" REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/7}"
	$(MANAGE) migrate --noinput
	$(MANAGE) benchmark_pull --write-docs

# The risk watch list (issue 17): recompute every enterprise of the district-scale data set (target 60 s).
benchmark-risk:
	@scripts/bootstrap.sh test
	export DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL="$(SCALE_DB)" REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/7}"
	$(MANAGE) migrate --noinput
	$(MANAGE) benchmark_risk

# Backups (docs/security.md, "Operations"; apps/core/backups.py). Settings come from the
# environment as for the server (DJANGO_SETTINGS_MODULE, DATABASE_URL, MEDIA_ROOT, BACKUP_DIR,
# BACKUP_ENCRYPTION_KEY, BACKUP_KEEP).
backup:
	@$(MANAGE) backup $(BACKUP_ARGS)

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<time> [RESTORE_ARGS=--noinput]" >&2; exit 2; }
	$(MANAGE) restore "$(BACKUP)" $(RESTORE_ARGS)

clean:
	@rm -rf .venv staticfiles test-artifacts .pytest_cache .ruff_cache db.sqlite3

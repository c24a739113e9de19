# Everything installs itself: a fresh machine needs only python3 and make.
SHELL := /bin/bash
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export PYTHONPATH := $(CURDIR)
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
# Offline install: where `make wheelhouse` left its bundle beside this file, uv and every package come from it and
# nothing is fetched (README, "Installing and operating on a server").
WHEELHOUSE := $(if $(wildcard wheelhouse/README.txt),$(CURDIR)/wheelhouse)
OFFLINE := UV_OFFLINE=1 UV_NO_INDEX=1 UV_FIND_LINKS=$(WHEELHOUSE) UV_PYTHON_DOWNLOADS=never

.PHONY: run test test-slow test-all bench ui serve rerun recover restore lint format demo-inbox methodology-schema clean

run: .venv/.synced  ## materialise everything on the demo inbox and publish the snapshot
	@$(PY) -m pipelines.run_demo

# Tests in tiers (pyproject.toml, marker "slow"), each in parallel over the machine's cores (pytest-xdist): CI runs all.
test: .venv/.synced  ## fast tier: parsers, formulas, quality rules, one end-to-end run, the definitions (~1-2 min)
	$(PY) -m pytest -n auto -m "not slow"

test-slow: .venv/.synced  ## the rest (a module per worker: its shared runs happen once): whole Dagster runs of every index, `make run` killed and rerun, PII at rest (~5 min)
	$(PY) -m pytest -n auto --dist loadscope -m slow

test-all: .venv/.synced  ## both tiers in one pytest session
	$(PY) -m pytest -n auto

bench: .venv/.synced  ## speed figures on the full-scale demo year (prints figures and ratios)
	$(PY) -m bench.run_bench

ui: .venv/.synced  ## Dagster UI on http://127.0.0.1:3000, run history under DAGSTER_HOME, telemetry off
	$(PY) -m pipelines.instance
	.venv/bin/dagster dev -m pipelines.definitions -h 127.0.0.1 -p 3000

serve: .venv/.synced  ## webserver + daemon on http://127.0.0.1:3000 with the schedule and sensors ON (CCHC_AUTOMATION=on)
	$(PY) -m pipelines.instance recover --retry
	CCHC_AUTOMATION=on .venv/bin/dagster dev -m pipelines.definitions -h 127.0.0.1 -p $${CCHC_PORT:-3000}

rerun: .venv/.synced  ## rerun one day of the daily run (DAY=YYYY-MM-DD): its export, checks, current state, quality workbook, snapshot
	@test -n "$(DAY)" || { echo "Cho biết ngày cần chạy lại: make rerun DAY=2026-11-20" >&2; exit 2; }
	@# A day that is not a daily partition (not YYYY-MM-DD, before CCHC_START_DATE, not over yet): one line, exit 2.
	@$(PY) -m pipelines.rerun '$(DAY)' || exit 2
	@# A run killed earlier still holds the duckdb_writer slot: free it first, or this run would wait for ever; a run
	@# still alive (the 06:00 run, another rerun) refuses this one (exit 3): their steps would interleave.
	$(PY) -m pipelines.instance recover --exclusive || exit 3
	.venv/bin/dagster job execute -m pipelines.definitions -j daily_tthc --tags '{"dagster/partition": "$(DAY)"}'

recover: .venv/.synced  ## mark runs whose process died as failed and free their pool slots (prints what it did)
	$(PY) -m pipelines.instance recover

lint: .venv/.synced  ## code habits: ruff lint (complexity limit included) and format, SQL lint (sqlfluff), mypy on the pure packages
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/sqlfluff lint --processes 0 warehouse/sql sources/sql
	.venv/bin/mypy

format: .venv/.synced  ## format the code (ruff format) and fix what ruff can fix
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

restore: .venv/.synced  ## put back a kept snapshot (SNAPSHOT=warehouse_YYYYmmddTHHMMSS.duckdb; default: the newest kept one)
	$(PY) -m pipelines.restore $(SNAPSHOT)

methodology-schema: .venv/.synced  ## rewrite methodology/schema/*.json from scoring/methodology_schema.py (a test fails while they are stale)
	$(PY) -m scoring.methodology_schema

demo-inbox: .venv/.synced  ## (re)write the demo inbox only
	$(PY) -m demo.generate --inbox $${CCHC_INBOX:-data/inbox} --province "$${CCHC_PROVINCE:-Thái Nguyên}"

.PHONY: wheelhouse backup offline-check help
wheelhouse: $(UV)  ## offline install bundle in wheelhouse/: Python 3.11-3.13, Linux glibc >= 2.28 (PLATFORM=win_amd64 …: wheelhouse-<PLATFORM>/)
	.tools/bin/python deploy/wheelhouse.py --out $(if $(PLATFORM),wheelhouse-$(PLATFORM),wheelhouse) --uv-version $(UV_VERSION) \
		$(if $(PLATFORM),--platform $(PLATFORM))

backup:  ## back up snapshots, build file, run history, reports, logs to CCHC_BACKUP_DIR (default data/backups; deploy/backup.py)
	python3 deploy/backup.py

offline-check:  ## prove the offline install: fresh clone + wheelhouse/, network cut, install and a test subset (PYTHONS="python3 …")
	tests/offline_install_check.sh $(or $(PYTHONS),python3)

help:  ## this list: every target, with the description after its "##"
	@grep -E '^[a-zA-Z_-]+:' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z_-]+):([^#]*(## (.*))?)?.*$$/\1\t\4/' | \
		awk -F '\t' '{ printf "  make %-14s %s\n", $$1, $$2 }'

$(UV):
	@python3 -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' || { \
		echo "Python 3.11, 3.12 or 3.13 is needed as python3 (found: $$(python3 --version 2>&1))." >&2; exit 1; }
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet $(if $(WHEELHOUSE),--no-index --find-links $(WHEELHOUSE)) uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock Makefile
	@# Bytecode at install: where PYTHONDONTWRITEBYTECODE is set, every import would otherwise recompile Dagster
	@# (definitions load 4.1 s instead of 1.4 s on this machine).
ifeq ($(WHEELHOUSE),)
	$(UV) sync --frozen --compile-bytecode --python python3
else
	@# Offline: the lock's exact files and hashes, from wheelhouse/ (uv sync would fetch the lock's URLs).
	$(OFFLINE) $(UV) venv --quiet --allow-existing --python python3 .venv
	$(OFFLINE) $(UV) export --frozen --quiet --format requirements-txt --no-emit-project -o .venv/requirements.txt
	$(OFFLINE) $(UV) pip sync --quiet --python $(PY) --compile-bytecode --require-hashes .venv/requirements.txt
endif
	touch $@

clean:  ## remove data/, .venv/ and .tools/ (not wheelhouse/)
	rm -rf data .venv .tools

# Two commands: `make run` starts the app, `make test` runs every check.
# The virtual environment is (re)made whenever it is missing or pyproject.toml changed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check-core unit bench screenshots clean bench-app bench-server bench-sync bench-insight soak

$(STAMP): pyproject.toml
	@if ! test -x $(BIN)/pip; then \
		rm -rf $(VENV); \
		py=$$(command -v $(PYTHON) || command -v python3); \
		$$py -m venv $(VENV) || { rm -rf $(VENV); \
			echo "Could not make a virtual environment with $$py."; \
			echo "On Debian or Ubuntu: sudo apt install python3-venv"; exit 1; }; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,server]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/wfh-desktop

test: lint typecheck check-core unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check-core: $(STAMP)
	$(BIN)/python tools/check_no_qt_in_core.py

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The sync state machine (several computers, random faults) for long: 200 examples of 60 steps,
# on SQLite and PostgreSQL; `make test` runs 12 examples on SQLite.
soak: $(STAMP)
	WFH_SOAK=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -p no:cacheprovider \
		-o timeout=7200 -o faulthandler_timeout=0 tests/sync/test_state_machine.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The app under Xvfb with fluxbox's tray (sudo apt install xvfb fluxbox), pictured to docs/screenshots/.
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The tray app's start-up, memory and idle CPU under Xvfb with fluxbox's tray (sudo apt install
# xvfb fluxbox), written to docs/benchmarks.md; about five minutes.
bench-app: $(STAMP)
	$(BIN)/python bench/app_bench.py

# The central server under load on loopback (2 workers; SQLite and PostgreSQL) against
# ActivityWatch's aw-server, written to docs/benchmarks.md; uses wrk (sudo apt install wrk).
bench-server: $(STAMP)
	$(BIN)/python bench/server_bench.py

# The sync client pushing a backlog of 100,000 offline sessions to a local server, and the
# "nothing new" sync, written to docs/benchmarks.md.
bench-sync: $(STAMP)
	$(BIN)/python bench/sync_bench.py

# The charts' statistics for a month and a year, the charts window's first draw and an export of
# a year, over 100,000 sessions, written to docs/benchmarks.md; about two minutes.
bench-insight: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/insight_bench.py

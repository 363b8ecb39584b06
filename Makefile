# Each target creates .venv on first use and installs the project with its test extras.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo bench lint clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q -j 0 caseflow workflows bench cli.py >/dev/null
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check caseflow tests bench cli.py
	$(BIN)/mypy
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/caseflow demo
	$(BIN)/python -m caseflow.adapters.web.demo

# The bench also times caseflow on PostgreSQL (a database it may fill; never the tests')
# and Taskwarrior beside it (installed here when apt can).
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/caseflow_bench
BENCH_ARGS ?=

bench: $(STAMP)
	command -v task >/dev/null || { apt-get update -qq && apt-get install -y -qq taskwarrior; } \
		>/dev/null 2>&1 || echo "taskwarrior not installed: its rows are left out"
	$(BIN)/python -m bench --pg '$(BENCH_PG)' $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check caseflow tests bench cli.py
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

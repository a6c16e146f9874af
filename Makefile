# align: two commands on a fresh machine — `make run` (the dashboard) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Real data for integration tests and the demo; CI keeps it in ../shared/data.
ALIGN_DATA_DIR ?= $(abspath ../shared/data)
export ALIGN_DATA_DIR
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

CHROMIUM ?= /usr/bin/chromium
export ALIGN_CHROMIUM := $(CHROMIUM)

.PHONY: help setup run demo chromium postgresql test lint format typecheck bench train-model notebooks clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# CPU torch first, from the local wheel, so nothing pulls a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,dask,app]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install align with its dev, dask and app extras

run: $(STAMP)  ## open the dashboard on http://localhost:8501 (single-user local mode, the data-analytics example)
	@echo "align dashboard: open http://localhost:8501 in your browser (Ctrl+C stops it)"
	@echo "single-user local mode: no sign-in, this computer only (README: deploying behind SSO)"
	ALIGN_DASHBOARD_PROPOSAL=data/examples/data-analytics.yaml \
	  $(BIN)/streamlit run serve.py --server.port 8501 --server.headless true \
	  --browser.gatherUsageStats false

demo: $(STAMP)  ## score a sample proposal and explain a sample stack on real O*NET (the CLI)
	$(BIN)/align score data/examples/data-analytics.yaml --data-dir "$(ALIGN_DATA_DIR)"
	$(BIN)/align gaps data/examples/ipcp-stack.yaml --data-dir "$(ALIGN_DATA_DIR)"

chromium:  ## make sure Debian's Chromium is there for the browser test (apt-get when root)
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && apt-get install -y chromium; \
	else \
	  echo "error: the dashboard's browser test needs Chromium at $(CHROMIUM)."; \
	  echo "Install it with:  sudo apt-get install -y chromium   (or set CHROMIUM=/path/to/chromium)"; \
	  exit 1; \
	fi

# The store's tests run on SQLite and on a PostgreSQL server they start from Debian's package.
postgresql:  ## make sure Debian's PostgreSQL is there for the store's tests (apt-get when root)
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
	  exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && apt-get install -y postgresql; \
	else \
	  echo "error: the store's tests need PostgreSQL (Debian's postgresql package)."; \
	  echo "Install it with:  sudo apt-get install -y postgresql"; \
	  exit 1; \
	fi

test: $(STAMP) chromium postgresql  ## lint, then the whole test suite (browser test, both database backends)
	$(BIN)/ruff check src tests benchmarks training app.py serve.py app_pages
	$(BIN)/ruff format --check src tests benchmarks training app.py serve.py app_pages
	$(BIN)/pytest --nbmake --nbmake-timeout=900 tests src/align $(wildcard notebooks/*.ipynb)

lint:  $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)  ## mypy on src/align
	$(BIN)/mypy

bench: $(STAMP)  ## run the benchmarks (minutes; results go to benchmarks/out and the README)
	$(BIN)/python benchmarks/load_times.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/dashboard.py

train-model: $(STAMP)  ## rebuild align's matching model (src/align/_models/) from ../shared/data
	# Never part of `test` or `run`. Pairs go to training/out/ (ignored by git); see
	# training/README.md and docs/model-card.md.
	$(BIN)/pip install --quiet -e '.[dev,dask,app,train]'
	nice -n 10 $(BIN)/python training/pairs.py --data-dir "$(ALIGN_DATA_DIR)"
	nice -n 10 $(BIN)/python training/train.py

notebooks: $(STAMP)  ## regenerate the .ipynb files from their jupytext .py sources
	$(BIN)/jupytext --to ipynb --update notebooks/*.py

clean:  ## remove caches (not .venv)
	rm -rf .cache .pytest_cache .ruff_cache .mypy_cache test-artifacts

# PEO workspace. `make help` lists the targets.
# Everything runs in .venv, made from the system python3 only.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo

.DEFAULT_GOAL := help
.PHONY: help setup demo test test-fast bench clean browser

help: ## show this help
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m peo_lib.setup_env
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the package with its test tools

demo: $(STAMP) ## generate the demo rounds and build every report from them
	$(BIN)/peo demo --data-dir $(DEMO)
	$(BIN)/peo check --data-dir $(DEMO) $$($(BIN)/python -c "from peo_lib.demo import ROUND_IDS; print(' '.join(ROUND_IDS))")
	$(BIN)/peo report --all --jobs 2 --data-dir $(DEMO)
	@echo "Open outputs/<ROUND>/samenvatting.html and outputs/trends/trends.html; live: $(BIN)/peo dashboard --data-dir $(DEMO)"

browser: ## install Debian's chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser ## run every test: unit, notebooks, browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q --durations=15

test-fast: $(STAMP) ## unit tests only (no notebooks, no browser)
	$(BIN)/python -m pytest -q -m "not notebook and not browser"

bench: $(STAMP) ## run the benchmarks (prints ratios against a floor)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean: ## remove outputs and demo data (never data/raw)
	rm -rf outputs/* $(DEMO)

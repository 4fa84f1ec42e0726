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

# Dependencies come from the committed lock file (every package pinned, with hashes), made by
#   uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11.7 -o requirements.lock
# (see README, "Set-up"). uv installs it in seconds; it is itself installed into the venv with pip.
# Without uv (no network for it, or USE_UV=0) plain pip installs the same lock, hashes checked.
LOCK       := requirements.lock
USE_UV     ?= 1
UV_VERSION ?= 0.13.9

# deduce builds an 83 MB lookup cache in every new venv (76 s measured here). A copy per deduce and docdeid
# version is kept in the user's cache folder (peo_lib.paths.cache_dir(): ~/.cache/peo_lib/deduce-lookup)
# and put into a new venv before setup_env loads it; deduce itself checks the copy (its version, and that
# no source list is newer than it) and builds afresh when it does not hold. Public word lists, no data.
# deduce also compares the modification times of its source *folders*, which a new install has just
# made: they get the time of a source file of the same install (the files are what the cache was built from).
DEDUCE_PATHS = from importlib.metadata import version as v; from peo_lib.paths import cache_dir; \
  from peo_lib.privacy.scrub import deduce_cache_path; d, p = "deduce", "docdeid"; \
  print(deduce_cache_path() / "cache"); print(cache_dir() / "deduce-lookup" / f"{d}-{v(d)}-{p}-{v(p)}")

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (this machine, CI) Python never caches
# bytecode, so every kernel and `peo` process compiled pandas, scipy and matplotlib from source again
# (scipy.stats alone 2.8 s, loading a round 2.7 s instead of 0.7 s). Compiled once at install, they load.
# pip compiles at install by default.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	@if [ "$(USE_UV)" = 1 ] && $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; then \
	  echo "Installing $(LOCK) with uv"; \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes --compile-bytecode -r $(LOCK) && \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . && \
	  $(BIN)/python -m compileall -q -j 0 peo_lib > /dev/null ; \
	else \
	  echo "Installing $(LOCK) with pip (uv not used)"; \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK) && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . ; \
	fi
	@paths=$$($(BIN)/python -c '$(DEDUCE_PATHS)') || exit 1; f=lookup_structs.pickle; \
	venv=$$(printf '%s\n' "$$paths" | sed -n 1p); kept=$$(printf '%s\n' "$$paths" | sed -n 2p); \
	if [ -f "$$kept/$$f" ] && [ ! -f "$$venv/$$f" ]; then \
	  echo "Reusing deduce's lookup cache from $$kept"; mkdir -p "$$venv" && cp -p "$$kept/$$f" "$$venv/$$f"; \
	  src=$$(dirname "$$venv")/src; ref=$$(find "$$src" -type f -name '*.txt' 2>/dev/null | head -n 1); \
	  [ -z "$$ref" ] || find "$$src" -type d -exec touch -r "$$ref" {} +; fi; \
	$(BIN)/python -m peo_lib.setup_env || exit 1; \
	{ mkdir -p "$$kept" && cp -p "$$venv/$$f" "$$kept/.$$f.$$$$" && mv "$$kept/.$$f.$$$$" "$$kept/$$f"; } \
	  || echo "(deduce's lookup cache was not kept in $$kept)"
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the locked dependencies and the package (uv, else pip)

demo: $(STAMP) ## generate the demo rounds and build every report from them
	$(BIN)/peo demo --data-dir $(DEMO)
	$(BIN)/peo check --data-dir $(DEMO) $$($(BIN)/python -c "from peo_lib.data.demo import ROUND_IDS; print(' '.join(ROUND_IDS))")
	$(BIN)/peo report --all --jobs 2 --data-dir $(DEMO)
	@echo "Open outputs/<ROUND>/samenvatting.html and outputs/trends/trends.html; live: $(BIN)/peo dashboard --data-dir $(DEMO)"

browser: ## install Debian's chromium (browser tests) and LibreOffice Impress (slide tests) when missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "Installing Debian LibreOffice Impress for the slide tests (opens the .pptx headless)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-impress >/dev/null; }

test: $(STAMP) browser ## run every test: unit, notebooks, browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q --durations=15

test-fast: $(STAMP) ## unit tests only (no notebooks, no browser)
	$(BIN)/python -m pytest -q -m "not notebook and not browser"

bench: $(STAMP) ## run the benchmarks (prints ratios against a floor)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean: ## remove outputs and demo data (never data/raw)
	rm -rf outputs/* $(DEMO)

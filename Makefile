# The two commands in the README: `make demo` and `make test`. Both set up what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
APT_PACKAGES := ola ola-python chromium postgresql qlcplus time
# The preview's 3D stage: three.js from the npm registry (package-lock.json), bundled by esbuild into the package,
# where the page inlines it. node_modules and the bundle are built here, never committed, never fetched at run time.
STAGE_JS := phases/preview/vendor/three-stage.min.js

.PHONY: setup demo test lint schemas bench system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dask]'
	# OLA's Python client comes from Debian's ola-python: link only that module into the venv (never PyPI's ola).
	ln -sfn /usr/lib/python3/dist-packages/ola "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/ola"
	$(BIN)/python -c "import prefect.server.api.server"  # fails loudly if the server cannot import
	# A migrated Prefect database for this Prefect version, in the venv: a fresh home starts from a copy of it.
	# Only a speed-up: without it the first run creates its database, so a machine too loaded to build it goes on.
	$(BIN)/python -m flows.template_db || echo "warning: no Prefect database template; first runs will migrate" >&2
	rm -f $(VENV)/.installed-* && touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to build the preview's 3D stage: install Node.js 18+ with npm (Debian: apt-get install nodejs npm)"; exit 2; }
	npm ci --no-audit --no-fund --loglevel=error

$(STAGE_JS): node_modules/.package-lock.json phases/preview/js/three_entry.js
	npm run --silent build-stage

setup: $(STAMP) $(STAGE_JS)
	@# cueflow's bytecode, as pip writes it for a regular install. An editable install has none until a run writes
	@# it, and never any where PYTHONDONTWRITEBYTECODE is set: each process then compiled ~200 modules (0.2 s).
	@$(BIN)/python -m compileall -q flows phases deployments >/dev/null

# Main job: plan the lighting for the bundled example play.
demo: setup
	$(BIN)/cueflow run examples/the_keepers_light.txt --out out/demo

# System packages the tests need (OLA, Chromium, PostgreSQL, QLC+, GNU time), installed with apt when missing.
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages: $$missing"; \
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		rm -f /usr/sbin/policy-rc.d; \
	fi

lint: setup
	$(BIN)/ruff check .

schemas: setup
	$(BIN)/python -m phases.contracts.schema_export

test: system-deps setup lint
	$(BIN)/python -m phases.contracts.schema_export --check
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache node_modules phases/preview/vendor

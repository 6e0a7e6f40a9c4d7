# Workation Site Survey — `make run` to try it, `make test` to check it (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium
PURE_MODULES := app/reference app/geo app/photos/storage.py app/scoring sync forms/validators.py forms/catalog.py app/exports/workbook.py app/exports/columns.py app/exports/records.py app/exports/safety.py app/exports/csvfile.py app/exports/geojson.py app/speedtest/payload.py app/speedtest/units.py app/speedtest/plan.py app/surveys/run_chart.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint typecheck pytest translations chromium clean

install: $(STAMP) translations vendor

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,bench]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d app/translations >/dev/null

# Browser libraries from the npm registry (package-lock.json), copied to static/vendor/ (both
# git-ignored); redone only when the lock file changes or static/vendor/ is removed.
VENDOR_STAMP := static/vendor/.installed-stamp
.PHONY: vendor
vendor: $(VENDOR_STAMP)

$(VENDOR_STAMP): package-lock.json package.json
	@command -v npm >/dev/null || { echo "npm missing: run 'sudo apt-get install npm' (needed for the map)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor/leaflet static/vendor/leaflet.markercluster
	mkdir -p static/vendor/leaflet static/vendor/leaflet.markercluster
	cp -R node_modules/leaflet/dist/. static/vendor/leaflet/
	cp -R node_modules/leaflet.markercluster/dist/. static/vendor/leaflet.markercluster/
	touch $@

# Debian's Chromium for the browser tests (never a browser download: see README).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium missing: run 'sudo apt-get install chromium' (needed by the browser tests)"; exit 1; \
	  fi; \
	fi

run: install
	$(BIN)/flask --app app init-db
	@if [ ! -f instance/.demo-loaded ]; then $(BIN)/flask --app app seed-demo && touch instance/.demo-loaded; \
	else echo "Demo logins (password demo-pass-2026): surveyor@demo.example, reviewer@demo.example, viewer@demo.example, admin@demo.example"; fi
	@echo "Open http://$(HOST):$(PORT)/"
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy $(PURE_MODULES)

pytest: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# onestop: `make demo` to try it, `make test` to prove it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := node_modules/.installed

.PHONY: demo test lint format openapi messages clean install

install: $(INSTALLED) $(ASSETS)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(BIN)/onestop demo $(ARGS)

test: install
	scripts/run-tests

lint: install
	$(BIN)/ruff check src
	$(BIN)/ruff format --check src
	$(BIN)/mypy
	ONESTOP_BENCHMARK=on $(BIN)/onestop makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix src
	$(BIN)/ruff format src

# Regenerates docs/openapi.json from the code; commit the result with the change.
openapi: install
	$(BIN)/onestop export_openapi > docs/openapi.json

# Compiles translations (needs GNU gettext's msgfmt); the compiled files are committed.
messages: install
	cd src/onestop && ../../$(BIN)/onestop compilemessages --ignore='.venv/*' -v 0

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache

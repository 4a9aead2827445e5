# The two commands of the README:
#   make run   - the server with the web client on the embedded default (SQLite, local files)
#   make test  - every check and test
# Both install what they need, idempotently.

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test setup web lint typecheck pytest services chromium oidc-provider bench clean

run: setup web
	$(BIN)/tidings serve --demo

test: setup web services chromium oidc-provider lint typecheck pytest web-test

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The web client is built into src/tidings/static, which `tidings serve` serves at /.
web:
	@if [ -f web/package.json ]; then scripts/build-web.sh; fi

web-test:
	@if [ -f web/package.json ]; then cd web && npm test --silent; fi

services:
	scripts/ensure-services.sh

chromium:
	scripts/ensure-chromium.sh

# The single sign-on tests' OpenID provider (tests/support/oidc, decision 0064).
oidc-provider:
	@test -f tests/support/oidc/node_modules/oidc-provider/package.json || \
		(cd tests/support/oidc && npm ci --no-audit --no-fund --loglevel=error)

lint:
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck:
	$(BIN)/mypy

# Browser tests drive Playwright's sync API, whose event loop would clash with the asyncio
# tests' loop in one process: they run in a process of their own. The server tests mostly
# wait on server processes: two workers, a module's tests kept together (decision 0062).
pytest:
	$(BIN)/pytest -q -n 2 --dist loadscope --ignore=tests/browser
	$(BIN)/pytest -q tests/browser

bench: setup
	$(BIN)/python bench/messaging.py

clean:
	rm -rf $(VENV) data web/node_modules src/tidings/static

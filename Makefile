# The two commands of the README:
#   make run   - the server with the web client on the embedded default (SQLite, local files)
#   make test  - every check and test
# Both install what they need, idempotently.

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test setup web lint typecheck pytest services chromium qt coturn janus oidc-provider bench clean

# With Janus installed (make janus), group calls work too; without, the client says so.
run: setup web
	scripts/run-with-janus.sh $(BIN)/tidings serve --demo

test: setup web services chromium qt coturn janus oidc-provider lint typecheck pytest web-test

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,desktop]'
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

# The libraries and fonts the desktop client's Qt needs (decision 0077).
qt:
	scripts/ensure-qt.sh

# The TURN server of the call tests (decision 0074); `make run` does not need it.
coturn:
	scripts/ensure-coturn.sh

# The SFU of group calls (Debian's janus, decision 0078): the tests start their own.
janus:
	scripts/ensure-janus.sh

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
# tests' loop in one process: they run in processes of their own. The server tests mostly
# wait on server processes: three workers (two left a third of the CPU idle), a module's
# tests kept together (decisions 0062, 0079);
# the browser tests too, a file's tests kept together (they share its server).
# The desktop client's tests run asyncio on Qt's event loop: a process of their own too.
# Every test module starts server processes, forked from a process that imported the package
# once (tests/support/launcher.py); with PYTHONDONTWRITEBYTECODE set (as on the CI machine)
# each worker would compile it anew: compiled once here.
pytest:
	$(BIN)/python -m compileall -q src tests > /dev/null
	$(BIN)/pytest -q -n 3 --dist loadscope --durations=30 --ignore=tests/browser --ignore=tests/desktop
	$(BIN)/pytest -q -n 2 --dist loadfile tests/browser
	$(BIN)/pytest -q tests/desktop

bench: setup
	$(BIN)/python bench/messaging.py

clean:
	rm -rf $(VENV) data web/node_modules src/tidings/static

# liveshow: `make demo` runs the demo show, `make test` runs every test. Both set up what
# they need first: a virtualenv in .venv, the Python packages, the Socket.IO browser client
# from npm, and (for tests) Debian's chromium.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
NODE    := node_modules/.package-lock.json
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTHON3 ?= python3

.PHONY: setup demo serve test lint chromium screenshots bench clean

setup: $(STAMP) $(NODE)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

$(NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

demo: setup
	$(VENV)/bin/liveshow demo

serve: setup
	$(VENV)/bin/liveshow serve

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

LINTED  := liveshow tests benchmarks scripts media setup.py

lint: setup
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	npm run --silent lint
	$(VENV)/bin/mypy liveshow

test: setup chromium lint
	$(PY) media/make_demo_media.py
	$(PY) -m pytest -q

screenshots: setup chromium
	$(PY) scripts/screenshots.py

bench: setup
	$(PY) benchmarks/cue_fanout.py

clean:
	rm -rf $(VENV) node_modules liveshow-data catalogue-data media/demo build

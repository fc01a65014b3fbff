# liveshow: `make demo` runs the demo show, `make test` runs every test. Both set up what
# they need first: a virtualenv in .venv, the Python packages, the Socket.IO browser client
# from npm, and (for tests) Debian's chromium, poppler-utils and fonts.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
NODE    := node_modules/.package-lock.json
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTHON3 ?= python3

.PHONY: setup demo serve test lint debian-packages chromium fonts screenshots bench clean

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

# Debian packages the tests need: chromium (browser tests; installed with its recommends, as
# a desktop would have it), poppler-utils (pdftotext, pdffonts, pdftoppm: the book's tests and
# its dashboard preview) and fonts for every script the room may write in (Noto: Latin,
# Greek, Cyrillic, Arabic, Hebrew... and CJK), without recommends; redis-server and nginx
# for the scale-out test and benchmark, which start their own as child processes on free
# ports with their own config (a system service, if the package starts one, is never used).
# Only what is missing.
DEBIAN_PACKAGES := poppler-utils fonts-noto-core fonts-noto-cjk redis-server nginx

debian-packages:
	@set -e; \
	need() { for p in "$$@"; do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done; }; \
	browser=$$(need chromium); rest=$$(need $(DEBIAN_PACKAGES)); \
	if [ -n "$$browser$$rest" ]; then \
	  echo "Installing Debian packages:" $$browser $$rest; $(SUDO) apt-get update -qq; fi; \
	if [ -n "$$browser" ]; then \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; fi; \
	if [ -n "$$rest" ]; then DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	  --no-install-recommends $$rest >/dev/null; fi

chromium fonts: debian-packages

LINTED  := liveshow tests benchmarks scripts media setup.py

lint: setup
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	npm run --silent lint
	$(VENV)/bin/mypy liveshow

test: setup debian-packages lint
	$(PY) media/make_demo_media.py
	$(PY) -m pytest -q --durations=15 -rfER $(PYTEST_RERUNS) $(PYTEST_WORKERS)

# Two pytest workers (pytest-xdist), a test file to each: most tests wait on a server process
# or a browser, so two at a time fit 2 cores. `make test PYTEST_WORKERS=` runs them one by one.
PYTEST_WORKERS ?= -n 2 --dist loadfile
# A test that fails is run once more (pytest-rerunfailures); one that fails twice fails the
# run. Each rerun is listed in the summary ("RERUN"): it is an intermittent fault to chase,
# in the test or the product. `make test PYTEST_RERUNS=` runs each test once.
PYTEST_RERUNS ?= --reruns 1

screenshots: setup debian-packages
	$(PY) scripts/screenshots.py

bench: setup
	$(PY) benchmarks/cue_fanout.py

clean:
	rm -rf $(VENV) node_modules liveshow-data catalogue-data media/demo build

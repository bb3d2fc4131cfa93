# Reviewer — the two commands of the quick start, plus the bundle.
#   make run    set everything up and open the app on the built-in demo case
#   make test   set everything up, check lint and types, and run the whole test suite (offscreen)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup system-deps run lint test desktop-check bundle bundle-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	@sh .ci/system-deps.sh

setup: system-deps $(STAMP)

run: setup
	$(PY) -m reviewer demo
	$(PY) -m reviewer gui "$$($(PY) -c 'from reviewer.core.demo import default_demo_case; print(default_demo_case())')"

lint: setup
	$(PY) -m ruff check .
	$(PY) -m mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

# `make run` as a user sees it, under Xvfb through the real X11 (xcb) platform: the screen must not be blank.
desktop-check: setup
	bash .ci/desktop-check $(PY)

bundle: setup
	$(PY) -m pip install --quiet 'pyinstaller==6.22.3'
	$(PY) -m PyInstaller --noconfirm --clean build.spec

# Build the bundle, then use it as a user would: version, a demo case, an offscreen screenshot.
bundle-check: bundle
	dist/reviewer/reviewer --version
	rm -rf build/bundle-demo
	dist/reviewer/reviewer demo build/bundle-demo
	QT_QPA_PLATFORM=offscreen dist/reviewer/reviewer gui build/bundle-demo --screenshot build/bundle-demo.png \
		--query privileged
	test -s build/bundle-demo.png

clean:
	rm -rf $(VENV) build dist .pytest_cache

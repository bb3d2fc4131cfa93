# Reviewer — the two commands of the quick start, plus the bundle.
#   make run    set everything up and open the app on the built-in demo case
#   make test   set everything up and run the whole test suite (offscreen)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup system-deps run test bundle clean

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

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bundle: setup
	$(PY) -m pip install --quiet 'pyinstaller==6.22.3'
	$(PY) -m PyInstaller --noconfirm --clean build.spec

clean:
	rm -rf $(VENV) build dist .pytest_cache

# cnn-step-by-step: two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader shells out to alembic: the virtual environment's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help venv dev test-deps sandbox-deps browser-deps postgres figures data release demo grade lab readme-images lint test-fast test \
        bench bench-layers soak clean hub hub-deps hub-stop
help:
	@echo "make demo        install, build the releases, grade the demo class, print the table"
	@echo "make test        the whole test suite (pytest, in parallel; installs bubblewrap, Chromium, PostgreSQL)"
	@echo "make test-fast   the tests that need no whole class, sandbox, server or browser (under a minute)"
	@echo "make lint        ruff: lint and format check"
	@echo "make lab         the student's JupyterLab on this course's exchange (only the student's nbgrader tools)"
	@echo "make hub         a JupyterHub for the course (as root): instructor and two students, formgrader as a service"
	@echo "make hub-stop    stop the Hub started by make hub (and every server it started)"
	@echo "make release     regenerate release/ from source/ (commit the result)"
	@echo "make figures     redraw the lessons' figures"
	@echo "make data        rebuild source/cnn_application/data/digits.h5 (byte-identical)"
	@echo "make grade       grade every submission in submitted/ (and downloaded/ zips): feedback, export, report"
	@echo "make soak        grade the bug corpus 5 times in a row: every run must grade all with identical scores"
	@echo "make bench       the grading tool against sequential nbgrader and against the tool before the redesign"
	@echo "make bench-layers  loop against vectorised layers, and one training epoch"
	@echo "make clean       remove grading output (submitted/ autograded/ feedback/ exchange/ gradebook.db reports/)"

# The course package (course/) is used from this folder, not installed: `python -m course`.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Every nbgrader command and Jupyter server imports jsonschema, which builds a parser for an optional check
# at import (1.5 s of CPU per process): a .pth file skips it (course/jobs.py, write_import_skip).
$(VENV)/.import-skip: $(VENV)/.installed
	$(BIN)/python -c "from course.jobs import write_import_skip; write_import_skip()"
	touch $@

venv: $(VENV)/.installed $(VENV)/.import-skip

# Development tools (pytest, ruff, Playwright), pinned apart from what the course needs.
$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

dev: venv $(VENV)/.dev-installed

# Grading runs every student kernel under bubblewrap (course/sandbox.py); install it if missing.
sandbox-deps:
	@command -v bwrap >/dev/null || (apt-get update && apt-get install -y bubblewrap)

# The browser tests drive Debian's Chromium with Playwright (Playwright's own browser download cannot work here).
browser-deps: dev
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The tests start a throwaway PostgreSQL server: install the server binaries when they are missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

figures: venv
	$(BIN)/python -m course figures

data: dev
	$(BIN)/python -m course data

release: venv
	$(BIN)/python -m course release

demo: venv sandbox-deps
	$(BIN)/python -m course demo

# ASSIGNMENT (default: every assignment with submissions) and GRADE_ARGS (e.g. GRADE_ARGS="--workers 4 --force").
ASSIGNMENT ?=
grade: venv sandbox-deps
	$(BIN)/python -m course grade $(ASSIGNMENT) $(GRADE_ARGS)

# LAB_ARGS: e.g. LAB_ARGS="--port 8888 --no-browser" (python -m course lab --help).
lab: venv
	$(BIN)/python -m course lab $(LAB_ARGS)

# The README's pictures (and docs/jupyterhub.md's: the hub test, as root), taken by the browser tests.
readme-images: dev browser-deps sandbox-deps hub-deps
	CNN_README_IMAGES=1 $(BIN)/python -m pytest -p no:cacheprovider tests/browser -k "lesson or buggy or feedback_page"
	CNN_README_IMAGES=1 $(BIN)/python -m pytest -p no:cacheprovider tests/browser/test_hub.py
	CNN_README_IMAGES=1 $(BIN)/python -m pytest -p no:cacheprovider tests/test_demo.py -k report

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The course on JupyterHub (hub/jupyterhub_config.py, course/hub.py, docs/jupyterhub.md), as root. Everything the
# Hub's accounts run lives in HUB_HOME, outside the checkout (which `make hub` closes to them: it holds the
# solutions): a venv of its own from the Hub's pins (requirements-hub.txt), the proxy from npm (hub/package.json
# and package-lock.json), and the Hub's state. Every account must run the venv's Python: the same Python as
# .venv's, or, when that one lives where other users cannot go (a pyenv Python in root's home), a copy of it in
# HUB_HOME/python (`python -m course.hub python`).
HUB_HOME ?= /opt/cnn-hub
export CNN_HUB_HOME := $(HUB_HOME)
HUB_BIN  := $(HUB_HOME)/venv/bin
IS_ROOT  := $(shell [ "$$(id -u)" = 0 ] && echo yes)
$(HUB_HOME)/venv/.installed: $(VENV)/.installed requirements.txt requirements-hub.txt
	rm -rf $(HUB_HOME)/venv
	mkdir -p $(HUB_HOME)
	"$$($(BIN)/python -m course.hub python)" -m venv $(HUB_HOME)/venv
	$(HUB_BIN)/pip install --quiet --disable-pip-version-check -r requirements-hub.txt
	$(HUB_BIN)/python -c "from course.jobs import write_import_skip; write_import_skip()"
	chmod -R o+rX $(HUB_HOME)/venv
	touch $@

$(HUB_HOME)/node_modules/.installed: hub/package.json hub/package-lock.json
	mkdir -p $(HUB_HOME) && cp hub/package.json hub/package-lock.json $(HUB_HOME)/
	cd $(HUB_HOME) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

ifeq ($(IS_ROOT),yes)
hub-deps: $(HUB_HOME)/venv/.installed $(HUB_HOME)/node_modules/.installed sandbox-deps

# Runs in the foreground (Ctrl+C stops it); creates the accounts, the exchange and the instructor's course when missing.
hub: hub-deps
	$(HUB_BIN)/python -m course.hub start
else
hub-deps:
	@echo "hub-deps: skipped (the Hub is installed and run as root; the Hub test is skipped too)"

hub:
	@echo "make hub: run it as root (the Hub starts each person's server as their own Unix user)"; exit 1
endif

hub-stop:
	@test -x $(HUB_BIN)/python || { echo "no Hub installed"; exit 0; }
	$(HUB_BIN)/python -m course.hub stop

# Markers (pyproject.toml): slow = whole classes graded by nbgrader; sandbox, postgres, dask, browser = what they need.
FAST := not slow and not sandbox and not postgres and not dask and not browser and not hub
# --dist loadgroup: the tests that read the session's graded class (tests/graded_class.py) share one worker,
# so the class is graded once per session; --durations: the slowest steps, to see where the time goes.
PYTEST := $(BIN)/python -m pytest -n auto --dist loadgroup -p no:cacheprovider
test-fast: dev
	$(PYTEST) -m "$(FAST)"

# The two pip installs after the course's venv (development tools, the Hub's venv) run side by side; the apt
# installs one after the other (apt takes a lock).
test-deps: venv
	$(MAKE) --no-print-directory -j2 $(VENV)/.dev-installed $(if $(IS_ROOT),$(HUB_HOME)/venv/.installed)
	$(MAKE) --no-print-directory dev sandbox-deps browser-deps postgres hub-deps

test: test-deps
	$(PYTEST) --durations=25

soak: dev sandbox-deps
	$(BIN)/python benchmarks/soak.py --runs 5

bench: venv sandbox-deps
	$(BIN)/python benchmarks/grade_class.py --submissions 40

bench-layers: dev
	$(BIN)/python benchmarks/layers.py

clean:
	rm -rf submitted autograded feedback exchange gradebook.db grades.csv grades_by_exercise.csv reports .lab

# cnn-step-by-step: two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader shells out to alembic: the virtual environment's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help venv dev postgres figures release demo grade lint test test-fast bench clean sandbox-deps
help:
	@echo "make demo     install, build the release, grade the demo class, print the table"
	@echo "make test     the whole test suite (pytest, in parallel)"
	@echo "make test-fast  the tests that need no whole-class grading, sandbox, PostgreSQL or Dask (< 1 min)"
	@echo "make lint     ruff: lint and format check"
	@echo "make release  regenerate release/ from source/ (commit the result)"
	@echo "make figures  redraw the lesson's figures"
	@echo "make grade    grade every submission in submitted/ (and downloaded/ zips): feedback, export, report"
	@echo "make bench    sequential nbgrader autograde against the grading tool, on 40 submissions"
	@echo "make sandbox-deps  install bubblewrap (the grading sandbox) when missing"
	@echo "make clean    remove grading output (submitted/ autograded/ feedback/ gradebook.db)"

# The course package (course/) is used from this folder, not installed: `python -m course`.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# Development tools (pytest, ruff), pinned apart from what the course needs.
$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

dev: $(VENV)/.dev-installed

figures: venv
	$(BIN)/python -m course figures

release: venv
	$(BIN)/python -m course release

demo: venv sandbox-deps
	$(BIN)/python -m course demo

# Autograding runs every student kernel under bubblewrap (course/sandbox.py); install it if missing.
sandbox-deps:
	@command -v bwrap >/dev/null || (apt-get update && apt-get install -y bubblewrap)

# ASSIGNMENT, and GRADE_ARGS (e.g. GRADE_ARGS="--workers 4 --force") for `python -m course grade`.
ASSIGNMENT ?= cnn_step_by_step
grade: venv sandbox-deps
	$(BIN)/python -m course grade $(ASSIGNMENT) $(GRADE_ARGS)

bench: venv sandbox-deps
	$(BIN)/python benchmarks/grade_class.py --submissions 40

# The tests start a throwaway PostgreSQL server: install the server binaries when they are missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Markers (pyproject.toml): slow = whole classes graded by nbgrader; sandbox, postgres, dask = what they need.
FAST := not slow and not sandbox and not postgres and not dask
test-fast: dev
	$(BIN)/python -m pytest -n auto -p no:cacheprovider -m "$(FAST)"

test: dev sandbox-deps postgres
	$(BIN)/python -m pytest -n auto -p no:cacheprovider

clean:
	rm -rf submitted autograded feedback gradebook.db grades.csv grades_by_exercise.csv reports

# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make demo   - install into .venv and run the main job (`triage demo`)
#   make test   - install system packages the tests drive, then run the suite
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install check

demo: $(STAMP)
	$(VENV)/bin/triage demo

test: $(STAMP)
	bash scripts/system-deps.sh
	$(VENV)/bin/triage dashboards build --check
	$(VENV)/bin/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy app instrumentation analyzer triage dashboards

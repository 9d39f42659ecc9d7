# Taskforce. The two set-up commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint typecheck pytest dist bench screenshots install-desktop uninstall-desktop clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	QT_QPA_PLATFORM= $(BIN)/taskforce

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

screenshots: $(STAMP)
	QT_QPA_PLATFORM=xcb xvfb-run -a $(BIN)/python scripts/screenshots.py
	QT_QPA_PLATFORM=xcb xvfb-run -a $(BIN)/python scripts/screenshots.py --dark

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache

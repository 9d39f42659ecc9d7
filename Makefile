# Taskforce. The two set-up commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen
DIST := dist/Taskforce
DIST_LIMIT_MB := 120
# Where per-user menu entries and icons go (an empty XDG_DATA_HOME counts as unset).
DATA_HOME := $(or $(XDG_DATA_HOME),$(if $(HOME),$(HOME)/.local/share))
ICON_SIZES := 16 22 24 32 48 64 128 256
# What the menu entry starts: the bundle once `make dist` has built it, else the checkout's venv.
DESKTOP_EXEC ?= $(if $(wildcard $(CURDIR)/$(DIST)/Taskforce),$(CURDIR)/$(DIST)/Taskforce,$(CURDIR)/$(BIN)/taskforce)

.PHONY: run test lint typecheck pytest dist dist-check bench bench-api screenshots install-desktop uninstall-desktop \
	desktop-caches clean

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

# A million tasks, Taskforce against Qt's QSqlTableModel, then on PostgreSQL, then the same at ten
# million (docs/performance.md); not part of `make test`. BENCH_SERVER= skips the server,
# BENCH_SCALE= the ten-million run; BENCH_ARGS="--quick" for a short run.
BENCH_SERVER ?= postgresql+psycopg://postgres@127.0.0.1:5432/taskforce_bench
BENCH_SCALE ?= 10000000
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(if $(BENCH_SERVER),--server $(BENCH_SERVER)) \
		$(if $(BENCH_SCALE),--scale-tasks $(BENCH_SCALE)) $(BENCH_ARGS)

# `taskforce serve` against the tutorial's own Task Manager app on loopback (docs/api.md).
bench-api: $(STAMP)
	$(BIN)/python -m benchmarks.api_bench $(BENCH_ARGS)

screenshots: $(STAMP)
	QT_QPA_PLATFORM=xcb xvfb-run -a $(BIN)/python scripts/screenshots.py
	QT_QPA_PLATFORM=xcb xvfb-run -a $(BIN)/python scripts/screenshots.py --dark

dist: $(STAMP)
	$(BIN)/pyinstaller build.spec --noconfirm --clean

# The bundle works (self-test) and stays within its size.
dist-check:
	$(DIST)/Taskforce --self-test
	@size=$$(du -sm $(DIST) | cut -f1); echo "$(DIST): $$size MB (limit $(DIST_LIMIT_MB) MB)"; \
	  test $$size -le $(DIST_LIMIT_MB) || { echo "$(DIST) is larger than $(DIST_LIMIT_MB) MB" >&2; exit 1; }

install-desktop:
	@test -n "$(DATA_HOME)" || { echo "Neither HOME nor XDG_DATA_HOME is set" >&2; exit 1; }
	@test -x "$(DESKTOP_EXEC)" || { echo "$(DESKTOP_EXEC) is missing: run make dist or make run first" >&2; exit 1; }
	install -d "$(DATA_HOME)/applications"
	sed -e 's|^Exec=.*|Exec="$(DESKTOP_EXEC)"|' -e 's|^TryExec=.*|TryExec=$(DESKTOP_EXEC)|' \
	  resources/taskforce.desktop > "$(DATA_HOME)/applications/taskforce.desktop"
	for size in $(ICON_SIZES); do \
	  install -D -m 644 resources/icons/hicolor/$${size}x$${size}/apps/taskforce.png \
	    "$(DATA_HOME)/icons/hicolor/$${size}x$${size}/apps/taskforce.png"; \
	done
	install -D -m 644 resources/icons/taskforce.svg "$(DATA_HOME)/icons/hicolor/scalable/apps/taskforce.svg"
	@$(MAKE) --no-print-directory desktop-caches
	@echo "Installed the Taskforce menu entry; it starts $(DESKTOP_EXEC)"

uninstall-desktop:
	@test -n "$(DATA_HOME)" || { echo "Neither HOME nor XDG_DATA_HOME is set" >&2; exit 1; }
	rm -f "$(DATA_HOME)/applications/taskforce.desktop"
	for size in $(ICON_SIZES); do rm -f "$(DATA_HOME)/icons/hicolor/$${size}x$${size}/apps/taskforce.png"; done
	rm -f "$(DATA_HOME)/icons/hicolor/scalable/apps/taskforce.svg"
	@$(MAKE) --no-print-directory desktop-caches

# Caches that exist must not go stale; none is created where there was none (the tools are optional).
desktop-caches:
	@if command -v update-desktop-database >/dev/null && [ -f "$(DATA_HOME)/applications/mimeinfo.cache" ]; then \
	  update-desktop-database -q "$(DATA_HOME)/applications" || true; fi
	@if command -v gtk-update-icon-cache >/dev/null && [ -f "$(DATA_HOME)/icons/hicolor/icon-theme.cache" ]; then \
	  gtk-update-icon-cache -q -t "$(DATA_HOME)/icons/hicolor" || true; fi

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache

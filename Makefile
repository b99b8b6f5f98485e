# intsec-desktop developer and CI entry points.  `make test` is what .ci/run runs.
SHELL := /bin/bash
# pipefail: never `grep -q` in a pipe here (an early exit SIGPIPEs the writer and fails it).
.SHELLFLAGS := -euo pipefail -c
# Serial on purpose: system-deps may install python3-venv before the venv is made, and lint
# must pass before the suite starts.
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Private D-Bus + Xvfb + unlocked gnome-keyring + SNI tray + dunst around a command.
SESSION := tests/e2e/desktop/desktop-session.sh
PYTEST := $(PY) -m pytest -p no:cacheprovider
# The venv's entry points (intsec, intsec-desktop) on PATH for tests that start them.
IN_SESSION := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SESSION)

# The Debian 12 packages the desktop session and Qt (xcb) need; see docs in DESKTOP_TESTING.md.
# dbus-x11 must come in the same command as gnome-keyring, or apt pulls in systemd.
DEB_PACKAGES := libgl1 libegl1 libx11-6 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0 \
	xvfb xauth dbus-x11 gnome-keyring libsecret-tools dunst \
	haskell-gtk-sni-tray-utils haskell-status-notifier-item-utils imagemagick binutils \
	appstream desktop-file-utils
# One command per package group above; if all are present apt is never touched.
DEB_COMMANDS := Xvfb xauth dbus-run-session dbus-send gnome-keyring-daemon secret-tool dunst \
	gtk-sni-tray-standalone status-notifier-watcher objdump appstreamcli desktop-file-validate

.PHONY: venv .venv system-deps lint test bench screenshots run soak package clean

venv: $(STAMP)
$(VENV): $(STAMP)

# Re-install only when the dependency list changes (the stamp is newer than pyproject.toml).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "$(PYTHON) cannot create a venv (Debian: apt-get install python3-venv," \
	       "or run 'make system-deps' as root)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -e '.[test,package]'
	touch $@

system-deps:
	@missing=""; \
	for cmd in $(DEB_COMMANDS); do command -v $$cmd >/dev/null || missing="$$missing $$cmd"; done; \
	ldconfig -p 2>/dev/null | grep 'libEGL\.so\.1' >/dev/null || missing="$$missing libEGL.so.1"; \
	extra=""; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { missing="$$missing python3-venv"; extra="python3-venv"; }; \
	if [ -z "$$missing" ]; then echo "system-deps: all present"; exit 0; fi; \
	echo "system-deps: missing:$$missing"; \
	if [ -f /etc/debian_version ] && [ "$$(id -u)" = 0 ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q; \
	  apt-get install -y -q --no-install-recommends $(DEB_PACKAGES) $$extra </dev/null; \
	else \
	  echo "system-deps: install them as root with:" >&2; \
	  echo "  apt-get install -y --no-install-recommends $(DEB_PACKAGES) $$extra" >&2; \
	  if [ "$${CI:-}" = true ]; then echo "system-deps: CI=true, cannot continue without them" >&2; exit 1; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# QT_QPA_PLATFORM stays whatever the session exports (xcb); conftests pick offscreen where wanted.
test: system-deps $(STAMP) lint
	$(IN_SESSION) $(PYTEST)

bench: system-deps $(STAMP)
	$(IN_SESSION) bash -c '$(PY) benchmarks/run.py && $(PY) benchmarks/gui_bench.py && $(PY) benchmarks/scopes_bench.py && $(PY) benchmarks/scan_bench.py && $(PY) benchmarks/audit_bench.py && $(PY) benchmarks/export_bench.py'

# Refreshes docs/screenshots/*.png from the real widgets on a throwaway demo vault.
screenshots: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py

run: $(STAMP)
	$(VENV)/bin/intsec-desktop

# Exit 5 means "no test selected": fine while no soak test exists yet, and only here.  With
# --strict-markers an unregistered `soak` marker is a usage error, so check for it first.
soak: system-deps $(STAMP)
	@if ! $(PYTEST) --markers | grep '^@pytest.mark.soak' >/dev/null; then \
	  echo "soak: no 'soak' marker registered in pyproject.toml yet; nothing to run"; exit 0; fi; \
	$(IN_SESSION) $(PYTEST) tests/security -m soak || { rc=$$?; [ $$rc -eq 5 ] && echo "soak: no soak tests selected"; [ $$rc -eq 5 ]; }

# The wheel and sdist, and the PyInstaller one-folder app dist/intsec-desktop/ (intsec,
# intsec-desktop, intsec-selfcheck).  tests/packaging builds and checks the same in `make test`.
package: $(STAMP)
	@command -v objcopy >/dev/null || { echo "package: PyInstaller needs objcopy (Debian: apt-get install binutils)" >&2; exit 1; }
	rm -rf dist/intsec-desktop build/pyinstaller
	$(PY) -m build --outdir dist .
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
	  packaging/pyinstaller/intsec.spec
	@echo "package: dist/ has the wheel, the sdist and intsec-desktop/ ($$(du -sh dist/intsec-desktop | cut -f1))"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

"""Canary sweep: a vault seeded with 200 random canary secrets, every feature exercised through
the CLI (errors and --debug included) and the app, then everything they could have written
searched for every canary in every encoding: the vault folder (WAL/SHM), temp, config, cache,
state, data and home folders, exports, logs and all captured output. The expected count is 0."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from intsec_desktop.core.vault.keyring_store import DeviceKeyStore, KeyringStatus
from tests.security import canary_cli
from tests.security import canary_world as w
from tests.security.canaries import Canary, CanarySearch, Hit, canary_forms, make_canaries
from tests.security.canary_gui import exercise_gui
from tests.security.conftest import Figures
from tests.security.sweep_keyring import BACKEND_NAME

# Like tests/gui: offscreen unless `make test` provides a display (its Xvfb session).
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[w.World]:
    """The sweep's tree, with this process's per-user and temp locations pointed into it too
    (the app runs in-process), and debug logging of everything that logs into its log folder."""
    world = w.build_world(tmp_path)
    for name, value in world.locations().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    monkeypatch.setattr(
        DeviceKeyStore, "detect", classmethod(lambda cls: KeyringStatus(True, BACKEND_NAME, "ok"))
    )
    handler = logging.FileHandler(world.log_dir / "app-debug.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield world
    finally:
        world.stop_pending()
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def sweep(world: w.World, search: CanarySearch) -> list[Hit]:
    hits = search.tree(world.searched, world.root)
    notify_log = os.environ.get("NOTIFY_LOG")  # the notification daemon's record (make test)
    if notify_log and Path(notify_log).is_file():
        search.files += 1
        hits += search.text("notification log", Path(notify_log).read_bytes())
    return hits


def test_no_canary_leaks_anywhere(
    qtbot: QtBot,
    world: w.World,
    figures: Figures,
    qtlog: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    seconds: dict[str, float] = {}
    for phase, run in (
        ("seed", lambda: w.seed_vault(world)),
        ("CLI", lambda: canary_cli.exercise(world)),
        ("app", lambda: exercise_gui(qtbot, world)),
        ("CLI after the app", lambda: canary_cli.after_app(world)),
    ):
        started = time.monotonic()
        run()
        seconds[phase] = time.monotonic() - started
    # What the app printed or logged in this process: Qt's messages as pytest-qt captured
    # them, and anything written to this process's stdout and stderr.
    qt_lines = [f"{r.type_name}: {r.message}" for r in qtlog.records]
    (world.log_dir / "qt-messages.log").write_text("\n".join(qt_lines))
    out, err = capfd.readouterr()
    (world.log_dir / "app-stdout.log").write_text(out)
    (world.log_dir / "app-stderr.log").write_text(err)

    started = time.monotonic()
    search = CanarySearch(world.canaries)
    hits = sweep(world, search)
    seconds["search"] = time.monotonic() - started
    assert not search.unreadable, f"files the sweep could not read: {search.unreadable}"
    assert not hits, f"{len(hits)} canary hit(s):\n" + "\n".join(map(str, hits[:50]))
    binary = sum(1 for c in world.canaries if c.index in w.BINARY)
    figures.record("canary sweep", f"canaries (16-58 bytes; {binary} binary)", len(world.canaries))
    figures.record("canary sweep", "intsec commands and git runs", world.runs)
    figures.record("canary sweep", "files searched", search.files)
    figures.record("canary sweep", "bytes searched", f"{search.bytes:,}")
    figures.record("canary sweep", "forms searched (all canaries, all encodings)", search.forms)
    figures.record("canary sweep", "hits", len(hits))
    figures.record("canary sweep", "time", ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))

    # The same search on the same tree sees a canary once one is there.
    planted = world.canaries[123]
    form = next(f for f, name in canary_forms(planted.value).items() if "alignment 1" in name)
    target = world.searched / "tmp" / "planted.bin"
    target.write_bytes(b"noise " + form + b" noise")
    recheck = CanarySearch(world.canaries)
    found = [h for h in sweep(world, recheck) if h.where.endswith("planted.bin")]
    assert Hit("searched/tmp/planted.bin", 123, canary_forms(planted.value)[form]) in found


def test_export_check_names_a_drifted_value_without_quoting_it(world: w.World) -> None:
    w.seed_vault(world)
    canary_cli.check_tampered_export(world)
    hits = CanarySearch(world.canaries).tree(world.log_dir, world.root)
    assert not hits, "\n".join(map(str, hits))


CHECKED = make_canaries(6, binary={1, 4})


@pytest.mark.parametrize("canary", CHECKED, ids=lambda c: f"canary{c.index}")
def test_the_search_names_file_canary_and_encoding(canary: Canary, tmp_path: Path) -> None:
    """Every form, embedded in other bytes in a file of its own, is found under its own name;
    and the failure text holds the index and the encoding only."""
    search = CanarySearch(CHECKED)
    forms = canary_forms(canary.value)
    for n, form in enumerate(forms):
        (tmp_path / f"f{n}").write_bytes(b"\x00prefix " + form + b" suffix\n")
    hits = search.tree(tmp_path, tmp_path)
    for n, name in enumerate(forms.values()):
        assert Hit(f"f{n}", canary.index, name) in hits
    assert {h.canary for h in hits} == {canary.index}
    assert search.files == len(forms)
    for hit in hits:
        assert all(form not in str(hit).encode() for form in forms)
    assert search.redact(b"x" + canary.value + b"y") == f"x<canary #{canary.index}>y"

"""packaging/linux and packaging/flatpak: validated with the distro's own tools, one app id
everywhere, icons current with app.svg, and a Flatpak sandbox no wider than it has to be."""

from __future__ import annotations

import hashlib
import struct
import zlib
from configparser import ConfigParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from intsec_desktop.core import autostart
from tests.packaging.conftest import APP_ID, PACKAGING, RESOURCES, ROOT, require_command, run

LINUX = PACKAGING / "linux"
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
AUTOSTART_FILE = LINUX / f"{APP_ID}-autostart.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
APP_SVG = RESOURCES / "icons" / "app.svg"
FLATPAK_MANIFEST = PACKAGING / "flatpak" / f"{APP_ID}.yml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def desktop_entry(path: Path) -> dict[str, str]:
    parser = ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def png_facts(path: Path) -> tuple[int, int, dict[str, str]]:
    """Width, height and tEXt/zTXt chunks, read with the standard library."""
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path
    offset, texts, size = len(PNG_SIGNATURE), {}, (0, 0)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            texts[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        offset += 12 + length
    return size[0], size[1], texts


def validator_output(proc_stdout: str, proc_stderr: str) -> list[str]:
    """Lines that are more than a hint."""
    lines = (proc_stdout + proc_stderr).splitlines()
    return [line for line in lines if "error:" in line or "warning:" in line]


@pytest.mark.parametrize("path", [DESKTOP_FILE, AUTOSTART_FILE], ids=lambda p: p.name)
def test_desktop_files_validate(path: Path, tmp_path: Path) -> None:
    validate = require_command("desktop-file-validate", "desktop-file-utils")
    proc = run([validate, path], cwd=tmp_path)
    assert validator_output(proc.stdout, proc.stderr) == []


def test_metainfo_validates_strictly(tmp_path: Path) -> None:
    appstreamcli = require_command("appstreamcli", "appstream")
    run([appstreamcli, "validate", "--no-net", "--strict", METAINFO], cwd=tmp_path)


def test_installed_tree_validates(tmp_path: Path) -> None:
    """install-data.sh stages usr/share; validate-tree also checks the launchable and icons."""
    appstreamcli = require_command("appstreamcli", "appstream")
    run(["sh", LINUX / "install-data.sh", tmp_path / "stage", "/usr"], cwd=tmp_path)
    share = tmp_path / "stage" / "usr" / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for size in ICON_SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    run([appstreamcli, "validate-tree", "--no-net", tmp_path / "stage"], cwd=tmp_path)


def test_one_app_id_everywhere() -> None:
    root = ElementTree.parse(METAINFO).getroot()  # noqa: S314 - our own file
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP_FILE.name
    assert desktop_entry(DESKTOP_FILE)["Icon"] == APP_ID
    assert autostart.DESKTOP_ID == APP_ID
    assert yaml.safe_load(FLATPAK_MANIFEST.read_text(encoding="utf-8"))["app-id"] == APP_ID
    # The running app names its desktop file so Wayland compositors match window and launcher.
    assert f'setDesktopFileName("{APP_ID}")' in (
        ROOT / "intsec_desktop" / "gui" / "app.py"
    ).read_text(encoding="utf-8")


def test_autostart_template_is_what_the_app_writes() -> None:
    assert AUTOSTART_FILE.read_text(encoding="utf-8") == autostart.entry("intsec-desktop")


def test_launchers_start_the_installed_commands() -> None:
    assert desktop_entry(DESKTOP_FILE)["Exec"] == "intsec-desktop"
    assert desktop_entry(AUTOSTART_FILE)["Exec"] == "intsec-desktop --background"


def test_scalable_icon_is_the_app_svg() -> None:
    scalable = LINUX / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == APP_SVG.read_bytes()


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_icon_is_current(size: int) -> None:
    """Right size, and drawn from today's app.svg (else: run packaging/linux/make_icons.py)."""
    png = LINUX / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    width, height, texts = png_facts(png)
    assert (width, height) == (size, size)
    assert texts.get("Source-SHA256") == hashlib.sha256(APP_SVG.read_bytes()).hexdigest()


def test_flatpak_talks_only_to_notifications_and_secrets() -> None:
    manifest = yaml.safe_load(FLATPAK_MANIFEST.read_text(encoding="utf-8"))
    args: list[str] = manifest["finish-args"]
    assert manifest["command"] == "intsec-desktop"
    talk = sorted(a.split("=", 1)[1] for a in args if a.startswith("--talk-name="))
    assert talk == ["org.freedesktop.Notifications", "org.freedesktop.secrets"]
    assert not [a for a in args if a.startswith(("--own-name=", "--system-talk-name="))]
    assert "--socket=session-bus" not in args
    assert "--socket=system-bus" not in args
    assert {"--socket=wayland", "--socket=fallback-x11"} <= set(args)
    filesystems = [a.split("=", 1)[1] for a in args if a.startswith("--filesystem=")]
    assert filesystems == ["xdg-data/intsec-desktop:create"]


def test_systemd_units_run_the_reminders_command() -> None:
    service = (PACKAGING / "systemd" / "intsec-reminders.service").read_text(encoding="utf-8")
    timer = (PACKAGING / "systemd" / "intsec-reminders.timer").read_text(encoding="utf-8")
    assert "intsec reminders --notify" in service
    assert "OnCalendar=" in timer

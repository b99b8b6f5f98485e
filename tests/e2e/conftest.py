"""End-to-end fixtures: these tests run against the real desktop components that
tests/e2e/desktop/desktop-session.sh starts (private D-Bus, Xvfb, gnome-keyring, tray, dunst).

Outside that session the tests skip; under CI=true they fail instead, so a broken harness can
never turn into a green run of skipped tests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from intsec_desktop.core.vault.keyring_store import SERVICE

HERE = Path(__file__).parent
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items; mark only the ones under tests/e2e.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def missing_component(reason: str) -> NoReturn:
    """Fail under CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"CI=true but the desktop session is incomplete: {reason}", pytrace=False)
    pytest.skip(f"needs tests/e2e/desktop/desktop-session.sh: {reason}")


def bus_name_has_owner(name: str) -> bool:
    from jeepney import DBusErrorResponse
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import unwrap_msg

    try:
        with open_dbus_connection(bus="SESSION") as conn:
            reply = conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=5)
            return bool(unwrap_msg(reply)[0])
    except (OSError, KeyError, TimeoutError, DBusErrorResponse):
        # KeyError: jeepney finds no DBUS_SESSION_BUS_ADDRESS.
        return False


@dataclass(frozen=True)
class DesktopSession:
    display: str
    bus_address: str
    notify_log: Path | None  # None when started with NOTIFY=none
    tray_mode: str


@pytest.fixture(scope="session")
def _desktop_problems() -> list[str]:
    """What is missing from the desktop session, checked once per test run."""
    problems = []
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        problems.append("no DBUS_SESSION_BUS_ADDRESS (no private session bus)")
    elif not bus_name_has_owner("org.freedesktop.secrets"):
        problems.append("nobody owns org.freedesktop.secrets (gnome-keyring not running)")
    if not os.environ.get("DISPLAY"):
        problems.append("no DISPLAY (Xvfb not running)")
    return problems


@pytest.fixture(autouse=True)
def desktop_session(_desktop_problems: list[str]) -> DesktopSession:
    """Every e2e test needs the session; see the module docstring for skip versus fail."""
    if _desktop_problems:
        missing_component("; ".join(_desktop_problems))
    log = os.environ.get("NOTIFY_LOG")
    return DesktopSession(
        display=os.environ["DISPLAY"],
        bus_address=os.environ["DBUS_SESSION_BUS_ADDRESS"],
        notify_log=Path(log) if log else None,
        tray_mode=os.environ.get("TRAY_MODE", "none"),
    )


@pytest.fixture
def notifications(desktop_session: DesktopSession) -> Callable[[], list[dict[str, Any]]]:
    """Call it to get every notification the daemon received so far, oldest first."""
    log = desktop_session.notify_log
    if log is None:
        missing_component("no NOTIFY_LOG (session started with NOTIFY=none)")

    def read() -> list[dict[str, Any]]:
        if not log.exists():
            return []
        # The hook appends whole lines; a line still being written has no newline yet.
        text = log.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]

    return read


def _intsec_entries() -> dict[str, Any]:
    """Secret Service items of our service, by username (= vault id), across all collections."""
    import secretstorage

    with closing(secretstorage.dbus_init()) as conn:
        return {
            item.get_attributes().get("username", ""): item.item_path
            for item in secretstorage.search_items(conn, {"service": SERVICE})
        }


def _delete_entries(usernames: set[str]) -> None:
    import secretstorage

    with closing(secretstorage.dbus_init()) as conn:
        for item in secretstorage.search_items(conn, {"service": SERVICE}):
            if item.get_attributes().get("username", "") in usernames:
                item.delete()


@pytest.fixture
def real_keyring(desktop_session: DesktopSession) -> Iterator[Any]:
    """The real Secret Service backend; entries of service `intsec-desktop` that the test
    created are deleted afterwards, so tests never see each other's device keys."""
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    assert name == SECRET_SERVICE_BACKEND, (
        f"keyring resolved to {name}, not the session's gnome-keyring"
        " (did another test call keyring.set_keyring() and not restore it?)"
    )
    before = set(_intsec_entries())
    yield backend
    _delete_entries(set(_intsec_entries()) - before)

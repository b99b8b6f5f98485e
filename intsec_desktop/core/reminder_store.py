"""Per-device memory of reminders already shown, snoozed or dismissed, so a restart repeats
nothing. Keys only (credential ids, deadline kinds and UTC moments): no names, no secrets."""

from __future__ import annotations

import json
from pathlib import Path

from intsec_desktop.core import paths
from intsec_desktop.core.reminders import ReminderState
from intsec_desktop.core.timefmt import format_utc, parse_utc
from intsec_desktop.core.vault.atomic import write_atomic


def state_path(vault_id: str) -> Path:
    return paths.state_dir() / "reminders" / f"{vault_id}.json"


def load_state(vault_id: str) -> ReminderState:
    """An unreadable file means "nothing shown yet": worst case a reminder repeats once."""
    try:
        data = json.loads(state_path(vault_id).read_text(encoding="utf-8"))
        return ReminderState(
            notified=frozenset(str(k) for k in data.get("notified", [])),
            dismissed=frozenset(str(k) for k in data.get("dismissed", [])),
            snoozed_until={str(k): parse_utc(v) for k, v in data.get("snoozed_until", {}).items()},
            snooze_all_until=parse_utc(data["snooze_all_until"])
            if data.get("snooze_all_until")
            else None,
        )
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return ReminderState()


def save_state(vault_id: str, state: ReminderState) -> None:
    path = state_path(vault_id)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {
        "notified": sorted(state.notified),
        "dismissed": sorted(state.dismissed),
        "snoozed_until": {k: format_utc(v) for k, v in sorted(state.snoozed_until.items())},
        "snooze_all_until": format_utc(state.snooze_all_until) if state.snooze_all_until else None,
    }
    write_atomic(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())

"""Audit events as CSV, with spreadsheet formula injection neutralised."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from intsec_desktop.core.model import AuditEvent
from intsec_desktop.core.timefmt import format_utc

CSV_HEADERS = ["seq", "at", "actor", "os_user", "host", "action", "target", "details", "hash"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(text: str) -> str:
    """A leading ' makes Excel, LibreOffice and Sheets show the cell as text, not run it."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def event_row(event: AuditEvent) -> list[str]:
    return [
        str(event.seq),
        format_utc(event.at),
        event.actor,
        event.os_user,
        event.host,
        event.action,
        event.target,
        details_text(event),
        event.hash,
    ]


def details_text(event: AuditEvent) -> str:
    return json.dumps(event.details, sort_keys=True, ensure_ascii=False)


def event_json(event: AuditEvent) -> dict[str, object]:
    return {
        "seq": event.seq,
        "at": format_utc(event.at),
        "actor": event.actor,
        "os_user": event.os_user,
        "host": event.host,
        "action": event.action,
        "target": event.target,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def to_csv(events: Iterable[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    for event in events:
        writer.writerow([escape_cell(cell) for cell in event_row(event)])
    return out.getvalue()

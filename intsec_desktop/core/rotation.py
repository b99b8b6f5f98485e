"""Expiry status of credentials (pure; the clock is passed in)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from intsec_desktop.core.model import Credential, Status

DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 7, 1)


def rotation_due_at(last_rotated_at: datetime, rotate_every_days: int | None) -> datetime | None:
    if rotate_every_days is None:
        return None
    return last_rotated_at + timedelta(days=rotate_every_days)


def next_deadline(credential: Credential) -> datetime | None:
    """The earlier of expiry and the rotation policy's due moment."""
    due = rotation_due_at(credential.last_rotated_at, credential.rotate_every_days)
    moments = [m for m in (credential.expires_at, due) if m is not None]
    return min(moments) if moments else None


def status_of(
    now: datetime,
    expires_at: datetime | None,
    last_rotated_at: datetime,
    rotate_every_days: int | None,
    reminder_days: Sequence[int],
) -> Status:
    """The one place that decides ok / due soon / overdue / expired."""
    if expires_at is not None and now >= expires_at:
        return Status.EXPIRED
    due = rotation_due_at(last_rotated_at, rotate_every_days)
    if due is not None and now >= due:
        return Status.OVERDUE
    deadlines = [m for m in (expires_at, due) if m is not None]
    if deadlines:
        lead = timedelta(days=max(reminder_days or DEFAULT_REMINDER_DAYS))
        if now >= min(deadlines) - lead:
            return Status.DUE_SOON
    return Status.OK


def status(credential: Credential, now: datetime) -> Status:
    return status_of(
        now,
        credential.expires_at,
        credential.last_rotated_at,
        credential.rotate_every_days,
        credential.reminder_days,
    )

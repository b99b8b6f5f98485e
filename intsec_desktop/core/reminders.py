"""Reminder schedule (pure): which deadlines exist, which thresholds have passed, when the next
one falls. The caller owns the clock, the persisted state and the notifying.

A *deadline* is a credential's expiry, its rotation due date, or a vendor compliance report's
expiry. Each deadline has *thresholds*: one per lead time (30, 7, 1 days before by default)
plus the deadline itself. A threshold is notified once; its key names the deadline's moment,
so rotating (a new deadline) starts a fresh set and a clock set backwards repeats nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from intsec_desktop.core.model import Credential, Integration
from intsec_desktop.core.rotation import DEFAULT_REMINDER_DAYS, rotation_due_at
from intsec_desktop.core.timefmt import format_utc


class DeadlineKind(StrEnum):
    EXPIRY = "expiry"
    ROTATION = "rotation"
    COMPLIANCE = "compliance"


@dataclass(frozen=True, slots=True)
class Deadline:
    subject: str  # "credential:42" or "integration:bamboohr:soc2_type2"
    kind: DeadlineKind
    at: datetime
    title: str  # what a person reads: "bamboohr/acme/production/api_key"
    lead_days: tuple[int, ...]  # descending, already clamped

    @property
    def key(self) -> str:
        return f"{self.subject}|{self.kind.value}|{format_utc(self.at)}"


@dataclass(frozen=True, slots=True)
class Threshold:
    deadline: Deadline
    lead_days: int  # 0 = the deadline itself
    fire_at: datetime

    @property
    def key(self) -> str:
        return f"{self.deadline.key}|{self.lead_days}"


def clamp_leads(
    leads: Sequence[int], period_days: int | None
) -> tuple[tuple[int, ...], str | None]:
    """Lead times longer than the rotation period would fire before the key was even rotated."""
    chosen = tuple(sorted({d for d in leads if d > 0}, reverse=True)) or DEFAULT_REMINDER_DAYS
    if period_days is None or chosen[0] < period_days:
        return chosen, None
    kept = tuple(d for d in chosen if d < period_days) or (max(1, period_days - 1),)
    return kept, (
        f"reminder lead times {', '.join(map(str, chosen))} days reach past the {period_days}-day"
        f" rotation period; using {', '.join(map(str, kept))}"
    )


def credential_deadlines(credential: Credential, default_leads: Sequence[int]) -> list[Deadline]:
    leads, _ = clamp_leads(credential.reminder_days or default_leads, credential.rotate_every_days)
    title = (
        f"{credential.integration}/{credential.customer or '-'}/"
        f"{credential.environment.value}/{credential.name}"
    )
    subject = f"credential:{credential.id}"
    found = []
    if credential.expires_at is not None:
        found.append(Deadline(subject, DeadlineKind.EXPIRY, credential.expires_at, title, leads))
    due = rotation_due_at(
        credential.last_rotated_at, credential.rotate_every_days, credential.rotation_required_since
    )
    if due is not None and (credential.expires_at is None or due < credential.expires_at):
        # Rotating also resets expiry in practice; an expiry before the due date wins alone.
        found.append(Deadline(subject, DeadlineKind.ROTATION, due, title, leads))
    return found


COMPLIANCE_LABELS = {
    "soc2_type2_expires": "SOC 2 Type II report",
    "iso27001_expires": "ISO 27001 certificate",
    "gdpr_dpa_expires": "GDPR DPA",
}


def compliance_deadlines(integration: Integration, default_leads: Sequence[int]) -> list[Deadline]:
    leads, _ = clamp_leads(default_leads, None)
    found = []
    for attribute, label in COMPLIANCE_LABELS.items():
        moment = getattr(integration.compliance, attribute)
        if moment is not None:
            found.append(
                Deadline(
                    f"integration:{integration.slug}:{attribute.removesuffix('_expires')}",
                    DeadlineKind.COMPLIANCE,
                    moment,
                    f"{integration.name}: {label}",
                    leads,
                )
            )
    return found


def thresholds(deadline: Deadline) -> list[Threshold]:
    return [
        Threshold(deadline, lead, deadline.at - timedelta(days=lead))
        for lead in (*deadline.lead_days, 0)
    ]


@dataclass(frozen=True)
class ReminderState:
    """What this device already showed or was told to hold back. Persisted between runs."""

    notified: frozenset[str] = frozenset()  # threshold keys
    dismissed: frozenset[str] = frozenset()  # deadline keys the user dismissed
    snoozed_until: dict[str, datetime] = field(default_factory=dict)  # subject -> until
    snooze_all_until: datetime | None = None

    def is_held(self, threshold: Threshold, now: datetime) -> bool:
        if threshold.deadline.key in self.dismissed:
            return True
        if self.snooze_all_until is not None and now < self.snooze_all_until:
            return True
        until = self.snoozed_until.get(threshold.deadline.subject)
        return until is not None and now < until

    def with_notified(self, fired: Iterable[Threshold]) -> ReminderState:
        return replace(self, notified=self.notified | {t.key for t in fired})

    def snooze(self, subject: str, until: datetime) -> ReminderState:
        return replace(self, snoozed_until={**self.snoozed_until, subject: until})

    def snooze_all(self, until: datetime) -> ReminderState:
        return replace(self, snooze_all_until=until)

    def dismiss(self, deadline: Deadline) -> ReminderState:
        return replace(self, dismissed=self.dismissed | {deadline.key})

    def pruned(self, deadlines: Iterable[Deadline], now: datetime) -> ReminderState:
        """Forget keys of deadlines that no longer exist (rotated, deleted) and ended snoozes."""
        live = {d.key for d in deadlines}
        return ReminderState(
            notified=frozenset(k for k in self.notified if k.rsplit("|", 1)[0] in live),
            dismissed=frozenset(k for k in self.dismissed if k in live),
            snoozed_until={s: u for s, u in self.snoozed_until.items() if u > now},
            snooze_all_until=self.snooze_all_until
            if self.snooze_all_until and self.snooze_all_until > now
            else None,
        )


def due(deadlines: Iterable[Deadline], state: ReminderState, now: datetime) -> list[Threshold]:
    """Thresholds that have passed, were never notified, and are not snoozed or dismissed.

    After a long sleep several thresholds of one deadline may be due at once; all are returned
    (none is lost) and the caller shows one notification per deadline."""
    return [
        t
        for d in deadlines
        for t in thresholds(d)
        if t.fire_at <= now and t.key not in state.notified and not state.is_held(t, now)
    ]


def next_wakeup(
    deadlines: Iterable[Deadline], state: ReminderState, now: datetime
) -> datetime | None:
    """The earliest future moment at which `due` could return something new.

    Works on timestamps and builds keys only for a candidate that would become the minimum:
    on 10,000 credentials this runs in a few milliseconds."""
    now_ts = now.timestamp()
    best: float | None = None
    snoozed = state.snoozed_until
    for d in deadlines:
        at_ts = d.at.timestamp()
        for lead in (*d.lead_days, 0):
            fire = at_ts - lead * 86400.0
            if fire > now_ts:
                if (best is None or fire < best) and _pending(d, lead, state):
                    best = fire
            elif d.subject in snoozed and snoozed[d.subject] > now and _pending(d, lead, state):
                until = snoozed[d.subject].timestamp()
                if best is None or until < best:
                    best = until
    if best is None:
        return None
    if state.snooze_all_until is not None and state.snooze_all_until.timestamp() > best:
        best = state.snooze_all_until.timestamp()
    return datetime.fromtimestamp(best, tz=now.tzinfo)


def _pending(deadline: Deadline, lead: int, state: ReminderState) -> bool:
    key = deadline.key
    return key not in state.dismissed and f"{key}|{lead}" not in state.notified


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One row of `intsec reminders` and the Reminders page."""

    deadline: Deadline
    state: str  # "expired", "overdue" (rotation or compliance past due) or "due"
    days_left: int  # negative once past


def report(
    deadlines: Iterable[Deadline], now: datetime, within_days: int | None = None
) -> list[ReportLine]:
    """Deadlines already past, or within `within_days` (default: the deadline's largest lead)."""
    lines = []
    for d in deadlines:
        window = within_days if within_days is not None else max(d.lead_days or (0,))
        if d.at - timedelta(days=window) > now:
            continue
        seconds_left = (d.at - now).total_seconds()
        days_left = int(seconds_left // 86400)
        if seconds_left <= 0:
            state = (
                "expired" if d.kind in (DeadlineKind.EXPIRY, DeadlineKind.COMPLIANCE) else "overdue"
            )
        else:
            state = "due"
        lines.append(ReportLine(d, state, days_left))
    return sorted(lines, key=lambda line: (line.deadline.at, line.deadline.subject))

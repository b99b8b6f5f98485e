"""Desktop reminders: one QTimer armed for the next threshold (no polling loop).

Re-armed at start, on unlock and lock, whenever credentials change, and each time it fires.
A machine that slept fires late: the check then notifies everything that passed meanwhile,
once. The interval is capped at an hour so a wall-clock jump (suspend, NTP, a manual change)
is noticed within that hour even when nothing else happens."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from intsec_desktop.core import alerts, reminder_store, reminders
from intsec_desktop.core.reminders import Deadline, ReminderState, Threshold
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.timefmt import format_date
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.notifiers import Notifier

MAX_INTERVAL_MS = 60 * 60 * 1000
MAX_SEPARATE_NOTIFICATIONS = 3  # more due at once: one summary that opens the Reminders page


def _describe(thresholds: list[Threshold], now_days: float) -> str:
    deadline = thresholds[0].deadline
    past = deadline.at.timestamp() <= now_days
    what = {"expiry": "expires", "rotation": "is due for rotation", "compliance": "expires"}[
        deadline.kind.value
    ]
    if past:
        what = {
            "expiry": "has expired",
            "rotation": "is overdue for rotation",
            "compliance": "has expired",
        }[deadline.kind.value]
    return f"{deadline.title} {what} ({format_date(deadline.at)})"


def _summarize(groups: list[list[Threshold]], now: datetime) -> str:
    passed = sum(1 for g in groups if g[0].deadline.at <= now)
    coming = len(groups) - passed
    parts = [f"{passed} expired or overdue"] if passed else []
    parts += [f"{coming} coming up"] if coming else []
    return f"{len(groups)} deadlines need attention ({', '.join(parts)}): open Reminders"


class ReminderService(QObject):
    due_count_changed = Signal(int)
    notified = Signal(int)  # how many notifications the last check showed
    armed = Signal(object)  # the datetime the timer waits for, or None

    def __init__(
        self,
        bridge: VaultBridge,
        notifier: Notifier,
        settings: AppSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._notifier = notifier
        self._settings = settings
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self._vault_id = bridge.vault_id()
        self._state = (
            reminder_store.load_state(self._vault_id) if self._vault_id else ReminderState()
        )
        self._deadlines: list[Deadline] = []
        self.next_wakeup: datetime | None = None
        for signal in (
            bridge.vault_unlocked,
            bridge.vault_locked,
            bridge.credential_added,
            bridge.credential_updated,
            bridge.credential_removed,
            bridge.credentials_reloaded,
            bridge.integrations_changed,
        ):
            signal.connect(self.refresh)

    @property
    def notifier(self) -> Notifier:
        return self._notifier

    @property
    def state(self) -> ReminderState:
        return self._state

    def set_settings(self, settings: AppSettings) -> None:
        self._settings = settings
        self.refresh()

    def refresh(self, *_: object) -> None:
        """Reload deadlines (vault when unlocked, sealed index when locked and allowed), then
        notify whatever is already due and arm the timer for the next threshold."""
        vault_id = self._bridge.vault_id()
        if vault_id != self._vault_id:
            self._vault_id = vault_id
            self._state = reminder_store.load_state(vault_id) if vault_id else ReminderState()
        leads = self._settings.reminder_days
        if self._bridge.is_unlocked:
            self._deadlines = self._bridge.reminder_deadlines(leads)
            if self._settings.reminders_while_locked:
                self._bridge.refresh_expiry_index(leads)
        elif self._settings.reminders_while_locked:
            self._deadlines = self._bridge.locked_deadlines()
        else:
            self._deadlines = []
        self.check()

    def check(self) -> None:
        now = self._bridge.now()
        due = reminders.due(self._deadlines, self._state, now)
        by_deadline: dict[str, list[Threshold]] = defaultdict(list)
        for threshold in due:
            by_deadline[threshold.deadline.key].append(threshold)
        groups = list(by_deadline.values())
        if len(groups) > MAX_SEPARATE_NOTIFICATIONS:
            # One message for many (after a member's removal every credential is due): a
            # notification per deadline would bury the desktop and stall the window.
            self._notifier.notify("intsec-desktop reminder", _summarize(groups, now), "reminders")
        for group in groups if len(groups) <= MAX_SEPARATE_NOTIFICATIONS else ():
            subject = group[0].deadline.subject
            self._notifier.notify(
                "intsec-desktop reminder", _describe(group, now.timestamp()), subject
            )
        if due:
            self._state = self._state.with_notified(due)
            self._alert_webhook(due, now)
        self._state = self._state.pruned(self._deadlines, now) if self._deadlines else self._state
        if self._vault_id and (due or self._deadlines):
            reminder_store.save_state(self._vault_id, self._state)
        self.notified.emit(1 if len(groups) > MAX_SEPARATE_NOTIFICATIONS else len(groups))
        self.due_count_changed.emit(len(reminders.report(self._deadlines, now)))
        self._arm(now)

    def _arm(self, now: datetime) -> None:
        self.next_wakeup = reminders.next_wakeup(self._deadlines, self._state, now)
        self._timer.stop()
        if self.next_wakeup is not None:
            wait_ms = int((self.next_wakeup - now).total_seconds() * 1000) + 50
            self._timer.start(max(50, min(wait_ms, MAX_INTERVAL_MS)))
        self.armed.emit(self.next_wakeup)

    def _alert_webhook(self, due: list[Threshold], now: datetime) -> None:
        """Deadlines that just passed also go to the team's webhook, when one is set."""
        passed = {t.deadline.key: t.deadline for t in due if t.lead_days == 0}
        if not passed or not self._bridge.is_unlocked:
            return
        lines = reminders.report(passed.values(), now, within_days=0)
        self._bridge.send_webhook_alert(alerts.slack_message(lines, self._bridge.vault_name))

    # --- actions from the tray and the Reminders page ---------------------------------------

    def snooze_all(self, hours: int = 24) -> None:
        self._state = self._state.snooze_all(self._bridge.now() + timedelta(hours=hours))
        self._persist_and_rearm()

    def snooze(self, subject: str, hours: int = 24) -> None:
        self._state = self._state.snooze(subject, self._bridge.now() + timedelta(hours=hours))
        self._persist_and_rearm()

    def dismiss(self, deadline: Deadline) -> None:
        self._state = self._state.dismiss(deadline)
        self._persist_and_rearm()

    def _persist_and_rearm(self) -> None:
        if self._vault_id:
            reminder_store.save_state(self._vault_id, self._state)
        self._arm(self._bridge.now())

    def deadlines(self) -> list[Deadline]:
        return list(self._deadlines)

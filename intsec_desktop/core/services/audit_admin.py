"""The audit trail: filtered listings, CSV, verification, and the chain head kept outside the DB."""

from __future__ import annotations

import contextlib

from intsec_desktop.core import audit_csv
from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.model import AuditEvent
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services.keyslot_admin import KeySlotServices
from intsec_desktop.core.vault import audit_trail
from intsec_desktop.core.vault.audit_trail import AuditFilter, AuditVerdict
from intsec_desktop.core.vault.database import storage_errors


class AuditServices(KeySlotServices):
    def list_audit(self, where: AuditFilter | None = None) -> list[AuditEvent]:
        require(self.member, Action.VIEW_AUDIT)
        with storage_errors():
            return audit_trail.query(self._conn, where or AuditFilter())

    def audit_csv(self, where: AuditFilter | None = None) -> str:
        return audit_csv.to_csv(self.list_audit(where))

    def verify_audit(self) -> AuditVerdict:
        require(self.member, Action.VIEW_AUDIT)
        return self._audit_verdict()

    def _audit_verdict(self) -> AuditVerdict:
        recorded = audit_trail.recorded_head(self._current_slots())
        with storage_errors():
            return audit_trail.verify(self._conn, self._audit_key, recorded)

    def record_audit_head(self) -> bool:
        """Write the chain head into keyslots.json if this database is ahead of it; True if
        written. Costs one small atomic file write, so it runs at session close, not per event."""
        file = self._current_slots()
        if audit_trail.with_head(file, self._conn) is file:
            return False  # read-only sessions end here, without taking the write lock
        conn = self._conn
        if self._batch_depth:
            return False  # inside batch(): the caller's commit is still to come
        with storage_errors():
            conn.execute("BEGIN IMMEDIATE")
        try:
            # Under the write lock: a key-slot change in another process saves keyslots.json
            # before it commits, so this re-read sees it and no slot change is lost.
            file = self._current_slots()
            updated = audit_trail.with_head(file, conn)
            if updated is file:
                return False
            self._write_slots(conn, updated)
            return True
        finally:
            with contextlib.suppress(Exception):
                conn.execute("ROLLBACK")  # nothing was written to the database

    def close(self) -> None:
        # Best effort: a close never fails, and a missed head only weakens truncation detection
        # until the next session (or key-slot change) records it.
        with contextlib.suppress(IntsecError, OSError):
            self.record_audit_head()
        super().close()

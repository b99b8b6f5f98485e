"""A failed call inside batch() leaves nothing behind; recovery codes forgive their formatting."""

from __future__ import annotations

import pytest

from intsec_desktop.core.errors import ConflictError
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import audit, keyslots
from tests.unit.conftest import VaultCopy


def test_failed_call_in_a_batch_is_rolled_back_alone(
    session: VaultSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    events_before = len(session.audit_events())
    real_append = audit.append

    def failing_append(*args: object, **kwargs: object) -> int:
        if kwargs.get("target") == "customer:doomed":
            raise ConflictError("audit store refused")  # after the customer row was inserted
        return real_append(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "append", failing_append)
    with session.batch():
        session.add_customer("kept", "Kept Ltd", "us")
        with pytest.raises(ConflictError):
            session.add_customer("doomed", "Doomed Inc", "us")
        session.add_customer("also-kept", "Also Kept", "eu")
    slugs = {c.slug for c in session.list_customers()}
    assert {"kept", "also-kept"} <= slugs
    assert "doomed" not in slugs
    assert len(session.audit_events()) == events_before + 2
    assert session.first_broken_audit_event() is None


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code,
        lambda code: code.replace("-", ""),
        lambda code: code.replace("-", " ").lower(),
        lambda code: "  " + code.replace("-", "\t") + " ",
    ],
)
def test_recovery_code_formatting_is_forgiven(vault: VaultCopy, spelling) -> None:  # type: ignore[no-untyped-def]
    typed = spelling(vault.recovery_code)
    assert keyslots.looks_like_recovery_code(typed)
    with vault.open_secret(typed) as session:
        assert session.slot_id == vault.slot_id("recovery")


def test_a_passphrase_is_not_mistaken_for_a_code() -> None:
    assert not keyslots.looks_like_recovery_code("correct horse battery staple, thirty-two")
    assert not keyslots.looks_like_recovery_code("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-678!")

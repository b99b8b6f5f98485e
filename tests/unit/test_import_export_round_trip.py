"""Import → export round trip: the references an import writes into a .env are the names the
export uses, and resolving them (as `intsec run` does) gives back the imported values."""

from __future__ import annotations

import re
from pathlib import Path

from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.importers.import_file import read_plan, write_result
from intsec_desktop.core.services import VaultSession

STRIPE = b"sk_test_" + b"51HqLyjWDarjtT1zdp7dcRound"
ENV = (
    b"STRIPE_API_KEY=" + STRIPE + b'\nWEBHOOK_SECRET="whsec_roundtrip_0123456789"\nLOG_LEVEL=info\n'
)


def test_import_then_export_agree_on_references_and_values(
    session: VaultSession, tmp_path: Path
) -> None:
    session.add_integration("stripe", "Stripe", "accounting", "api")
    source = tmp_path / ".env"
    source.write_bytes(ENV)
    plan = read_plan(source, "stripe", "acme")
    outcome = session.import_credentials(
        plan.items, integration="stripe", customer="acme", source=".env"
    )
    assert sorted(outcome.added) == ["stripe_api_key", "webhook_secret"]
    template, _ = write_result(plan, rewrite=False, backup=False)
    imported_refs = set(re.findall(r"\$\{(INTSEC_[A-Z0-9_]+)\}", template.read_text()))
    assert len(imported_refs) == 2
    assert STRIPE.decode() not in template.read_text()

    profile = make_profile("eu-prod", "production", ["eu"], target="out.env")
    resolved = session.env_references(profile)
    assert imported_refs <= set(resolved)
    assert resolved["INTSEC_STRIPE_ACME_STRIPE_API_KEY"] == STRIPE
    assert resolved["INTSEC_STRIPE_ACME_WEBHOOK_SECRET"] == b"whsec_roundtrip_0123456789"

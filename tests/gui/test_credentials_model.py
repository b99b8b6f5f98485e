"""The credentials table model and its filter proxy: Qt's model contract, sorting, filtering,
and that no role of any cell ever carries a secret value."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester

from intsec_desktop.core.model import CredentialListing, Status
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.models.credentials_filter import CredentialQuery, CredentialsFilterProxy
from intsec_desktop.gui.models.credentials_model import Column, CredentialsTableModel
from intsec_desktop.gui.models.simple_models import CustomersTableModel, IntegrationsTableModel
from intsec_desktop.gui.models.versions_model import VersionsTableModel
from tests.gui.credentials_helpers import (
    BINARY_SECRET,
    KNOWN_SECRET,
    DemoVault,
    all_cell_texts,
    demo_bridge,
    demo_template,
    demo_vault,
)

__all__ = ["demo_bridge", "demo_template", "demo_vault"]  # fixtures, imported for pytest

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.UserRole,
)


@pytest.fixture
def listings(demo_bridge: VaultBridge) -> list[CredentialListing]:
    return demo_bridge.list_credentials()


@pytest.fixture
def model(listings: list[CredentialListing]) -> CredentialsTableModel:
    model = CredentialsTableModel()
    model.set_listings(listings)
    return model


def ids(model: CredentialsTableModel | CredentialsFilterProxy) -> list[int]:
    return [
        model.data(model.index(row, 0), Qt.ItemDataRole.UserRole + 1)
        for row in range(model.rowCount())
    ]


# --- Qt's model contract --------------------------------------------------------------------


def test_empty_model_passes_modeltester(qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(CredentialsTableModel())


def test_loaded_model_passes_modeltester(
    qtmodeltester: ModelTester, model: CredentialsTableModel
) -> None:
    qtmodeltester.check(model)
    assert model.rowCount() == 42
    assert model.columnCount() == len(Column)


def test_upsert_remove_and_sort_keep_the_contract(
    qtmodeltester: ModelTester,
    model: CredentialsTableModel,
    listings: list[CredentialListing],
) -> None:
    qtmodeltester.check(model)  # stays connected: every change below is checked as it happens
    model.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    first = listings[0]
    renamed = CredentialListing(
        dataclasses.replace(first.credential, name="zzz_last"), Status.EXPIRED
    )
    model.upsert(renamed)  # changes its sort key: moves, with begin/endMoveRows
    model.upsert(dataclasses.replace(renamed, status=Status.OK))  # same place: dataChanged
    new = CredentialListing(dataclasses.replace(first.credential, id=99_999, name="aaa"), Status.OK)
    model.upsert(new)
    model.remove(listings[1].credential.id)
    model.remove(12_345_678)  # unknown: nothing happens
    model.sort(Column.EXPIRES, Qt.SortOrder.AscendingOrder)
    model.sort(Column.STATUS, Qt.SortOrder.DescendingOrder)
    model.clear()
    assert model.rowCount() == 0


def test_proxy_passes_modeltester_while_filtering(
    qtmodeltester: ModelTester, model: CredentialsTableModel, listings: list[CredentialListing]
) -> None:
    proxy = CredentialsFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.set_query(CredentialQuery(text="bamboohr"))
    proxy.sort(Column.OWNER, Qt.SortOrder.AscendingOrder)
    model.upsert(
        CredentialListing(
            dataclasses.replace(listings[0].credential, id=77_777, integration="bamboohr"),
            Status.DUE_SOON,
        )
    )
    model.remove(listings[3].credential.id)
    proxy.set_query(CredentialQuery(statuses=frozenset({Status.OK})))
    proxy.set_query(CredentialQuery())
    assert proxy.rowCount() == model.rowCount()


def test_versions_and_catalog_models_pass_modeltester(
    qtmodeltester: ModelTester, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    integrations = IntegrationsTableModel()
    integrations.set_items(demo_bridge.list_integrations())
    qtmodeltester.check(integrations)
    customers = CustomersTableModel()
    customers.set_items(demo_bridge.list_customers())
    qtmodeltester.check(customers)
    versions = VersionsTableModel()
    demo_bridge.rotate_credential(demo_vault.known_id, b"a brand new value")
    versions.set_versions(demo_bridge.credential_versions(demo_vault.known_id))
    qtmodeltester.check(versions)
    assert versions.rowCount() == 2
    assert versions.data(versions.index(0, 2)) == "current"  # newest first
    assert qtmodeltester is not None
    for model in (integrations, customers):
        assert model.rowCount() > 0


# --- no secrets -----------------------------------------------------------------------------


def test_no_cell_role_carries_a_secret(
    model: CredentialsTableModel, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    texts = all_cell_texts(model, ROLES)
    assert texts
    known = KNOWN_SECRET.decode()
    binary_forms = (BINARY_SECRET.hex(), BINARY_SECRET.decode("latin-1"))
    assert not [t for t in texts if known in t or any(b in t for b in binary_forms)]
    # And no other credential's real value either (each revealed once, for this check only).
    values = {
        demo_bridge.reveal_secret(model.listing(row).credential.id, "reveal").decode(
            "utf-8", "replace"
        )
        for row in range(0, model.rowCount(), 7)
    }
    assert not [t for t in texts for v in values if v in t]
    assert not [v for v in values if v in repr(model.listing(0))]


# --- sorting --------------------------------------------------------------------------------


def test_sort_by_expiry_puts_never_last_and_is_remembered(
    model: CredentialsTableModel, listings: list[CredentialListing]
) -> None:
    model.sort(Column.EXPIRES, Qt.SortOrder.AscendingOrder)
    expiries = [model.listing(r).credential.expires_at for r in range(model.rowCount())]
    dated = [e for e in expiries if e is not None]
    assert dated == sorted(dated)
    assert expiries[len(dated) :] == [None] * (len(expiries) - len(dated))
    model.set_listings(list(reversed(listings)))  # a reload keeps the chosen order
    assert [model.listing(r).credential.expires_at for r in range(model.rowCount())] == expiries


def test_sort_by_status_is_most_urgent_first_and_keeps_persistent_indexes(
    model: CredentialsTableModel,
) -> None:
    tracked = QPersistentModelIndex(model.index(5, 0))
    tracked_id = model.listing(5).credential.id
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    order = [model.listing(r).status for r in range(model.rowCount())]
    rank = [Status.EXPIRED, Status.OVERDUE, Status.DUE_SOON, Status.OK]
    assert [rank.index(s) for s in order] == sorted(rank.index(s) for s in order)
    assert model.listing(tracked.row()).credential.id == tracked_id


def test_upsert_inserts_at_the_sorted_place(
    model: CredentialsTableModel, listings: list[CredentialListing]
) -> None:
    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    item = CredentialListing(
        dataclasses.replace(listings[0].credential, id=55_555, name="aaa_first"), Status.OK
    )
    model.upsert(item)
    assert model.listing(0).credential.id == 55_555
    model.upsert(CredentialListing(dataclasses.replace(item.credential, name="zzz"), Status.OK))
    assert model.listing(model.rowCount() - 1).credential.id == 55_555
    assert model.rowCount() == len(listings) + 1


# --- filtering ------------------------------------------------------------------------------


@pytest.fixture
def proxy(model: CredentialsTableModel) -> CredentialsFilterProxy:
    proxy = CredentialsFilterProxy()
    proxy.setSourceModel(model)
    return proxy


def expected(
    listings: list[CredentialListing], predicate: object
) -> set[int]:  # predicate: Callable[[CredentialListing], bool]
    assert callable(predicate)
    return {item.credential.id for item in listings if predicate(item)}


def test_text_filter_needs_every_word_in_any_column(
    proxy: CredentialsFilterProxy, listings: list[CredentialListing]
) -> None:
    proxy.set_query(CredentialQuery(text="  BambooHR   ACME "))
    assert set(ids(proxy)) == expected(
        listings,
        lambda i: i.credential.integration == "bamboohr" and i.credential.customer == "acme",
    )
    proxy.set_query(CredentialQuery(text="dana@example"))
    assert set(ids(proxy)) == expected(listings, lambda i: i.credential.owner.startswith("dana"))
    proxy.set_query(CredentialQuery(text="no-such-thing"))
    assert proxy.rowCount() == 0
    proxy.set_query(CredentialQuery())
    assert proxy.rowCount() == len(listings)


def test_status_environment_integration_customer_combine(
    proxy: CredentialsFilterProxy, listings: list[CredentialListing]
) -> None:
    attention = frozenset({Status.DUE_SOON, Status.OVERDUE, Status.EXPIRED})
    proxy.set_query(CredentialQuery(statuses=attention))
    assert set(ids(proxy)) == expected(listings, lambda i: i.status in attention)
    assert 0 < proxy.rowCount() < len(listings)

    proxy.set_query(CredentialQuery(environment="staging"))
    assert set(ids(proxy)) == expected(
        listings, lambda i: i.credential.environment.value == "staging"
    )

    # Build the combined query from a real row, so it matches whatever the demo data holds.
    sample = next(i.credential for i in listings if i.credential.customer)
    word = sample.name.split("_")[0]
    query = CredentialQuery(
        text=word,
        environment=sample.environment.value,
        integration=sample.integration,
        customer=sample.customer,
    )
    proxy.set_query(query)
    want = expected(
        listings,
        lambda i: (
            i.credential.environment is sample.environment
            and i.credential.integration == sample.integration
            and i.credential.customer == sample.customer
            and word in f"{i.credential.name} {i.credential.kind.value}"
        ),
    )
    assert set(ids(proxy)) == want
    assert want

    proxy.set_query(CredentialQuery(statuses=frozenset({Status.OK}), integration="bamboohr"))
    assert set(ids(proxy)) == expected(
        listings, lambda i: i.status is Status.OK and i.credential.integration == "bamboohr"
    )


def test_filter_follows_source_changes(
    proxy: CredentialsFilterProxy, model: CredentialsTableModel, listings: list[CredentialListing]
) -> None:
    proxy.set_query(CredentialQuery(text="zendesk"))
    before = proxy.rowCount()
    model.sort(Column.OWNER, Qt.SortOrder.DescendingOrder)  # rows move under the cached answers
    assert set(ids(proxy)) == expected(listings, lambda i: i.credential.integration == "zendesk")
    other = next(i for i in listings if i.credential.integration != "zendesk")
    model.upsert(
        CredentialListing(
            dataclasses.replace(other.credential, integration="zendesk", id=31_337), Status.OK
        )
    )
    assert proxy.rowCount() == before + 1
    renamed = CredentialListing(
        dataclasses.replace(other.credential, integration="zendesk"), other.status
    )
    model.upsert(renamed)  # an edit that makes an existing row match
    assert proxy.rowCount() == before + 2
    model.remove(31_337)
    assert proxy.rowCount() == before + 1


def test_typing_and_deleting_matches_a_fresh_filter_at_every_step(
    proxy: CredentialsFilterProxy, model: CredentialsTableModel
) -> None:
    """Each extra character only re-tests the previous matches; the answer must not differ."""
    typed = "bamboohr  acme st"
    steps = [typed[:i] for i in range(len(typed) + 1)] + [
        typed[:i] for i in range(len(typed), -1, -1)
    ]
    for text in steps:
        proxy.set_query(CredentialQuery(text=text))
        fresh = CredentialsFilterProxy()
        fresh.setSourceModel(model)
        fresh.set_query(CredentialQuery(text=text))
        assert ids(proxy) == ids(fresh), text
    proxy.set_query(CredentialQuery(text="bamboohr", environment="staging"))
    proxy.set_query(CredentialQuery(text="bamboohr a"))  # grew, but the environment went away
    assert all(
        "bamboohr" in model.search_texts()[proxy.mapToSource(proxy.index(r, 0)).row()]
        for r in range(proxy.rowCount())
    )
    assert proxy.rowCount() > sum(
        1
        for i in model.listings()
        if i.credential.integration == "bamboohr" and i.credential.environment.value == "staging"
    )

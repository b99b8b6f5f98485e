"""Property tests over random vault pictures: the guard's verdict agrees with a brute-force
search, written bytes hold no secret in any encoding, output is deterministic, schema-valid,
resident, and its references resolve to the right credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from intsec_desktop.core.errors import LeakFoundError
from intsec_desktop.core.export import refs
from intsec_desktop.core.export.guard import LeakGuard
from intsec_desktop.core.export.profile import Dialect, ExportFormat, make_profile
from intsec_desktop.core.export.render import ScopeSource, VaultPicture, render
from intsec_desktop.core.model import (
    Category,
    Credential,
    CredentialKind,
    Customer,
    Environment,
    Integration,
    Method,
    Region,
    Status,
)
from intsec_desktop.core.scan.encodings import encoded_forms
from intsec_desktop.core.scan.patterns import SecretEntry
from intsec_desktop.core.scope_catalog import ScopeAction, builtin_catalog
from intsec_desktop.core.scopes import Effect, Grant

SCHEMA_PATH = Path(__file__).parents[3] / "intsec_desktop/resources/schema/export-v1.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
T0 = datetime(2026, 1, 1, tzinfo=UTC)

slugs = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)
secret_values = st.binary(min_size=8, max_size=24) | st.text(
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-_&%"\\é',
    min_size=8,
    max_size=24,
).map(str.encode)


@st.composite
def pictures(draw: st.DrawFn) -> tuple[VaultPicture, list[SecretEntry]]:
    secrets = draw(st.lists(secret_values, min_size=1, max_size=6, unique=True))
    text_secrets = [s.decode("utf-8", "replace") for s in secrets]

    def text(label: str) -> str:
        # Sometimes a secret is planted in a name or URL: the guard must then refuse.
        if draw(st.integers(0, 7)) == 0:
            return f"{label} {draw(st.sampled_from(text_secrets))}"
        return label

    integrations = [
        Integration(i + 1, slug, text(f"Int {slug}"), Category.HRIS, Method.API,
                    base_urls={"eu": text(f"https://{slug}.example/eu"),
                               "us": f"https://{slug}.example/us"})
        for i, slug in enumerate(draw(st.lists(slugs, min_size=1, max_size=3, unique=True)))
    ]  # fmt: skip
    customers = [
        Customer(i + 1, slug, text(f"Customer {slug}"), draw(st.sampled_from([Region.EU, Region.US])))
        for i, slug in enumerate(draw(st.lists(slugs, min_size=1, max_size=4, unique=True)))
    ]  # fmt: skip
    credentials: list[tuple[Credential, Status]] = []
    entries: list[SecretEntry] = []
    seen: set[tuple[str, str | None, str]] = set()
    for n in range(draw(st.integers(1, 8))):
        integ = draw(st.sampled_from(integrations)).slug
        cust = draw(st.sampled_from([None, *(c.slug for c in customers)]))
        name = draw(st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,6}", fullmatch=True))
        if (integ, cust, name) in seen:
            continue
        seen.add((integ, cust, name))
        c = Credential(
            n + 1, integ, cust, Environment.PRODUCTION, name, CredentialKind.API_KEY,
            text("owner@example.com"), T0, T0 + timedelta(days=draw(st.integers(1, 400))),
            T0, draw(st.sampled_from([None, 90])), (), 1, notes=text("notes"),
        )  # fmt: skip
        credentials.append((c, draw(st.sampled_from(list(Status)))))
        entries.append(SecretEntry(f"{integ}/{cust or '-'}/production/{name}", 1,
                                   draw(st.sampled_from(secrets))))  # fmt: skip
    catalog = builtin_catalog("hris")
    model = catalog.models[0]
    grants = (Grant(None, model.name, model.fields[0].name, ScopeAction.READ, Effect.ALLOW),)
    scopes = {i.slug: ScopeSource(catalog, grants) for i in integrations}
    return VaultPicture(integrations, customers, credentials, scopes), entries


def _brute_force_leaks(data: bytes, entries: list[SecretEntry]) -> bool:
    return any(form in data for e in entries for _name, form in encoded_forms(e.value))


@settings(max_examples=150, deadline=None)
@given(pictures(), st.sampled_from(list(ExportFormat)), st.sampled_from(list(Dialect)))
def test_guard_and_output_properties(
    picture_entries: tuple[VaultPicture, list[SecretEntry]], fmt: ExportFormat, dialect: Dialect
) -> None:
    picture, entries = picture_entries
    profile = make_profile("", "production", ["eu"], format=fmt.value, dialect=dialect.value)
    first = render(profile, picture, "intsec-desktop test")
    assert first.data == render(profile, picture, "intsec-desktop test").data  # byte-identical
    assert first.data.endswith(b"\n")
    assert b"\r" not in first.data
    guard = LeakGuard.from_entries(entries)
    leaked = _brute_force_leaks(first.data, entries)
    if leaked:
        with pytest.raises(LeakFoundError) as caught:
            guard.check(first.data)
        message = str(caught.value)
        assert all(e.value.decode("latin-1") not in message for e in entries)
    else:
        guard.check(first.data)  # a clean file passes
    if fmt in (ExportFormat.YAML, ExportFormat.JSON):
        tree = yaml.safe_load(first.data) if fmt is ExportFormat.YAML else json.loads(first.data)
        assert tree == first.tree  # our YAML reads back as exactly the tree
        jsonschema.validate(tree, SCHEMA)
        us = {c.slug for c in picture.customers if c.region is Region.US}
        for node in tree["integrations"].values():
            assert set(node["customers"]).isdisjoint(us)  # residency
            assert "us" not in node["base_urls"]
            for cnode in node["customers"].values():
                assert cnode["region"] == "eu"
                assert cnode["base_url"] is None or "/us" not in cnode["base_url"]
        # Parsing the export and resolving its references gives the right credentials.
        by_ref = {refs.reference(c, dialect): c for c, _ in picture.credentials}
        for slug, node in tree["integrations"].items():
            for name, entry in node["credentials"].items():
                c = by_ref[entry["ref"]]
                assert (c.integration, c.customer, c.name) == (slug, None, name)
            for cslug, cnode in node["customers"].items():
                for name, entry in cnode["credentials"].items():
                    c = by_ref[entry["ref"]]
                    assert (c.integration, c.customer, c.name) == (slug, cslug, name)


def test_env_names_are_stable_and_collision_free() -> None:
    def cred(i: str, c: str | None, n: str) -> Credential:
        return Credential(1, i, c, Environment.PRODUCTION, n, CredentialKind.API_KEY, "", T0,
                          None, T0, None, (), 1)  # fmt: skip

    names = [
        refs.env_name(cred(i, c, n))
        for i, c, n in [
            ("a-b", "c", "k"), ("a_b", "c", "k"), ("a", "b-c", "k"), ("a", "b", "c_k"),
            ("a", None, "b_c_k"), ("a", "b", "c.k"), ("a", "b", "c-k"),
        ]
    ]  # fmt: skip
    assert len(set(names)) == len(names)
    assert refs.env_name(cred("bamboohr", "acme", "api_key")) == "INTSEC_BAMBOOHR_ACME_API_KEY"
    assert refs.env_name(cred("bamboohr", None, "token")) == "INTSEC_BAMBOOHR__TOKEN"
    assert refs.reference(cred("x", "y", "z"), Dialect.OP) == "op://intsec-production/x.y/z"
    assert refs.reference(cred("x", "y", "z"), Dialect.VAULT) == "vault:intsec/production/x/y#z"
    assert refs.reference(cred("x", None, "z"), Dialect.AWS) == "intsec/production/x/_shared/z"

"""Drift lines name paths in every format: YAML by its key path (only the changed region of a
large file is indexed, with the same result as indexing all of it), .env by credential path and
field, Kubernetes by manifest name and field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intsec_desktop.core.export import drift, emit
from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.scan.encodings import encoded_forms
from intsec_desktop.core.services import VaultSession
from tests.unit.conftest import SECRET, VaultCopy, add_slot_without_reveal


def _full_index_diff(old_text: str, new_text: str) -> list[str]:
    """The reference: every line of both files indexed from the top."""
    old_lines, new_lines = drift._body_lines(old_text), drift._body_lines(new_text)
    return drift.compare_indexes(
        drift._index(old_lines, 0, len(old_lines), []),
        drift._index(new_lines, 0, len(new_lines), []),
    )


keys = st.sampled_from(["a", "b", "c", "x", "api_key", "acme", "beta"])
leaves = st.one_of(st.integers(0, 3), st.sampled_from(["ok", "overdue", "s"]))
trees: st.SearchStrategy[Any] = st.recursive(
    st.dictionaries(keys, leaves, max_size=3),
    lambda children: st.dictionaries(keys, children, min_size=1, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(trees, trees)
def test_region_diff_equals_the_full_index_diff(old: dict[str, Any], new: dict[str, Any]) -> None:
    old_text = emit.to_yaml({"integrations": old}, ["header"])
    new_text = emit.to_yaml({"integrations": new}, ["header"])
    assert drift._yaml_diff(old_text, new_text) == _full_index_diff(old_text, new_text)


def test_identical_lines_under_different_parents_are_not_matched_up() -> None:
    old = "integrations:\n  a:\n    x: 1\n  b:\n    x: 2\n"
    new = "integrations:\n  a:\n    x: 2\n"
    assert drift._yaml_diff(old, new) == [
        "~ integrations.a.x: 1 -> 2",
        "- integrations.b (removed)",
    ]


@pytest.mark.parametrize("fmt", ["dotenv", "k8s"])
def test_text_formats_report_paths_and_fields(session: VaultSession, fmt: str) -> None:
    profile = make_profile("", "production", ["eu"], format=fmt)
    committed = session.render_export(profile).data
    session.add_credential(integration="bamboohr", customer="acme", name="token",
                           secret=b"token-secret-value-1", owner="Sam Smith")  # fmt: skip
    session.edit_credential("bamboohr/acme/production/api_key", owner="Ops Team")
    lines = session.export_drift(committed, "f")[1]
    if fmt == "dotenv":
        assert "+ bamboohr/acme/token (new)" in lines
        assert any(line.startswith("~ bamboohr/acme/api_key.owner:") and "Ops Team" in line
                   for line in lines), lines  # fmt: skip
    else:
        assert "+ intsec-bamboohr-acme.spec.data.token (new)" in lines
        assert any(".metadata.annotations.intsec.dev/api_key.owner:" in line and "Ops Team" in line
                   for line in lines), lines  # fmt: skip


def test_a_hand_edited_text_file_falls_back_to_changed_lines(session: VaultSession) -> None:
    profile = make_profile("", "production", ["eu"], format="dotenv")
    rendered = session.render_export(profile).data
    committed = rendered + b"EXTRA_WITHOUT_COMMENT=1\n"
    lines = session.export_drift(committed, "f")[1]
    last = len(rendered.splitlines()) + 1
    assert lines == [f"- committed line {last}: EXTRA_WITHOUT_COMMENT=1"]


@pytest.mark.parametrize("fmt", ["yaml", "json", "dotenv", "k8s"])
def test_a_secret_in_the_committed_file_is_never_printed(session: VaultSession, fmt: str) -> None:
    profile = make_profile("", "production", ["eu"], format=fmt)
    rendered = session.render_export(profile).data
    header = rendered.index(b"\n# profile:") + 12 if rendered.startswith(b"#") else 0
    at = rendered.index(b"acme", rendered.index(b"\n", header))
    committed = rendered[:at] + SECRET + rendered[at + 4 :]  # a value or even a key
    lines = session.export_drift(committed, "f")[1]
    text = "\n".join(lines)
    assert lines[0].startswith("! a stored secret of bamboohr/")
    assert "rotate it" in lines[0]
    assert "(a difference holding it: hidden)" in lines
    for _encoding, form in encoded_forms(SECRET):
        assert form.decode("latin-1") not in text
    assert session.audit_events()[-1].action == "secrets.used_for_export_guard"


def test_clean_differences_keep_their_values(session: VaultSession) -> None:
    profile = make_profile("", "production", ["eu"])
    committed = session.render_export(profile).data
    session.edit_customer("acme", name="Acme Europe GmbH")
    lines = session.export_drift(committed, "f")[1]
    assert any("Acme Europe GmbH" in line for line in lines), lines
    assert not any(line.startswith("!") for line in lines)


def test_a_slot_without_values_sees_paths_only(vault: VaultCopy) -> None:
    add_slot_without_reveal(vault, vault.keyring)
    profile = make_profile("", "production", ["eu"])
    with vault.open_recovery() as owner:
        committed = owner.render_export(profile).data
        owner.edit_customer("acme", name="Acme Europe GmbH")
    viewer = vault.open_keyring()
    lines = viewer.export_drift(committed, "f")[1]
    viewer.close()
    assert "~ integrations.bamboohr.customers.acme.name (changed; values hidden)" in lines
    assert not any("Acme" in line for line in lines)
    assert lines[-1].startswith("(values hidden")


def test_k8s_aliases_are_not_walked() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert drift._k8s_documents(bomb) is None

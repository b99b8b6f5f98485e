"""core.scopes: the resolution truth table, property tests, diffs, findings, catalogs, files."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intsec_desktop.core import scopes
from intsec_desktop.core.errors import ValidationError
from intsec_desktop.core.model import Method
from intsec_desktop.core.scope_catalog import (
    ALL,
    Catalog,
    FieldSpec,
    ModelSpec,
    ScopeAction,
    Tag,
    builtin_catalog,
    builtin_categories,
    parse_catalog,
)
from intsec_desktop.core.scopes import Cell, Effect, Grant, Preset, Source

R, W = ScopeAction.READ, ScopeAction.WRITE
A, D = Effect.ALLOW, Effect.DENY
CATALOG = Catalog(
    "test",
    (
        ModelSpec(
            "Employee",
            frozenset({R, W}),
            (FieldSpec("name"), FieldSpec("ssn", frozenset({Tag.PII, Tag.SENSITIVE}))),
        ),
        ModelSpec("Payslip", frozenset({R}), (FieldSpec("net_pay", frozenset({Tag.FINANCIAL})),)),
    ),
)
CUSTOMERS = ["acme", "globex", "initech"]


def cell(grants: list[Grant], customer: str, field: str = "ssn", action: ScopeAction = R) -> Cell:
    return scopes.customer_matrix(CATALOG, grants, customer)[("Employee", field, action)]


# default model, default field, override model, override field -> (allowed, source, grant)
TRUTH_TABLE = [
    (None, None, None, None, (False, Source.CATALOG, "")),
    (A, None, None, None, (True, Source.DEFAULT, "Employee.*")),
    (A, D, None, None, (False, Source.DEFAULT, "Employee.ssn")),
    (D, A, None, None, (True, Source.DEFAULT, "Employee.ssn")),
    (A, None, D, None, (False, Source.OVERRIDE, "Employee.*")),
    (None, A, D, None, (False, Source.OVERRIDE, "Employee.*")),
    (D, D, A, None, (True, Source.OVERRIDE, "Employee.*")),
    (D, D, D, A, (True, Source.OVERRIDE, "Employee.ssn")),
    (A, A, A, D, (False, Source.OVERRIDE, "Employee.ssn")),
    (None, None, None, A, (True, Source.OVERRIDE, "Employee.ssn")),
    (None, None, D, A, (True, Source.OVERRIDE, "Employee.ssn")),
]


@pytest.mark.parametrize(("dm", "df", "om", "of", "expected"), TRUTH_TABLE)
def test_resolution_truth_table(
    dm: Effect | None,
    df: Effect | None,
    om: Effect | None,
    of: Effect | None,
    expected: tuple[bool, Source, str],
) -> None:
    levels = [(None, ALL, dm), (None, "ssn", df), ("acme", ALL, om), ("acme", "ssn", of)]
    grants = [Grant(c, "Employee", f, R, e) for c, f, e in levels if e is not None]
    got = cell(grants, "acme")
    assert (got.allowed, got.source, got.grant) == expected
    # The other customers only ever see the default levels.
    other = cell(grants, "globex")
    assert other.source is not Source.OVERRIDE


def test_model_grant_covers_every_field_but_not_other_actions() -> None:
    m = scopes.default_matrix(CATALOG, [Grant(None, "Employee", ALL, R, A)])
    assert m[("Employee", "name", R)].allowed
    assert m[("Employee", "ssn", R)].allowed
    assert not m[("Employee", "name", W)].allowed
    assert ("Payslip", "net_pay", W) not in m  # read-only model: no write cell at all


def test_catalog_rejects_unknown_names_with_the_closest_match() -> None:
    with pytest.raises(ValidationError, match="did you mean 'Employee'"):
        scopes.check_target(CATALOG, "Employe", ALL, R)
    with pytest.raises(ValidationError, match="did you mean 'ssn'"):
        scopes.check_target(CATALOG, "Employee", "snn", R)
    with pytest.raises(ValidationError, match="read-only"):
        scopes.check_target(CATALOG, "Payslip", "net_pay", W)


# --- properties -------------------------------------------------------------------------------

targets = st.sampled_from([("Employee", ALL), ("Employee", "name"), ("Employee", "ssn")])
grant_st = st.builds(
    lambda c, t, a, e: Grant(c, t[0], t[1], a, e),
    st.sampled_from([None, *CUSTOMERS]),
    targets,
    st.sampled_from([R, W]),
    st.sampled_from([A, D]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(grant_st, max_size=12), grant_st.filter(lambda g: g.customer is not None))
def test_an_override_never_leaks_to_another_customer(base: list[Grant], extra: Grant) -> None:
    before = scopes.resolve_all(CATALOG, base, CUSTOMERS)
    after = scopes.resolve_all(CATALOG, [*base, extra], CUSTOMERS)
    for customer in CUSTOMERS:
        if customer != extra.customer:
            assert after[customer] == before[customer]


@settings(max_examples=200, deadline=None)
@given(st.lists(grant_st, max_size=12), grant_st)
def test_deny_beats_allow_at_the_same_level(base: list[Grant], g: Grant) -> None:
    allow = Grant(g.customer, g.model, g.field, g.action, A)
    deny = Grant(g.customer, g.model, g.field, g.action, D)
    for order in ([allow, deny], [deny, allow]):
        matrices = scopes.resolve_all(CATALOG, [*base, *order], CUSTOMERS)
        fields = ["name", "ssn"] if g.field == ALL else [g.field]
        who = CUSTOMERS if g.customer is None else [g.customer]
        for customer in who:
            for f in fields:
                c = matrices[customer][(g.model, f, g.action)]
                if c.grant == g.target and (c.source is Source.OVERRIDE) == (
                    g.customer is not None
                ):
                    assert not c.allowed


def _same_cell(a: Grant, b: Grant) -> bool:
    return (a.customer, a.model, a.field, a.action) == (b.customer, b.model, b.field, b.action)


@settings(max_examples=200, deadline=None)
@given(st.lists(grant_st, max_size=12), grant_st.filter(lambda g: g.customer is not None))
def test_removing_an_override_restores_inheritance(base: list[Grant], extra: Grant) -> None:
    customer = str(extra.customer)
    without = [g for g in base if not _same_cell(g, extra)]
    field = "ssn" if extra.field == ALL else extra.field
    with_it = scopes.customer_matrix(CATALOG, [*without, extra], customer)
    assert with_it[(extra.model, field, extra.action)].source is Source.OVERRIDE
    removed = scopes.customer_matrix(CATALOG, without, customer)
    default = scopes.default_matrix(CATALOG, without)
    for key, cell in removed.items():
        if cell.source is not Source.OVERRIDE:
            assert cell == default[key]
    if not any(g.customer == customer for g in without):
        assert removed == default


# --- diffs, findings, presets ------------------------------------------------------------------


def test_diff_names_only_cells_whose_value_changed() -> None:
    grants = [Grant(None, "Employee", ALL, R, A), Grant("acme", "Employee", "ssn", R, D)]
    changes = scopes.diff(
        scopes.default_matrix(CATALOG, grants), scopes.customer_matrix(CATALOG, grants, "acme")
    )
    assert [c.describe() for c in changes] == ["- Employee.ssn read"]


def test_findings_cover_each_kind() -> None:
    grants = [
        Grant(None, "Employee", "name", W, A),
        Grant("acme", "Employee", "ssn", R, A),
    ]
    found = scopes.findings("adp", Method.FILE, CATALOG, grants, CUSTOMERS)
    kinds = {(f.kind, f.customer) for f in found}
    assert kinds == {
        ("write_without_read", None),
        ("sensitive_granted", "acme"),
        ("wider_than_default", "acme"),
        ("risky_method", None),
    }
    assert scopes.findings("x", Method.API, CATALOG, [], CUSTOMERS) == []


def test_presets_grow_from_minimal_to_full() -> None:
    sizes = []
    for preset in Preset:
        m = scopes.customer_matrix(CATALOG, scopes.preset_grants(CATALOG, preset, "acme"), "acme")
        sizes.append(sum(c.allowed for c in m.values()))
    assert sizes == sorted(sizes)
    assert sizes[0] == 1
    assert sizes[-1] == len(list(CATALOG.cells()))
    standard = scopes.customer_matrix(
        CATALOG, scopes.preset_grants(CATALOG, Preset.STANDARD, "acme"), "acme"
    )
    assert not standard[("Employee", "ssn", R)].allowed


# --- catalogs and grant files ------------------------------------------------------------------


def test_every_shipped_catalog_loads_with_sensitive_hris_fields() -> None:
    assert set(builtin_categories()) >= {
        "hris",
        "ats",
        "crm",
        "accounting",
        "ticketing",
        "file_storage",
    }
    hris = builtin_catalog("hris")
    assert Tag.SENSITIVE in hris.model("Employee").field("ssn").tags
    assert hris.model("Employment").field("pay_rate").tags == {Tag.FINANCIAL}
    assert W not in hris.model("PayrollRun").actions


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "category: x\nmodels:\n  A:\n    actions: [read]\n    fields: {a: [secret]}\n",
            5,
            "unknown tag",
        ),
        (
            "category: x\nmodels:\n  A:\n    actions: [read, delete]\n    fields: {a: []}\n",
            4,
            "unknown action",
        ),
        ("category: x\nmodels:\n  A:\n    actions: [read\n", 5, "malformed YAML"),
        (
            "category: x\nmodels:\n  A: {actions: [read], fields: {a: []}, extra: 1}\n",
            3,
            "unknown key",
        ),
        (
            "category: x\nmodels:\n  A: {actions: [read], fields: {a: []}}\n  A: {actions: [read], fields: {a: []}}\n",
            4,
            "duplicate key",
        ),
    ],
)
def test_malformed_catalog_names_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ValidationError, match=rf"^bad\.yaml:{line}: .*{message}"):
        parse_catalog(text, "bad.yaml")


GRANT_FILE = """schema: intsec.scopes/v1
integrations:
  bamboohr:
    default:
      Employee.*: {read: allow}
      Employee.ssn: {read: deny}
    customers:
      acme:
        Employee.ssn: {read: allow}
"""


def test_grant_file_round_trips_deterministically() -> None:
    parsed = scopes.parse_grant_file(GRANT_FILE, "g.yaml", lambda slug: CATALOG)
    text = scopes.render_grant_file(parsed)
    assert scopes.parse_grant_file(text, "g.yaml", lambda slug: CATALOG) == parsed
    assert text == scopes.render_grant_file(parsed)
    assert text.endswith("\n")


@pytest.mark.parametrize(
    ("bad", "line", "message"),
    [
        ("Employee.ssn: {read: allow}", "Employee.snn: {read: allow}", "did you mean 'ssn'"),
        ("Employee.ssn: {read: allow}", "Payslip.net_pay: {write: allow}", "read-only"),
        ("Employee.ssn: {read: allow}", "Employee.ssn: {read: maybe}", "unknown effect"),
    ],
)
def test_bad_grant_file_names_the_line(bad: str, line: str, message: str) -> None:
    text = GRANT_FILE.replace(bad, line)
    with pytest.raises(ValidationError, match=rf"^g\.yaml:9: .*{message}"):
        scopes.parse_grant_file(text, "g.yaml", lambda slug: CATALOG)


def test_alias_bomb_and_huge_files_are_refused_fast() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    huge = GRANT_FILE + "#\n" * 100_000
    for text, message in ((bomb, "anchors and aliases"), (huge, "lines")):
        start = time.perf_counter()
        with pytest.raises(ValidationError, match=message):
            scopes.parse_grant_file(text, "g.yaml", lambda slug: CATALOG)
        assert time.perf_counter() - start < 0.5

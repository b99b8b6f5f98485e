"""`intsec scopes`: the real command line on a populated vault."""

from __future__ import annotations

import time
from pathlib import Path

from tests.cli.conftest import CliVault, assert_one_line_error, snapshot

GRANTS = """schema: intsec.scopes/v1
integrations:
  bamboohr:
    default:
      Employee.*: {read: allow}
    customers:
      acme:
        Employee.ssn: {read: deny}
"""


def test_set_then_show_json_says_where_each_cell_comes_from(fresh: CliVault) -> None:
    fresh.ok("scopes", "set", "bamboohr", "Employee", "read", "allow")
    fresh.ok("scopes", "set", "bamboohr", "Employee.ssn", "read", "deny", "--customer", "acme")
    shown = fresh.json("scopes", "show", "bamboohr", "--customer", "acme")
    cells = {(c["model"], c["field"], c["action"]): c for c in shown["cells"]}
    ssn = cells[("Employee", "ssn", "read")]
    assert (ssn["allowed"], ssn["source"], ssn["tags"]) == (False, "override", ["pii", "sensitive"])
    name = cells[("Employee", "first_name", "read")]
    assert (name["allowed"], name["source"], name["grant"]) == (True, "default", "Employee.*")
    assert ("PayrollRun", "id", "write") not in cells  # read-only model
    text = fresh.ok("scopes", "show", "bamboohr", "--customer", "acme").out
    assert "(inherited Employee.*)" in text


def test_bad_input_is_one_line_exit_2_naming_the_closest_match(fresh: CliVault) -> None:
    before = snapshot(fresh.folder)
    result = fresh.run("scopes", "set", "bamboohr", "Employee.snn", "read", "allow")
    assert_one_line_error(result, 2, "did you mean 'ssn'")
    result = fresh.run("scopes", "set", "bamboohr", "PayrollRun", "write", "allow")
    assert_one_line_error(result, 2, "read-only")
    assert snapshot(fresh.folder) == before


def test_apply_export_and_drift(fresh: CliVault, tmp_path: Path) -> None:
    grants = tmp_path / "scopes.yaml"
    grants.write_text(GRANTS)
    fresh.ok("scopes", "apply", str(grants))
    exported = tmp_path / "exported.yaml"
    exported.write_text(fresh.ok("scopes", "export").out)
    assert "no drift" in fresh.ok("scopes", "diff", "--file", str(exported)).out
    fresh.ok("scopes", "set", "bamboohr", "Employee.ssn", "read", "inherit", "--customer", "acme")
    drift = fresh.run("scopes", "diff", "--file", str(exported))
    assert drift.code == 7, drift
    assert "- Employee.ssn read" in drift.out
    diff = fresh.ok("scopes", "diff", "greenhouse", "--customer", "acme").out
    assert "same effective scopes" in diff


def test_hostile_grant_files_are_refused_fast_and_nothing_is_applied(
    fresh: CliVault, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        )
    )
    huge = tmp_path / "huge.yaml"
    huge.write_text(GRANTS + "".join(f"# {i}\n" for i in range(100_000)))
    typo = tmp_path / "typo.yaml"
    typo.write_text(GRANTS.replace("Employee.ssn", "Employee.snn"))
    before = snapshot(fresh.folder)
    for path, message in ((bomb, "aliases"), (huge, "lines"), (typo, "typo.yaml:8:")):
        start = time.perf_counter()
        result = fresh.run("scopes", "apply", str(path))
        assert time.perf_counter() - start < 10
        assert_one_line_error(result, 2, message)
    assert snapshot(fresh.folder) == before


def test_lint_exits_non_zero_on_findings(fresh: CliVault) -> None:
    assert "no least-privilege findings" in fresh.ok("scopes", "lint").out
    fresh.ok("scopes", "set", "bamboohr", "TimeOff.status", "write", "allow")
    result = fresh.run("scopes", "lint", "--json")
    assert result.code == 1, result
    assert "write_without_read" in result.out


def test_bulk_preset_copy_reset(fresh: CliVault) -> None:
    fresh.ok("scopes", "preset", "bamboohr", "minimal", "acme")
    fresh.ok("scopes", "copy", "bamboohr", "--from", "acme", "--to", "globex")
    assert fresh.ok("scopes", "diff", "bamboohr", "--customer", "globex", "--against", "acme")
    shown = fresh.json("scopes", "show", "bamboohr", "--customer", "globex")
    assert any(c["source"] == "override" for c in shown["cells"])
    fresh.ok("scopes", "reset", "bamboohr", "acme", "globex")
    shown = fresh.json("scopes", "show", "bamboohr", "--customer", "globex")
    assert all(c["source"] == "catalog" for c in shown["cells"])

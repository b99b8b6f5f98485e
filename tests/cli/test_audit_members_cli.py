"""`intsec member ...` and `intsec audit ...` as a subprocess: roles, exit codes, CSV, verify."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import (
    CliVault,
    Result,
    assert_one_line_error,
    run_intsec,
    write_passphrase,
)

ROLES = ["owner", "admin", "editor", "auditor", "viewer"]
PATH = "bamboohr/acme/production/api_key"


def _command(action: str, role: str) -> list[str]:
    return {
        "metadata": ["cred", "list"],
        "reveal": ["cred", "reveal", PATH],
        "write": ["customer", "add", f"c-{role}", "--name", "C", "--region", "us"],
        "members": ["member", "add", f"zed-{role}", "--role", "viewer"],
        "audit": ["audit", "list"],
    }[action]


# ARCHITECTURE.md RBAC, copied by hand: action -> (roles allowed, wording in the error).
TABLE: dict[str, tuple[set[str], str]] = {
    "metadata": (set(ROLES), "view metadata"),
    "reveal": ({"owner", "admin", "editor"}, "reveal secrets"),
    "write": ({"owner", "admin", "editor"}, "add or change credentials"),
    "members": ({"owner"}, "manage members"),
    "audit": ({"owner", "admin", "auditor"}, "view the audit trail"),
}


@dataclass(frozen=True)
class Team:
    vault: CliVault
    passphrases: dict[str, Path]  # role -> the passphrase file of the member holding it

    def run(self, role: str, *args: str, stdin: bytes = b"") -> Result:
        member = [] if role == "owner" else ["--member", f"m-{role}"]
        return run_intsec(
            *args,
            "--vault",
            str(self.vault.folder),
            "--passphrase-file",
            str(self.passphrases[role]),
            *member,
            home=self.vault.home,
            stdin=stdin,
        )


@pytest.fixture(scope="module")
def team(populated: CliVault, tmp_path_factory: pytest.TempPathFactory) -> Team:
    vault = populated.copy(tmp_path_factory.mktemp("team"))
    files = {"owner": vault.passphrase_file}
    for role in ROLES[1:]:
        one_time = write_passphrase(vault.home / f"{role}.once", f"one-time {role} pass")
        vault.ok(
            "member", "add", f"m-{role}", "--role", role, "--member-passphrase-file", str(one_time)
        )
        own = write_passphrase(vault.home / f"{role}.pass", f"own {role} passphrase")
        result = run_intsec(
            "passwd",
            "--new-passphrase-file",
            str(own),
            "--vault",
            str(vault.folder),
            "--passphrase-file",
            str(one_time),
            "--member",
            f"m-{role}",
            home=vault.home,
        )
        assert result.code == 0, result
        files[role] = own
    return Team(vault, files)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(TABLE))
def test_every_role_and_action_through_the_cli(team: Team, role: str, action: str) -> None:
    allowed, wording = TABLE[action]
    result = team.run(role, *_command(action, role))
    if role in allowed:
        assert result.code == 0, result
    else:
        assert_one_line_error(result, 3, f"role {role} may not {wording}")


def test_invited_member_must_change_the_one_time_passphrase_first(fresh: CliVault) -> None:
    once = write_passphrase(fresh.home / "bob.once", "bob one-time passphrase")
    fresh.ok("member", "add", "bob", "--role", "editor", "--member-passphrase-file", str(once))
    bob = ["--vault", str(fresh.folder), "--passphrase-file", str(once), "--member", "bob"]
    result = run_intsec("cred", "list", *bob, home=fresh.home)
    assert_one_line_error(result, 3, "intsec passwd --member bob")
    new = write_passphrase(fresh.home / "bob.pass", "bob's own passphrase")
    result = run_intsec("passwd", "--new-passphrase-file", str(new), *bob, home=fresh.home)
    assert result.code == 0, result
    bob[3] = str(new)
    assert run_intsec("cred", "list", *bob, home=fresh.home).code == 0


def test_member_add_prints_a_generated_one_time_passphrase_once(fresh: CliVault) -> None:
    data = fresh.json("member", "add", "carol", "--role", "viewer")
    assert data["role"] == "viewer"
    assert len(data["one_time_passphrase"]) >= 20
    listed = {m["name"]: m for m in fresh.json("member", "list")}
    assert listed["carol"]["must_change_passphrase"] is True
    assert listed["carol"]["can_reveal"] is False
    assert data["one_time_passphrase"] not in fresh.ok("member", "list").out


def test_member_bad_input(fresh: CliVault) -> None:
    owner = fresh.json("member", "list")[0]["name"]
    assert_one_line_error(fresh.run("member", "remove", owner), 1, "last owner")
    assert_one_line_error(fresh.run("member", "role", owner, "admin"), 1, "last owner")
    fresh.ok("member", "add", "dup", "--role", "viewer")
    assert_one_line_error(fresh.run("member", "add", "dup", "--role", "admin"), 1, "exists")
    assert_one_line_error(fresh.run("member", "remove", "ghost"), 1, "no member")
    assert fresh.run("member", "add", "x", "--role", "root").code == 2


def test_member_remove_says_what_is_due_for_rotation(fresh: CliVault) -> None:
    fresh.ok("member", "add", "eve", "--role", "editor")
    out = fresh.ok("member", "remove", "eve").out
    assert "due for rotation" in out
    for path in fresh.secrets:
        assert path in out
    fresh.ok("member", "add", "vic", "--role", "viewer")
    assert "rotation" not in fresh.ok("member", "remove", "vic").out
    assert (
        f"{len(fresh.secrets)} credential(s) are due for rotation" in fresh.ok("member", "list").err
    )


def test_edited_role_in_keyslots_json_is_detected(fresh: CliVault) -> None:
    fresh.ok("member", "add", "vic", "--role", "viewer")
    path = fresh.folder / "keyslots.json"
    document = json.loads(path.read_text())
    for slot in document["slots"]:
        if slot["member"] == "vic":
            slot["can_reveal"] = True
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    assert_one_line_error(fresh.run("member", "list"), 5)


def test_audit_list_filters_json_and_csv(fresh: CliVault) -> None:
    fresh.ok("cred", "reveal", PATH)
    events = fresh.json("audit", "list", "--action", "credential.revealed")
    assert [e["action"] for e in events] == ["credential.revealed"]
    assert events[0]["target"].endswith(PATH)
    assert set(events[0]) >= {"seq", "at", "actor", "os_user", "host", "details", "hash"}
    everything = fresh.json("audit", "list")
    assert len(fresh.json("audit", "list", "--action", "credential.*")) < len(everything)
    assert fresh.json("audit", "list", "--actor", "nobody") == []
    assert fresh.json("audit", "list", "--since", "2999-01-01") == []
    assert len(fresh.json("audit", "list", "--until", "2999-01-01")) == len(everything)
    assert len(fresh.json("audit", "list", "--target", "customer:*")) == 2
    rows = list(csv.reader(io.StringIO(fresh.ok("audit", "list", "--csv").out)))
    assert rows[0][:3] == ["seq", "at", "actor"]
    assert len(rows) == len(everything) + 1
    assert_one_line_error(fresh.run("audit", "list", "--since", "yesterday"), 2, "--since")
    assert_one_line_error(fresh.run("audit", "list", "--csv", "--json"), 2)


def test_audit_csv_escapes_formula_cells(fresh: CliVault) -> None:
    fresh.ok("customer", "add", "evil", "--name", '=HYPERLINK("x")', "--region", "us")
    home_user = {"USER": "=cmd", "LOGNAME": "=cmd"}
    result = fresh.run("customer", "edit", "evil", "--name", "@SUM(1)", env=home_user)
    assert result.code == 0, result
    text = fresh.ok("audit", "list", "--csv").out
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row
    assert "'=cmd" in text


def test_audit_verify_ok_then_exit_5_naming_the_first_bad_entry(fresh: CliVault) -> None:
    assert "audit trail ok" in fresh.ok("audit", "verify").out
    from intsec_desktop.core.vault import opening

    opened = opening.unlock_with_secret(fresh.folder, fresh.recovery_code)
    try:
        opened.conn.execute("DROP TRIGGER audit_events_no_update")
        opened.conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    finally:
        opened.close()
    assert_one_line_error(fresh.run("audit", "verify"), 5, "audit event 3")


def test_audit_verify_catches_truncation(fresh: CliVault) -> None:
    last = fresh.json("audit", "list")[-1]["seq"]
    from intsec_desktop.core.vault import opening

    opened = opening.unlock_with_secret(fresh.folder, fresh.recovery_code)
    try:
        opened.conn.execute("DROP TRIGGER audit_events_no_delete")
        opened.conn.execute("DELETE FROM audit_events WHERE seq = ?", (last,))
    finally:
        opened.close()
    assert_one_line_error(fresh.run("audit", "verify"), 5, f"audit event {last} is missing")


def test_a_viewer_exports_what_a_member_with_values_cleared(team: Team) -> None:
    out = team.vault.home / "viewer-eu.yaml"
    flags = ["export", "--region", "eu", "-o", str(out)]
    assert_one_line_error(team.run("viewer", *flags), 3, "intsec export clear")
    assert not out.exists()
    assert_one_line_error(team.run("viewer", "export", "clear", "--region", "eu"), 3,
                          "can open stored values")  # fmt: skip
    assert_one_line_error(team.run("auditor", *flags), 3, "role auditor may not export")
    cleared = team.run("editor", "export", "clear", "--region", "eu")
    assert cleared.code == 0, cleared
    assert b"cleared (flags)" in cleared.stderr
    written = team.run("viewer", *flags)
    assert written.code == 0, written
    assert out.read_bytes().startswith(b"# Generated by intsec-desktop.")
    events = json.loads(team.run("owner", "audit", "list", "--json").stdout)
    assert events[-1]["action"] == "export.clearance_used"

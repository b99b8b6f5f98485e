"""Integrations, customers and credentials end to end through the real `intsec` process."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import (
    BINARY_SECRET,
    CREDENTIAL_JSON_KEYS,
    CliVault,
    assert_one_line_error,
    run_intsec,
)


def _by_path(listing: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {f"{c['integration']}/{c['customer'] or '-'}/{c['env']}/{c['name']}": c for c in listing}


def test_integration_list_json(populated: CliVault) -> None:
    items = {i["slug"]: i for i in populated.json("integration", "list")}
    assert set(items) == {"bamboohr", "greenhouse"}
    assert items["bamboohr"] == {
        "slug": "bamboohr",
        "name": "BambooHR",
        "category": "hris",
        "method": "api",
        "risky_method": False,
        "vendor": items["bamboohr"]["vendor"],
        "base_urls": items["bamboohr"]["base_urls"],
    }
    assert items["greenhouse"]["method"] == "file"
    assert items["greenhouse"]["risky_method"] is True


def test_customer_list_json(populated: CliVault) -> None:
    assert sorted(populated.json("customer", "list"), key=lambda c: c["slug"]) == [
        {"slug": "acme", "name": "Acme GmbH", "region": "eu"},
        {"slug": "globex", "name": "Globex Inc", "region": "us"},
    ]


def test_cred_list_json(populated: CliVault) -> None:
    listing = populated.json("cred", "list")
    assert len(listing) == 4
    for item in listing:
        assert set(item) >= CREDENTIAL_JSON_KEYS, item
        assert isinstance(item["id"], int)
    by_path = _by_path(listing)
    assert set(by_path) == set(populated.secrets)
    assert by_path["bamboohr/acme/production/api_key"]["status"] == "ok"
    assert by_path["bamboohr/acme/production/api_key"]["rotate_every_days"] == 90
    assert by_path["bamboohr/-/staging/webhook_secret"]["customer"] is None
    assert by_path["bamboohr/-/staging/webhook_secret"]["kind"] == "webhook_secret"
    assert by_path["bamboohr/-/staging/webhook_secret"]["status"] == "due_soon"
    assert by_path["greenhouse/globex/development/token"]["status"] == "expired"
    assert by_path["greenhouse/acme/production/binary"]["expires_at"] is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--integration", "greenhouse"], {"greenhouse/globex/development/token", "greenhouse/acme/production/binary"}),
        (["--customer", "acme"], {"bamboohr/acme/production/api_key", "greenhouse/acme/production/binary"}),
        (["--env", "staging"], {"bamboohr/-/staging/webhook_secret"}),
        (["--status", "expired"], {"greenhouse/globex/development/token"}),
        (["--status", "overdue"], set()),
        (["--expiring-within", "30"], {"bamboohr/-/staging/webhook_secret", "greenhouse/globex/development/token"}),
        (["--integration", "bamboohr", "--env", "production"], {"bamboohr/acme/production/api_key"}),
    ],
)  # fmt: skip
def test_cred_list_filters(populated: CliVault, options: list[str], expected: set[str]) -> None:
    assert set(_by_path(populated.json("cred", "list", *options))) == expected


def test_cred_list_table(populated: CliVault) -> None:
    lines = populated.ok("cred", "list").out.splitlines()
    assert lines[0].split() == [
        "ID",
        "INTEGRATION",
        "CUSTOMER",
        "ENV",
        "NAME",
        "KIND",
        "EXPIRES",
        "STATUS",
        "OWNER",
    ]
    assert len(lines) == 5
    assert populated.ok("cred", "list", "--customer", "nobody").out == "(none)\n"
    assert populated.json("cred", "list", "--customer", "nobody") == []


def test_cred_show(populated: CliVault) -> None:
    path = "bamboohr/acme/production/api_key"
    shown = populated.json("cred", "show", path)
    assert set(shown) >= CREDENTIAL_JSON_KEYS
    assert shown["owner"] == "dana@example.com"
    assert shown["versions"] == [
        {
            "version": 1,
            "created_at": shown["created_at"],
            "retired_at": None,
            "value_kept": True,
        }
    ]
    assert populated.json("cred", "show", str(shown["id"])) == shown
    text = populated.ok("cred", "show", str(shown["id"])).out
    assert "integration: bamboohr" in text
    assert "secret: ******** (use `intsec cred reveal`)" in text


def test_keyslot_list(populated: CliVault) -> None:
    slots = populated.json("keyslot", "list")
    assert sorted(s["kind"] for s in slots) == ["passphrase", "recovery"]
    for slot in slots:
        assert set(slot) == {"id", "kind", "member", "can_reveal", "created_at", "detail"}
        assert slot["can_reveal"] is True
    passphrase = next(s for s in slots if s["kind"] == "passphrase")
    assert passphrase["detail"] == "argon2id m=64MiB t=3 p=4"
    assert "PASSPHRASE" in populated.ok("keyslot", "list").out.splitlines()[1].upper()


@pytest.mark.parametrize(
    "path", ["greenhouse/acme/production/binary", "bamboohr/acme/production/api_key"]
)
def test_reveal_prints_exactly_the_stored_bytes(populated: CliVault, path: str) -> None:
    result = populated.ok("cred", "reveal", path)
    assert result.stdout == populated.secrets[path]
    assert result.stderr == b""


@pytest.mark.parametrize(
    "placement",
    ["before", "after", "mixed", "env"],
)
def test_global_options_before_or_after_the_command(populated: CliVault, placement: str) -> None:
    vault = ["--vault", str(populated.folder)]
    unlock = ["--passphrase-file", str(populated.passphrase_file)]
    env: dict[str, str | None] = {}
    if placement == "before":
        args = [*vault, *unlock, "--json", "cred", "list", "--env", "staging"]
    elif placement == "after":
        args = ["cred", "list", "--env", "staging", "--json", *unlock, *vault]
    elif placement == "mixed":
        args = ["--json", *unlock, "cred", "list", *vault, "--env", "staging"]
    else:
        args = ["cred", "list", "--json", "--env", "staging", *unlock]
        env = {"INTSEC_VAULT": str(populated.folder)}
    result = run_intsec(*args, home=populated.home, env=env)
    assert result.code == 0, result
    assert [c["name"] for c in json.loads(result.stdout)] == ["webhook_secret"]


def test_integration_and_customer_lifecycle(fresh: CliVault) -> None:
    added = fresh.json(
        "integration",
        "add",
        "workday",
        "--name",
        "Workday",
        "--category",
        "hris",
        "--method",
        "api",
        "--vendor",
        "Workday Inc",
        "--base-url",
        "eu=https://wd3.example.com",
    )
    assert added["base_urls"] == {"eu": "https://wd3.example.com"}
    fresh.ok("integration", "edit", "workday", "--name", "Workday HCM", "--method", "script")
    item = next(i for i in fresh.json("integration", "list") if i["slug"] == "workday")
    assert (item["name"], item["method"], item["risky_method"]) == ("Workday HCM", "script", True)
    assert "workday" in fresh.ok("integration", "list").out
    fresh.ok("integration", "rm", "workday")
    assert {i["slug"] for i in fresh.json("integration", "list")} == {"bamboohr", "greenhouse"}

    assert fresh.json("customer", "add", "initech", "--name", "Initech", "--region", "apac") == {
        "slug": "initech",
        "name": "Initech",
        "region": "apac",
    }
    fresh.ok("customer", "edit", "initech", "--region", "eu", "--name", "Initech AG")
    assert {"slug": "initech", "name": "Initech AG", "region": "eu"} in fresh.json(
        "customer", "list"
    )
    assert "Initech AG" in fresh.ok("customer", "list").out
    fresh.ok("customer", "rm", "initech")
    assert {c["slug"] for c in fresh.json("customer", "list")} == {"acme", "globex"}


def test_credential_lifecycle(fresh: CliVault) -> None:
    first, second = b"first-value-" + BINARY_SECRET, b"second-value-0123456789"
    add = ["cred", "add", "--integration", "bamboohr", "--customer", "globex", "--name", "key"]
    created = fresh.json(*add, "--expires", "2099-01-31", "--rotate-every", "90", stdin=first)
    assert set(created) >= CREDENTIAL_JSON_KEYS
    assert (created["env"], created["kind"], created["status"]) == ("production", "api_key", "ok")
    assert created["expires_at"] == "2099-01-31T00:00:00Z"
    cid = str(created["id"])

    fresh.ok("cred", "edit", cid, "--owner", "sam@example.com", "--expires", "none", "--notes", "n")
    edited = fresh.json("cred", "show", cid)
    assert (edited["owner"], edited["expires_at"], edited["notes"]) == (
        "sam@example.com",
        None,
        "n",
    )

    rotated = fresh.ok("cred", "rotate", cid, "--note", "TICKET-1", stdin=second + b"\n")
    assert "version 2" in rotated.out
    assert fresh.ok("cred", "reveal", cid).stdout == second
    assert fresh.ok("cred", "reveal", cid, "--version", "1").stdout == first
    versions = fresh.json("cred", "show", cid)["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["retired_at"] is not None

    refused = fresh.run("cred", "rm", cid)
    assert_one_line_error(refused, 2, contains="--yes")
    assert fresh.ok("cred", "reveal", cid).stdout == second
    assert fresh.ok("cred", "rm", cid, "--yes").code == 0
    assert_one_line_error(fresh.run("cred", "show", cid), 1)
    assert len(fresh.json("cred", "list")) == 4

"""`intsec reminders` for cron/CI (exit 8 when overdue or expired), compliance dates,
rotation answers and the webhook (stored sealed; delivery is covered in tests/unit/test_alerts.py)."""

from __future__ import annotations

import json

from tests.cli.conftest import CliVault, assert_one_line_error, day


def test_reminders_lists_what_is_due_and_exits_8_for_expired(populated: CliVault) -> None:
    result = populated.run("reminders", "--json")
    assert result.code == 8, result
    lines = json.loads(result.stdout)
    by_title = {line["title"]: line for line in lines}
    assert by_title["greenhouse/globex/development/token"]["state"] == "expired"
    assert by_title["bamboohr/-/staging/webhook_secret"]["state"] == "due"
    assert "bamboohr/acme/production/api_key" not in by_title  # 400 days away
    assert {"subject", "title", "kind", "due_at", "state", "days_left"} <= set(lines[0])
    assert result.err.strip().endswith("1 item(s) overdue or expired")


def test_reminders_within_widens_the_window(populated: CliVault) -> None:
    lines = json.loads(populated.run("reminders", "--json", "--within", "500").stdout)
    assert "bamboohr/acme/production/api_key" in {line["title"] for line in lines}


def test_reminders_exit_0_when_nothing_is_overdue(fresh: CliVault) -> None:
    fresh.ok("cred", "rm", "greenhouse/globex/development/token", "--yes")
    assert fresh.run("reminders").code == 0


def test_negative_window_is_a_usage_error(populated: CliVault) -> None:
    assert_one_line_error(populated.run("reminders", "--within", "-1"), 2)


def test_compliance_expiry_is_reminded(fresh: CliVault) -> None:
    fresh.ok(
        "integration",
        "edit",
        "bamboohr",
        "--soc2-expires",
        day(5),
        "--console-url",
        "https://example.com/api",
    )
    lines = json.loads(fresh.run("reminders", "--json").stdout)
    assert any(line["kind"] == "compliance" and "SOC 2" in line["title"] for line in lines)
    assert_one_line_error(fresh.run("integration", "edit", "bamboohr", "--soc2-expires", "soon"), 2)


def test_rotate_records_the_vendor_answer(fresh: CliVault) -> None:
    fresh.ok(
        "cred",
        "rotate",
        "bamboohr/acme/production/api_key",
        "--old-revoked",
        "yes",
        "--note",
        "T-1",
        stdin=b"a-new-secret-value",
    )
    versions = fresh.json("cred", "show", "bamboohr/acme/production/api_key")["versions"]
    assert [v["version"] for v in versions] == [1, 2]


def test_webhook_is_stored_sealed_and_refuses_plain_http(fresh: CliVault) -> None:
    url = "https://hooks.example.com/services/T1/B2/sealedsecretpart"
    fresh.ok("webhook", "set", stdin=url.encode())
    for path in fresh.folder.iterdir():
        assert b"sealedsecretpart" not in path.read_bytes()
    assert_one_line_error(fresh.run("webhook", "set", stdin=b"http://insecure.example.com/x"), 2)
    fresh.ok("webhook", "clear")
    assert_one_line_error(fresh.run("webhook", "test"), 2, "no webhook")


def test_lead_time_past_the_rotation_period_is_clamped_with_a_warning(fresh: CliVault) -> None:
    result = fresh.run(
        "cred",
        "add",
        "--integration",
        "bamboohr",
        "--name",
        "short_lived",
        "--rotate-every",
        "5",
        "--remind",
        "30,7,1",
        stdin=b"short-lived-value-001",
    )
    assert result.code == 0, result
    assert "rotation period" in result.err
    assert "using 1" in result.err


def test_rotation_period_zero_or_negative_is_rejected(fresh: CliVault) -> None:
    for days in ("0", "-3"):
        result = fresh.run(
            "cred",
            "add",
            "--integration",
            "bamboohr",
            "--name",
            "bad_period",
            "--rotate-every",
            days,
            stdin=b"some-value-123456",
        )
        assert_one_line_error(result, 2, "rotation period")

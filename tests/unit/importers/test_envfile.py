"""dotenv/JSON/YAML parsing, the secret-or-not decision, rendering with references, and the
import service (one transaction, idempotent, conflicts refused)."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from intsec_desktop.core.errors import ConflictError, NotFoundError, UsageError
from intsec_desktop.core.importers.envfile import (
    FileFormat,
    credential_name_for,
    decode_text,
    parse_dotenv,
    parse_file,
    plan,
    render,
)
from intsec_desktop.core.services import VaultSession

DOTENV = (
    "\ufeff# settings\r\n"
    "export STRIPE_API_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\r\n"
    "DB_PASSWORD='p@ss word # not a comment'\r\n"
    'PRIVATE_KEY="-----BEGIN KEY-----\\nline1\r\nline2\r\n-----END KEY-----"\r\n'
    "APP_NAME=payroll-sync   # trailing comment\r\n"
    "UPSTREAM_TOKEN=${VAULT_TOKEN}\r\n"
    "EMPTY_SECRET=\r\n"
    "\r\n"
    "REGION=eu\r\n"
)


def _parsed() -> dict[str, bytes]:
    text = decode_text(DOTENV.encode("utf-8"), ".env")
    return {e.key: e.value for e in parse_dotenv(text)}


def test_dotenv_quotes_export_comments_multiline_refs_crlf_bom() -> None:
    values = _parsed()
    assert values["STRIPE_API_KEY"] == b"sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    assert values["DB_PASSWORD"] == b"p@ss word # not a comment"
    assert values["PRIVATE_KEY"] == b"-----BEGIN KEY-----\nline1\nline2\n-----END KEY-----"
    assert values["APP_NAME"] == b"payroll-sync"
    assert values["UPSTREAM_TOKEN"] == b"${VAULT_TOKEN}"
    assert values["EMPTY_SECRET"] == b""
    assert values["REGION"] == b"eu"


def test_which_values_are_secrets() -> None:
    text = decode_text(DOTENV.encode(), ".env")
    items = {i.key: i for i in plan(parse_dotenv(text), "stripe", "acme")}
    assert {k for k, i in items.items() if i.secret} == {
        "STRIPE_API_KEY",
        "DB_PASSWORD",
        "PRIVATE_KEY",
    }
    assert items["UPSTREAM_TOKEN"].reason == "already a reference"
    assert items["STRIPE_API_KEY"].credential == "stripe_api_key"
    assert items["STRIPE_API_KEY"].reference == "${INTSEC_STRIPE_ACME_STRIPE_API_KEY}"
    assert "sk_live" not in repr(items)


def test_provider_format_is_a_secret_whatever_the_name() -> None:
    (item,) = plan(parse_dotenv("SOMETHING=AKIAQQQQQQQQQQQQQQQQ\n"), "aws", None)
    assert item.secret
    assert item.reference == "${INTSEC_AWS__SOMETHING}"


def test_render_keeps_everything_but_the_secret_values() -> None:
    text, entries, mapping = parse_file(DOTENV.encode(), FileFormat.DOTENV, ".env")
    out = render(text, entries, mapping, plan(entries, "stripe", None), FileFormat.DOTENV).decode()
    assert "export STRIPE_API_KEY=${INTSEC_STRIPE__STRIPE_API_KEY}" in out
    assert "PRIVATE_KEY=${INTSEC_STRIPE__PRIVATE_KEY}\nAPP_NAME=" in out
    assert "APP_NAME=payroll-sync   # trailing comment" in out
    assert "UPSTREAM_TOKEN=${VAULT_TOKEN}" in out
    for leaked in ("sk_live", "p@ss", "line1"):
        assert leaked not in out
    # The template parses again, and now nothing in it is a secret.
    again = plan(parse_dotenv(out), "stripe", None)
    assert not [i for i in again if i.secret]


@pytest.mark.parametrize("fmt", [FileFormat.JSON, FileFormat.YAML])
def test_json_and_yaml_round_trip(fmt: FileFormat) -> None:
    doc = {"API_TOKEN": "tok_9f8e7d6c5b4a", "REGION": "eu", "PORT": 8080}
    data = (json.dumps(doc) if fmt is FileFormat.JSON else yaml.safe_dump(doc)).encode()
    text, entries, mapping = parse_file(data, fmt, "cfg")
    out = render(text, entries, mapping, plan(entries, "x", None), fmt)
    loaded = json.loads(out) if fmt is FileFormat.JSON else yaml.safe_load(out)
    assert loaded == {"API_TOKEN": "${INTSEC_X__API_TOKEN}", "REGION": "eu", "PORT": 8080}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"KEY=\xff\xfe\n", "not UTF-8"),
        (b"NOT A LINE\n", ".env:1: expected KEY=value"),
        (b'A="never closed\nB=1\n', "never closed"),
        (b"1BAD=x\n", "expected KEY=value"),
    ],
)
def test_bad_dotenv_input(data: bytes, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_file(data, FileFormat.DOTENV, ".env")


@pytest.mark.parametrize(("data", "fmt"), [(b"[1, 2]", FileFormat.JSON), (b"{", FileFormat.JSON)])
def test_bad_structured_input(data: bytes, fmt: FileFormat) -> None:
    with pytest.raises(UsageError):
        parse_file(data, fmt, "cfg.json")


def test_a_million_lines_parse_in_linear_time() -> None:
    data = b"".join(b"VAR_%d=value_%d\n" % (i, i) for i in range(1_000_000))
    started = time.perf_counter()
    _text, entries, _ = parse_file(data, FileFormat.DOTENV, "big.env")
    assert len(entries) == 1_000_000
    assert time.perf_counter() - started < 20


def test_credential_names() -> None:
    assert credential_name_for("STRIPE_API_KEY") == "stripe_api_key"
    assert credential_name_for("Weird Key!") == "weird_key"


# --- the service ----------------------------------------------------------------------------


def _items(text: str, customer: str | None = "acme") -> list:  # type: ignore[type-arg]
    return plan(parse_dotenv(text), "bamboohr", customer)


def test_import_is_one_transaction_and_idempotent(session: VaultSession) -> None:
    items = _items("BHR_API_KEY=bhr_live_0123456789abcdef\nREGION=eu\nBHR_TOKEN=tok_abcdef123456\n")
    first = session.import_credentials(
        items, integration="bamboohr", customer="acme", source=".env"
    )
    assert sorted(first.added) == ["bhr_api_key", "bhr_token"]
    value = session.reveal_secret("bamboohr/acme/production/bhr_api_key")
    assert value == b"bhr_live_0123456789abcdef"
    again = session.import_credentials(items, integration="bamboohr", customer="acme")
    assert again.added == []
    assert sorted(again.unchanged) == ["bhr_api_key", "bhr_token"]
    actions = [e.action for e in session.audit_events()]
    assert actions.count("credentials.imported") == 2


def test_conflicting_reimport_writes_nothing(session: VaultSession) -> None:
    session.import_credentials(_items("A_KEY=first_value_1234\n"), integration="bamboohr")
    before = len(session.list_credentials())
    changed = _items("A_KEY=other_value_5678\nB_KEY=brand_new_value_99\n", customer=None)
    with pytest.raises(ConflictError, match="a_key"):
        session.import_credentials(changed, integration="bamboohr")
    assert len(session.list_credentials()) == before  # B_KEY was rolled back too


def test_import_into_unknown_integration_fails_cleanly(session: VaultSession) -> None:
    before = len(session.list_credentials())
    with pytest.raises(NotFoundError):
        session.import_credentials(_items("X_KEY=abcdefgh12345\n", None), integration="nope")
    assert len(session.list_credentials()) == before

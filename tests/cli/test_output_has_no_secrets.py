"""No secret value, nor any usual encoding of it, reaches stdout or stderr, except `cred reveal`."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import urllib.parse

from tests.cli.conftest import FAST_KDF, CliVault, Result


def _encodings(secret: bytes) -> set[bytes]:
    forms = {
        secret,
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
        base64.b64encode(secret).rstrip(b"="),
        binascii.hexlify(secret),
        binascii.hexlify(secret).upper(),
        repr(secret)[2:-1].encode(),  # a Python repr, e.g. in a traceback
        urllib.parse.quote(secret).encode(),
        json.dumps(secret.decode("latin-1"))[1:-1].encode(),
    }
    return {f for f in forms if len(f) >= 8}


def _assert_no_secret(results: list[Result], stored: dict[str, bytes]) -> None:
    for result in results:
        for path, secret in stored.items():
            for form in _encodings(secret):
                for stream in (result.stdout, result.stderr):
                    assert form not in stream, f"secret of {path} ({form!r}) in output of {result}"


def test_listing_show_and_json_outputs_hold_no_secret(fresh: CliVault) -> None:
    stored = dict(fresh.secrets)
    added = b"new_" + secrets.token_urlsafe(24).encode()
    rotated = b"rot_" + secrets.token_bytes(24)  # raw random bytes, not text
    stored["bamboohr/globex/production/added"] = added
    stored["greenhouse/acme/production/binary@2"] = rotated
    add = ["cred", "add", "--integration", "bamboohr", "--customer", "globex", "--name", "added"]

    results = [
        fresh.run(*add, "--json", stdin=added),
        fresh.run(*add, stdin=added),  # a duplicate: the error must not quote the value
        fresh.run(*add, "--debug", stdin=added),  # nor its traceback
        fresh.run("cred", "rotate", "greenhouse/acme/production/binary", stdin=rotated),
        fresh.run("cred", "edit", "bamboohr/-/staging/webhook_secret", "--owner", "x@example.com"),
        fresh.run(
            "keyslot",
            "add-passphrase",
            "--new-passphrase-file",
            str(fresh.passphrase_file),
            *FAST_KDF,
        ),
    ]
    listings: list[tuple[str, ...]] = [
        ("integration", "list"),
        ("customer", "list"),
        ("cred", "list"),
        ("cred", "list", "--expiring-within", "30"),
        ("keyslot", "list"),
    ]
    for path in stored:
        listings.append(("cred", "show", path.split("@")[0]))
    for args in listings:
        results.append(fresh.run(*args))
        results.append(fresh.run(*args, "--json"))
    results.append(fresh.run("doctor"))
    for result in results[:1] + results[3:]:
        assert result.code == 0, result
    assert results[1].code == results[2].code == 1
    shown = json.loads(
        fresh.ok("cred", "show", "greenhouse/acme/production/binary", "--json").stdout
    )
    assert [v["version"] for v in shown["versions"]] == [1, 2]

    _assert_no_secret(results, stored)

    # The check above can see a secret: reveal is the one command that prints it.
    reveals = [fresh.run("cred", "reveal", p) for p in stored if "@" not in p]
    reveals.append(fresh.run("cred", "reveal", "greenhouse/acme/production/binary"))
    for result in reveals:
        assert result.code == 0, result
    assert reveals[-1].stdout == rotated
    api_key = fresh.secrets["bamboohr/acme/production/api_key"]
    assert {r.stdout for r in reveals} >= {added, rotated, api_key}

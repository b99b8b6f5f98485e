"""The leak guard finds a stored value in every encoding the issue names, wherever it sits in
the bytes (alone, inside a longer encoded blob, wrapped), and reports where without the value."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intsec_desktop.core.errors import LeakFoundError
from intsec_desktop.core.export.guard import LeakGuard
from intsec_desktop.core.export.views import decoded_views, unescaped
from intsec_desktop.core.scan.encodings import encoded_forms
from intsec_desktop.core.scan.patterns import SecretEntry

SECRET = b"sk_live_Q9x/+7Zp\xc3\xa9Ww3"  # has base64-unsafe bytes and a non-ASCII letter
ENTRY = SecretEntry("stripe/acme/production/api_key", 2, SECRET)
PREFIX = b"# header\nname: prefix-"


def guard() -> LeakGuard:
    return LeakGuard.from_entries([ENTRY, SecretEntry("other/-/production/token", 1, b"x" * 12)])


def wrap(form: bytes) -> bytes:
    return PREFIX + form + b"-suffix\nnext: line\n"


@pytest.mark.parametrize(("encoding", "form"), encoded_forms(SECRET))
def test_every_encoded_form_is_found_and_located(encoding: str, form: bytes) -> None:
    hits = guard().hits(wrap(form))
    assert {(h.credential, h.version, h.line) for h in hits} == {(ENTRY.label, 2, 2)}
    assert encoding in {h.encoding for h in hits}


@pytest.mark.parametrize("shift", range(3))
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_value_inside_a_longer_base64_blob_at_every_alignment(shift: int, encode: object) -> None:
    blob = encode(b"\x01" * shift + b"config{" + SECRET + b"}tail")  # type: ignore[operator]
    assert SECRET not in blob
    assert guard().hits(wrap(blob))


def test_base64_wrapped_over_lines_is_found_across_lines() -> None:
    encoded = base64.b64encode(b"----" + SECRET * 3)
    wrapped = b"\n  ".join(encoded[i : i + 10] for i in range(0, len(encoded), 10))
    hits = guard().hits(wrap(wrapped))
    assert hits
    assert all(h.line == 0 and h.encoding == "base64" for h in hits)
    assert "across lines" in hits[0].where()


def test_hex_inside_other_hex_at_an_odd_offset_in_upper_case() -> None:
    assert guard().hits(wrap(b"abc" + SECRET.hex().upper().encode() + b"0f"))


def test_url_and_json_and_yaml_escapes() -> None:
    text = SECRET.decode()
    for form in (
        urllib.parse.quote(SECRET, safe="").encode(),
        urllib.parse.quote_plus(SECRET).encode(),
        json.dumps(text).encode(),  # \u00e9
        json.dumps("\U0001f511" + text).encode(),  # a surrogate pair before it
        text.replace("é", "\\xe9").encode(),  # YAML's \x escape
    ):
        assert guard().hits(wrap(form)), form


def test_utf16le_ascii_and_non_ascii_values() -> None:
    assert guard().hits(wrap(SECRET.decode().encode("utf-16-le")))
    cjk = "鍵鍵秘密鍵鍵秘密".encode()
    wide = LeakGuard.from_entries([SecretEntry("a/-/production/k", 1, cjk)])
    form = cjk.decode().encode("utf-16-le")
    assert b"\0" not in form
    assert wide.hits(b"x: " + form + b"\n")


def test_clean_bytes_pass_and_a_refusal_never_holds_the_value() -> None:
    g = guard()
    g.check(wrap(b"nothing to see"))
    with pytest.raises(LeakFoundError) as caught:
        g.check(wrap(base64.b64encode(SECRET)))
    message = str(caught.value)
    assert ENTRY.label in message
    assert all(form.decode("latin-1") not in message for _e, form in encoded_forms(SECRET))
    assert "sk_live" not in repr(g)


def test_too_short_values_refuse_every_write() -> None:
    g = LeakGuard.from_entries([SecretEntry("a/-/production/pin", 1, b"1234")])
    with pytest.raises(LeakFoundError, match="shorter than 8 bytes"):
        g.check(b"clean\n")


def test_unescaped_resolves_escapes_and_keeps_other_bytes() -> None:
    assert (
        unescaped(b'a\\"b\\\\c\\n\\u00e9\\U0001F511\xff')
        == 'a"b\\c\né\U0001f511'.encode() + b"\xff"
    )


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=8, max_size=40), st.binary(max_size=30), st.binary(max_size=30))
def test_views_agree_with_the_encoded_forms(value: bytes, before: bytes, after: bytes) -> None:
    """Whatever surrounds it, a value planted in any of its encoded forms is found."""
    g = LeakGuard.from_entries([SecretEntry("p/-/production/v", 1, value)])
    for _encoding, form in encoded_forms(value):
        assert g.hits(before + form + after), _encoding


def test_views_are_only_made_when_they_can_differ() -> None:
    names = [name for name, _view in decoded_views(b"plain: text\n")]
    assert names[0] == "raw"
    assert "url-encoded" not in names
    assert "json-escaped" not in names
    assert "utf-16le" not in names

"""Field rules shared by every front end; each failure names its field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from intsec_desktop.core.errors import ValidationError

MIN_SECRET_BYTES = 8  # shorter values cannot be leak-guarded without false alarms
MAX_SECRET_BYTES = 64 * 1024  # generous for PEM keys and JWTs; refuses pasted files
MAX_NAME_CHARS = 200
MAX_NOTES_CHARS = 10_000
MAX_DAYS = 3650

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_CREDENTIAL_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

E = TypeVar("E", bound=StrEnum)


def slug(value: str, field: str = "slug") -> str:
    if not _SLUG.fullmatch(value):
        raise ValidationError(
            f"{field} must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter"
            " or digit",
            field,
        )
    return value


def credential_name(value: str) -> str:
    if not _CREDENTIAL_NAME.fullmatch(value):
        raise ValidationError(
            "name must be 1-64 lower-case letters, digits, '_', '.' or '-' (e.g. api_key)", "name"
        )
    return value


def display_text(
    value: str, field: str, *, required: bool = True, limit: int = MAX_NAME_CHARS
) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} must not be empty", field)
    if len(value) > limit:
        raise ValidationError(
            f"{field} is too long ({len(value)} characters, at most {limit})", field
        )
    if _CONTROL.search(value):
        raise ValidationError(f"{field} must not contain control characters", field)
    return value


def notes(value: str) -> str:
    if len(value) > MAX_NOTES_CHARS:
        raise ValidationError(f"notes are too long (at most {MAX_NOTES_CHARS} characters)", "notes")
    return value


def choice(enum: type[E], value: str | E, field: str) -> E:
    allowed = ", ".join(m.value for m in enum)
    if not isinstance(value, str):
        # Values read from a file can be any structure: its repr (an enum's error message
        # holds one too) could be an alias bomb written out, gigabytes long.
        raise ValidationError(f"{field} must be one of {allowed}", field)
    try:
        return enum(value)
    except ValueError:
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValidationError(f"{field} must be one of {allowed}, not {shown!r}", field) from None


def secret(value: bytes) -> bytes:
    if not isinstance(value, bytes | bytearray):
        raise ValidationError("the secret must be bytes", "secret")
    if len(value) < MIN_SECRET_BYTES:
        raise ValidationError(
            f"the secret is {len(value)} bytes; at least {MIN_SECRET_BYTES} are needed so leaks"
            " of it can be detected",
            "secret",
        )
    if len(value) > MAX_SECRET_BYTES:
        raise ValidationError(
            f"the secret is {len(value)} bytes; at most {MAX_SECRET_BYTES} are stored", "secret"
        )
    return bytes(value)


def days(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise ValidationError(f"{field} must be a whole number of days from 1 to {MAX_DAYS}", field)
    return value


def reminder_days(values: Iterable[int]) -> tuple[int, ...]:
    checked = [days(v, "reminder days") for v in values]
    return tuple(sorted({v for v in checked if v is not None}, reverse=True))


def optional_https_url(value: str, field: str) -> str:
    value = value.strip()
    if value and not re.fullmatch(r"https://[^\s]+", value):
        raise ValidationError(f"{field.replace('_', ' ')} must start with https://", field)
    return value


def base_urls(values: dict[str, str]) -> dict[str, str]:
    for region, url in values.items():
        if not re.fullmatch(r"https://[^\s]+", url):
            raise ValidationError(f"base URL for {region} must start with https://", "base_urls")
    return dict(sorted(values.items()))

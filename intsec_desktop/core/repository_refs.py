"""Credential references typed by people: `42` or `integration/customer/environment/name`."""

from __future__ import annotations

from intsec_desktop.core.errors import ValidationError


def parse(ref: str | int) -> int | tuple[str, str | None, str, str]:
    if isinstance(ref, int):
        return ref
    text = ref.strip()
    if text.isdigit():
        return int(text)
    parts = text.split("/")
    if len(parts) != 4 or not all(parts):
        raise ValidationError(
            f"credential {ref!r} is neither an id nor integration/customer/environment/name"
            " (use - for no customer)",
            "credential",
        )
    integration, customer, environment, name = parts
    return integration, None if customer == "-" else customer, environment, name

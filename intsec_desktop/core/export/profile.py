"""What one export covers and how it is written: environment, regions, integrations, format,
reference dialect and target path. Stored in the vault; a plain value here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from intsec_desktop.core import validation
from intsec_desktop.core.errors import ValidationError
from intsec_desktop.core.model import Environment, Region


class ExportFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"
    DOTENV = "dotenv"
    K8S = "k8s"


class Dialect(StrEnum):
    ENV = "env"
    OP = "op"
    VAULT = "vault"
    AWS = "aws"


@dataclass(frozen=True, slots=True)
class ExportProfile:
    name: str  # "" for an ad-hoc export from command-line flags
    environment: Environment
    regions: tuple[Region, ...]
    integrations: tuple[str, ...] = ()  # () = every integration
    format: ExportFormat = ExportFormat.YAML
    dialect: Dialect = Dialect.ENV
    target: str = ""  # where `intsec export --profile` writes when no -o is given

    def spec(self) -> dict[str, Any]:
        """What the file records about the profile (not the target: moving a file is no drift)."""
        return {
            "name": self.name or None,
            "environment": self.environment.value,
            "regions": [r.value for r in self.regions],
            "integrations": list(self.integrations),
            "format": self.format.value,
            "dialect": self.dialect.value,
        }


def make_profile(
    name: str,
    environment: str,
    regions: list[str] | tuple[str, ...],
    integrations: list[str] | tuple[str, ...] = (),
    format: str = "yaml",
    dialect: str = "env",
    target: str = "",
) -> ExportProfile:
    """Validated profile; regions and integrations are sorted and de-duplicated."""
    if name:
        validation.slug(name, "name")
    if not regions:
        raise ValidationError(
            "name at least one region (residency: a file covers regions)", "regions"
        )
    return ExportProfile(
        name=name,
        environment=validation.choice(Environment, environment, "environment"),
        regions=tuple(sorted({validation.choice(Region, r, "regions") for r in regions})),
        integrations=tuple(sorted({validation.slug(i, "integrations") for i in integrations})),
        format=validation.choice(ExportFormat, format, "format"),
        dialect=validation.choice(Dialect, dialect, "dialect"),
        target=validation.display_text(target, "target", required=False, limit=4096),
    )


def profile_from_spec(spec: object) -> ExportProfile:
    """The profile a committed file records about itself (for `--check` without a profile)."""
    if not isinstance(spec, dict):
        raise ValidationError("the file does not record the profile it was exported with")
    try:
        return make_profile(
            spec.get("name") or "",
            spec["environment"],
            list(spec["regions"]),
            list(spec.get("integrations") or []),
            spec["format"],
            spec["dialect"],
        )
    except (KeyError, TypeError) as exc:
        raise ValidationError("the file's profile record is incomplete") from exc

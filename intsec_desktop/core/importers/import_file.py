"""One import, start to finish, minus the vault: read and plan a config file, then write the
template (or the rewritten file) once the secrets are stored. Shared by the CLI and the app."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from intsec_desktop.core.errors import StorageError, UsageError
from intsec_desktop.core.importers.envfile import (
    EnvEntry,
    FileFormat,
    PlanItem,
    parse_file,
    plan,
    render,
)
from intsec_desktop.core.vault.atomic import write_atomic

TEMPLATE_SUFFIX = ".intsec-template"


def format_of(path: Path, explicit: str | None = None) -> FileFormat:
    if explicit:
        return FileFormat(explicit)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return FileFormat.JSON
    if suffix in (".yaml", ".yml"):
        return FileFormat.YAML
    return FileFormat.DOTENV


@dataclass(frozen=True)
class ImportPlan:
    source: Path
    file_format: FileFormat
    data: bytes
    text: str
    entries: list[EnvEntry]
    mapping: dict[str, object] | None
    items: list[PlanItem]

    def __repr__(self) -> str:  # the data holds the secrets
        return f"ImportPlan({str(self.source)!r}, {len(self.items)} entries)"

    @property
    def secrets(self) -> list[PlanItem]:
        return [i for i in self.items if i.secret]

    def without(self, keys: set[str]) -> ImportPlan:
        """The same plan with these keys left in the file as they are (the user's choice)."""
        items = [
            replace(i, secret=False, reason="kept by choice", credential=None, reference=None)
            if i.key in keys and i.secret
            else i
            for i in self.items
        ]
        return replace(self, items=items)


def read_plan(
    source: Path, integration: str, customer: str | None, explicit_format: str | None = None
) -> ImportPlan:
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    file_format = format_of(source, explicit_format)
    text, entries, mapping = parse_file(data, file_format, str(source))
    return ImportPlan(
        source, file_format, data, text, entries, mapping, plan(entries, integration, customer)
    )


def write_result(
    import_plan: ImportPlan, *, rewrite: bool, backup: bool
) -> tuple[Path, Path | None]:
    """Write references in place of the secrets: beside the file, or over it (atomically)."""
    source = import_plan.source
    rendered = render(
        import_plan.text,
        import_plan.entries,
        import_plan.mapping,
        import_plan.items,
        import_plan.file_format,
    )
    target = source if rewrite else source.with_name(source.name + TEMPLATE_SUFFIX)
    backup_path = source.with_name(source.name + ".bak") if rewrite and backup else None
    try:
        if backup_path is not None:
            write_atomic(backup_path, import_plan.data, 0o600)
        mode = source.stat().st_mode & 0o777 if rewrite else 0o644
        write_atomic(target, rendered, mode)
    except StorageError as exc:
        raise StorageError(
            f"{exc}; the secrets are stored, so running the import again only writes the file"
        ) from exc
    return target, backup_path

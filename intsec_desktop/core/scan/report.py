"""Findings and how they are written: text, JSON, SARIF 2.1.0. None of them holds a value."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from intsec_desktop import __version__


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    commit: str | None
    credential: str  # credential path, or "provider:<rule>" for a secret the vault does not hold
    version: int  # 0 for provider findings
    encoding: str
    in_vault: bool

    def sort_key(self) -> tuple[str, int, str, str, int, str]:
        return (
            self.path,
            self.line,
            self.commit or "",
            self.credential,
            self.version,
            self.encoding,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "commit": self.commit,
            "credential": self.credential,
            "version": self.version or None,
            "encoding": self.encoding,
            "in_vault": self.in_vault,
        }


@dataclass
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why): binary, size
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, why): unreadable
    unscannable: list[str] = field(default_factory=list)  # credentials too short to look for
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0

    @property
    def found(self) -> bool:
        return bool(self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "findings": [f.as_json() for f in self.findings],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "problems": [{"path": p, "reason": r} for p, r in self.problems],
            "unscannable_credentials": self.unscannable,
            "files_scanned": self.files,
            "bytes_scanned": self.bytes,
        }

    def text_lines(self) -> list[str]:
        lines = []
        for f in self.findings:
            where = f"{f.path}:{f.line}" + (f" (commit {f.commit[:12]})" if f.commit else "")
            what = f.credential if f.in_vault else f"{f.credential} (not in the vault)"
            version = f" v{f.version}" if f.in_vault else ""
            lines.append(f"{where}: {what}{version} [{f.encoding}]")
        return lines

    def sarif(self) -> dict[str, Any]:
        rules: dict[str, dict[str, Any]] = {}
        results = []
        for f in self.findings:
            rule_id = f"intsec/{f.encoding}" if f.in_vault else f"intsec/{f.credential}"
            rules.setdefault(
                rule_id,
                {
                    "id": rule_id,
                    "shortDescription": {
                        "text": f"stored secret found ({f.encoding})"
                        if f.in_vault
                        else f"provider key format ({f.credential.removeprefix('provider:')})"
                    },
                },
            )
            location: dict[str, Any] = {
                "physicalLocation": {
                    "artifactLocation": {"uri": f.path},
                    "region": {"startLine": f.line},
                }
            }
            result: dict[str, Any] = {
                "ruleId": rule_id,
                "level": "error",
                "message": {"text": f"{f.credential} ({f.encoding})"},
                "locations": [location],
            }
            if f.commit:
                result["properties"] = {"commit": f.commit}
            results.append(result)
        return {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "intsec",
                            "version": __version__,
                            "rules": [rules[k] for k in sorted(rules)],
                        }
                    },
                    "results": results,
                }
            ],
        }


def sarif_text(report: ScanReport) -> str:
    return json.dumps(report.sarif(), indent=2, sort_keys=True) + "\n"

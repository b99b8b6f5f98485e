"""Whether an export target sits in a git repository, and its status there (for the GUI)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git_status(path: Path) -> str:
    """One line: 'not in a git repository', 'unchanged', 'modified', 'untracked', ..."""
    git = shutil.which("git")
    folder = path.parent
    if git is None or not folder.is_dir():
        return "not in a git repository"
    try:
        inside = subprocess.run(
            [git, "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return "not in a git repository"
        status = subprocess.run(
            [git, "-C", str(folder), "status", "--porcelain", "--", path.name],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "git status unavailable"
    code = status.stdout[:2]
    if not code.strip():
        return "in git: unchanged" if path.exists() else "in git: new file"
    return {"??": "in git: untracked", " M": "in git: modified", "M ": "in git: staged",
            "MM": "in git: staged and modified", "A ": "in git: added"}.get(code, f"in git: {code.strip()}")  # fmt: skip

"""SVG icons from the package's resources, cached per name."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from intsec_desktop.core import paths
from intsec_desktop.core.model import Status

STATUS_ICON = {
    Status.OK: "status-ok",
    Status.DUE_SOON: "status-due-soon",
    Status.OVERDUE: "status-overdue",
    Status.EXPIRED: "status-expired",
}


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(paths.resources_dir() / "icons" / f"{name}.svg"))


def status_icon(status: Status) -> QIcon:
    return icon(STATUS_ICON[status])

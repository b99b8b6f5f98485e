"""Alert delivery beyond the desktop: a Slack-compatible webhook for overdue credentials.

Messages carry names and dates only. Delivery retries with exponential backoff; the caller runs
it off the UI thread and reports the outcome. Sleep and transport are injectable for tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from intsec_desktop.core.reminders import ReportLine
from intsec_desktop.core.timefmt import format_date

Post = Callable[[str, bytes, float], int]  # url, body, timeout -> HTTP status


def _urllib_post(url: str, body: bytes, timeout: float) -> int:
    import urllib.request  # only when an alert is actually sent: it pulls in http, email, ssl

    request = urllib.request.Request(  # noqa: S310 - https:// enforced when the URL is stored
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return int(response.status)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    delivered: bool
    attempts: int
    detail: str  # one line for the user; never the URL (it is a secret)


def slack_message(lines: Sequence[ReportLine], vault_name: str) -> dict[str, object]:
    bullets = [
        f"• {line.deadline.title}: {line.deadline.kind.value} {line.state}"
        f" ({format_date(line.deadline.at)})"
        for line in lines
    ]
    return {
        "text": f"intsec-desktop: {len(lines)} item(s) need attention in vault {vault_name}\n"
        + "\n".join(bullets)
    }


def deliver(
    url: str,
    payload: dict[str, object],
    *,
    attempts: int = 4,
    first_delay: float = 1.0,
    timeout: float = 5.0,
    post: Post = _urllib_post,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    body = json.dumps(payload).encode()
    delay = first_delay
    last = "not attempted"
    for attempt in range(1, attempts + 1):
        status: int | None
        try:
            status = post(url, body, timeout)
        except OSError as exc:
            code = getattr(exc, "code", None)  # urllib's HTTPError is an OSError with a code
            status = code if isinstance(code, int) else None
            if status is None:
                last = f"endpoint unreachable ({type(exc).__name__})"
        except ValueError as exc:  # a malformed URL
            last = f"endpoint unreachable ({type(exc).__name__})"
            status = None
        if status is not None:
            if 200 <= status < 300:
                return DeliveryResult(True, attempt, f"delivered (HTTP {status})")
            last = f"endpoint answered HTTP {status}"
            if 400 <= status < 500 and status != 429:
                return DeliveryResult(False, attempt, last)  # retrying will not help
        if attempt < attempts:
            sleep(delay)
            delay *= 2
    return DeliveryResult(False, attempts, f"{last} after {attempts} attempts")

"""Webhook alerts against a real local HTTP server: delivered, retried with backoff, reported."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from intsec_desktop.core import alerts


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.answers: list[int] = []  # status per request; 200 once exhausted


@pytest.fixture
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            recorder.bodies.append(json.loads(self.rfile.read(length)))
            status = recorder.answers.pop(0) if recorder.answers else 200
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", recorder
    httpd.shutdown()
    httpd.server_close()


def test_delivered_first_time(server: tuple[str, Recorder]) -> None:
    url, recorder = server
    result = alerts.deliver(url, {"text": "hello"}, sleep=lambda _s: None)
    assert result.delivered
    assert result.attempts == 1
    assert recorder.bodies == [{"text": "hello"}]


def test_server_errors_are_retried_with_backoff(server: tuple[str, Recorder]) -> None:
    url, recorder = server
    recorder.answers = [503, 500]
    waits: list[float] = []
    result = alerts.deliver(url, {"text": "x"}, first_delay=0.5, sleep=waits.append)
    assert result.delivered
    assert result.attempts == 3
    assert waits == [0.5, 1.0]


def test_client_error_is_not_retried(server: tuple[str, Recorder]) -> None:
    url, recorder = server
    recorder.answers = [404]
    result = alerts.deliver(url, {"text": "x"}, sleep=lambda _s: None)
    assert not result.delivered
    assert result.attempts == 1
    assert "404" in result.detail
    assert url not in result.detail


def test_endpoint_down_is_reported_after_all_attempts() -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    result = alerts.deliver(
        f"http://127.0.0.1:{port}/", {"text": "x"}, attempts=3, sleep=waits.append
    )
    assert not result.delivered
    assert result.attempts == 3
    assert "unreachable" in result.detail
    assert str(port) not in result.detail
    assert waits == [1.0, 2.0]


def test_slow_endpoint_times_out(server: tuple[str, Recorder]) -> None:
    def slow_post(url: str, body: bytes, timeout: float) -> int:
        raise TimeoutError("timed out")

    result = alerts.deliver(
        "https://example.invalid/x",
        {"text": "x"},
        attempts=2,
        post=slow_post,
        sleep=lambda _s: None,
    )
    assert not result.delivered
    assert "TimeoutError" in result.detail

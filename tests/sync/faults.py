"""A fault-injecting reverse proxy on loopback, between the desktop's sync client and the real
server (SYNC.md, "Fault-injection suite").

The test queues faults; each request takes the first queued fault whose path matches its own
(``/v1/sync/push``, say, or any path when the fault names none) and every other request passes
through unchanged. Real sockets, real HTTP/1.1 with keep-alive: the client cannot tell the proxy
from the network. Every wait is bounded, and :meth:`FaultProxy.stop` ends the listener, the open
connections and the handler threads.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

UPSTREAM_TIMEOUT_S = 30.0
IDLE_TIMEOUT_S = 15.0  # an idle keep-alive connection is closed after this
# Headers not copied across: the connection's own, and the length the proxy sets itself.
NOT_COPIED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}
)


@dataclass
class Fault:
    """What happens to one request. Make them with the functions below."""

    kind: str
    path: str | None = None  # only a request to this path (without the query); None: any
    seconds: float = 0.0
    forward: bool = True
    times: int = 2
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def drop_request(path: str | None = None) -> Fault:
    """The connection closes before anything is forwarded: the server never sees it."""
    return Fault("drop_request", path)


def drop_response(path: str | None = None) -> Fault:
    """Forwarded and answered by the server (which committed), then the connection is reset
    instead of answering."""
    return Fault("drop_response", path)


def duplicate(path: str | None = None, times: int = 2) -> Fault:
    """Forwarded ``times`` times in a row; the last answer goes back."""
    return Fault("duplicate", path, times=times)


def delay(seconds: float, path: str | None = None, *, forward: bool = True) -> Fault:
    """A late answer: forwarded at once (the server commits), answered ``seconds`` later.
    ``forward=False``: the wait, then the connection closes unforwarded (a request that timed
    out before the server saw it)."""
    return Fault("delay", path, seconds=seconds, forward=forward)


def answer(
    status: int,
    body: bytes | str = b"",
    headers: dict[str, str] | None = None,
    path: str | None = None,
) -> Fault:
    """This answer instead of forwarding."""
    data = body.encode() if isinstance(body, str) else body
    return Fault("answer", path, status=status, body=data, headers=dict(headers or {}))


def problem(status: int, code: str, path: str | None = None, **headers: str) -> Fault:
    """The server's own kind of refusal (``application/problem+json``) instead of forwarding."""
    body = json.dumps({"title": code, "status": status, "code": code})
    hdrs = {"Content-Type": "application/problem+json"} | {
        k.replace("_", "-"): v for k, v in headers.items()
    }
    return answer(status, body, hdrs, path)


def html_page(path: str | None = None) -> Fault:
    """A captive portal: 200, ``text/html``, a sign-in page."""
    page = "<!doctype html><html><body><h1>Wi-Fi Hotel</h1><form>Masuk</form></body></html>"
    return answer(200, page, {"Content-Type": "text/html; charset=utf-8"}, path)


def cut_body(path: str | None = None) -> Fault:
    """Forwarded; the server's answer goes back with its full Content-Length but only half its
    bytes, then the connection closes."""
    return Fault("cut_body", path)


def cut_gzip(path: str | None = None) -> Fault:
    """Forwarded; the server's answer goes back gzip-encoded with its gzip stream cut in half
    (the HTTP framing itself is complete)."""
    return Fault("cut_gzip", path)


@dataclass
class Seen:
    """One request that reached the proxy."""

    method: str
    path: str
    fault: str  # the fault's kind, or "pass"
    target: str  # the path with its query
    headers: list[tuple[str, str]]
    body: bytes
    upstream_status: int | None = None

    def json(self) -> Any:
        return json.loads(gzip.decompress(self.body) if self.body[:2] == b"\x1f\x8b" else self.body)


class FaultProxy:
    """The proxy: ``url`` is where the client goes; ``upstream`` is the real server."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        assert parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
        self.upstream = (parts.hostname, parts.port or 80)
        self._faults: list[Fault] = []
        self.seen: list[Seen] = []
        self.errors: list[BaseException | None] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.proxy = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # ---- what the test does

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            with suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()  # joins the handler threads (bounded: sockets are shut)
        self._thread.join(5)
        assert not self._thread.is_alive()
        assert not self.errors, f"the proxy failed: {self.errors!r}"

    def queue(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def clear(self) -> None:
        """Forget the queued faults that no request took."""
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Queued faults that no request has taken yet."""
        with self._lock:
            return list(self._faults)

    def requests(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def replay(self, seen: Seen) -> tuple[int, bytes]:
        """The same request sent to the server once more, late (a delivery reordered by the
        network); its answer's status and raw body."""
        plain = [(k, v) for k, v in seen.headers if k.lower() != "accept-encoding"]
        status, _, body = self._forward(seen.method, seen.target, plain, seen.body)
        return status, body

    # ---- what the handler asks

    def _take(self, path: str) -> Fault | None:
        with self._lock:
            for i, f in enumerate(self._faults):
                if f.path is None or f.path == path:
                    return self._faults.pop(i)
        return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def _opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.add(conn)

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.discard(conn)

    def _forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection(*self.upstream, timeout=UPSTREAM_TIMEOUT_S)
        try:
            upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in NOT_COPIED:
                    upstream.putheader(name, value)
            upstream.putheader("Content-Length", str(len(body)))
            upstream.putheader("Connection", "close")
            upstream.endheaders(body)
            r = upstream.getresponse()
            data = r.read()  # de-chunked, still encoded as the server sent it
            return r.status, r.getheaders(), data
        finally:
            upstream.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # joined at server_close(), after their sockets are shut
    block_on_close = True
    proxy: FaultProxy

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (it timed out, say) is normal here; anything else is the
        proxy's own failure, which :meth:`FaultProxy.stop` raises in the test."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            self.proxy.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.proxy._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.proxy._closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet

    def _any(self) -> None:
        proxy = self.server.proxy
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        assert "chunked" not in (self.headers.get("Transfer-Encoding") or ""), "chunked body"
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client went away, or the proxy is stopping
            self.close_connection = True
            return
        fault = proxy._take(path)
        headers = list(self.headers.items())
        seen = Seen(self.command, path, fault.kind if fault else "pass", self.path, headers, body)
        proxy._record(seen)

        def forward() -> tuple[int, list[tuple[str, str]], bytes]:
            status, hdrs, data = proxy._forward(self.command, self.path, headers, body)
            seen.upstream_status = status
            return status, hdrs, data

        if fault is None:
            self._reply(*forward())
            return
        kind = fault.kind
        if kind == "drop_request":
            self._abort()
        elif kind == "drop_response":
            forward()
            self._abort()
        elif kind == "duplicate":
            for _ in range(fault.times - 1):
                forward()
            self._reply(*forward())
        elif kind == "delay":
            late = forward() if fault.forward else None
            if proxy._stopping.wait(fault.seconds) or late is None:
                self._abort()
            else:
                self._reply(*late)
        elif kind == "answer":
            hdrs = [("Content-Type", "text/plain")] if not fault.headers else []
            self._reply(fault.status, hdrs + list(fault.headers.items()), fault.body)
        elif kind == "cut_body":
            status, hdrs, data = forward()
            if len(data) < 2:  # an answer with no body (304): cut before it, a reset
                self._abort()
                return
            self._reply(status, hdrs, data[: len(data) // 2], length=len(data))
            self.close_connection = True  # then an orderly close, the rest never sent
        elif kind == "cut_gzip":
            status, hdrs, data = forward()
            if not data:  # an answer with no body (304): cut before it, a reset
                self._abort()
                return
            encoded = any(k.lower() == "content-encoding" and "gzip" in v for k, v in hdrs)
            packed = data if encoded else gzip.compress(data)
            hdrs = [(k, v) for k, v in hdrs if k.lower() != "content-encoding"]
            self._reply(status, [*hdrs, ("Content-Encoding", "gzip")], packed[: len(packed) // 2])
        else:
            raise AssertionError(f"unknown fault {kind}")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

    def _reply(
        self, status: int, headers: list[tuple[str, str]], body: bytes, length: int | None = None
    ) -> None:
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in NOT_COPIED:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _abort(self) -> None:
        """Reset the connection: no answer at all."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


@contextmanager
def running(upstream: str) -> Iterator[FaultProxy]:
    """A proxy to ``upstream``, stopped at the end."""
    proxy = FaultProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()

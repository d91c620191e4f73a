"""Talking to the central server: one HTTPS client that trusts what the operating system trusts
(agencies inspect TLS with their own authority), honours the system proxy, never turns
verification off, and checks every answer before anything is believed.

Every failure becomes one of the errors in :mod:`wfh_desktop.sync.errors`; an answer that is not
what the protocol says (a captive portal's web page, a cut gzip stream, a wrong content type, a
missing field, an answer too large) is a network error for that attempt, and nothing is marked
as sent.
"""

from __future__ import annotations

import gzip
import logging
import ssl
import time
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from wfh_desktop import __version__, jsonfast
from wfh_desktop.sync.errors import (
    NetworkError,
    Refused,
    ServerTrouble,
    TlsError,
    UnknownServer,
)
from wfh_server.protocol import PROTOCOL_VERSION, Problem

log = logging.getLogger("wfh.sync")

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
MAX_ANSWER = 16 * 1024 * 1024  # bytes after decompression; a pull page is well under 1 MiB
GZIP_OVER = 1024  # request bodies over this are sent gzip-compressed (SYNC.md)

M = TypeVar("M", bound=BaseModel)


def check_server_url(url: str) -> str:
    """The server's address, normalised; http:// only to this computer (TLS is never off)."""
    from wfh_desktop.errors import UserError
    from wfh_desktop.settings import server_address

    try:
        return server_address(url)
    except UserError as e:
        raise UnknownServer(e.message, **e.values) from e


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The operating system's trusted authorities (truststore), plus an agency's own file."""
    import truststore

    ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        try:
            ctx.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as e:
            raise TlsError(
                "The certificate file {path} cannot be used: {error}", path=ca_file, error=str(e)
            ) from e
    return ctx


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    sent_at: float  # wall-clock seconds, for the clock offset
    received_at: float


class Transport:
    """One keep-alive HTTP client for one server. Thread-safe for the one sync at a time."""

    def __init__(
        self,
        server_url: str,
        *,
        ca_file: str | None = None,
        wall: Any = time.time,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = check_server_url(server_url)
        self._wall = wall
        self._client = client or httpx.Client(
            base_url=self.url,
            verify=tls_context(ca_file) if self.url.startswith("https:") else True,
            trust_env=True,  # HTTPS_PROXY / NO_PROXY, as the system sets them
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            follow_redirects=False,
            headers={"User-Agent": f"wfh-desktop/{__version__}"},
        )

    def close(self) -> None:
        self._client.close()

    # ---- sending

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One request; raises :class:`NetworkError` (and its kinds) when no answer came."""
        hdrs = {"Accept": "application/json", "X-Sync-Protocol": str(PROTOCOL_VERSION)}
        hdrs |= headers or {}
        content = None
        if body is not None:
            encoded = body if isinstance(body, Encoded) else encode(body)
            hdrs |= encoded.headers
            content = encoded.content
        sent = self._wall()
        try:
            with self._client.stream(
                method, path, content=content, params=params, headers=hdrs
            ) as r:
                data = bytearray()
                for chunk in r.iter_bytes():
                    data += chunk
                    if len(data) > MAX_ANSWER:
                        raise NetworkError(
                            "The server's answer was too large ({mb} MB or more); "
                            "nothing was marked as sent.",
                            mb=MAX_ANSWER // (1024 * 1024),
                        )
                return Answer(r.status_code, r.headers, bytes(data), sent, self._wall())
        except httpx.DecodingError as e:
            raise NetworkError(
                "The server's answer arrived damaged (cut short); it will be tried again."
            ) from e
        except httpx.ConnectError as e:
            err = _connect_error(self.url, e)
            if isinstance(err, NetworkError):
                err.unsent = True
            raise err from e
        except httpx.ConnectTimeout as e:
            err = NetworkError("The server did not answer in time; it will be tried again.")
            err.unsent = True
            raise err from e
        except httpx.TimeoutException as e:
            raise NetworkError("The server did not answer in time; it will be tried again.") from e
        except (httpx.TransportError, httpx.InvalidURL) as e:
            raise NetworkError(
                "The connection to the server failed ({error}); it will be tried again.",
                error=type(e).__name__,
            ) from e

    # ---- reading answers

    def model(self, answer: Answer, cls: type[M]) -> M:
        """A 2xx answer read as ``cls``; anything else raises."""
        if answer.status >= 300:
            raise self.refusal(answer)
        return parse(answer, cls)

    def refusal(self, answer: Answer) -> Exception:
        """The error a non-2xx answer stands for."""
        status = answer.status
        problem: Problem | None = None
        kind = answer.headers.get("content-type", "").split(";")[0].strip()
        if kind in ("application/problem+json", "application/json"):
            try:
                problem = Problem.model_validate_json(answer.body)
            except ValidationError:
                problem = None
        if problem is None or problem.status != status:
            if status >= 500 or status in (404, 405):
                # A proxy's or a web server's page, not our server's answer.
                return ServerTrouble(status) if status >= 500 else UnknownServer.not_ours()
            return NetworkError(
                "The server's answer was not understood (HTTP {status}); nothing was marked "
                "as sent.",
                status=status,
            )
        if status >= 500:
            return ServerTrouble(status, problem.code)
        return Refused(problem, retry_after(answer))


def parse(answer: Answer, cls: type[M]) -> M:
    kind = answer.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/json":
        log.warning("answer of type %r, not JSON (%d bytes)", kind, len(answer.body))
        raise NetworkError(
            "The server answered with a web page instead of data (a Wi-Fi or office sign-in "
            "page?); nothing was marked as sent."
        )
    try:
        return cls.model_validate_json(answer.body)
    except ValidationError as e:
        # Only where it failed: the input may hold a token.
        log.warning(
            "answer not valid %s: %s",
            cls.__name__,
            [(err["loc"], err["type"]) for err in e.errors(include_input=False)],
        )
        raise NetworkError(
            "The server's answer was not understood; nothing was marked as sent."
        ) from e


def retry_after(answer: Answer) -> float | None:
    value = answer.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class Encoded(NamedTuple):
    """A request body as it travels (made ahead: ``encode``)."""

    content: bytes
    headers: dict[str, str]


def encode(body: Any) -> Encoded:
    """JSON, gzip-compressed when over ``GZIP_OVER`` bytes."""
    raw = jsonfast.dumps(body)
    headers = {"Content-Type": "application/json"}
    if len(raw) > GZIP_OVER:
        raw = gzip.compress(raw, compresslevel=6)
        headers["Content-Encoding"] = "gzip"
    return Encoded(raw, headers)


def _connect_error(url: str, e: httpx.ConnectError) -> Exception:
    cause: BaseException | None = e
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TlsError(
                "The server's certificate is not trusted ({error}). If your agency uses its own "
                "certificate authority, give its file: “Certificate file” when signing in, or "
                "wfh login --ca-file.",
                error=cause.verify_message or str(cause),
            )
        if isinstance(cause, ssl.SSLError):
            return TlsError("The secure connection to the server failed: {error}", error=str(cause))
        cause = cause.__cause__ or cause.__context__
    text = str(e)
    if (
        "Name or service not known" in text
        or "nodename nor servname" in text
        or "getaddrinfo" in (text)
    ):
        return UnknownServer(
            "The server {host} could not be found. Check the address, or the network.",
            host=urlsplit(url).hostname or url,
        )
    return NetworkError(
        "The server cannot be reached (offline?); your work is kept and will be sent later."
    )

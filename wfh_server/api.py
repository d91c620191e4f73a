"""The HTTP API (FastAPI): health, sign-in (password, rotating refresh tokens), sign-out, the
colleague directory and sync (push, pull, snapshot; ``SYNC.md``). Every error is
``application/problem+json`` with a stable ``code``."""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import func, or_, select
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wfh_server import __version__
from wfh_server.auth import Auth, AuthError, Caller, check_protocol
from wfh_server.config import ServerConfig
from wfh_server.db import current_revision, make_engine, reading
from wfh_server.limits import RateLimit
from wfh_server.models import AppUser, Unit
from wfh_server.protocol import (
    MAX_BATCH,
    MAX_BODY,
    NO_NUL,
    PULL_LIMIT,
    Colleague,
    Directory,
    LoginRequest,
    LogoutRequest,
    PasswordChange,
    Problem,
    PullResponse,
    PushRequest,
    PushResponse,
    RefreshRequest,
    SnapshotResponse,
    Tokens,
)
from wfh_server.sync import Sync, SyncError, password_changed
from wfh_server.tokens import load_key

PROBLEM = "application/problem+json"
GZIP_OVER, GZIP_LEVEL = 1024, 1  # answers of at least 1 KiB go gzip-compressed, at level 1
log = logging.getLogger("wfh.server")
DIRECTORY_LIMIT = 50


class Health(BaseModel):
    status: str
    version: str
    schema_revision: str | None
    database: str


def problem(
    status: int,
    code: str,
    detail: str | None,
    headers: dict[str, str] | None = None,
    extra: dict[str, int] | None = None,
) -> JSONResponse:
    body = Problem.model_validate(
        {"title": code.replace("_", " "), "status": status, "code": code, "detail": detail}
        | (extra or {})
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM, headers=headers
    )


def refusal(e: AuthError) -> JSONResponse:
    headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s else None
    if e.status == 401:
        headers = (headers or {}) | {"WWW-Authenticate": "Bearer"}
    return problem(e.status, e.code, e.detail, headers, e.extra)


def unexpected() -> JSONResponse:
    log.exception("unexpected error")
    return problem(500, "internal_error", "Something went wrong on the server; try again.")


def _json(model: BaseModel) -> Response:
    """An answer already in its declared model, written by pydantic's own JSON encoder (FastAPI
    would check and convert it once more)."""
    return Response(model.model_dump_json(), media_type="application/json")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of error answers: a Problem, as application/problem+json."""
    schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {
        status: {"model": Problem, "content": {PROBLEM: schema}, "description": "a problem"}
        for status in statuses
    }


class BodyError(HTTPException):
    """A body refused while it is read (FastAPI lets only HTTP exceptions through there)."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(status, detail)
        self.code = code


def _too_big() -> BodyError:
    return BodyError(413, "body_too_large", f"At most {MAX_BODY} bytes: split the batch.")


async def _read_body(request: Request) -> bytes:
    """The request body, gunzipped when it says so; refused over ``MAX_BODY`` bytes before or
    after decompression (a small gzip can unpack to gigabytes)."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise _too_big()
    return _unpack(bytes(raw), request.headers.get("content-encoding", "identity"))


def _unpack(raw: bytes, encoding: str) -> bytes:
    """A body as sent (at most ``MAX_BODY`` bytes), gunzipped when ``encoding`` says so; refused
    over ``MAX_BODY`` bytes after decompression, damaged, cut short or followed by more."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding != "gzip":
        raise BodyError(415, "unsupported_encoding", "Send the body plain or gzip-compressed.")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflate.decompress(raw, MAX_BODY + 1)
    except zlib.error:
        raise BodyError(400, "invalid_body", "The gzip body is damaged.") from None
    if len(body) > MAX_BODY or inflate.unconsumed_tail:
        raise _too_big()
    if not inflate.eof:
        raise BodyError(400, "invalid_body", "The gzip body is cut short.")
    if inflate.unused_data:
        raise BodyError(400, "invalid_body", "There is more after the gzip body.")
    return body


class _GzipRequest(Request):
    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            self._body = await _read_body(self)
        return self._body


class _GzipRoute(APIRoute):
    """A sync route whose JSON body may come gzip-compressed (``Content-Encoding: gzip``). The
    sender is checked from the headers before the body is read: nobody who may not sync makes
    the route read and unpack a megabyte (the ``syncer`` dependency then finds it checked). A
    push's caller from ``FastPush``, checked from its token only, has its account read here."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def gunzipping(request: Request) -> Response:
            given: Caller | None = getattr(request.state, "caller", None)
            h = request.headers
            if given is None:  # not checked by FastPush
                check: Callable[..., Caller] = request.app.state.may_sync
                request.state.caller = check(
                    h.get("authorization"), h.get("x-sync-protocol"), h.get("x-device-id")
                )
            elif not given.checked:  # by FastPush from its token only: its account read now
                read: Callable[[str | None], Caller] = request.app.state.signed_in
                request.state.caller = read(h.get("authorization"))
            return await handler(_GzipRequest(request.scope, request.receive))

        return gunzipping


_PULL_HEADERS = {b"authorization": 0, b"x-sync-protocol": 20, b"x-device-id": 36}  # max lengths


def _digits(value: str, low: int, high: int) -> int | None:
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    n = int(value)
    return n if low <= n <= high else None


def _pull_cursor(query: bytes) -> int | None:
    """``since`` of a pull whose query is plainly valid (``since``, ``limit`` and ``answered``
    at most once each, in range); ``None`` for anything else, which the framework then checks
    and answers."""
    seen: dict[str, int] = {}
    for part in query.decode("latin-1").split("&") if query else ():
        name, eq, value = part.partition("=")
        if not eq or name in seen or name not in ("since", "limit", "answered"):
            return None
        n = _digits(value, *((1, PULL_LIMIT) if name == "limit" else (0, 2**62)))
        if n is None:
            return None
        seen[name] = n
    return seen.get("since", 0)


class NothingNew:
    """The "nothing new" pull (304), answered before the framework: most of a server's requests
    are a device asking every few minutes whether anything changed, and routing, dependency
    resolution and the middleware around them cost more than the answer (``docs/benchmarks.md``).
    The same checks as the route's (``may_sync``), the same refusals; a pull that has something
    to send, or a query or header this does not plainly understand, goes on to the route, with
    its caller already checked (one rate-limit token, one read)."""

    def __init__(self, app: ASGIApp, may_sync: Callable[..., Caller]) -> None:
        self.app, self.may_sync = app, may_sync

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/sync/pull" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        since = _pull_cursor(scope["query_string"])
        found: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _PULL_HEADERS and name not in found:
                found[name] = value.decode("latin-1")
        if since is None or any(
            0 < _PULL_HEADERS[name] < len(value) for name, value in found.items()
        ):
            return await self.app(scope, receive, send)
        try:
            me = self.may_sync(
                found.get(b"authorization"),
                found.get(b"x-sync-protocol"),
                found.get(b"x-device-id"),
            )
        except AuthError as e:
            return await refusal(e)(scope, receive, send)
        except Exception:
            return await unexpected()(scope, receive, send)
        if since != me.last_seq or since < me.gc_floor:
            scope.setdefault("state", {})["caller"] = me
            return await self.app(scope, receive, send)
        etag = f'"{me.user_id}:{since}"'.encode()
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
        await send({"type": "http.response.body", "body": b""})


_PUSH_HEADERS = (b"authorization", b"x-sync-protocol", b"x-device-id")


class FastPush:
    """The push, answered before the framework, as :class:`NothingNew` answers the pull: a
    backlog is a thousand pushes in a row, and routing, dependency resolution, the standard
    library's JSON parse and the middleware around them cost a fifth of a push's time outside
    the sync rules (``docs/benchmarks.md``). The same checks (``may_push``: the token and the
    headers, the account and the device then read in the push's own transaction; then the
    body's limits, then the ``PushRequest`` model, parsed by pydantic from the JSON in one
    pass), the same answer, gzip-compressed as the middleware would. Whatever it does not
    plainly accept (another content type or encoding, a body too big, damaged or invalid) goes
    on to the route with its body and its caller (one rate-limit token), which reads the
    account and refuses it as before."""

    def __init__(self, app: ASGIApp, may_push: Callable[..., Caller], sync: Sync) -> None:
        self.app, self.may_push, self.sync = app, may_push, sync

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/sync/push" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name not in headers:
                headers[name] = value.decode("latin-1")
        if headers.get(b"content-type", "").strip().lower() != "application/json" or headers.get(
            b"content-encoding", "identity"
        ).strip().lower() not in ("gzip", "identity"):
            return await self.app(scope, receive, send)
        try:
            me = self.may_push(*(headers.get(name) for name in _PUSH_HEADERS))
        except AuthError as e:
            return await refusal(e)(scope, receive, send)
        except Exception:
            return await unexpected()(scope, receive, send)
        scope.setdefault("state", {})["caller"] = me
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if size > MAX_BODY or not message.get("more_body", False):
                break
        request = self._parse(messages, size, headers)
        if request is None:  # the route refuses it as it always did

            async def replay() -> Message:
                return messages.pop(0) if messages else await receive()

            return await self.app(scope, replay, send)
        try:
            answer = await run_in_threadpool(self.sync.push, me, request)
        except AuthError as e:
            return await refusal(e)(scope, receive, send)
        except Exception:
            return await unexpected()(scope, receive, send)
        body = answer.model_dump_json().encode()
        out = [(b"content-type", b"application/json"), (b"vary", b"Accept-Encoding")]
        if len(body) >= GZIP_OVER and "gzip" in headers.get(b"accept-encoding", ""):
            body = gzip.compress(body, compresslevel=GZIP_LEVEL)
            out.append((b"content-encoding", b"gzip"))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _parse(messages: list[Message], size: int, headers: dict[bytes, str]) -> PushRequest | None:
        if size > MAX_BODY:
            return None
        raw = b"".join(m.get("body", b"") for m in messages)
        try:
            request = PushRequest.model_validate_json(
                _unpack(raw, headers.get(b"content-encoding", "identity"))
            )
        except (BodyError, ValueError):  # pydantic's ValidationError is a ValueError
            return None
        return request if len(request.mutations) <= MAX_BATCH else None


def create_app(config: ServerConfig | None = None, sync: Sync | None = None) -> FastAPI:
    config = config or ServerConfig.resolve()
    engine = sync.engine if sync else make_engine(config)
    auth = Auth(engine, config, load_key(config.home))
    sync = sync or Sync(engine)
    limit = RateLimit(config.rate_per_hour, config.rate_burst)
    errors = problems(400, 401, 403, 409, 422, 429)
    sync_errors = errors | problems(413, 415)
    app = FastAPI(title="WFH Desktop server", version=__version__)
    # Answers over 1 KiB go gzip-compressed to clients that accept it (SYNC.md): a push's
    # records shrink 14 times (313 to 22 MB for a 100,000-session backlog), which counts on a
    # slow connection. Level 1: compressing is on a device's critical path (its pushes go one
    # at a time), and level 5 made that backlog 28 % slower on loopback (docs/benchmarks.md).
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_OVER, compresslevel=GZIP_LEVEL)

    @app.exception_handler(AuthError)
    async def _auth_error(_request: Request, e: AuthError) -> JSONResponse:
        return refusal(e)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, e: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        return problem(422, "invalid_request", where)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, e: Exception) -> JSONResponse:
        return unexpected()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, e: StarletteHTTPException) -> JSONResponse:
        return problem(e.status_code, getattr(e, "code", f"http_{e.status_code}"), str(e.detail))

    def caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
        return auth.caller(authorization)

    def may_sync(
        authorization: str | None, x_sync_protocol: str | None, x_device_id: str | None
    ) -> Caller:
        """A signed-in device that may sync now: its protocol spoken, its initial password
        changed, within its rate limit. Run on the event loop: its one primary-key read never
        waits for a lock (SQLite WAL, PostgreSQL MVCC), and a thread hop would cost more."""
        return _may_sync(auth.caller(authorization), x_sync_protocol, x_device_id)

    def may_push(
        authorization: str | None, x_sync_protocol: str | None, x_device_id: str | None
    ) -> Caller:
        """As :func:`may_sync` for a push, from its token alone: the push reads the account and
        the device in its own transaction (``Auth.token_caller``)."""
        return _may_sync(auth.token_caller(authorization), x_sync_protocol, x_device_id)

    def _may_sync(me: Caller, x_sync_protocol: str | None, x_device_id: str | None) -> Caller:
        check_protocol(x_sync_protocol)
        if x_device_id is not None and x_device_id != me.device_id:
            raise SyncError(403, "device_mismatch", "X-Device-Id is not the signed-in device.")
        password_changed(me.must_change_password)
        wait = limit.take(f"{me.org_id}/{me.device_id}")
        if wait is not None:
            raise SyncError(429, "rate_limited", "Too many requests from this device.", wait)
        return me

    def signed_in(authorization: str | None) -> Caller:
        """A push's caller read in full, when the fast path, having checked its token and its
        headers (and counted it), hands its body on to the route."""
        me = auth.caller(authorization)
        password_changed(me.must_change_password)
        return me

    app.state.may_sync, app.state.signed_in = may_sync, signed_in
    app.add_middleware(NothingNew, may_sync=may_sync)  # outermost: before GZip
    app.add_middleware(FastPush, may_push=may_push, sync=sync)

    async def syncer(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        x_sync_protocol: Annotated[str | None, Header(max_length=20)] = None,
        x_device_id: Annotated[str | None, Header(max_length=36)] = None,
    ) -> Caller:
        checked: Caller | None = getattr(request.state, "caller", None)  # a push's, already
        return checked or may_sync(authorization, x_sync_protocol, x_device_id)

    @app.get("/healthz", response_model=Health)
    def health() -> Any:
        return Health(
            status="ok",
            version=__version__,
            schema_revision=current_revision(engine),
            database=engine.dialect.name,
        )

    @app.post("/v1/auth/login", response_model=Tokens, responses=errors)
    def login(body: LoginRequest) -> Any:
        return auth.login(
            body.login, body.password, body.device_id, body.device_name, body.protocol, body.org
        )

    @app.post("/v1/auth/refresh", response_model=Tokens, responses=errors)
    def refresh(body: RefreshRequest) -> Any:
        return auth.refresh(body.refresh_token, body.device_id)

    @app.post("/v1/auth/logout", status_code=204, responses=errors)
    def logout(body: LogoutRequest) -> None:
        auth.logout(body.refresh_token)

    @app.post("/v1/auth/password", status_code=204, responses=errors)
    def change_password(body: PasswordChange, me: Caller = Depends(caller)) -> None:
        auth.change_password(me, body.old_password, body.new_password)

    @app.get("/v1/directory", response_model=Directory, responses=errors)
    def directory(
        q: Annotated[str, Query(max_length=100, pattern=NO_NUL)] = "",
        me: Caller = Depends(syncer),  # a closure: not an annotation FastAPI could resolve
    ) -> Any:
        """Colleagues in my organisation (for handing over a task): name, unit and NIP only."""
        query = (
            select(AppUser.name, Unit.name, AppUser.nip)
            .join(Unit, (Unit.org_id == AppUser.org_id) & (Unit.unit_id == AppUser.unit_id))
            .where(AppUser.org_id == me.org_id, AppUser.disabled_at.is_(None))
        )
        text = " ".join(q.split()).lower()
        if text:  # the same on SQLite and PostgreSQL: %, _ and \ are plain characters
            query = query.where(
                or_(
                    func.lower(AppUser.name).contains(text, autoescape=True),
                    func.lower(Unit.name).contains(text, autoescape=True),
                    AppUser.nip.contains(text, autoescape=True),
                )
            )
        with reading(engine) as s:
            rows = s.execute(query.order_by(AppUser.name).limit(DIRECTORY_LIMIT)).all()
        return Directory(people=[Colleague(name=n, unit=u, nip=nip) for n, u, nip in rows])

    pushing = APIRouter(route_class=_GzipRoute)

    @pushing.post("/v1/sync/push", response_model=PushResponse, responses=sync_errors)
    def push(body: PushRequest, me: Caller = Depends(syncer)) -> Any:
        """Mutations from the device's outbox, in ``seq`` order, at most 100 and 1 MiB
        (decompressed); each gets ``applied | duplicate | merged | rejected``."""
        if len(body.mutations) > MAX_BATCH:
            raise SyncError(413, "batch_too_large", f"At most {MAX_BATCH} mutations a push.")
        return _json(sync.push(me, body))

    app.include_router(pushing)

    @app.get(
        "/v1/sync/pull",
        response_model=PullResponse,
        responses=sync_errors | problems(410) | {304: {"description": "nothing new"}},
    )
    async def pull(
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit_: Annotated[int, Query(alias="limit", ge=1, le=PULL_LIMIT)] = PULL_LIMIT,
        answered: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        me: Caller = Depends(syncer),
    ) -> Any:
        """The changes the user may see after ``since``, in ``seq`` order; 304 when there is
        nothing new (no more than the sign-in check's read). ``answered``: the highest ``seq``
        of this device whose push answer the device has written; the changes it already has
        from those answers are left out (``next`` goes past them)."""
        sync.check_cursor(since, me.last_seq, me.gc_floor)
        if me.last_seq == since:  # mostly answered before, by NothingNew
            return Response(status_code=304, headers={"ETag": f'"{me.user_id}:{since}"'})
        return _json(await run_in_threadpool(sync.pull, me, since, limit_, answered))

    @app.get("/v1/sync/snapshot", response_model=SnapshotResponse, responses=sync_errors)
    def snapshot(
        after: Annotated[str | None, Query(max_length=80, pattern=NO_NUL)] = None,
        limit_: Annotated[int, Query(alias="limit", ge=1, le=PULL_LIMIT)] = PULL_LIMIT,
        me: Caller = Depends(syncer),
    ) -> Any:
        """Every live record the user sees, for a full resync after 410."""
        return sync.snapshot(me, after, limit_)

    return app

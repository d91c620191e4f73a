"""The HTTP API (FastAPI): health, sign-in (password, rotating refresh tokens), sign-out and the
colleague directory. Every error is ``application/problem+json`` with a stable ``code``. The sync
endpoints of ``SYNC.md`` come next."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func, or_, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from wfh_server import __version__
from wfh_server.auth import Auth, AuthError, Caller
from wfh_server.config import ServerConfig
from wfh_server.db import current_revision, make_engine, transaction
from wfh_server.models import AppUser, Unit
from wfh_server.protocol import (
    Colleague,
    Directory,
    LoginRequest,
    LogoutRequest,
    PasswordChange,
    Problem,
    RefreshRequest,
    Tokens,
)
from wfh_server.tokens import load_key

PROBLEM = "application/problem+json"
log = logging.getLogger("wfh.server")
DIRECTORY_LIMIT = 50


class Health(BaseModel):
    status: str
    version: str
    schema_revision: str | None
    database: str


def problem(status: int, code: str, detail: str | None, headers: dict[str, str] | None = None,
            min_protocol: int | None = None) -> JSONResponse:  # fmt: skip
    body = Problem(
        title=code.replace("_", " "),
        status=status,
        code=code,
        detail=detail,
        min_protocol=min_protocol,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM, headers=headers
    )


def create_app(config: ServerConfig | None = None) -> FastAPI:
    config = config or ServerConfig.resolve()
    engine = make_engine(config)
    auth = Auth(engine, config, load_key(config.home))
    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": Problem},
        403: {"model": Problem},
        429: {"model": Problem},
    }
    app = FastAPI(title="WFH Desktop server", version=__version__)

    @app.exception_handler(AuthError)
    async def _auth_error(_request: Request, e: AuthError) -> JSONResponse:
        headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s else None
        if e.status == 401:
            headers = (headers or {}) | {"WWW-Authenticate": "Bearer"}
        return problem(e.status, e.code, e.detail, headers, e.extra.get("min_protocol"))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, e: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        return problem(422, "invalid_request", where)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, e: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return problem(500, "internal_error", "Something went wrong on the server; try again.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, e: StarletteHTTPException) -> JSONResponse:
        return problem(e.status_code, f"http_{e.status_code}", str(e.detail))

    def caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
        return auth.caller(authorization)

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
        q: Annotated[str, Query(max_length=100)] = "",
        me: Caller = Depends(caller),  # a closure: not an annotation FastAPI could resolve
    ) -> Any:
        """Colleagues in my organisation (for handing over a task): name, unit and NIP only."""
        query = (
            select(AppUser.name, Unit.name, AppUser.nip)
            .join(Unit, (Unit.org_id == AppUser.org_id) & (Unit.unit_id == AppUser.unit_id))
            .where(AppUser.org_id == me.user.org_id, AppUser.disabled_at.is_(None))
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
        with transaction(engine) as s:
            rows = s.execute(query.order_by(AppUser.name).limit(DIRECTORY_LIMIT)).all()
        return Directory(people=[Colleague(name=n, unit=u, nip=nip) for n, u, nip in rows])

    return app

"""The HTTP API (FastAPI). This first part serves its health and its OpenAPI description; the
sign-in and sync endpoints of ``SYNC.md`` come next."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from wfh_server import __version__
from wfh_server.config import ServerConfig
from wfh_server.db import current_revision, make_engine


class Health(BaseModel):
    status: str
    version: str
    schema_revision: str | None
    database: str


def create_app(config: ServerConfig | None = None) -> FastAPI:
    config = config or ServerConfig.resolve()
    engine = make_engine(config)
    app = FastAPI(title="WFH Desktop server", version=__version__)

    @app.get("/healthz", response_model=Health)
    def health() -> Any:
        return Health(
            status="ok",
            version=__version__,
            schema_revision=current_revision(engine),
            database=engine.dialect.name,
        )

    return app

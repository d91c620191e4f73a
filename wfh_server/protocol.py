"""The API's request and response models; the desktop client imports them too."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL

PROTOCOL_VERSION = 1


class Problem(BaseModel):
    """An error, as ``application/problem+json`` (RFC 9457), with a stable ``code``."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    min_protocol: int | None = None  # with protocol_unsupported
    expected_seq: int | None = None  # with seq_gap: push from this one
    gc_floor: int | None = None  # with cursor_expired


class LoginRequest(BaseModel):
    login: str = Field(min_length=1, max_length=254, pattern=NO_NUL, description="NIP or e-mail")
    password: str = Field(min_length=1, max_length=1024)
    device_id: str = Field(min_length=1, max_length=36, pattern=NO_NUL)
    device_name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    org: str | None = Field(
        default=None,
        max_length=64,
        pattern=NO_NUL,
        description="only when the NIP or e-mail is in several",
    )
    protocol: int = PROTOCOL_VERSION


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    device_id: str = Field(min_length=1, max_length=36, pattern=NO_NUL)


class LogoutRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200, pattern=NO_NUL)


MIN_PASSWORD = 10


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=MIN_PASSWORD, max_length=1024)


class UserInfo(BaseModel):
    org_id: str
    user_id: str
    nip: str
    name: str
    unit: str
    must_change_password: bool


class Tokens(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    user: UserInfo


class Colleague(BaseModel):
    """What the directory tells about a colleague: nothing more."""

    name: str
    unit: str
    nip: str


class Directory(BaseModel):
    people: list[Colleague]


# ---- sync (SYNC.md: push, pull, snapshot) ------------------------------------------------

MAX_BATCH = 100  # mutations in one push
MAX_BODY = 1024 * 1024  # bytes of a push body, after decompression
PULL_LIMIT = 500


class Mutation(BaseModel):
    """One change made on a device, from its outbox. ``type`` is ``<entity>.<operation>``:
    ``session.upsert | edit | stop | delete | restore``, ``task.upsert | delete | restore``,
    ``task.handoff``. Instants in ``fields`` are ISO-8601 strings with their offset."""

    seq: int = Field(ge=1, le=2**62, description="per device: 1, 2, 3, … without gaps")
    mutation_id: str = Field(min_length=1, max_length=36, pattern=NO_NUL)
    type: str = Field(min_length=1, max_length=32, pattern=NO_NUL)
    entity_id: str = Field(min_length=1, max_length=36, pattern=NO_NUL)
    hlc: str = Field(min_length=1, max_length=80, pattern=NO_NUL)
    base_version: int | None = Field(default=None, ge=0, le=2**31)
    clock_offset_ms: int | None = Field(default=None, ge=-(2**40), le=2**40)
    fields: dict[str, Any] = Field(default_factory=dict)


class PushRequest(BaseModel):
    client_time: str | None = Field(default=None, max_length=40)
    mutations: list[Mutation] = Field(description=f"at most {MAX_BATCH}, in seq order")


class ItemResult(BaseModel):
    seq: int
    status: str = Field(description="applied | duplicate | merged | rejected")
    entity_id: str | None = None
    version: int | None = None
    feed_seq: int | None = None
    record: dict[str, Any] | None = None
    note: str | None = None
    code: str | None = None
    detail: str | None = None
    current: dict[str, Any] | None = None
    original_status: str | None = Field(default=None, description="for a duplicate")


class PushResponse(BaseModel):
    server_time: str
    server_hlc: str
    epoch: str
    device_last_seq: int
    results: list[ItemResult]


class Change(BaseModel):
    entity: str = Field(description="session | task | handoff")
    id: str
    version: int
    seq: int
    deleted: bool
    gone: bool = Field(
        default=False,
        description="no longer the user's to see (a task handed on): keep it, expect no more",
    )
    record: dict[str, Any]


class PullResponse(BaseModel):
    changes: list[Change]
    next: int
    has_more: bool
    server_time: str
    server_hlc: str
    epoch: str


class SnapshotResponse(BaseModel):
    records: list[Change]
    as_of_seq: int
    next_after: str | None = Field(description="give it as `after` for the next page")
    has_more: bool
    epoch: str

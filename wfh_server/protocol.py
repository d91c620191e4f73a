"""The API's request and response models; the desktop client imports them too."""

from __future__ import annotations

from pydantic import BaseModel, Field

PROTOCOL_VERSION = 1


class Problem(BaseModel):
    """An error, as ``application/problem+json`` (RFC 9457), with a stable ``code``."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    min_protocol: int | None = None  # with protocol_unsupported


class LoginRequest(BaseModel):
    login: str = Field(min_length=1, max_length=254, description="NIP or e-mail")
    password: str = Field(min_length=1, max_length=1024)
    device_id: str = Field(min_length=1, max_length=36)
    device_name: str | None = Field(default=None, max_length=200)
    org: str | None = Field(
        default=None, max_length=64, description="only when the NIP or e-mail is in several"
    )
    protocol: int = PROTOCOL_VERSION


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)
    device_id: str = Field(min_length=1, max_length=36)


class LogoutRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


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

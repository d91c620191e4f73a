"""Access tokens: short-lived, signed (HS256, a JWT), held by the client in memory only.

The signing key is ``WFH_SERVER_SECRET_KEY`` when set (several hosts behind one address must
share it), else a random key made once in the server's data folder (readable by its owner only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any


class BadToken(Exception):
    """Not a token this server made, or no longer valid."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_key(home: Path, environ: dict[str, str] | None = None) -> bytes:
    env = os.environ if environ is None else environ
    if env.get("WFH_SERVER_SECRET_KEY"):
        return env["WFH_SERVER_SECRET_KEY"].encode()
    path = home / "secret.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        # Made whole under a name of its own, then linked in only if no other worker was
        # first: every worker ends up with the one key.
        tmp = path.with_name(f"secret.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip().encode()


def sign(claims: dict[str, Any], key: bytes) -> str:
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def verify(token: str, key: bytes, now_ms: int) -> dict[str, Any]:
    try:
        head, body, mac = token.split(".")
        expected = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise BadToken("signature")
        if json.loads(_unb64(head)) != {"alg": "HS256", "typ": "JWT"}:
            raise BadToken("header")
        claims: dict[str, Any] = json.loads(_unb64(body))
    except (ValueError, TypeError) as e:
        raise BadToken("malformed") from e
    if not isinstance(claims.get("exp"), int) or claims["exp"] * 1000 <= now_ms:
        raise BadToken("expired")
    return claims


def hash_refresh(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh() -> str:
    return secrets.token_urlsafe(32)

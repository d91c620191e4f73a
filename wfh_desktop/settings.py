"""Typed, versioned user settings with defaults, kept as JSON in the config folder.

Each settings file carries a ``version``; :data:`UPGRADES` turns an older file into the current
shape one step at a time. A file that cannot be read is moved aside (never overwritten) and the
defaults are used.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import LANGUAGES
from wfh_desktop.timefmt import ZONES

SETTINGS_VERSION = 1


class Settings(NamedTuple):
    """What the user chose. ``language`` None means: follow the system locale, else Indonesian."""

    language: str | None = None
    office_zone: str = "WIB"
    default_target_minutes: int = 30
    server_url: str | None = None
    ca_file: str | None = None  # an agency's own certificate authority, besides the system's
    notify_at_target: bool = True  # the desktop app tells when a running task reaches its target
    notify_far_over: bool = True  # ... and when it goes 50 % over it


_BOOLEANS = {
    **dict.fromkeys(("true", "yes", "ya", "on", "1"), True),
    **dict.fromkeys(("false", "no", "tidak", "off", "0"), False),
}


def _upgrade_0_to_1(raw: dict[str, Any]) -> dict[str, Any]:
    # Version 0 was never released; it called the zone "zone".
    if "zone" in raw:
        raw["office_zone"] = raw.pop("zone")
    return raw


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _upgrade_0_to_1}


def validate(name: str, value: Any) -> Any:
    """Check one setting and return it in its stored form; raise UserError if it is wrong."""
    if name == "language":
        if value in (None, ""):
            return None
        if value not in LANGUAGES:
            raise UserError("Language must be id or en, not {value!r}.", value=value)
        return value
    if name == "office_zone":
        if not isinstance(value, str) or value.upper() not in ZONES:
            raise UserError("Unknown time zone {zone}: use WIB, WITA or WIT.", zone=value)
        return value.upper()
    if name == "default_target_minutes":
        return validate_target(value)
    if name == "server_url":
        if value in (None, ""):
            return None
        return server_address(str(value))
    if name == "ca_file":
        if value in (None, ""):
            return None
        path = Path(str(value)).expanduser()
        if not path.is_file():
            raise UserError("The certificate file {path} does not exist.", path=str(path))
        return str(path.resolve())
    if name in ("notify_at_target", "notify_far_over"):
        if isinstance(value, bool):
            return value
        flag = _BOOLEANS.get(str(value).strip().lower())
        if flag is None:
            raise UserError("{name} must be true or false, not {value!r}.", name=name, value=value)
        return flag
    raise UserError("Unknown setting {name!r}.", name=name)


def server_address(url: str) -> str:
    """A server's address, normalised: https://, or http:// to this computer only (TLS is
    never turned off for a real server)."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UserError(
            "The server address must look like https://wfh.example.go.id, not {url!r}.", url=url
        )
    if parts.scheme == "http":
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise UserError(
                "The server address must start with https://; plain http:// is only for a "
                "server on this computer."
            )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def validate_target(value: Any) -> int:
    """A task target: a whole number of minutes from 1 to 480."""
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise UserError(
            "The target must be a whole number of minutes from 1 to 480, not {value!r}.",
            value=value,
        ) from None
    if not 1 <= minutes <= 480:
        raise UserError("The target must be from 1 to 480 minutes, not {value}.", value=minutes)
    return minutes


def load(path: Path) -> tuple[Settings, str | None]:
    """Read settings; returns them and, when the file was unreadable, where it was moved."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), None
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        version = int(raw.pop("version", 0))
        if version > SETTINGS_VERSION:
            raise ValueError(f"written by a newer version ({version})")
        while version < SETTINGS_VERSION:
            raw = UPGRADES[version](raw)
            version += 1
        values = {k: validate(k, v) for k, v in raw.items() if k in Settings._fields}
        return Settings(**values), None
    except (ValueError, UserError, TypeError):
        moved = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%dT%H%M%S')}")
        os.replace(path, moved)
        return Settings(), str(moved)


def save(path: Path, settings: Settings) -> None:
    """Write settings atomically: a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": SETTINGS_VERSION, **settings._asdict()}
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)

"""Compact JSON through orjson, five times faster than the standard library's: the sync
client's push bodies and answers, the server's JSON columns. What orjson refuses (a lone
surrogate, an integer over 64 bits, a key that is not text) goes through ``json``, escaped to
ASCII, so that any value the standard library writes is still written."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, the same text as ``json.dumps(value,
    ensure_ascii=False, separators=(",", ":"))`` for everything orjson writes."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value, separators=(",", ":")).encode()


def dumps_text(value: Any) -> str:
    return dumps(value).decode()

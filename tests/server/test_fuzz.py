"""A fuzz run of the API from its own OpenAPI description (schemathesis), against the real
server process on loopback: whatever is sent, no answer is a 5xx, every answer is the shape the
description promises, and a refused request leaves the sync data as it was.

The examples are bounded (``FUZZ_EXAMPLES`` an operation, half of them on PostgreSQL, where the
same requests meet the same code and only the storage differs) to keep ``make test`` within
CI's time; the requests carry a valid sign-in, so the fuzzing reaches past authentication into
the rules."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from tests.server.served import SITI, Server, serve
from wfh_server.config import ServerConfig

FUZZ_EXAMPLES = 30
SYNC_TABLES = (
    "task",
    "session",
    "handoff",
    "user_feed",
    "mutation_log",
    "user_sync_state",
    "device",
)


class Target:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.device = server.ready(SITI, "fuzz-laptop")
        self.device.pushed(
            self.device.mutation(
                "task.upsert",
                "0190aaaa-0000-7000-8000-000000000001",
                {"title": "Tugas", "target_minutes": 30},
            )
        )

    def fingerprint(self) -> str:
        """What the sync tables hold (a device's last-seen time aside: reading sets it)."""
        digest = hashlib.sha256()
        with self.server.engine.connect() as conn:
            for table in SYNC_TABLES:
                rows = conn.execute(text(f"SELECT * FROM {table}")).mappings().all()
                cleaned = sorted(
                    json.dumps(
                        {k: v for k, v in r.items() if k != "last_seen_at"},
                        sort_keys=True,
                        default=str,
                    )
                    for r in rows
                )
                digest.update(json.dumps([table, cleaned]).encode())
        return digest.hexdigest()


@pytest.fixture
def fuzz_target(engine: Any, server_config: ServerConfig) -> Iterator[Target]:
    with serve(engine, server_config) as server:
        yield Target(server)


def _check(target: Target, case: Any) -> None:
    case.headers = {
        k: v
        for k, v in (case.headers or {}).items()
        if k.lower() not in ("authorization", "x-sync-protocol", "x-device-id")
    }
    case.headers |= target.device.headers()
    before = target.fingerprint()
    response = case.call(base_url=target.server.url, timeout=30)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
    if response.status_code >= 400:
        assert target.fingerprint() == before, (case.path, response.status_code)


def test_no_request_breaks_the_server_or_changes_data_it_refused(fuzz_target):
    raw = httpx.get(f"{fuzz_target.server.url}/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    sqlite = fuzz_target.server.engine.dialect.name == "sqlite"
    assert len(operations) >= 9  # health, sign-in (4), directory, push, pull, snapshot
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=FUZZ_EXAMPLES if sqlite else FUZZ_EXAMPLES // 2,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: Any) -> None:
                _check(fuzz_target, case)

            try:
                fuzz()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing can be wrong in what it takes

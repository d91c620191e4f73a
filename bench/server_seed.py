"""The server benchmark's data: one organisation of simulated civil servants, each with a stored
history of office-day sessions written straight into the server's tables (bulk SQL: ``COPY`` on
PostgreSQL, ``executemany`` on SQLite), as the server itself would have stored them.

The history is bench/histgen.py's (Monday to Friday, 07.30-16.00 WIB with a lunch break, 15-60
minute sessions on tasks with Indonesian titles, 1-3 sessions a task), ending on
:data:`HISTORY_END`; every user gets the same spans with ids of their own. Each session is stored
as a start then a stop from an old laptop of theirs would leave it (version 2, the merge clock of
both), each task as its upsert (and its "done" if done), and each record once in the user's
change feed, in the order they were made; the user's counter row ends at the last ``seq``.
The sessions the benchmark pushes come after :data:`HISTORY_END` (see :class:`Spans`).
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from histgen import DAY_END_S, DAY_START_S, LUNCH_END_S, LUNCH_S, WIB_OFFSET_S, History, generate

ORG, ORG_NAME, UNIT_NAME = "kemen", "Kementerian Contoh", "Biro Umum"
HISTORY_END = date(2024, 12, 31)  # the seeded history's last workday
PUSH_FROM = date(2025, 1, 6)  # the pushed sessions' first workday (a Monday)

_SYNCED = ["version", "clock", "conflicts", "origin_device", "created_at", "deleted_at"]
TASK_COLUMNS = [
    *["org_id", "id", "owner_user_id", "assignee_user_id", "title", "target_minutes", "rhk"],
    *["output", "volume", "unit", "status", "done_at", *_SYNCED, "updated_at"],
]
SESSION_COLUMNS = [
    *["org_id", "id", "owner_user_id", "task_id", "start_at", "end_at", "source", "note"],
    *["auto_stop_reason", "needs_review", "client_clock_offset_ms", *_SYNCED, "updated_at"],
]
FEED_COLUMNS = ["org_id", "user_id", "entity_type", "entity_id", "seq"]
NOTES = (
    "Lanjutan kemarin",
    "Menunggu tanda tangan Kabag",
    "Draf dikirim ke atasan",
    "Revisi sesuai masukan rapat",
    "Koordinasi lewat telepon",
)


@dataclass
class Person:
    nip: str
    password: str
    user_id: str


def nip_of(i: int) -> str:
    """An 18-digit NIP: birth date, appointment year and month, sex, serial number."""
    birth = date(1980, 1, 1) + timedelta(days=97 * i)
    return f"{birth:%Y%m%d}2010{1 + i % 12:02d}{1 + i % 2}{i + 1:03d}"


def make_people(engine: Any, n: int) -> list[Person]:
    """The organisation, its unit and ``n`` users whose initial password counts as changed
    (set in the database: the sync endpoints refuse a user who must change it first)."""
    from sqlalchemy import update

    from wfh_server import admin
    from wfh_server.db import transaction
    from wfh_server.models import AppUser

    admin.create_org(engine, ORG_NAME, ORG)
    admin.create_unit(engine, ORG, UNIT_NAME)
    people = []
    for i in range(n):
        new = admin.add_user(engine, ORG, nip_of(i), f"Pegawai Uji {i + 1}", UNIT_NAME, None)
        people.append(Person(new.user.nip, new.password, new.user.user_id))
    with transaction(engine) as s:
        s.execute(update(AppUser).where(AppUser.org_id == ORG).values(must_change_password=False))
    return people


def _hlc(ms: int, device: str) -> str:
    return f"{ms:016x}-0000-{device}"


class _Ids:
    """UUIDv7-shaped ids carrying the time of their record, quickly (millions are needed)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def __call__(self, ms: int) -> str:
        r = self.rng.getrandbits(74)
        rand_a, var_b, rand_b = (r >> 62) & 0xFFF, 0x8000 | ((r >> 48) & 0x3FFF), r & (2**48 - 1)
        h = f"{ms:012x}7{rand_a:03x}{var_b:04x}{rand_b:012x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def user_rows(
    history: History, user_id: str, seed: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(tasks, sessions, feed) rows of one user's stored history."""
    ids = _Ids(seed)
    rng = random.Random(seed)
    laptop = ids(history.sessions[0].start_s * 1000 - 86_400_000)  # an old device of theirs
    tasks: list[tuple[Any, ...]] = []
    sessions: list[tuple[Any, ...]] = []
    feed: list[tuple[Any, ...]] = []
    task_ids: dict[int, str] = {}
    last_end: dict[int, int] = {}
    for s in history.sessions:
        last_end[s.task] = s.end_s * 1000
    seq = 0
    for s in history.sessions:
        start, end = s.start_s * 1000, s.end_s * 1000
        tid = task_ids.get(s.task)
        if tid is None:
            task = history.tasks[s.task]
            tid = task_ids[s.task] = ids(start)
            h = _hlc(start, laptop)
            fields = {"status": h, "target_minutes": h, "title": h}
            done_at = last_end[s.task] if task.done else None
            if done_at is not None:
                fields |= {"done_at": _hlc(done_at, laptop), "status": _hlc(done_at, laptop)}
            tasks.append(
                (
                    ORG,
                    tid,
                    user_id,
                    user_id,
                    task.title,
                    task.target_minutes,
                    None,
                    None,
                    None,
                    None,
                    "done" if task.done else "open",
                    done_at,
                    2 if task.done else 1,
                    json.dumps({"f": fields}),
                    "[]",
                    laptop,
                    start,
                    None,
                    done_at or start,
                )
            )
            seq += 1
            feed.append((ORG, user_id, "task", tid, seq))
        sid = ids(start)
        h1, h2 = _hlc(start, laptop), _hlc(end, laptop)
        clock = (
            f'{{"f": {{"note": "{h1}", "source": "{h1}", "start_at": "{h1}", "task_id": "{h1}"}}, '
            f'"stop": ["{h2}", {end}, null]}}'
        )
        note = rng.choice(NOTES) if rng.random() < 0.2 else None
        sessions.append(
            (
                ORG,
                sid,
                user_id,
                tid,
                start,
                end,
                "timer",
                note,
                None,
                None,
                None,
                2,
                clock,
                "[]",
                laptop,
                start,
                None,
                end,
            )
        )
        seq += 1
        feed.append((ORG, user_id, "session", sid, seq))
    return tasks, sessions, feed


@dataclass
class SeedStats:
    sessions_per_user: int
    tasks_per_user: int
    feed_per_user: int
    users: int
    seconds: float
    rows: int
    database_mib: float


def _chunks(rows: list[Any], size: int = 20_000) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def seed_sqlite(db_path: Path, people: list[Person], history: History) -> SeedStats:
    t0 = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # this connection only: a bulk load
    conn.execute("PRAGMA cache_size=-262144")
    rows = 0
    for i, p in enumerate(people):
        tasks, sessions, feed = user_rows(history, p.user_id, seed=1000 + i)
        conn.execute("BEGIN IMMEDIATE")
        for table, columns, data in (
            ("task", TASK_COLUMNS, tasks),
            ("session", SESSION_COLUMNS, sessions),
            ("user_feed", FEED_COLUMNS, feed),
        ):
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            for chunk in _chunks(data):
                conn.executemany(sql, chunk)
            rows += len(data)
        conn.execute(
            "UPDATE user_sync_state SET last_seq = ? WHERE org_id = ? AND user_id = ?",
            (len(feed), ORG, p.user_id),
        )
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = (
        sum(f.stat().st_size for f in db_path.parent.glob(db_path.name + "*") if f.is_file())
        / 2**20
    )
    return SeedStats(
        len(sessions), len(tasks), len(feed), len(people), time.perf_counter() - t0, rows, size
    )


def seed_postgres(libpq_url: str, people: list[Person], history: History) -> SeedStats:
    import psycopg

    t0 = time.perf_counter()
    rows = 0
    with psycopg.connect(libpq_url) as conn:
        for i, p in enumerate(people):
            tasks, sessions, feed = user_rows(history, p.user_id, seed=1000 + i)
            with conn.cursor() as cur:
                for table, columns, data in (
                    ("task", TASK_COLUMNS, tasks),
                    ("session", SESSION_COLUMNS, sessions),
                    ("user_feed", FEED_COLUMNS, feed),
                ):
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
                    rows += len(data)
                cur.execute(
                    "UPDATE user_sync_state SET last_seq = %s WHERE org_id = %s AND user_id = %s",
                    (len(feed), ORG, p.user_id),
                )
            conn.commit()
    # What autovacuum does by itself soon after a bulk load: statistics and the visibility map.
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        for table in ("task", "session", "user_feed", "user_sync_state", "app_user", "device"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        size = (row[0] if row else 0) / 2**20
    return SeedStats(
        len(sessions), len(tasks), len(feed), len(people), time.perf_counter() - t0, rows, size
    )


def history_for(sessions_per_user: int) -> History:
    return generate(sessions_per_user, HISTORY_END)


# ---- the sessions the benchmark pushes -------------------------------------------------------


class Spans:
    """One user's next sessions after the stored history: office days from :data:`PUSH_FROM`
    on, 15-60 minutes each with short gaps, never overlapping (both devices of the user draw
    from the same one)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.day = PUSH_FROM
        self.cursor = DAY_START_S + self.rng.randint(0, 900)
        self.lunched = False

    def next(self) -> tuple[int, int]:
        length = self.rng.randint(15, 60) * 60
        if not self.lunched and self.cursor >= LUNCH_S - 600:
            self.cursor, self.lunched = max(self.cursor, LUNCH_END_S), True
        if self.cursor + length > DAY_END_S + 300:
            self.day += timedelta(days=1)
            while self.day.weekday() >= 5:
                self.day += timedelta(days=1)
            self.cursor, self.lunched = DAY_START_S + self.rng.randint(0, 900), False
        base = (self.day.toordinal() - 719163) * 86400 - WIB_OFFSET_S
        start = (base + self.cursor) * 1000
        self.cursor += length + self.rng.choice((0, 60, 120, 300, 600))
        return start, start + length * 1000

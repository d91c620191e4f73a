"""One realistic work history, written to the stores of wfh, Watson and Timewarrior.

The history is a civil servant's office days: Monday to Friday, 07.30-16.00 WIB with a lunch
break, filled with 15-60-minute sessions on tasks whose targets are 15, 30 or 60 minutes. Each
task gets 1-3 sessions; some finish on target, some over. It runs back in time from the last
workday before ``--today`` for as many days as ``--sessions`` needs. The last session belongs to
an open task with a unique title, :data:`BENCH_TITLE`, which the benchmark starts and stops.

Run as a script (in its own process, so that ``wfh_desktop.ids.uuid7`` starts with fresh state
and every id carries the time of its own event):

    .venv/bin/python bench/histgen.py --sessions 100000 --out bench/.work/h100000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

BENCH_TITLE = "Menyiapkan bahan uji kinerja aplikasi pencatat waktu"
WIB_OFFSET_S = 7 * 3600
SEED = 20261102

DAY_START_S = 7 * 3600 + 30 * 60  # 07.30
LUNCH_S = 12 * 3600  # 12.00
LUNCH_END_S = 13 * 3600  # 13.00
DAY_END_S = 16 * 3600  # 16.00

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
UNIT = (
    "Bidang Perencanaan",
    "Subbagian Umum dan Kepegawaian",
    "Subbagian Keuangan",
    "Bidang Pelayanan Publik",
    "Seksi Data dan Informasi",
    "Bidang Sarana dan Prasarana",
    "Sekretariat",
)
TOPIK = (
    "penyusunan anggaran",
    "evaluasi kinerja triwulan",
    "pelayanan perizinan",
    "pengelolaan arsip",
    "reformasi birokrasi",
    "zona integritas",
    "pengadaan barang dan jasa",
    "SAKIP",
    "penilaian SKP",
    "survei kepuasan masyarakat",
)
INSTANSI = (
    "BKD Provinsi",
    "Inspektorat",
    "Bappeda",
    "KPPN",
    "Diskominfo",
    "BPKAD",
    "Kantor Regional BKN",
)
ACARA = (
    "rapat pimpinan",
    "rapat koordinasi teknis",
    "kunjungan kerja",
    "sosialisasi peraturan",
    "bimbingan teknis",
    "monitoring dan evaluasi",
)
DOKUMEN = ("SPJ", "SPM", "SP2D", "kontrak", "surat tugas", "SPPD", "nota dinas")


class Task(NamedTuple):
    title: str
    target_minutes: int
    done: bool


class Session(NamedTuple):
    task: int  # index into History.tasks
    start_s: int  # UTC epoch seconds
    end_s: int


class History(NamedTuple):
    tasks: list[Task]
    sessions: list[Session]  # in time order, never overlapping
    first_day: date
    last_day: date
    workdays: int


YEAR = "{tahun}"  # filled in with the year the task was worked in


def make_title(rng: random.Random) -> str:
    """A task title as an Indonesian civil servant would type it (with :data:`YEAR`)."""
    year = YEAR
    bulan = rng.choice(BULAN)
    n = rng.randint(1, 999)
    templates = (
        f"Menyusun laporan kinerja bulan {bulan} {year}",
        f"Rapat koordinasi {rng.choice(UNIT)}",
        f"Membalas surat masuk nomor {n}/{rng.choice(('UM', 'KP', 'KEU', 'PR'))}/{year}",
        f"Verifikasi dokumen {rng.choice(DOKUMEN)} bulan {bulan}",
        f"Menyusun notula rapat {rng.choice(TOPIK)}",
        f"Input data SKP pegawai {rng.choice(UNIT)}",
        f"Menelaah draf peraturan tentang {rng.choice(TOPIK)}",
        f"Menyiapkan bahan paparan {rng.choice(ACARA)}",
        f"Memperbarui data aset {rng.choice(UNIT)}",
        f"Menyusun telaahan staf tentang {rng.choice(TOPIK)}",
        f"Entri realisasi anggaran bulan {bulan} {year}",
        f"Konsultasi teknis dengan {rng.choice(INSTANSI)}",
        f"Menyusun rencana kerja {rng.choice(('mingguan', 'bulanan', 'triwulan'))}",
        f"Rekapitulasi daftar hadir pegawai bulan {bulan}",
        "Mengunggah laporan harian ke aplikasi e-Kinerja",
        f"Mengarsipkan surat keluar nomor {n}",
        f"Menyusun kerangka acuan kerja {rng.choice(ACARA)}",
        f"Menjawab pertanyaan masyarakat tentang {rng.choice(TOPIK)}",
        f"Memeriksa kelengkapan berkas {rng.choice(DOKUMEN)}",
        f"Menyusun konsep surat edaran {rng.choice(TOPIK)}",
    )
    return rng.choice(templates)


def plan_durations(rng: random.Random, target: int) -> list[int]:
    """Session lengths (whole minutes, 15-60 each) for one task: 1-3 sessions, on target
    (total at most the target) about 60 % of the time where possible, otherwise over."""
    weights = {15: (80, 20, 0), 30: (50, 40, 10), 60: (30, 45, 25)}[target]
    n = rng.choices((1, 2, 3), weights=weights)[0]
    on_target = rng.random() < 0.6 and 15 * n <= target
    if not on_target and 60 * n <= target:
        n += 1  # one 60-minute session cannot go over a 60-minute target
    lo, hi = (max(15 * n, target * 6 // 10), target) if on_target else (target + 1, 60 * n)
    hi = min(hi, max(lo, target * 5 // 2))
    total = rng.randint(lo, hi)
    parts = [15] * n
    extra = total - 15 * n
    while extra > 0:
        i = rng.randrange(n)
        if parts[i] < 60:
            step = min(extra, 60 - parts[i], rng.randint(1, 15))
            parts[i] += step
            extra -= step
    return parts


class _Active:
    __slots__ = ("index", "left")

    def __init__(self, index: int, left: list[int]) -> None:
        self.index = index
        self.left = left


def generate(n_sessions: int, last_day: date, seed: int = SEED) -> History:
    """The history: ``n_sessions`` sessions ending on ``last_day`` (a workday)."""
    rng = random.Random(seed)
    tasks: list[Task] = []
    plans: list[tuple[int, int, int]] = []  # (abstract day, start second, end second) WIB
    owners: list[int] = []
    pool: list[_Active] = []
    day, cursor, lunched = 0, DAY_START_S + rng.randint(0, 900), False
    while len(plans) < n_sessions:
        last = len(plans) == n_sessions - 1
        if last:
            tasks.append(Task(BENCH_TITLE, 60, False))
            active = _Active(len(tasks) - 1, [rng.randint(20, 40)])
        else:
            if not pool or (len(pool) < 3 and rng.random() < 0.35):
                target = rng.choices((15, 30, 60), weights=(30, 40, 30))[0]
                tasks.append(Task(make_title(rng), target, rng.random() < 0.98))
                pool.append(_Active(len(tasks) - 1, plan_durations(rng, target)))
            active = pool[0] if rng.random() < 0.7 else rng.choice(pool)
        minutes = active.left.pop(0)
        if not active.left and not last:
            pool.remove(active)
        length = minutes * 60
        if not lunched and cursor >= LUNCH_S - 10 * 60:
            cursor, lunched = max(cursor, LUNCH_END_S + rng.randint(-300, 600)), True
        if cursor + length > DAY_END_S + 5 * 60:
            day += 1
            cursor, lunched = DAY_START_S + rng.randint(0, 900), False
        plans.append((day, cursor, cursor + length))
        owners.append(active.index)
        cursor += length + rng.choice((0, 0, 30, 60, 120, 180, 300, 420, 600))
    # Tasks still in the pool at the end are in progress: open, whatever was drawn.
    for a in pool:
        t = tasks[a.index]
        tasks[a.index] = t._replace(done=False)
    workdays = _workdays_back(last_day, day + 1)
    sessions = []
    for (d, begin, end), owner in zip(plans, owners, strict=True):
        base = (workdays[d].toordinal() - 719163) * 86400 - WIB_OFFSET_S
        sessions.append(Session(owner, base + begin, base + end))
    # Titles mention a year: make it the year the task was worked in.
    first_session: dict[int, int] = {}
    for s in sessions:
        first_session.setdefault(s.task, s.start_s)
    for i, t in enumerate(tasks):
        if YEAR in t.title:
            year = datetime.fromtimestamp(first_session[i] + WIB_OFFSET_S, UTC).year
            tasks[i] = t._replace(title=t.title.replace(YEAR, str(year)))
    return History(tasks, sessions, workdays[0], workdays[-1], len(workdays))


def _workdays_back(last_day: date, count: int) -> list[date]:
    days: list[date] = []
    d = last_day
    while len(days) < count:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    days.reverse()
    return days


def last_workday_before(today: date) -> date:
    d = today - timedelta(days=1)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


# ---- wfh -----------------------------------------------------------------------------------


def _chunks(rows: list[Any], size: int = 50_000) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def write_wfh(history: History, db_path: Path) -> tuple[str, str]:
    """Create the wfh database with the app's own migrations, then bulk-insert the tasks,
    sessions and outbox rows the app would have written. Returns (device_id, user_id)."""
    from wfh_desktop import hlc
    from wfh_desktop.clock import SystemClock
    from wfh_desktop.ids import uuid7
    from wfh_desktop.outbox import wire_fields
    from wfh_desktop.profile import Profile
    from wfh_desktop.store.db import open_database

    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    conn = open_database(db_path)
    first_ms = history.sessions[0].start_s * 1000
    device, user = uuid7(first_ms - 120_000), uuid7(first_ms - 60_000)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO sync_meta(key, value) VALUES (?, ?)",
        [("device_id", device), ("user_id", user)],
    )
    conn.execute("COMMIT")

    n_sessions: defaultdict[int, int] = defaultdict(int)
    for s in history.sessions:
        n_sessions[s.task] += 1
    seen: dict[int, int] = {}
    task_ids: dict[int, str] = {}
    task_rows: list[tuple[Any, ...]] = []
    session_rows: list[tuple[Any, ...]] = []
    outbox_rows: list[tuple[Any, ...]] = []
    last_hlc: hlc.Hlc | None = None

    def mutation(now_ms: int, type_: str, entity: str, fields: dict[str, Any]) -> None:
        nonlocal last_hlc
        last_hlc = hlc.tick(last_hlc, now_ms, device)
        payload = json.dumps(wire_fields(fields), ensure_ascii=False, sort_keys=True)
        outbox_rows.append((uuid7(now_ms), type_, entity, payload, last_hlc.encode(), 0, now_ms))

    last_end: dict[int, int] = {}
    for s in history.sessions:
        last_end[s.task] = s.end_s * 1000
    for s in history.sessions:
        start, end = s.start_s * 1000, s.end_s * 1000
        task = history.tasks[s.task]
        count = seen.get(s.task, 0) + 1
        seen[s.task] = count
        if count == 1:  # `wfh start --new`: the task and its first session in one transaction
            tid = uuid7(start)
            task_ids[s.task] = tid
            done_at = last_end[s.task] if task.done else None
            fields = {
                "title": task.title,
                "target_minutes": task.target_minutes,
                "rhk": None,
                "output": None,
                "volume": None,
                "unit": None,
                # made and finished offline: the finish travels in the creation (outbox.fold)
                "status": "done" if task.done else "open",
                "done_at": done_at,
                "assignee_user_id": user,
                "created_at": start,
                "deleted_at": None,
            }
            task_rows.append(
                (
                    tid,
                    task.title,
                    task.target_minutes,
                    "done" if task.done else "open",
                    done_at,
                    user,
                    start,
                    done_at or start,
                )
            )
            mutation(start, "task.upsert", tid, fields)
        tid = task_ids[s.task]
        sid = uuid7(start)
        session_rows.append((sid, tid, user, start, end, "timer", device, start, end))
        mutation(
            start,
            "session.upsert",
            sid,
            {
                "task_id": tid,
                "owner_user_id": user,
                "start_at": start,
                "end_at": end,  # the stop, folded into the start (outbox.fold)
                "source": "timer",
                "origin_device": device,
                "note": None,
                "created_at": start,
                "deleted_at": None,
            },
        )

    for rows in _chunks(task_rows):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO task(id, title, target_minutes, status, done_at, assignee_user_id, "
            "created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            rows,
        )
        conn.execute("COMMIT")
    for rows in _chunks(session_rows):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO session(id, task_id, owner_user_id, start_at, end_at, source, "
            "origin_device, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            rows,
        )
        conn.execute("COMMIT")
    for rows in _chunks(outbox_rows):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO outbox(mutation_id, type, entity_id, payload, hlc, base_version, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    assert last_hlc is not None
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO sync_meta(key, value) VALUES ('hlc_last', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (last_hlc.encode(),),
    )
    conn.execute("COMMIT")
    profile = Profile(conn, SystemClock())
    assert (profile.device_id, profile.user_id) == (device, user)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return device, user


# ---- Watson --------------------------------------------------------------------------------


def write_watson(history: History, watson_dir: Path, seed: int = SEED) -> None:
    """Watson's ``frames`` file (as Watson itself writes it) and an idle ``state``."""
    rng = random.Random(seed + 1)
    watson_dir.mkdir(parents=True, exist_ok=True)
    frames = [
        [
            s.start_s,
            s.end_s,
            history.tasks[s.task].title,
            f"{rng.getrandbits(128):032x}",
            [],
            s.end_s,
        ]
        for s in history.sessions
    ]
    (watson_dir / "frames").write_text(
        json.dumps(frames, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    (watson_dir / "state").write_text("{}", encoding="utf-8")
    for name in ("frames.bak", "state.bak"):
        (watson_dir / name).unlink(missing_ok=True)


# ---- Timewarrior ---------------------------------------------------------------------------


def _tw_stamp(epoch_s: int) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch_s))


def _tw_tag(title: str) -> str:
    return f'"{title}"' if " " in title else title


def write_timew(history: History, db_dir: Path) -> None:
    """Timewarrior's database: one ``YYYY-MM.data`` file per month, the tag index and an empty
    configuration file."""
    data = db_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.iterdir():
        old.unlink()
    months: dict[str, list[str]] = defaultdict(list)
    tags: dict[str, int] = defaultdict(int)
    for s in history.sessions:
        title = history.tasks[s.task].title
        start = _tw_stamp(s.start_s)
        months[f"{start[:4]}-{start[4:6]}"].append(
            f"inc {start} - {_tw_stamp(s.end_s)} # {_tw_tag(title)}\n"
        )
        tags[title] += 1
    for month, lines in months.items():
        (data / f"{month}.data").write_text("".join(lines), encoding="utf-8")
    (data / "tags.data").write_text(
        json.dumps({t: {"count": c} for t, c in tags.items()}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    (db_dir / "timewarrior.cfg").write_text("", encoding="utf-8")


# ---- script --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--sessions", type=int, required=True)
    p.add_argument("--out", type=Path, required=True, help="folder for the three stores")
    p.add_argument("--today", type=date.fromisoformat, default=None, help="default: today (WIB)")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--only", choices=("wfh", "watson", "timew"), action="append")
    args = p.parse_args(argv)
    today = args.today or datetime.fromtimestamp(time.time() + WIB_OFFSET_S, UTC).date()
    t0 = time.perf_counter()
    history = generate(args.sessions, last_workday_before(today), args.seed)
    only = set(args.only or ("wfh", "watson", "timew"))
    summary: dict[str, Any] = {
        "sessions": len(history.sessions),
        "tasks": len(history.tasks),
        "tasks_done": sum(t.done for t in history.tasks),
        "workdays": history.workdays,
        "first_day": history.first_day.isoformat(),
        "last_day": history.last_day.isoformat(),
        "bench_title": BENCH_TITLE,
    }
    if "wfh" in only:
        write_wfh(history, args.out / "wfh" / "data" / "wfh.db")
    if "watson" in only:
        write_watson(history, args.out / "watson")
    if "timew" in only:
        write_timew(history, args.out / "timew")
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

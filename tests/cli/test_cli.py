"""The real ``wfh`` entry point in a subprocess, against a real database file."""

from __future__ import annotations

import sqlite3

import pytest

NOW = "2026-11-02T17:00:00+07:00"


def test_a_working_day_from_the_terminal(wfh):
    out = wfh.ok("task", "add", "Menyusun laporan", "--target", "30", "--unit", "dokumen")
    assert "Menyusun laporan" in out and "30 min" in out
    wfh.ok("start", "menyusun laporan", now="2026-11-02T08:00:00+07:00")
    status = wfh.ok("status", now="2026-11-02T08:12:30+07:00")
    assert "12:30 / 30 min" in status and "08:00 WIB" in status
    wfh.ok("pause", now="2026-11-02T08:20:00+07:00")
    assert "Paused" in wfh.ok("status", now="2026-11-02T08:25:00+07:00")
    wfh.ok("resume", now="2026-11-02T08:30:00+07:00")
    over = wfh.ok("status", now="2026-11-02T08:45:00+07:00")
    assert "35:00 / 30 min" in over and "5:00 over target" in over
    out = wfh.ok("finish", now="2026-11-02T08:45:00+07:00")
    assert "5 min over target" in out
    report = wfh.json("report", "--day", "2026-11-02", now=NOW)
    assert report["total_seconds"] == 35 * 60
    assert report["tasks"][0]["on_target"] is False
    assert report["finished"] == 1 and report["on_target_rate"] == 0.0


def test_a_stop_after_the_clock_was_set_back_says_so(wfh):
    """``wfh stop`` when the clock reads before the timer's start (set back while it ran): the
    session keeps its start and no time, and the user is told, in their language, and where
    to correct it (SYNC.md, Clocks: never assume)."""
    wfh.ok("task", "add", "Menyusun laporan", "--target", "30")
    wfh.ok("start", "menyusun laporan", now="2026-11-02T09:00:00+07:00")
    out = wfh.ok("stop", lang=None, now="2026-11-02T08:45:00+07:00")
    assert "Jam komputer ini menunjukkan 15 mnt sebelum sesi ini dimulai" in out
    assert "Perlu ditinjau" in out and "wfh session edit" in out
    [session] = wfh.json("log", "--day", "2026-11-02", now=NOW)
    assert session["seconds"] == 0 and session["needs_review"] == "clock_offset"
    wfh.ok("start", "menyusun laporan", now="2026-11-02T09:30:00+07:00")
    assert "clock" not in wfh.ok("stop", now="2026-11-02T09:50:00+07:00")
    wfh.ok("start", "menyusun laporan", now="2026-11-02T10:00:00+07:00")
    assert "clock reads 20 min before" in wfh.ok("pause", now="2026-11-02T09:40:00+07:00")
    wfh.ok("resume", now="2026-11-02T10:00:00+07:00")
    assert "clock reads 20 min before" in wfh.ok("finish", now="2026-11-02T09:40:00+07:00")


def test_indonesian_is_the_default(wfh):
    out = wfh.ok("task", "add", "Rapat", "--target", "15", lang=None)
    assert "Tugas" in out and "15 mnt" in out
    wfh.ok("start", "Rapat", lang=None, now="2026-11-02T08:00:00+07:00")
    status = wfh.ok("status", lang=None, now="2026-11-02T08:12:30+07:00")
    assert "12.30 / 15 mnt" in status and "08.00 WIB" in status
    err = wfh("start", "Tidak ada", lang=None)
    assert err.returncode == 1 and err.stderr.count("\n") == 1 and "Tidak ada" in err.stderr


def test_an_english_locale_gives_english(wfh):
    r = wfh("status", lang=None, env={"LANG": "en_US.UTF-8"})
    assert r.returncode == 0 and "No timer is running" in r.stdout
    r = wfh("status", lang=None, env={"LANG": "id_ID.UTF-8"})
    assert "Tidak ada" in r.stdout


def test_the_language_setting_wins_over_the_locale(wfh):
    wfh.ok("config", "set", "language", "en", lang=None)
    r = wfh("status", lang=None, env={"LANG": "id_ID.UTF-8"})
    assert "No timer is running" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("task", "add", "X", "--target", "0"), "from 1 to 480"),
        (("task", "add", "X", "--target", "10000"), "from 1 to 480"),
        (("task", "add", "X", "--target", "abc"), "whole number"),
        (("start", "Nothing like this"), "No task matches"),
        (("session", "add", "A", "--start", "2026-11-02 09.00", "--end", "2026-11-02 08.00"),
         "end must be after"),
        (("session", "add", "A", "--start", "2026-13-02 09.00", "--end", "2026-11-02 10.00"),
         "does not exist"),
        (("session", "add", "A", "--start", "kemarin pagi", "--end", "2026-11-02 10.00"),
         "Cannot read"),
        (("log", "--day", "31/02/2026"), "does not exist"),
        (("report", "--month", "13/2026"), "does not exist"),
        (("report", "--from", "2026-11-10", "--to", "2026-11-01"), "ends before"),
        (("pause",), "No timer is running"),
        (("config", "set", "office_zone", "GMT"), "WIB, WITA or WIT"),
        (("report", "--day", "9999-12-31"), "outside 2000-2099"),
        (("report", "--month", "9999-12"), "outside 2000-2099"),
        (("log", "--week", "0026-11-02"), "outside 2000-2099"),
        (("session", "add", "A", "--start", "0001-01-01 00.00", "--end", "0001-01-01 01.00"),
         "outside 2000-2099"),
        (("task", "rm", "-"), "at least 4 characters"),
        (("start", "7"), "at least 4 characters"),
        (("task", "add", "X", "--volume", "banyak"), "must be a number"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_non_zero_and_changes_nothing(wfh, args, message):
    wfh.ok("task", "add", "A", "--target", "30")
    wfh.ok("session", "add", "A", "--start", "08.00", "--end", "08.20", now=NOW)
    before = _dump(wfh.db)
    r = wfh(*args, now=NOW)
    assert r.returncode == 1, r.stdout
    assert message in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert _dump(wfh.db) == before


def _dump(db):
    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("task", "session", "outbox", "sync_meta", "app_state")
        }
    finally:
        conn.close()


def test_ambiguous_prefix(wfh):
    wfh.ok("task", "add", "A")
    wfh.ok("task", "add", "B")
    ids = [t["id"] for t in wfh.json("task", "list")]
    common = next(i for i in range(36) if ids[0][i] != ids[1][i])
    r = wfh("start", ids[0][:common])
    assert r.returncode == 1 and "more than one" in r.stderr


def test_usage_errors_exit_2_in_the_users_language(wfh):
    r = wfh("start", lang=None)
    assert r.returncode == 2 and "argumen" in r.stderr and "TUGAS" in r.stderr


def test_manual_sessions_in_both_date_forms_and_the_log(wfh):
    wfh.ok("task", "add", "Laporan", "--target", "30")
    wfh.ok("session", "add", "Laporan", "--start", "2026-11-02 08.00", "--end", "2026-11-02 08.25",
           now=NOW)  # fmt: skip
    wfh.ok("session", "add", "Laporan", "--start", "02/11/2026 09:00", "--end", "02/11/2026 09:20",
           now=NOW)  # fmt: skip
    log = wfh.json("log", "--day", "02/11/2026", now=NOW)
    assert [(s["start"], s["seconds"]) for s in log] == [
        ("2026-11-02T08:00:00+07:00", 1500),
        ("2026-11-02T09:00:00+07:00", 1200),
    ]
    text = wfh.ok("log", now=NOW)
    assert "08:00 WIB" in text and "Total: 45 min" in text
    code = log[1]["code"]
    # A time alone means the session's own day, even when edited on a later day.
    wfh.ok("session", "edit", code, "--end", "09.30", now="2026-11-05T10:00:00+07:00")
    assert wfh.json("log", now=NOW)[1]["seconds"] == 1800
    wfh.ok("session", "rm", code, now=NOW)
    assert len(wfh.json("log", now=NOW)) == 1
    wfh.ok("session", "restore", code, now=NOW)
    assert len(wfh.json("log", now=NOW)) == 2


def test_times_show_in_the_office_zone(wfh):
    wfh.ok("task", "add", "Laporan")
    wfh.ok("session", "add", "Laporan", "--start", "2026-11-02 08.00", "--end", "2026-11-02 08.30",
           now=NOW)  # fmt: skip
    wfh.ok("config", "set", "office_zone", "WITA")
    assert "09:00 WITA" in wfh.ok("log", "--day", "2026-11-02", now=NOW)
    assert "10:00 WIT" in wfh.ok("--zone", "WIT", "log", "--day", "2026-11-02", now=NOW)


def test_task_lifecycle(wfh):
    wfh.ok("task", "add", "Laporan", "--target", "60", "--rhk", "RHK 1", "--volume", "2")
    wfh.ok("task", "edit", "Laporan", "--title", "Laporan bulanan", "--target", "45")
    [task] = wfh.json("task", "list")
    assert (task["title"], task["target_minutes"], task["rhk"], task["volume"]) == (
        "Laporan bulanan", 45, "RHK 1", 2.0)  # fmt: skip
    wfh.ok("task", "done", "Laporan bulanan")
    assert wfh.json("task", "list", "--open") == []
    wfh.ok("task", "rm", "Laporan bulanan")
    assert wfh.json("task", "list") == []
    assert wfh.json("task", "list", "--deleted")[0]["deleted"] is True
    wfh.ok("task", "restore", "Laporan bulanan")
    assert len(wfh.json("task", "list")) == 1


def test_start_new_with_target(wfh):
    wfh.ok("start", "Rapat koordinasi", "--new", "--target", "15")
    st = wfh.json("status", now="2026-11-02T08:20:00+07:00")
    assert st["state"] == "running" and st["target_minutes"] == 15
    assert st["over_target_seconds"] == 5 * 60


def test_report_text_has_days_tasks_and_rate(wfh):
    wfh.ok("task", "add", "Laporan", "--target", "30")
    wfh.ok("session", "add", "Laporan", "--start", "2026-11-02 08.00", "--end", "2026-11-02 08.25",
           now=NOW)  # fmt: skip
    wfh.ok("task", "done", "Laporan", now=NOW)
    out = wfh.ok("report", "--week", now=NOW)
    assert "Monday, 2 November 2026" in out and "(WIB)" in out
    assert "On-target rate: 1 of 1 finished tasks (100.0%)" in out
    out = wfh.ok("report", "--week", lang="id", now=NOW)
    assert "Senin, 2 November 2026" in out and "(100,0%)" in out


def test_all_time_report_is_one_line_per_month_and_detail_lists_everything(wfh):
    wfh.ok("task", "add", "Laporan", "--target", "30")
    wfh.ok("session", "add", "Laporan", "--start", "2026-10-30 08.00", "--end", "2026-10-30 08.25",
           now=NOW)  # fmt: skip
    wfh.ok("session", "add", "Laporan", "--start", "2026-11-02 08.00", "--end", "2026-11-02 08.20",
           now=NOW)  # fmt: skip
    wfh.ok("task", "done", "Laporan", now=NOW)
    out = wfh.ok("report", "--all", lang="id", now=NOW)
    lines = out.splitlines()
    assert lines[2] == "Per bulan" and "Rincian per hari dan per tugas" in lines[-1]
    october = next(line for line in lines if line.startswith("Oktober 2026"))
    november = next(line for line in lines if line.startswith("November 2026"))
    assert october.split()[2:] == ["25", "mnt", "1", "0"]
    assert november.split()[2:] == ["20", "mnt", "1", "1", "0", "(0,0%)"]
    assert "Per tugas" not in out and "Total waktu kerja: 45 mnt" in out
    detail = wfh.ok("report", "--all", "--detail", lang="id", now=NOW)
    assert "Per hari" in detail and "Per tugas" in detail and "Laporan" in detail
    assert "Jumat, 30 Oktober 2026" in detail
    # --json is always the whole detail, for scripts.
    report = wfh.json("report", "--all", now=NOW)
    assert [d["date"] for d in report["days"]] == ["2026-10-30", "2026-11-02"]
    assert [t["title"] for t in report["tasks"]] == ["Laporan"]


def test_a_database_that_is_not_sqlite_is_moved_aside(wfh):
    wfh.db.parent.mkdir(parents=True)
    wfh.db.write_text("not a database " * 100)
    r = wfh("status")
    assert r.returncode == 1 and "moved to" in r.stderr
    moved = list(wfh.db.parent.glob("wfh.db.unreadable-*"))
    assert moved and moved[0].read_text().startswith("not a database")
    assert wfh("status").returncode == 0


def test_an_unreadable_settings_file_is_moved_aside_and_defaults_used(wfh):
    settings = wfh.home / "config" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text("{ not json")
    r = wfh("status")
    assert r.returncode == 0 and "could not be read" in r.stderr
    assert list(settings.parent.glob("settings.json.unreadable-*"))


def test_help_and_version(wfh):
    assert "start" in wfh.ok("--help")
    assert wfh.ok("--version").startswith("wfh ")
    assert "penggunaan" in wfh.ok("--help", lang=None)


def test_an_internal_error_is_one_line_with_the_log_path(wfh):
    # A clock value the code cannot handle stands in for a bug.
    r = wfh("status", now="not-a-time")
    assert r.returncode == 70 and r.stderr.count("\n") == 1
    log = wfh.home / "logs" / "wfh.log"
    assert str(log) in r.stderr and "Traceback" in log.read_text()


def test_a_reader_that_stops_early_is_not_an_error(wfh):
    import subprocess

    wfh.ok("task", "add", "Laporan")
    proc = subprocess.Popen(
        [wfh.exe, "--lang", "en", "task", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=wfh.env(NOW),
    )
    proc.stdout.close()  # like `| head`: the reader is gone before wfh writes
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=30) == 0 and err == ""


def test_a_bare_end_time_is_on_the_start_day(wfh):
    wfh.ok("task", "add", "Laporan")
    out = wfh.ok("session", "add", "Laporan", "--start", "kemarin 08.00", "--end", "08.30",
                 now=NOW)  # fmt: skip
    assert "01/11/2026 08:00 WIB" in out and "(30 min)" in out


def test_an_sqlite_file_of_another_program_is_moved_aside(wfh):
    wfh.db.parent.mkdir(parents=True)
    other = sqlite3.connect(wfh.db)
    other.execute("CREATE TABLE contacts(name)")
    other.execute("INSERT INTO contacts VALUES ('Budi')")
    other.commit()
    other.close()
    r = wfh("status")
    assert r.returncode == 1 and "another program" in r.stderr and r.stderr.count("\n") == 1
    [moved] = wfh.db.parent.glob("wfh.db.not-wfh-*")
    assert sqlite3.connect(moved).execute("SELECT name FROM contacts").fetchall() == [("Budi",)]
    assert wfh("status").returncode == 0


def test_the_log_total_counts_only_the_day(wfh):
    wfh.ok("task", "add", "Laporan")
    wfh.ok("session", "add", "Laporan", "--start", "2026-11-01 23.00", "--end", "2026-11-02 01.00",
           now=NOW)  # fmt: skip
    assert "Total: 1 h 00 min" in wfh.ok("log", "--day", "2026-11-02", now=NOW)

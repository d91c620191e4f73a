"""Importing another tracker's history: Watson, Timewarrior, Toggl Track and a spreadsheet's CSV.

The sample files are written in each tool's own shape: Watson's ``frames`` file as Watson saves
it (``json.dump(..., indent=1)`` of ``[start, stop, project, id, tags, updated_at]``),
Timewarrior's ``data/YYYY-MM.data`` lines, the columns of Toggl Track's detailed CSV export."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

import pytest

from wfh_desktop.cli.commands import Context
from wfh_desktop.cli.import_commands import import_command
from wfh_desktop.errors import UserError
from wfh_desktop.imports import (
    MAX_FILE_BYTES,
    Entry,
    ImportService,
    ParsedFile,
    parse_mapping,
)
from wfh_desktop.paths import Paths
from wfh_desktop.sessions import SessionService
from wfh_desktop.settings import Settings
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES


def wib(text: str) -> int:
    """``2026-01-05 08:00`` in WIB as epoch milliseconds."""
    return int(datetime.fromisoformat(text.replace(" ", "T") + "+07:00").timestamp() * 1000)


def counts(profile) -> dict[str, int]:
    return {
        table: profile.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("task", "session", "outbox")
    }


def plan_of(profile, fmt, path, zone="WIB", mapping=None):
    return ImportService(profile).parse(fmt, path, ZONES[zone], 30, mapping)


def imported(profile, fmt, path, zone="WIB", mapping=None):
    service = ImportService(profile)
    return service.apply(service.parse(fmt, path, ZONES[zone], 30, mapping))


def stored_sessions(profile) -> list[tuple]:
    return profile.conn.execute(
        "SELECT t.title, s.start_at, s.end_at, s.source, s.note, s.needs_review "
        "FROM session s JOIN task t ON t.id = s.task_id ORDER BY s.start_at"
    ).fetchall()


# ---- the sample files ------------------------------------------------------------------------

WATSON_FRAMES = """[
 [
  1767574800,
  1767580200,
  "Menyusun laporan",
  "5d0d3c0f1a2b4c5d8e9f0a1b2c3d4e5f",
  [
   "bulanan",
   "draf"
  ],
  1767580201
 ],
 [
  1767582000,
  1767585600,
  "Rapat koordinasi",
  "6e1e4d1f2b3c4d5e9f0a1b2c3d4e5f60",
  [],
  1767585601
 ],
 [
  1767661200,
  1767663900,
  "Menyusun laporan",
  "7f2f5e2a3c4d5e6f0a1b2c3d4e5f6071",
  [
   "bulanan"
  ],
  1767663901
 ]
]"""

# Tags are sorted (Timewarrior keeps them in a std::set); an annotation follows a second #.
TIMEW_DATA = """inc 20260105T010000Z - 20260105T023000Z # "Menyusun laporan" kantor
inc 20260105T030000Z - 20260105T040000Z # rapat # "Rapat \\"koordinasi\\" bulanan"
inc 20260105T050000Z - 20260105T053000Z

inc 20260106T010000Z # "Menyusun laporan" kantor
"""

TOGGL_HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
    "End time,Duration,Tags,Amount ()\n"
)
TOGGL_CSV = TOGGL_HEADER + (
    "Siti Rahma,siti@example.go.id,Biro Umum,Laporan,,Menyusun laporan bulanan,No,2026-01-05,"
    '08:00:00,2026-01-05,09:30:00,01:30:00,"bulanan, draf",\n'
    "Siti Rahma,siti@example.go.id,,Rapat,,,No,2026-01-05,10:00:00,2026-01-05,11:00:00,"
    "01:00:00,,\n"
)

SPREADSHEET_CSV = (
    "Tanggal;Kegiatan;Mulai;Selesai;Keterangan\n"
    "05/01/2026;Menyusun laporan;08.00;09.30;draf pertama\n"
    "05/01/2026;Rapat koordinasi;10:00;11:00;\n"
    ";;;;\n"
    "06/01/2026;menyusun  laporan;08.00;08.45;\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ---- each format -----------------------------------------------------------------------------


def test_watson_frames(profile, tmp_path):
    path = write(tmp_path, "frames", WATSON_FRAMES)
    plan = plan_of(profile, "watson", path)
    assert plan.new_tasks == ["Menyusun laporan", "Rapat koordinasi"]
    assert [(s.title, s.start_ms, s.end_ms) for s in plan.sessions] == [
        ("Menyusun laporan", wib("2026-01-05 08:00"), wib("2026-01-05 09:30")),
        ("Rapat koordinasi", wib("2026-01-05 10:00"), wib("2026-01-05 11:00")),
        ("Menyusun laporan", wib("2026-01-06 08:00"), wib("2026-01-06 08:45")),
    ]
    assert plan.sessions[0].line == 2 and plan.sessions[2].line == 21  # where each frame starts
    done = ImportService(profile).apply(plan)
    assert done.applied and len(done.sessions) == 3
    rows = stored_sessions(profile)
    assert [r[0] for r in rows] == ["Menyusun laporan", "Rapat koordinasi", "Menyusun laporan"]
    assert {r[3] for r in rows} == {"manual"}
    assert rows[0][4] == "Imported from Watson: bulanan, draf"
    assert rows[1][4] == "Imported from Watson"
    targets = profile.conn.execute("SELECT DISTINCT target_minutes FROM task").fetchall()
    assert targets == [(30,)]


def test_timewarrior_data_file(profile, tmp_path):
    path = write(tmp_path, "2026-01.data", TIMEW_DATA)
    plan = plan_of(profile, "timewarrior", path)
    assert [(s.title, s.start_ms, s.note) for s in plan.sessions] == [
        ("Menyusun laporan kantor", wib("2026-01-05 08:00"), "Imported from Timewarrior"),
        (
            "rapat",
            wib("2026-01-05 10:00"),
            'Imported from Timewarrior: Rapat "koordinasi" bulanan',
        ),
        ("Timewarrior", wib("2026-01-05 12:00"), "Imported from Timewarrior"),
    ]
    assert plan.running_skipped == 1  # the open interval is still running in Timewarrior
    ImportService(profile).apply(plan)
    assert len(stored_sessions(profile)) == 3


def test_timewarrior_data_folder(profile, tmp_path):
    folder = tmp_path / "timew"
    folder.mkdir()
    write(folder, "2026-01.data", "inc 20260105T010000Z - 20260105T023000Z # laporan\n")
    write(folder, "2026-02.data", "inc 20260202T010000Z - 20260202T020000Z # laporan\n")
    write(folder, "tags.data", '{"laporan": {"count": 2}}\n')  # not intervals: left alone
    write(folder, "undo.data", "txn:\n  type: interval\n")
    plan = plan_of(profile, "timewarrior", folder)
    assert [s.start_ms for s in plan.sessions] == [wib("2026-01-05 08:00"), wib("2026-02-02 08:00")]
    assert plan.new_tasks == ["laporan"]


def test_toggl_export_in_the_users_toggl_zone(profile, tmp_path):
    path = write(tmp_path, "Toggl_time_entries_2026-01-01_to_2026-01-31.csv", TOGGL_CSV)
    plan = plan_of(profile, "toggl", path, zone="WITA")
    # 08:00 WITA is 07:00 WIB
    assert [(s.title, s.start_ms, s.end_ms) for s in plan.sessions] == [
        ("Menyusun laporan bulanan", wib("2026-01-05 07:00"), wib("2026-01-05 08:30")),
        ("Rapat", wib("2026-01-05 09:00"), wib("2026-01-05 10:00")),
    ]
    ImportService(profile).apply(plan)
    notes = [r[4] for r in stored_sessions(profile)]
    assert notes == [
        "Imported from Toggl Track: Laporan; Biro Umum; bulanan, draf",
        "Imported from Toggl Track",
    ]


def test_toggl_running_entry_is_skipped(profile, tmp_path):
    running = "Siti Rahma,siti@example.go.id,,Rapat,,Rapat,No,2026-01-06,10:00:00,,,,,\n"
    path = write(tmp_path, "toggl.csv", TOGGL_CSV + running)
    plan = plan_of(profile, "toggl", path)
    assert len(plan.sessions) == 2 and plan.running_skipped == 1


def test_a_toggl_date_that_could_be_day_or_month_first_is_refused(profile, tmp_path):
    path = write(tmp_path, "toggl.csv", TOGGL_CSV.replace("2026-01-05,10", "01/05/2026,10"))
    with pytest.raises(UserError, match=r"toggl.csv, line 3: Cannot read the date '01/05/2026'"):
        plan_of(profile, "toggl", path)


def test_a_toggl_export_of_several_people_is_refused(profile, tmp_path):
    other = (
        "Budi Santoso,budi@example.go.id,,Rapat,,Rapat,No,2026-01-06,10:00:00,2026-01-06,"
        "11:00:00,01:00:00,,\n"
    )
    path = write(tmp_path, "team.csv", TOGGL_CSV + other)
    with pytest.raises(UserError, match="more than one person"):
        plan_of(profile, "toggl", path)


def test_spreadsheet_csv_with_a_mapping(profile, tmp_path):
    path = write(tmp_path, "kegiatan.csv", SPREADSHEET_CSV)
    mapping = parse_mapping("title=Kegiatan,start=Mulai,end=Selesai,date=Tanggal,note=Keterangan")
    plan = plan_of(profile, "csv", path, mapping=mapping)
    assert [(s.title, s.start_ms, s.end_ms, s.line) for s in plan.sessions] == [
        ("Menyusun laporan", wib("2026-01-05 08:00"), wib("2026-01-05 09:30"), 2),
        ("Rapat koordinasi", wib("2026-01-05 10:00"), wib("2026-01-05 11:00"), 3),
        ("Menyusun laporan", wib("2026-01-06 08:00"), wib("2026-01-06 08:45"), 5),
    ]
    assert plan.new_tasks == ["Menyusun laporan", "Rapat koordinasi"]  # one task, any spelling
    assert plan.sessions[0].note == "Imported from kegiatan.csv: draf pertama"


def test_spreadsheet_columns_are_recognised_without_a_mapping(profile, tmp_path):
    path = write(tmp_path, "kegiatan.csv", SPREADSHEET_CSV)
    assert len(plan_of(profile, "csv", path).sessions) == 3


def test_spreadsheet_csv_with_start_and_minutes(profile, tmp_path):
    text = (
        "task,start,minutes\n"
        "Menyusun laporan,2026-01-05 08:00,90\n"
        '"Rapat, koordinasi",2026-01-05T10:00:00+07:00,"60,5"\n'
        "Telaah surat,05/01/2026 13.00,1:15\n"
    )
    plan = plan_of(profile, "csv", write(tmp_path, "a.csv", text))
    assert [(s.title, s.start_ms, s.end_ms) for s in plan.sessions] == [
        ("Menyusun laporan", wib("2026-01-05 08:00"), wib("2026-01-05 09:30")),
        ("Rapat, koordinasi", wib("2026-01-05 10:00"), wib("2026-01-05 11:00") + 30_000),
        ("Telaah surat", wib("2026-01-05 13:00"), wib("2026-01-05 14:15")),
    ]


def test_an_excel_csv_in_windows_1252_is_read(profile, tmp_path):
    text = "Kegiatan;Mulai;Selesai\nRapat dengan Pak Müller;05/01/2026 08.00;05/01/2026 09.00\n"
    path = write(tmp_path, "excel.csv", text, encoding="cp1252")
    assert plan_of(profile, "csv", path).new_tasks == ["Rapat dengan Pak Müller"]


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column(profile, tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeff" + SPREADSHEET_CSV)
    assert len(plan_of(profile, "csv", path).sessions) == 3


# ---- dry run, duplicates, matching, overlaps -------------------------------------------------


def test_a_dry_run_writes_nothing(profile, tmp_path):
    path = write(tmp_path, "frames", WATSON_FRAMES)
    before = counts(profile)
    plan = plan_of(profile, "watson", path)
    assert len(plan.sessions) == 3 and not plan.applied
    assert counts(profile) == before


def test_a_second_import_of_the_same_file_imports_nothing(profile, tmp_path):
    path = write(tmp_path, "frames", WATSON_FRAMES)
    imported(profile, "watson", path)
    after_first = counts(profile)
    again = imported(profile, "watson", path)
    assert again.sessions == [] and again.new_tasks == []
    assert again.duplicates_stored == 3
    assert counts(profile) == after_first


def test_the_same_entry_twice_in_a_file_is_imported_once(profile, tmp_path):
    line = "inc 20260105T010000Z - 20260105T023000Z # laporan\n"
    plan = plan_of(profile, "timewarrior", write(tmp_path, "2026-01.data", line + line))
    assert len(plan.sessions) == 1 and plan.duplicates_in_file == 1


def test_a_deleted_session_is_no_duplicate(profile, tmp_path):
    path = write(tmp_path, "frames", WATSON_FRAMES)
    first = imported(profile, "watson", path)
    session_id = profile.conn.execute("SELECT id FROM session ORDER BY start_at").fetchone()[0]
    SessionService(profile).remove(session_id)
    assert len(first.sessions) == 3
    assert len(imported(profile, "watson", path).sessions) == 1


def test_titles_match_existing_tasks_in_any_case_and_spacing(profile, tmp_path):
    task = TaskService(profile).add("MENYUSUN Laporan", 60)
    plan = plan_of(profile, "watson", write(tmp_path, "frames", WATSON_FRAMES))
    assert plan.existing_tasks == ["MENYUSUN Laporan"]
    assert plan.new_tasks == ["Rapat koordinasi"]
    ImportService(profile).apply(plan)
    on_task = profile.conn.execute(
        "SELECT count(*) FROM session WHERE task_id = ?", (task.id,)
    ).fetchone()[0]
    assert on_task == 2
    assert counts(profile)["task"] == 2


def test_a_task_handed_to_a_colleague_is_not_matched(profile, tmp_path):
    task = TaskService(profile).add("Menyusun laporan", 30)
    with profile.write() as (conn, _):  # as a handoff leaves it
        conn.execute("UPDATE task SET assignee_user_id = 'colleague' WHERE id = ?", (task.id,))
    plan = plan_of(profile, "watson", write(tmp_path, "frames", WATSON_FRAMES))
    assert plan.existing_tasks == []
    assert plan.new_tasks == ["Menyusun laporan", "Rapat koordinasi"]


def test_overlaps_are_imported_counted_and_flagged(profile, tmp_path):
    TaskService(profile).add("Telaah surat", 30)
    SessionService(profile).add(
        "Telaah surat", wib("2026-01-05 09:00"), wib("2026-01-05 10:00")
    )  # overlaps the first frame; the second one only touches it
    plan = plan_of(profile, "watson", write(tmp_path, "frames", WATSON_FRAMES))
    assert plan.overlaps == 1
    assert [s.overlaps for s in plan.sessions] == [True, False, False]
    done = ImportService(profile).apply(plan)
    assert done.overlaps == 1
    flags = {r[0]: r[5] for r in stored_sessions(profile) if r[1] == wib("2026-01-05 08:00")}
    assert flags == {"Menyusun laporan": "overlap"}


def test_overlaps_within_the_file_are_counted(profile, tmp_path):
    text = (
        "inc 20260105T010000Z - 20260105T030000Z # laporan\n"
        "inc 20260105T020000Z - 20260105T040000Z # rapat\n"
    )
    plan = plan_of(profile, "timewarrior", write(tmp_path, "2026-01.data", text))
    assert plan.overlaps == 1
    assert ImportService(profile).apply(plan).overlaps == 1


def test_the_outbox_carries_every_imported_task_and_session(profile, tmp_path):
    imported(profile, "watson", write(tmp_path, "frames", WATSON_FRAMES))
    rows = profile.conn.execute(
        "SELECT type, entity_id, payload FROM outbox WHERE status = 'pending'"
    ).fetchall()
    tasks = {r[0] for r in profile.conn.execute("SELECT id FROM task")}
    sessions = {r[0] for r in profile.conn.execute("SELECT id FROM session")}
    assert {r[1] for r in rows if r[0] == "task.upsert"} == tasks
    assert {r[1] for r in rows if r[0] == "session.upsert"} == sessions
    payload = json.loads(next(r[2] for r in rows if r[0] == "session.upsert"))
    assert payload["source"] == "manual" and payload["note"].startswith("Imported from Watson")


def test_an_import_is_written_whole_or_not_at_all(profile, tmp_path):
    """A failure while writing (here: a title the database refuses, after a good task and
    session were already inserted in the transaction) leaves nothing behind."""
    good = Entry("Menyusun laporan", wib("2026-01-05 08:00"), wib("2026-01-05 09:00"), None, 1)
    bad = Entry(" ", wib("2026-01-05 10:00"), wib("2026-01-05 11:00"), None, 2)
    plan = ImportService(profile).parse(
        "watson", write(tmp_path, "frames", WATSON_FRAMES), ZONES["WIB"], 30
    )
    plan = plan._replace(parsed=ParsedFile("watson", "frames", [good, bad], 0, 0))
    before = counts(profile)
    with pytest.raises(Exception, match="CHECK constraint"):
        ImportService(profile).apply(plan)
    assert counts(profile) == before


# ---- bad files -------------------------------------------------------------------------------


def test_a_bad_line_in_the_middle_names_the_line_and_nothing_is_stored(profile, tmp_path):
    rows = SPREADSHEET_CSV.splitlines(keepends=True)
    rows.insert(3, "31/02/2026;Rapat;08.00;09.00;\n")  # line 4: no such day
    path = write(tmp_path, "kegiatan.csv", "".join(rows))
    before = counts(profile)
    with pytest.raises(UserError) as e:
        imported(profile, "csv", path)
    assert e.value.values["line"] == 4
    assert str(e.value) == (
        "kegiatan.csv, line 4: The date '31/02/2026' does not exist. Nothing was imported."
    )
    assert counts(profile) == before


def test_a_line_number_counts_the_lines_inside_a_quoted_cell(profile, tmp_path):
    text = (
        "Kegiatan,Mulai,Selesai,Catatan\n"
        'Rapat,05/01/2026 08.00,05/01/2026 09.00,"baris satu\nbaris dua"\n'
        "Rapat,05/01/2026 10.00,05/01/2026 09.00,\n"
    )
    with pytest.raises(UserError, match=r"a.csv, line 4: The end must be after the start"):
        plan_of(profile, "csv", write(tmp_path, "a.csv", text))


def test_several_bad_lines_name_the_first_and_count_the_others(profile, tmp_path):
    text = (
        "inc 20260105T010000Z - 20260105T023000Z # a\n"
        "inc 20260105T030000Z - 20260105T020000Z # b\n"
        "inc 2026-01-05 - 2026-01-06 # c\n"
        "inc 20260105T050000Z - 20260105T053000Z # d\n"
        "inc 20260105T060000Z - 20260105T050000Z # e\n"
    )
    before = counts(profile)
    with pytest.raises(UserError) as e:
        imported(profile, "timewarrior", write(tmp_path, "2026-01.data", text))
    assert str(e.value) == (
        "2026-01.data, line 2: The end must be after the start. 2 more lines are wrong too; "
        "nothing was imported."
    )
    assert counts(profile) == before


def test_a_session_ending_in_the_future_is_a_bad_line(profile, tmp_path):
    frames = '[[1767574800, 1893456000, "Laporan", "x", [], 0]]'  # ends in 2030
    with pytest.raises(UserError, match=r"frames, line 1: A session cannot end in the future"):
        plan_of(profile, "watson", write(tmp_path, "frames", frames))


def test_a_frame_of_another_shape_is_a_bad_line(profile, tmp_path):
    frames = WATSON_FRAMES.replace('  "Rapat koordinasi",', "  null,")
    with pytest.raises(UserError, match=r"frames, line 13: This is not a Watson frame"):
        plan_of(profile, "watson", write(tmp_path, "frames", frames))


def test_broken_json_names_its_line(profile, tmp_path):
    frames = WATSON_FRAMES.replace("  1767582000,\n", "  1767582000\n")
    with pytest.raises(UserError, match=r"frames, line 15: this is not valid JSON"):
        plan_of(profile, "watson", write(tmp_path, "frames", frames))


@pytest.mark.parametrize("text", ["", "\n  \n"])
def test_an_empty_file_is_refused(profile, tmp_path, text):
    for fmt in ("watson", "timewarrior", "toggl", "csv"):
        with pytest.raises(UserError, match="is empty"):
            plan_of(profile, fmt, write(tmp_path, "empty.txt", text))


def test_an_oversized_file_is_refused_before_it_is_read(profile, tmp_path):
    path = tmp_path / "frames"
    with path.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: nothing is written to the disk
    with pytest.raises(UserError) as e:
        plan_of(profile, "watson", path)
    assert str(e.value) == (
        "frames is 200 MB, more than the 50 MB one import can read; split it into smaller files."
    )
    assert MAX_FILE_BYTES == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("fmt", "name", "text", "message"),
    [
        (
            "watson",
            "toggl.csv",
            TOGGL_CSV,
            "toggl.csv is not a Watson frames file; it looks like a Toggl Track CSV export: "
            "import it with 'wfh import toggl …'.",
        ),
        (
            "timewarrior",
            "frames",
            WATSON_FRAMES,
            "frames is not a Timewarrior data file; it looks like a Watson frames file: "
            "import it with 'wfh import watson …'.",
        ),
        (
            "toggl",
            "2026-01.data",
            TIMEW_DATA,
            "2026-01.data is not a Toggl Track CSV export; it looks like a Timewarrior data "
            "file: import it with 'wfh import timewarrior …'.",
        ),
        (
            "csv",
            "toggl.csv",
            TOGGL_CSV,
            "toggl.csv is not a CSV file; it looks like a Toggl Track CSV export: import it "
            "with 'wfh import toggl …'.",
        ),
        ("watson", "state", '{"project": "x", "start": 1767574800}', None),
    ],
)
def test_a_file_of_another_format_is_refused(profile, tmp_path, fmt, name, text, message):
    before = counts(profile)
    with pytest.raises(UserError, match="is not a") as e:
        plan_of(profile, fmt, write(tmp_path, name, text))
    if message is not None:
        assert str(e.value) == message
    assert counts(profile) == before


def test_a_watson_file_that_is_not_utf8_names_the_line(profile, tmp_path):
    path = tmp_path / "frames"
    path.write_bytes(WATSON_FRAMES.replace("Rapat", "Rap\xe9t").encode("latin-1"))
    with pytest.raises(UserError, match=r"frames, line 16: this is not UTF-8 text"):
        plan_of(profile, "watson", path)


def test_a_csv_column_that_is_not_there(profile, tmp_path):
    path = write(tmp_path, "kegiatan.csv", SPREADSHEET_CSV)
    with pytest.raises(UserError, match="has no column 'Jam'; its columns are: Tanggal, "):
        plan_of(profile, "csv", path, mapping=parse_mapping("title=Kegiatan,start=Jam,end=Selesai"))


def test_a_csv_whose_columns_are_unknown_asks_for_a_mapping(profile, tmp_path):
    path = write(tmp_path, "a.csv", "Apa;Kapan\nRapat;08.00\n")
    with pytest.raises(UserError, match=r"holds the task title\? Name it with --map"):
        plan_of(profile, "csv", path)


@pytest.mark.parametrize("text", ["title", "title=", "colour=Merah", " , "])
def test_a_mapping_that_cannot_be_read(text):
    with pytest.raises(UserError):
        parse_mapping(text)


# ---- the command -----------------------------------------------------------------------------


def run_import(tmp_path, clock, capsys, *argv, **options):
    args = argparse.Namespace(
        command="import",
        format=argv[0],
        file=str(argv[1]),
        dry_run=options.get("dry_run", False),
        json=options.get("json", False),
        mapping=options.get("mapping"),
        source_zone=options.get("source_zone"),
    )
    paths = Paths(tmp_path / "home" / "data", tmp_path / "home" / "config", tmp_path / "logs")
    ctx = Context(args, paths, Settings(default_target_minutes=15), clock)
    try:
        assert import_command(ctx) == 0
        return capsys.readouterr().out, counts(ctx.profile)
    finally:
        ctx.close()


def test_the_command_shows_a_dry_run_then_imports(tmp_path, clock, capsys):
    path = write(tmp_path, "2026-01.data", TIMEW_DATA)
    out, stored = run_import(tmp_path, clock, capsys, "timewarrior", path, dry_run=True)
    assert stored["session"] == 0
    assert out.splitlines() == [
        "2026-01.data (Timewarrior data file):",
        "Sessions to import: 3, from 05/01/2026 to 05/01/2026.",
        "New tasks to create (3, target 15 min each): Menyusun laporan kantor; rapat; Timewarrior",
        "Duplicates skipped: 0 (already stored: 0; twice in the file: 0).",
        "Overlapping another session: 0 (imported all the same, marked to check in 'wfh log').",
        "Still running there, skipped: 1.",
        "Dry run: nothing was stored. Run the same command without --dry-run to import.",
    ]
    out, stored = run_import(tmp_path, clock, capsys, "timewarrior", path)
    assert stored["session"] == 3
    assert "Sessions imported: 3, from 05/01/2026 to 05/01/2026." in out
    assert out.splitlines()[-1] == "Imported."
    out, _ = run_import(tmp_path, clock, capsys, "timewarrior", path, json=True)
    data = json.loads(out)
    assert data["sessions"] == 0 and data["duplicates_skipped"]["already_stored"] == 3
    assert data["imported"] is False and data["running_skipped"] == 1


def test_the_command_takes_a_mapping_and_a_source_zone(tmp_path, clock, capsys):
    path = write(tmp_path, "a.csv", "Apa;Kapan;Sampai\nRapat;05/01/2026 08.00;09.00\n")
    out, stored = run_import(
        tmp_path,
        clock,
        capsys,
        "csv",
        path,
        json=True,
        mapping="title=Apa,start=Kapan,end=Sampai",
        source_zone="WIT",
    )
    data = json.loads(out)
    assert data["first"] == "2026-01-05T06:00:00+07:00"  # 08.00 WIT, shown in WIB
    assert data["imported"] is True and stored["session"] == 1


def test_the_mapping_is_only_for_csv(tmp_path, clock, capsys):
    path = write(tmp_path, "frames", WATSON_FRAMES)
    with pytest.raises(UserError, match="only for the csv format"):
        run_import(tmp_path, clock, capsys, "watson", path, mapping="title=x")


def test_a_spreadsheet_row_past_midnight_ends_the_next_day(profile, clock, tmp_path):
    clock.set(wib("2026-11-05 08:00"))
    f = tmp_path / "piket.csv"
    f.write_text("Tanggal,Kegiatan,Mulai,Selesai\n02/11/2026,Piket,22.00,01.00\n", encoding="utf-8")
    imported(profile, "csv", f)
    assert [(t, s, e) for t, s, e, *_ in stored_sessions(profile)] == [
        ("Piket", wib("2026-11-02 22:00"), wib("2026-11-03 01:00"))
    ]


def test_a_watson_number_no_clock_could_hold_is_refused_not_a_crash(profile, tmp_path):
    f = tmp_path / "frames"
    f.write_text('[[1e306, 1e306, "x", "id", [], 0]]')
    with pytest.raises(UserError, match="line 1: This is not a Watson frame"):
        plan_of(profile, "watson", f)


def test_a_utf8_file_with_one_stray_byte_is_refused_not_garbled(profile, clock, tmp_path):
    clock.set(wib("2026-11-05 08:00"))
    f = tmp_path / "log.csv"
    good = "Kegiatan;Mulai;Menit\nRapat koordinasi — revisi;02/11/2026 08.00;30\n".encode()
    f.write_bytes(good + b"Rapat\xa0x;02/11/2026 09.00;30\n")
    before = counts(profile)
    with pytest.raises(UserError, match="line 3: this line is not UTF-8 text"):
        imported(profile, "csv", f)
    assert counts(profile) == before

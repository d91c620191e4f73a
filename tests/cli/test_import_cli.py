"""``wfh import`` through the real console script: a dry run stores nothing, the import stores
everything once, and a bad file is refused in the user's language."""

from __future__ import annotations

import json


def test_a_watson_history_is_shown_then_imported_once(wfh, tmp_path):
    frames = tmp_path / "frames"
    frames.write_text(
        json.dumps(
            [
                [1761962400, 1761964200, "Menyusun laporan", "a1", ["kantor"], 1761964200],
                [1761966000, 1761967800, "Rapat", "a2", [], 1761967800],
            ]
        )
    )
    dry = wfh.ok("import", "watson", str(frames), "--dry-run", lang="id")
    assert "Menyusun laporan" in dry and "Uji coba: tidak ada yang disimpan" in dry
    assert wfh.json("log", "--from", "2025-11-01", "--to", "2025-11-02") == []
    done = wfh.json("import", "watson", str(frames))
    assert (done["imported"], done["sessions"]) == (True, 2)
    assert sorted(done["new_tasks"]) == ["Menyusun laporan", "Rapat"]
    sessions = wfh.json("log", "--from", "2025-11-01", "--to", "2025-11-02")
    assert sorted(s["seconds"] // 60 for s in sessions) == [30, 30]
    again = wfh.json("import", "watson", str(frames))
    assert (again["sessions"], again["duplicates_skipped"]["already_stored"]) == (0, 2)
    assert len(wfh.json("log", "--from", "2025-11-01", "--to", "2025-11-02")) == 2


def test_a_file_of_another_format_is_refused_and_nothing_is_stored(wfh, tmp_path):
    toggl = tmp_path / "toggl.csv"
    toggl.write_text("User,Email,Project,Description,Start date,Start time,End date,End time\n")
    r = wfh("import", "watson", str(toggl), lang="id")
    assert r.returncode == 1 and "bukan berkas frames Watson" in r.stderr, r.stderr
    assert wfh.json("task", "list") == []

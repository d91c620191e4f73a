"""Where the profile lives: WFH_HOME moves everything; otherwise the per-OS user folders."""

from __future__ import annotations

from pathlib import Path

from wfh_desktop.paths import Paths


def test_wfh_home_moves_everything(tmp_path):
    p = Paths.resolve({"WFH_HOME": str(tmp_path)})
    assert p.database == tmp_path / "data" / "wfh.db"
    assert p.settings == tmp_path / "config" / "settings.json"
    assert p.log_dir == tmp_path / "logs"


def test_without_wfh_home_the_user_folders_are_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    p = Paths.resolve({})
    assert p.database == Path(tmp_path / "share" / "wfh-desktop" / "wfh.db")
    assert p.settings == Path(tmp_path / "cfg" / "wfh-desktop" / "settings.json")

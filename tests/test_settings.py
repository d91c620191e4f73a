"""Typed, versioned settings: defaults, validation, upgrade, atomic save, unreadable files."""

from __future__ import annotations

import json

import pytest

from wfh_desktop import settings as s
from wfh_desktop.errors import UserError


def test_defaults_when_there_is_no_file(tmp_path):
    assert s.load(tmp_path / "settings.json") == (s.Settings(), None)
    assert s.Settings().office_zone == "WIB" and s.Settings().language is None


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "cfg" / "settings.json"
    value = s.Settings(language="en", office_zone="WIT", default_target_minutes=15)
    s.save(path, value)
    assert s.load(path) == (value, None)
    assert json.loads(path.read_text())["version"] == s.SETTINGS_VERSION


def test_an_old_version_is_upgraded(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"zone": "wita"}))
    assert s.load(path)[0].office_zone == "WITA"


@pytest.mark.parametrize("text", ["{", "[]", '{"version": 99}', '{"office_zone": "UTC"}'])
def test_unreadable_file_is_moved_aside(tmp_path, text):
    path = tmp_path / "settings.json"
    path.write_text(text)
    loaded, moved = s.load(path)
    assert loaded == s.Settings() and moved is not None
    assert not path.exists()
    assert (tmp_path / moved.split("/")[-1]).read_text() == text


@pytest.mark.parametrize(
    ("name", "value"),
    [("language", "fr"), ("office_zone", "UTC"), ("default_target_minutes", "0"),
     ("server_url", "ftp://x"), ("colour", "red")],
)  # fmt: skip
def test_validation(name, value):
    with pytest.raises(UserError):
        s.validate(name, value)


def test_notification_switches_read_yes_and_no_in_both_languages():
    from wfh_desktop.settings import validate

    for text, value in (("true", True), ("ya", True), ("off", False), ("tidak", False)):
        assert validate("notify_at_target", text) is value
        assert validate("notify_far_over", text) is value
    with pytest.raises(UserError, match="true or false"):
        validate("notify_far_over", "maybe")

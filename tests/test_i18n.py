"""Every user-visible string has an Indonesian translation with the same placeholders."""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

import pytest

from wfh_desktop.i18n import language_from_locale, set_language, tr
from wfh_desktop.i18n.id import CATALOG

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from messages import messages

MESSAGES = messages()
PERCENT = re.compile(r"%(?:\(\w+\))?[sdr]")


def placeholders(text: str) -> list[str]:
    fields = sorted(
        f"{name}!{conv}:{spec}" for _, name, spec, conv in string.Formatter().parse(text) if name
    )
    return fields + sorted(PERCENT.findall(text))


def test_the_scan_finds_the_messages():
    assert "No timer is running." in MESSAGES
    assert "Monday" in MESSAGES and "December" in MESSAGES
    assert len(MESSAGES) > 150


def test_every_message_is_translated():
    missing = {m: where for m, where in MESSAGES.items() if m not in CATALOG}
    assert missing == {}


def test_no_stale_translations():
    assert sorted(set(CATALOG) - set(MESSAGES)) == []


@pytest.mark.parametrize("message", sorted(CATALOG))
def test_placeholders_match(message):
    assert placeholders(CATALOG[message]) == placeholders(message)
    assert CATALOG[message].strip(), message
    assert message.endswith("\n") == CATALOG[message].endswith("\n")


def test_tr_formats_in_the_chosen_language():
    set_language("id")
    assert tr("{n} min", n=5) == "5 mnt"
    set_language("en")
    assert tr("{n} min", n=5) == "5 min"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "fr_FR.UTF-8"}, None),
        ({}, None),
    ],
)
def test_language_from_locale(env, expected):
    assert language_from_locale(env) == expected


def test_the_language_comes_from_the_command_line_then_the_setting_then_the_locale(
    monkeypatch,
):
    from wfh_desktop.i18n import choose_language

    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    assert choose_language(["--lang", "id", "status"], "en") == "id"
    assert choose_language(["--lang=id"], "en") == "id"
    assert choose_language(["--lang", "fr"], "id") == "id"  # not a language of ours
    assert choose_language(["status"], "id") == "id"
    assert choose_language(["status"]) == "en"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert choose_language([]) == "id"

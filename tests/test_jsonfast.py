"""The fast JSON writer says what the standard library says: the same text for what both write,
and what orjson refuses (a lone surrogate, a huge integer, a number as a key) still written."""

from __future__ import annotations

import json

from wfh_desktop import jsonfast


def test_the_same_text_as_the_standard_library_for_what_a_push_carries():
    value = {
        "title": 'Rapat koordinasi — Rekap "absensi" \\ 10% \n\t\u2028',
        "target_minutes": 30,
        "volume": 2.5,
        "note": None,
        "done": True,
        "fields": {"z": [1, 2.0, "三"], "a": {}},
    }
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert jsonfast.dumps(value) == expected.encode()
    assert jsonfast.dumps_text(value) == expected


def test_what_orjson_refuses_is_still_written_and_reads_back_the_same():
    for value in ({"note": "a\ud800b"}, {"n": 2**70}, {1: "one"}):
        text = jsonfast.dumps_text(value)
        assert json.loads(text) == json.loads(json.dumps(value))

"""The core has no Qt: nothing in wfh_desktop/ outside ui/ imports PySide6."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "tools" / "check_no_qt_in_core.py"


def test_the_core_imports_no_qt():
    r = subprocess.run([sys.executable, str(CHECK)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr


def test_the_check_catches_a_qt_import(tmp_path):
    sys.path.insert(0, str(CHECK.parent))
    try:
        import check_no_qt_in_core as check
    finally:
        sys.path.pop(0)
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom PySide6.QtWidgets import QApplication\n")
    assert check.qt_imports(bad) == [f"{bad}:2: PySide6.QtWidgets"]

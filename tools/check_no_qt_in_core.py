"""Fail when anything in wfh_desktop/ outside ui/ imports PySide6 (the core has no Qt)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "wfh_desktop"
QT_PACKAGES = ("PySide6", "PyQt5", "PyQt6", "shiboken6")


def qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in QT_PACKAGES:
                found.append(f"{path}:{node.lineno}: {name}")
    return found


def main() -> int:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if (ROOT / "ui") in path.parents:
            continue
        problems.extend(qt_imports(path))
    for line in problems:
        print(f"Qt imported in the core: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

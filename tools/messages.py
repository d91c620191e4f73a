"""Find every user-visible source string in the package (for the translation check).

A message is the first string argument of ``tr(...)``, ``UserError(...)``, ``StoreError(...)``,
the sync client's errors or an error's ``super().__init__(...)``
(the last argument of ``_moved_aside(...)``),
or a string in a module-level tuple named in :data:`MARKED_TUPLES`, or in
:data:`wfh_desktop.i18n.argparse_messages.MESSAGES`.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ROOTS = (PROJECT / "wfh_desktop", PROJECT / "wfh_server")
CALLS = {
    "tr",
    "UserError",
    "StoreError",
    "_moved_aside",
    # the sync client's errors (wfh_desktop/sync/errors.py), and their own super().__init__
    "SyncError",
    "NotConfigured",
    "Stuck",
    "NetworkError",
    "TlsError",
    "UnknownServer",
    "SignInNeeded",
    "UpdateNeeded",
    "AccountRefused",
    "PasswordChangeNeeded",
    "CalendarError",
    "__init__",
}
LAST_STRING_CALLS = {"_moved_aside"}  # (path, reason, message): the message comes last
MARKED_TUPLES = {"_WEEKDAYS", "_MONTHS"}


def messages(roots: tuple[Path, ...] = ROOTS) -> dict[str, list[str]]:
    """message -> where it appears (``path:line``), in the desktop app and the server."""
    found: dict[str, list[str]] = {}

    def add(text: str, path: Path, line: int) -> None:
        found.setdefault(text, []).append(f"{path.relative_to(PROJECT)}:{line}")

    for path in sorted(p for root in roots for p in root.rglob("*.py")):
        if path.parent.name == "i18n" and path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = (
                    node.func.id
                    if isinstance(node.func, ast.Name)
                    else (node.func.attr if isinstance(node.func, ast.Attribute) else None)
                )
                if name in CALLS and node.args:
                    arg = node.args[-1] if name in LAST_STRING_CALLS else node.args[0]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        add(arg.value, path, node.lineno)
            elif isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if any(t in MARKED_TUPLES for t in targets) and isinstance(node.value, ast.Tuple):
                    for elt in node.value.elts:
                        if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                            add(elt.value, path, node.lineno)
    from wfh_desktop.i18n.argparse_messages import MESSAGES

    for text in MESSAGES:
        found.setdefault(text, []).append("argparse")
    return found


if __name__ == "__main__":
    import json
    import sys

    from wfh_desktop.i18n.id import CATALOG

    missing = {m: w for m, w in messages().items() if m not in CATALOG}
    json.dump(sorted(missing), sys.stdout, ensure_ascii=False, indent=1)
    print()

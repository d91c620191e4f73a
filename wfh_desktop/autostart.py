"""Start at login, behind one small interface: an XDG autostart entry on Linux, the per-user Run
key on Windows, a LaunchAgent on macOS. The truth is the system's own entry, not a setting."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any, Protocol

from wfh_desktop.i18n import tr

ENTRY_NAME = "wfh-desktop"
LABEL = "id.go.wfh-desktop"  # the LaunchAgent's label


class Autostart(Protocol):
    def is_enabled(self) -> bool: ...
    def enable(self, command: list[str]) -> None: ...
    def disable(self) -> None: ...


def app_command() -> list[str]:
    """How to start the app from a login: the ``wfh-desktop`` script beside this Python, or
    ``python -m wfh_desktop``; ``--at-login`` makes it wait for the panel's tray."""
    script = Path(sys.executable).with_name(
        "wfh-desktop.exe" if sys.platform == "win32" else "wfh-desktop"
    )
    start = [str(script)] if script.exists() else [sys.executable, "-m", "wfh_desktop"]
    return [*start, "--at-login"]


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class XdgAutostart:
    """``$XDG_CONFIG_HOME/autostart/wfh-desktop.desktop`` (freedesktop.org autostart spec)."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        config = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
        self.path = Path(config).expanduser() / "autostart" / f"{ENTRY_NAME}.desktop"

    def is_enabled(self) -> bool:
        if not self.path.exists():
            return False
        text = self.path.read_text(encoding="utf-8", errors="replace")
        return "Hidden=true" not in text and "X-GNOME-Autostart-enabled=false" not in text

    def enable(self, command: list[str]) -> None:
        entry = (
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=WFH Desktop\n"
            f"Comment={tr('Time tracking with targets')}\n"
            f"Exec={shlex.join(command)}\n"
            "Icon=appointment-soon\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )
        _write_atomically(self.path, entry.encode("utf-8"))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


class LaunchAgentAutostart:
    """``~/Library/LaunchAgents/<label>.plist`` with ``RunAtLoad`` (macOS)."""

    def __init__(self, home: Path | None = None) -> None:
        base = Path.home() if home is None else home
        self.path = base / "Library" / "LaunchAgents" / f"{LABEL}.plist"

    def is_enabled(self) -> bool:
        return self.path.exists()

    def enable(self, command: list[str]) -> None:
        import plistlib  # only here: it costs the app's start-up time

        plist = {"Label": LABEL, "ProgramArguments": command, "RunAtLoad": True}
        _write_atomically(self.path, plistlib.dumps(plist))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


class RunKeyAutostart:
    """``HKEY_CURRENT_USER\\...\\CurrentVersion\\Run`` value (Windows)."""

    KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"

    def __init__(self, registry: Any = None) -> None:
        if registry is None:
            import winreg as registry  # type: ignore[import-not-found,no-redef,unused-ignore]
        self.reg = registry

    def is_enabled(self) -> bool:
        try:
            with self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, self.KEY) as key:
                self.reg.QueryValueEx(key, ENTRY_NAME)
        except OSError:
            return False
        return True

    def enable(self, command: list[str]) -> None:
        value = " ".join(f'"{part}"' for part in command)
        with self.reg.CreateKey(self.reg.HKEY_CURRENT_USER, self.KEY) as key:
            self.reg.SetValueEx(key, ENTRY_NAME, 0, self.reg.REG_SZ, value)

    def disable(self) -> None:
        try:
            with self.reg.OpenKey(
                self.reg.HKEY_CURRENT_USER, self.KEY, 0, self.reg.KEY_SET_VALUE
            ) as key:
                self.reg.DeleteValue(key, ENTRY_NAME)
        except OSError:
            pass


def for_this_system() -> Autostart:
    if sys.platform == "win32":
        return RunKeyAutostart()
    if sys.platform == "darwin":
        return LaunchAgentAutostart()
    return XdgAutostart()

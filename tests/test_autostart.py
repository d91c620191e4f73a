"""Start at login: the system's own entries, written and removed for real in a temp home."""

from __future__ import annotations

import plistlib
import shlex

from wfh_desktop.autostart import LABEL, LaunchAgentAutostart, XdgAutostart, app_command

COMMAND = ["/opt/wfh venv/bin/wfh-desktop"]


def test_xdg_autostart_entry_is_written_and_removed(tmp_path):
    auto = XdgAutostart({"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)})
    assert not auto.is_enabled()
    auto.enable(COMMAND)
    assert auto.is_enabled()
    text = (tmp_path / "cfg" / "autostart" / "wfh-desktop.desktop").read_text()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec=")) == COMMAND  # the space survives
    assert "Type=Application" in text
    auto.disable()
    assert not auto.is_enabled()
    auto.disable()  # twice is fine


def test_xdg_autostart_follows_home_without_xdg_config_home(tmp_path):
    auto = XdgAutostart({"HOME": str(tmp_path)})
    auto.enable(COMMAND)
    assert (tmp_path / ".config" / "autostart" / "wfh-desktop.desktop").exists()


def test_an_entry_the_desktop_switched_off_counts_as_off(tmp_path):
    auto = XdgAutostart({"XDG_CONFIG_HOME": str(tmp_path)})
    auto.enable(COMMAND)
    auto.path.write_text(auto.path.read_text().replace("enabled=true", "enabled=false"))
    assert not auto.is_enabled()


def test_launch_agent_runs_at_load(tmp_path):
    auto = LaunchAgentAutostart(tmp_path)
    auto.enable(COMMAND)
    plist = plistlib.loads(auto.path.read_bytes())
    assert plist == {"Label": LABEL, "ProgramArguments": COMMAND, "RunAtLoad": True}
    assert auto.is_enabled()
    auto.disable()
    assert not auto.is_enabled()


def test_the_command_is_the_installed_app_else_the_module(tmp_path, monkeypatch):
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    monkeypatch.setattr("sys.executable", str(python))
    assert app_command() == [str(python), "-m", "wfh_desktop", "--at-login"]
    (tmp_path / "bin" / "wfh-desktop").write_text("#!/bin/sh\n")
    assert app_command() == [str(tmp_path / "bin" / "wfh-desktop"), "--at-login"]


def test_the_entry_is_described_in_the_users_language(tmp_path):
    from wfh_desktop.i18n import set_language

    set_language("id")
    auto = XdgAutostart({"XDG_CONFIG_HOME": str(tmp_path)})
    auto.enable(COMMAND)
    assert "Comment=Pencatatan waktu dengan target" in auto.path.read_text()


class FakeRegistry:
    """The few ``winreg`` calls the Run key needs (Windows' registry cannot be had here)."""

    HKEY_CURRENT_USER, KEY_SET_VALUE, REG_SZ = "HKCU", 2, 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[int, str]]] = {}

    class _Key:
        def __init__(self, values: dict[str, tuple[int, str]]) -> None:
            self.values = values

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def OpenKey(self, root, path, reserved=0, access=0):  # winreg's names
        if path not in self.keys:
            raise FileNotFoundError(path)
        return self._Key(self.keys[path])

    def CreateKey(self, root, path):
        return self._Key(self.keys.setdefault(path, {}))

    def QueryValueEx(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(name)
        kind, value = key.values[name]
        return value, kind

    def SetValueEx(self, key, name, reserved, kind, value):
        key.values[name] = (kind, value)

    def DeleteValue(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(name)
        del key.values[name]


def test_windows_run_key_is_set_and_removed():
    from wfh_desktop.autostart import RunKeyAutostart

    reg = FakeRegistry()
    auto = RunKeyAutostart(reg)
    assert not auto.is_enabled()
    auto.enable([r"C:\Program Files\WFH\wfh-desktop.exe"])
    assert auto.is_enabled()
    assert reg.keys[RunKeyAutostart.KEY]["wfh-desktop"] == (
        1,
        r'"C:\Program Files\WFH\wfh-desktop.exe"',
    )
    auto.disable()
    assert not auto.is_enabled()
    auto.disable()

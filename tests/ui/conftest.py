"""UI fixtures: the whole app built as ``wfh-desktop`` builds it, offscreen, on a real file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wfh_desktop.autostart import XdgAutostart
from wfh_desktop.clock import FixedClock
from wfh_desktop.paths import Paths
from wfh_desktop.profile import Profile
from wfh_desktop.settings import Settings
from wfh_desktop.ui.app import App

WAIT_MS = 5_000


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def app(
    qapp: Any, qtbot: Any, paths: Paths, clock: FixedClock, settings: Settings
) -> Iterator[App]:
    autostart = XdgAutostart({"XDG_CONFIG_HOME": str(paths.config_dir.parent / "xdg")})
    built = App(paths, clock, settings, qapp, autostart)
    qtbot.waitUntil(lambda: built.model.today is not None, timeout=WAIT_MS)
    yield built
    built.shutdown()
    for widget in (
        built.picker,
        built.settings_dialog,
        built.window,
        built.charts_window,
        built.export_dialog,
    ):
        if widget is not None:
            widget.hide()
            widget.deleteLater()


@pytest.fixture
def other(paths: Paths, clock: FixedClock) -> Iterator[Profile]:
    """The same profile opened by another program (as the ``wfh`` command opens it)."""
    p = Profile.open(paths.database, clock)
    yield p
    p.close()


def open_tab(app: App, view: Any) -> Any:
    """Show the main window on ``view``'s tab, as a user opening it (tabs read when seen)."""
    app.show_window()
    app.window.tabs.setCurrentWidget(view)
    return view

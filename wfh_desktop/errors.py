"""Errors a user can act on. The message is an English source string, translated when shown."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """A problem with what the user asked for; nothing stored was changed."""

    def __init__(self, message: str, /, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        from wfh_desktop.i18n import tr

        return tr(self.message, **self.values)


class StoreError(UserError):
    """The database could not be used (locked, unreadable, moved aside)."""

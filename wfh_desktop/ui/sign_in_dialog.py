"""“Masuk ke server”: the server's address, the NIP or e-mail and the password. The sign-in runs
off the UI thread; a wrong password, an unknown or unreachable server, a certificate problem
and a disabled account are each said in the dialog, which stays open. An initial password
asks for a new one in the same dialog."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.settings import server_address, validate
from wfh_desktop.ui.sync_bridge import SyncBridge
from wfh_desktop.ui.widgets import error_label, ok_cancel, show_error


class SignInDialog(QDialog):
    def __init__(
        self, bridge: SyncBridge, server_url: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setWindowTitle(tr("Sign in to the server"))
        self.setMinimumWidth(460)  # a whole address and an 18-digit NIP fit
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "Sign in with the account your agency gave you. What you tracked on this "
                "computer before is sent to your account."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.server = QLineEdit(server_url or "")
        self.server.setPlaceholderText("https://wfh.instansi.go.id")
        self.server.setMinimumWidth(280)
        form.addRow(tr("&Server address"), self.server)
        self.login = QLineEdit()
        self.login.setPlaceholderText(tr("NIP (18 digits) or e-mail"))
        form.addRow(tr("&NIP or e-mail"), self.login)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("&Password"), self.password)
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_again = QLineEdit()
        self.new_again.setEchoMode(QLineEdit.EchoMode.Password)
        self._new_rows = (
            (tr("N&ew password"), self.new_password),
            (tr("New password &again"), self.new_again),
        )
        for label, field in self._new_rows:
            form.addRow(label, field)
        self._show_new(False)
        # Agencies that inspect TLS with their own certificate authority: its file, besides
        # the system's authorities (kept as the ca_file setting).
        self.ca_file = QLineEdit(bridge.ca_file or "")
        self.ca_file.setPlaceholderText(tr("only if your agency gave you one"))
        browse = QPushButton(tr("&Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.ca_file)
        row.addWidget(browse)
        ca_label = QLabel(tr("&Certificate file"))
        ca_label.setBuddy(self.ca_file)  # a row of two: the label names the field
        form.addRow(ca_label, row)
        self.error = error_label()
        layout.addWidget(self.error)
        self.busy = QLabel(tr("Signing in…"))
        self.busy.hide()
        layout.addWidget(self.busy)
        self.ok = ok_cancel(layout, tr("Sign in"), self.submit, self.reject)
        bridge.signed_in.connect(self._signed_in)
        bridge.sign_in_failed.connect(self._failed)
        (self.login if server_url else self.server).setFocus()

    def _show_new(self, on: bool) -> None:
        form = self.findChild(QFormLayout)
        assert form is not None
        for _, field in self._new_rows:
            field.setVisible(on)
            label = form.labelForField(field)
            if label is not None:
                label.setVisible(on)

    def submit(self) -> None:
        show_error(self.error, None)
        try:
            server = server_address(self.server.text())
        except UserError as e:
            show_error(self.error, e.render())
            self.server.setFocus()
            return
        login = self.login.text().strip()
        if not login:
            show_error(self.error, tr("Type your NIP or e-mail."))
            self.login.setFocus()
            return
        if not self.password.text():
            show_error(self.error, tr("Type your password."))
            self.password.setFocus()
            return
        try:
            ca_file = validate("ca_file", self.ca_file.text().strip())
        except UserError as e:
            show_error(self.error, e.render())
            self.ca_file.setFocus()
            return
        new: str | None = None
        if self.new_password.isVisible():
            new = self.new_password.text()
            if new != self.new_again.text():
                show_error(self.error, tr("The two new passwords differ; nothing was changed."))
                self.new_again.setFocus()
                return
        self._busy(True)
        self.bridge.sign_in(server, login, self.password.text(), new, ca_file=ca_file)

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.ok.setEnabled(not on)
        fields = (self.server, self.login, self.password, self.new_password, self.new_again)
        for field in (*fields, self.ca_file):
            field.setEnabled(not on)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            tr("Your agency's certificate authority file"),
            self.ca_file.text(),
            tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_file.setText(path)

    def _signed_in(self, _signed: Any) -> None:
        self._busy(False)
        self.accept()

    def _failed(self, error: Any) -> None:
        from wfh_desktop.sync.client import PasswordChangeNeeded

        self._busy(False)
        if isinstance(error, PasswordChangeNeeded):
            self._show_new(True)
            self.new_password.setFocus()
        if isinstance(error, UserError):
            show_error(self.error, error.render())
        else:
            show_error(self.error, tr("Something went wrong; nothing you stored was lost."))

    def done(self, result: int) -> None:
        for signal, slot in (
            (self.bridge.signed_in, self._signed_in),
            (self.bridge.sign_in_failed, self._failed),
        ):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
        super().done(result)

"""Office networks: the server behind a TLS proxy whose certificate comes from the agency's own
authority. Untrusted, the sign-in says so and nothing is sent; with the authority's file given,
it works. A disabled account gets its own message."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server.served import NEW_PASSWORD, SITI
from wfh_desktop.sync.client import SyncClient
from wfh_desktop.sync.errors import AccountRefused, TlsError
from wfh_desktop.tasks import TaskService


def _authority(folder: Path) -> tuple[Path, Path, Path]:
    """An agency's certificate authority and a certificate it signed for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA Kementerian Contoh")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


class TlsProxy:
    """TLS ends here, as at an agency's reverse proxy; plain HTTP goes on to the server."""

    def __init__(self, target_url: str, cert: Path, key: Path) -> None:
        self.target = ("127.0.0.1", urlsplit(target_url).port or 80)
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.3)
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                raw, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(raw,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()  # the client did not trust us: it hung up
            return
        upstream = socket.create_connection(self.target, timeout=10)
        pipes = [
            threading.Thread(target=self._pipe, args=(a, b), daemon=True)
            for a, b in ((tls, upstream), (upstream, tls))
        ]
        for p in pipes:
            p.start()
        for p in pipes:
            p.join(30)
        for s in (tls, upstream):
            s.close()

    def _pipe(self, src: Any, dst: Any) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        for t in self.threads:
            t.join(5)


@pytest.fixture
def agency(tmp_path: Path, server: Any) -> Iterator[tuple[TlsProxy, Path]]:
    ca, cert, key = _authority(tmp_path)
    proxy = TlsProxy(server.url, cert, key)
    yield proxy, ca
    proxy.close()


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # TLS: the client's side
def test_an_untrusted_certificate_is_refused_and_the_agency_authority_makes_it_work(
    desks, agency, server
):
    proxy, ca = agency
    laptop = desks("laptop")
    TaskService(laptop.profile).add("Lewat proxy kantor", 30)
    untrusting = SyncClient(laptop.profile, server_url=proxy.url)
    with pytest.raises(TlsError) as e:
        untrusting.sign_in(SITI, server.passwords[SITI], new_password=NEW_PASSWORD)
    untrusting.close()
    assert "certificate is not trusted" in str(e.value) and "--ca-file" in str(e.value)
    assert laptop.profile.conn.execute("SELECT status FROM outbox").fetchall() == [("pending",)]

    trusting = SyncClient(laptop.profile, server_url=proxy.url, ca_file=str(ca))
    try:
        trusting.sign_in(SITI, server.passwords[SITI], new_password=NEW_PASSWORD)
        assert trusting.sync().pushed == 1
    finally:
        trusting.close()


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # TLS: the client's side
def test_a_missing_authority_file_is_a_clear_error(desks, agency, tmp_path):
    proxy, _ = agency
    laptop = desks("laptop")
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("bukan sertifikat")
    with pytest.raises(TlsError) as e:
        SyncClient(laptop.profile, server_url=proxy.url, ca_file=str(bad))
    assert "cannot be used" in str(e.value)


def test_a_disabled_account_is_told_so(desks, server):
    from wfh_server import admin

    laptop = desks("laptop")
    laptop.sign_in()
    admin.disable_user(server.engine, SITI, "kemen")
    fresh = SyncClient(laptop.profile, server_url=server.url)
    try:
        with pytest.raises(AccountRefused) as e:
            fresh.sign_in(SITI, NEW_PASSWORD)
    finally:
        fresh.close()
    assert "Your account is disabled" in str(e.value)

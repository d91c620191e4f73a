"""Administration: organisations, work units, users (one by one or from a CSV file), passwords,
and devices. Used by ``wfh-server``'s commands; every change is one transaction."""

from __future__ import annotations

import csv
import io
import secrets
import unicodedata
from datetime import date
from typing import NamedTuple

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.ids import uuid7
from wfh_server.db import error_text, now_ms, revoke_tokens, transaction
from wfh_server.models import AppUser, Device, Org, RefreshToken, Unit, UserSyncState

CSV_COLUMNS = ("nip", "name", "unit", "email")
MAX_NAME = 200
MAX_EMAIL = 254
MAX_ID = 64


def check_nip(nip: str) -> str:
    """A NIP is 18 digits (0-9; full-width ones are read as such), starting with the birth date
    (YYYYMMDD)."""
    text = unicodedata.normalize("NFKC", nip).strip().replace(" ", "")
    if len(text) != 18 or not (text.isascii() and text.isdigit()):
        raise UserError("A NIP must be 18 digits, not {nip!r}.", nip=nip)
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise UserError(
            "The NIP {nip} does not start with a birth date (YYYYMMDD).", nip=text
        ) from None
    return text


def check_email(email: str | None) -> str | None:
    text = (email or "").strip()
    if not text:
        return None
    local, _, domain = text.partition("@")
    if not local or "." not in domain or " " in text or "\x00" in text or len(text) > MAX_EMAIL:
        raise UserError("{email!r} is not an e-mail address.", email=email)
    return text.lower()


def check_name(name: str, what: str) -> str:
    text = " ".join(name.replace("\x00", " ").split())
    if not text:
        raise UserError("The {what} needs a name.", what=what)
    if len(text) > MAX_NAME:
        raise UserError("A name can have at most {n} characters.", n=MAX_NAME)
    return text


def check_id(text: str) -> str:
    """An id given by hand (an organisation's): letters, digits, - and _, at most 64."""
    value = text.strip()
    if (
        not value
        or len(value) > MAX_ID
        or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    ):
        raise UserError("An id is 1 to {n} letters, digits, - or _, not {id!r}.", n=MAX_ID, id=text)
    return value


def new_password() -> str:
    """An initial password to hand over; the user changes it at first sign-in."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


class NewUser(NamedTuple):
    user: AppUser
    password: str


def create_org(engine: Engine, name: str, org_id: str | None = None) -> Org:
    name = check_name(name, tr("organisation"))
    org_id = check_id(org_id) if org_id else uuid7(now_ms())
    with transaction(engine) as s:
        if s.get(Org, org_id) is not None:
            raise UserError("An organisation with the id {id} already exists.", id=org_id)
        if s.scalars(select(Org).where(Org.name == name)).first() is not None:
            raise UserError("An organisation named {name!r} already exists.", name=name)
        org = Org(org_id=org_id, name=name, created_at=now_ms(), epoch=new_epoch_id())
        s.add(org)
    return org


def new_epoch_id() -> str:
    return secrets.token_hex(8)


def new_epoch(engine: Engine, ref: str) -> Org:
    """After the organisation's data was restored from a backup: a new epoch tells every
    client to push again what it has kept of its acknowledged changes (``SYNC.md``)."""
    with transaction(engine) as s:
        org = find_org(s, ref)
        org.epoch = new_epoch_id()
    return org


def find_org(s: Session, ref: str) -> Org:
    org = s.get(Org, ref)
    if org is not None:
        return org
    named = list(s.scalars(select(Org).where(Org.name == " ".join(ref.split()))))
    if len(named) > 1:
        raise UserError("More than one organisation is named {ref!r}; use its id.", ref=ref)
    if not named:
        raise UserError("No organisation {ref!r}. See 'wfh-server org list'.", ref=ref)
    return named[0]


def list_orgs(engine: Engine) -> list[Org]:
    with transaction(engine) as s:
        return list(s.scalars(select(Org).order_by(Org.name)))


def create_unit(engine: Engine, org_ref: str, name: str, unit_id: str | None = None) -> Unit:
    name = check_name(name, tr("unit"))
    with transaction(engine) as s:
        org = find_org(s, org_ref)
        exists = s.scalars(select(Unit).where(Unit.org_id == org.org_id, Unit.name == name)).first()
        if exists is not None:
            raise UserError("The unit {name!r} already exists.", name=name)
        unit = Unit(
            org_id=org.org_id, unit_id=unit_id or uuid7(now_ms()), name=name, created_at=now_ms()
        )
        s.add(unit)
    return unit


def _unit(s: Session, org_id: str, ref: str) -> Unit:
    unit = (
        s.get(Unit, (org_id, ref))
        or s.scalars(
            select(Unit).where(Unit.org_id == org_id, Unit.name == " ".join(ref.split()))
        ).first()
    )
    if unit is None:
        raise UserError("No unit {ref!r} in this organisation.", ref=ref)
    return unit


def _add_user(
    s: Session,
    org_id: str,
    nip: str,
    name: str,
    unit_ref: str,
    email: str | None,
    *,
    hash_now: bool = True,
) -> NewUser:
    """Check and add one user with an initial password. With ``hash_now`` False the password's
    (slow, argon2id) hash is left for the caller to set once it knows the user is kept."""
    nip = check_nip(nip)
    name = check_name(name, tr("user"))
    email = check_email(email)
    unit = _unit(s, org_id, unit_ref)
    taken = s.scalars(select(AppUser).where(AppUser.org_id == org_id, AppUser.nip == nip)).first()
    if taken is not None:
        raise UserError("A user with NIP {nip} already exists ({name}).", nip=nip, name=taken.name)
    if email is not None:
        same = s.scalars(
            select(AppUser).where(AppUser.org_id == org_id, func.lower(AppUser.email) == email)
        ).first()
        if same is not None:
            raise UserError("{name} already has the e-mail {email}.", name=same.name, email=email)
    password = new_password()
    now = now_ms()
    user = AppUser(
        org_id=org_id,
        user_id=uuid7(now),
        nip=nip,
        name=name,
        email=email,
        unit_id=unit.unit_id,
        password_hash=hash_password(password) if hash_now else "",
        must_change_password=True,
        disabled_at=None,
        failed_logins=0,
        locked_until=None,
        created_at=now,
    )
    s.add(user)
    s.add(UserSyncState(org_id=org_id, user_id=user.user_id, last_seq=0, gc_floor=0))
    s.flush()
    return NewUser(user, password)


def add_user(
    engine: Engine, org_ref: str, nip: str, name: str, unit_ref: str, email: str | None
) -> NewUser:
    with transaction(engine) as s:
        org = find_org(s, org_ref)
        return _add_user(s, org.org_id, nip, name, unit_ref, email)


class _Discard(Exception):
    """Leaves a transaction without storing anything (a dry run, or a wrong line)."""


class LineError(NamedTuple):
    line: int
    message: str


class ImportResult(NamedTuple):
    users: list[NewUser]  # empty on a dry run or when any line is wrong
    errors: list[LineError]
    lines: int


def import_users(engine: Engine, org_ref: str, text: str, *, dry_run: bool) -> ImportResult:
    """Users from CSV (``nip,name,unit,email``). Every line is checked; if any is wrong, or on a
    dry run, nothing is stored, so a file is never half-imported."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise UserError("The file is not valid CSV: {error}", error=str(e)) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise UserError("The file is empty.")
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [c for c in ("nip", "name", "unit") if c not in header]
    if missing:
        raise UserError(
            "The first line must name the columns nip, name, unit (and email); missing: {missing}.",
            missing=", ".join(missing),
        )
    col = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    errors: list[LineError] = []
    users: list[NewUser] = []
    seen: dict[str, int] = {}
    try:
        with transaction(engine) as s:
            org = find_org(s, org_ref)
            for number, row in enumerate(rows[1:], start=2):
                if not any(cell.strip() for cell in row):
                    continue
                cells = {name: (row[i] if i < len(row) else "") for name, i in col.items()}
                try:
                    nip = check_nip(cells["nip"])
                    if nip in seen:
                        raise UserError(
                            "The NIP {nip} is also on line {line}.", nip=nip, line=seen[nip]
                        )
                    seen[nip] = number
                    with s.begin_nested():
                        users.append(
                            _add_user(
                                s,
                                org.org_id,
                                nip,
                                cells["name"],
                                cells["unit"],
                                cells.get("email"),
                                hash_now=False,
                            )
                        )
                except UserError as e:
                    errors.append(LineError(number, e.render()))
                except (IntegrityError, DataError) as e:  # what the checks above missed
                    errors.append(
                        LineError(
                            number, tr("the database refused it: {error}", error=error_text(e))
                        )
                    )
            if errors or dry_run:
                raise _Discard
            for new in users:  # hashed only now: a dry run or a wrong file costs no argon2
                new.user.password_hash = hash_password(new.password)
    except _Discard:
        return ImportResult([] if errors else users, errors, len(rows) - 1)
    return ImportResult(users, [], len(rows) - 1)


def find_user(s: Session, ref: str, org_ref: str | None = None) -> AppUser:
    """A user by NIP or e-mail (in one organisation when given)."""
    query = select(AppUser).where(
        (AppUser.nip == ref.strip()) | (func.lower(AppUser.email) == ref.strip().lower())
    )
    if org_ref is not None:
        query = query.where(AppUser.org_id == find_org(s, org_ref).org_id)
    found = list(s.scalars(query))
    if not found:
        raise UserError("No user has the NIP or e-mail {ref!r}.", ref=ref)
    if len(found) > 1:
        raise UserError(
            "{ref!r} is a user in more than one organisation; name it with --org.", ref=ref
        )
    return found[0]


def reset_password(engine: Engine, ref: str, org_ref: str | None = None) -> NewUser:
    password = new_password()
    with transaction(engine) as s:
        user = find_user(s, ref, org_ref)
        user.password_hash = hash_password(password)
        user.must_change_password = True
        user.failed_logins = 0
        user.locked_until = None
        _sign_out_everywhere(s, user)  # whoever held the old password is signed out
    return NewUser(user, password)


def _sign_out_everywhere(s: Session, user: AppUser) -> None:
    revoke_tokens(s, user.org_id, RefreshToken.user_id == user.user_id)


def disable_user(engine: Engine, ref: str, org_ref: str | None = None) -> AppUser:
    with transaction(engine) as s:
        user = find_user(s, ref, org_ref)
        if user.disabled_at is None:
            user.disabled_at = now_ms()
        _sign_out_everywhere(s, user)
    return user


def list_devices(
    engine: Engine, ref: str | None = None, org_ref: str | None = None
) -> list[tuple[Device, AppUser]]:
    with transaction(engine) as s:
        query = select(Device, AppUser).join(
            AppUser, (AppUser.org_id == Device.org_id) & (AppUser.user_id == Device.user_id)
        )
        if org_ref is not None:
            query = query.where(Device.org_id == find_org(s, org_ref).org_id)
        if ref is not None:
            user = find_user(s, ref, org_ref)
            query = query.where(Device.org_id == user.org_id, Device.user_id == user.user_id)
        return [(d, u) for d, u in s.execute(query.order_by(Device.registered_at))]


def revoke_device(engine: Engine, device_id: str, org_ref: str | None = None) -> Device:
    with transaction(engine) as s:
        query = select(Device).where(Device.device_id == device_id.strip())
        if org_ref is not None:
            query = query.where(Device.org_id == find_org(s, org_ref).org_id)
        found = list(s.scalars(query))
        if len(found) > 1:
            raise UserError(
                "The device id {id} is in more than one organisation; name it with --org.",
                id=device_id,
            )
        if not found:
            raise UserError(
                "No device has the id {id!r}. See 'wfh-server device list'.", id=device_id
            )
        device = found[0]
        if device.revoked_at is None:
            device.revoked_at = now_ms()
        revoke_tokens(s, device.org_id, RefreshToken.device_id == device.device_id)
    return device

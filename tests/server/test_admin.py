"""Administration on SQLite and PostgreSQL: organisations, units, users, CSV import, devices."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from wfh_desktop.errors import UserError
from wfh_server import admin
from wfh_server.db import transaction
from wfh_server.models import AppUser, Device, UserSyncState

NIP_SITI = "198501012010011001"
NIP_BUDI = "199002152015031002"


@pytest.fixture
def org(engine):
    admin.create_org(engine, "Kementerian Contoh", "kemen")
    admin.create_unit(engine, "kemen", "Biro Umum")
    admin.create_unit(engine, "kemen", "Biro Keuangan")
    return "kemen"


def _users(engine):
    with transaction(engine) as s:
        return {u.nip: u for u in s.scalars(select(AppUser))}


def test_a_user_gets_a_hashed_initial_password_and_a_feed_counter(engine, org):
    new = admin.add_user(engine, org, NIP_SITI, " Siti  Aminah ", "Biro Umum", "Siti@Contoh.go.id")
    user = _users(engine)[NIP_SITI]
    assert (user.name, user.email, user.must_change_password) == (
        "Siti Aminah",
        "siti@contoh.go.id",
        True,
    )
    assert user.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(user.password_hash, new.password)
    with transaction(engine) as s:
        state = s.get(UserSyncState, (user.org_id, user.user_id))
        assert state is not None and state.last_seq == 0


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("12345", "must be 18 digits"),
        ("1985010120100110011", "must be 18 digits"),
        ("19850101201001100X", "must be 18 digits"),
        ("198513012010011001", "birth date"),
    ],
)
def test_a_bad_nip_is_refused_and_nothing_is_stored(engine, org, nip, message):
    with pytest.raises(UserError, match=message):
        admin.add_user(engine, org, nip, "Budi", "Biro Umum", None)
    assert _users(engine) == {}


def test_bad_users_are_refused(engine, org):
    admin.add_user(engine, org, NIP_SITI, "Siti", "Biro Umum", None)
    with pytest.raises(UserError, match="already exists"):
        admin.add_user(engine, org, NIP_SITI, "Siti lagi", "Biro Umum", None)
    with pytest.raises(UserError, match="No unit"):
        admin.add_user(engine, org, NIP_BUDI, "Budi", "Biro Hukum", None)
    with pytest.raises(UserError, match="not an e-mail"):
        admin.add_user(engine, org, NIP_BUDI, "Budi", "Biro Umum", "budi at contoh")
    with pytest.raises(UserError, match="No organisation"):
        admin.add_user(engine, "lain", NIP_BUDI, "Budi", "Biro Umum", None)
    assert list(_users(engine)) == [NIP_SITI]


def test_the_same_nip_in_two_organisations_needs_the_organisation_named(engine, org):
    admin.create_org(engine, "Pemda Contoh", "pemda")
    admin.create_unit(engine, "pemda", "Dinas")
    admin.add_user(engine, org, NIP_SITI, "Siti", "Biro Umum", None)
    admin.add_user(engine, "pemda", NIP_SITI, "Siti", "Dinas", None)
    with pytest.raises(UserError, match="more than one organisation"):
        admin.reset_password(engine, NIP_SITI)
    new = admin.reset_password(engine, NIP_SITI, "pemda")
    assert new.user.org_id == "pemda"


CSV_GOOD = (
    "nip,name,unit,email\n"
    f"{NIP_SITI},Siti Aminah,Biro Umum,siti@contoh.go.id\n"
    "\n"
    f"{NIP_BUDI},Budi Santoso,Biro Keuangan,\n"
)


def test_import_dry_run_stores_nothing_then_the_import_stores_all(engine, org):
    dry = admin.import_users(engine, org, CSV_GOOD, dry_run=True)
    assert (len(dry.users), dry.errors) == (2, [])
    assert _users(engine) == {}
    done = admin.import_users(engine, org, CSV_GOOD, dry_run=False)
    assert sorted(u.user.nip for u in done.users) == [NIP_SITI, NIP_BUDI]
    users = _users(engine)
    assert users[NIP_BUDI].email is None and users[NIP_SITI].email == "siti@contoh.go.id"
    for new in done.users:
        assert PasswordHasher().verify(users[new.user.nip].password_hash, new.password)


def test_a_bad_line_is_reported_with_its_number_and_nothing_is_imported(engine, org):
    text = (
        "NIP,Name,Unit,Email\n"
        f"{NIP_SITI},Siti Aminah,Biro Umum,\n"
        "12345,Tanpa NIP,Biro Umum,\n"
        f"{NIP_BUDI},Budi,Biro Hukum,\n"
        f"{NIP_SITI},Siti lagi,Biro Umum,\n"
    )
    result = admin.import_users(engine, org, text, dry_run=False)
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (3, "A NIP must be 18 digits, not '12345'."),
        (4, "No unit 'Biro Hukum' in this organisation."),
        (5, "The NIP 198501012010011001 is also on line 2."),
    ]
    assert result.users == [] and _users(engine) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("nama,unit\nBudi,Biro Umum\n", "missing: nip"), ("\n\n", "empty")],
)
def test_a_file_of_the_wrong_shape_is_refused(engine, org, text, message):
    with pytest.raises(UserError, match=message):
        admin.import_users(engine, org, text, dry_run=False)


def test_reset_password_unlocks_and_disable_stops_the_user(engine, org):
    first = admin.add_user(engine, org, NIP_SITI, "Siti", "Biro Umum", "siti@contoh.go.id")
    with transaction(engine) as s:
        user = s.scalars(select(AppUser)).one()
        user.failed_logins, user.locked_until, user.must_change_password = 7, 2**40, False
    new = admin.reset_password(engine, "SITI@contoh.go.id")
    user = _users(engine)[NIP_SITI]
    assert new.password != first.password
    assert PasswordHasher().verify(user.password_hash, new.password)
    assert (user.failed_logins, user.locked_until, user.must_change_password) == (0, None, True)
    assert admin.disable_user(engine, NIP_SITI).disabled_at is not None
    assert _users(engine)[NIP_SITI].disabled_at is not None


def test_devices_are_listed_and_revoked(engine, org):
    new = admin.add_user(engine, org, NIP_SITI, "Siti", "Biro Umum", None)
    with transaction(engine) as s:  # as registration (the next part of the API) will store it
        s.add(
            Device(
                org_id=org,
                device_id="dev-1",
                user_id=new.user.user_id,
                name="Laptop kantor",
                last_seq=0,
                protocol=1,
                registered_at=1,
            )
        )
    rows = admin.list_devices(engine, NIP_SITI)
    assert [(d.device_id, u.nip, d.revoked_at) for d, u in rows] == [("dev-1", NIP_SITI, None)]
    assert admin.revoke_device(engine, "dev-1").revoked_at is not None
    with pytest.raises(UserError, match="No device"):
        admin.revoke_device(engine, "dev-2")
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Device)) == 1


def test_odd_input_is_refused_with_a_message_on_both_databases(engine, org):
    admin.add_user(engine, org, NIP_SITI, "Siti", "Biro Umum", "siti@contoh.go.id")
    full_width = NIP_SITI.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with pytest.raises(UserError, match="already exists"):  # the same NIP, typed in full width
        admin.add_user(engine, org, full_width, "Siti", "Biro Umum", None)
    with pytest.raises(UserError, match="already has the e-mail"):
        admin.add_user(engine, org, NIP_BUDI, "Budi", "Biro Umum", "SITI@contoh.go.id")
    with pytest.raises(UserError, match="not an e-mail"):
        admin.add_user(engine, org, NIP_BUDI, "Budi", "Biro Umum", "a" * 250 + "@x.go.id")
    with pytest.raises(UserError, match="An id is"):
        admin.create_org(engine, "Lain", "x" * 65)
    with pytest.raises(UserError, match="named 'Kementerian Contoh' already exists"):
        admin.create_org(engine, "Kementerian Contoh", "kemen2")
    text = f"nip,name,unit\n{NIP_BUDI},Bu\x00di,Biro Umum\n"
    result = admin.import_users(engine, org, text, dry_run=False)
    assert result.errors == [] and _users(engine)[NIP_BUDI].name == "Bu di"


def test_a_device_id_in_two_organisations_needs_the_organisation_named(engine, org):
    admin.create_org(engine, "Pemda Contoh", "pemda")
    admin.create_unit(engine, "pemda", "Dinas")
    users = [
        admin.add_user(engine, org, NIP_SITI, "Siti", "Biro Umum", None).user,
        admin.add_user(engine, "pemda", NIP_BUDI, "Budi", "Dinas", None).user,
    ]
    with transaction(engine) as s:
        for user in users:
            s.add(Device(org_id=user.org_id, device_id="sama", user_id=user.user_id,
                         last_seq=0, protocol=1, registered_at=1))  # fmt: skip
    with pytest.raises(UserError, match="more than one organisation"):
        admin.revoke_device(engine, "sama")
    assert admin.revoke_device(engine, "sama", "pemda").org_id == "pemda"
    states = {d.org_id: d.revoked_at for d, _ in admin.list_devices(engine)}
    assert states["kemen"] is None and states["pemda"] is not None

"""Bad input and bad surroundings: each gives a clear message, and nothing is changed.

A closed port (unreachable server), a server that refuses the password (a minimal PostgreSQL
wire-protocol fake: the trust-only test server cannot refuse one), a database that is not a
Legajo central, schemas older or newer than this program, a taken workstation code, no password
anywhere, TLS the server does not offer.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from archive.db.models import Dependencia
from archive.domain.errors import LegajoError
from archive.i18n import render_error
from archive.sync.central_schema import init_central
from archive.sync.credentials import ENV_VAR, PasswordStore
from archive.sync.errors import (
    CentralAuthError,
    CentralIncompatible,
    CentralUnavailable,
    SyncConfigError,
)
from archive.sync.service import SyncService
from tests.integration.sync_helpers import (
    Central,
    Stations,
    create_database,
    drop_database,
)

pytestmark = pytest.mark.pg
pytest_plugins = ["tests.integration.sync_fixtures"]


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


class RefusingServer:
    """Speaks just enough of the PostgreSQL protocol to ask for a password and refuse it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = int(self.sock.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _read(self, conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                while True:
                    length, code = struct.unpack("!ii", self._read(conn, 8))
                    self._read(conn, length - 8)
                    if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest
                        conn.sendall(b"N")
                        continue
                    break
                conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # cleartext password, please
                kind = self._read(conn, 1)
                (length,) = struct.unpack("!i", self._read(conn, 4))
                self._read(conn, length - 4)
                assert kind == b"p"
                fields = (b"SFATAL\0VFATAL\0C28P01\0"
                          b'Mpassword authentication failed for user "legajo_ws"\0\0')  # fmt: skip
                conn.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)
            except (OSError, AssertionError):
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def refusing() -> Iterator[RefusingServer]:
    server = RefusingServer()
    yield server
    server.close()


def test_an_unreachable_server_does_not_stop_the_work(stations: Stations) -> None:
    a = stations.seed("A01")
    config = a.sync.config()
    assert config is not None
    a.sync.configure(a.admin, replace(config, port=closed_port(), connect_timeout=2), None)
    a.sv.org.add_dependencia(a.admin, code="100", name="Despacho")  # work goes on
    with pytest.raises(CentralUnavailable) as err:
        a.sync.sync_once()
    assert err.value.code == "sync.unreachable"
    assert "Puede seguir trabajando" in render_error(err.value)
    status = a.sync.status()
    assert status.pending_changes > 0 and status.last_error is not None
    assert status.last_error.code == "sync.unreachable"


def test_a_refused_password_says_so(stations: Stations, refusing: RefusingServer) -> None:
    a = stations.seed("A01")
    config = a.sync.config()
    assert config is not None
    a.sync.configure(a.admin, replace(config, port=refusing.port), None)
    with pytest.raises(CentralAuthError) as err:
        a.sync.sync_once()
    assert err.value.code == "sync.auth"
    assert "rechazó el usuario o la contraseña" in render_error(err.value)


def test_a_database_that_is_not_a_legajo_central_is_left_alone(
    stations: Stations, pg_server_url: str, tmp_path: Path
) -> None:
    name = "legajo_sync_foreign_" + tmp_path.name[-8:].replace("-", "_").lower()
    url = create_database(pg_server_url, name)
    try:
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE facturas (id int primary key)"))
        st = stations.build("A01")
        st.sync.configure(None, stations.central.config(database=name), None)
        with pytest.raises(CentralIncompatible) as err:
            st.sync.register(None, code="A01")
        assert err.value.code == "sync.not_central"
        with pytest.raises(CentralIncompatible) as err2:
            init_central(engine)  # `legajo central init` refuses it too
        assert err2.value.code == "central.foreign"
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == {"facturas"}
        engine.dispose()
    finally:
        drop_database(pg_server_url, name)


@pytest.mark.parametrize(("table", "revision", "code"), [
    ("alembic_version", "0001", "sync.central_older"),  # this workstation is newer
    ("legajo_central_version", "c999", "sync.central_newer"),  # the central is newer
])  # fmt: skip
def test_schema_mismatch_is_refused_with_the_side_to_update(
    stations: Stations, central: Central, table: str, revision: str, code: str
) -> None:
    a = stations.seed("A01")
    a.sv.org.add_dependencia(a.admin, code="100", name="Despacho")
    engine = central.engine()
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET version_num = :r"), {"r": revision})
    engine.dispose()
    before = central.scalar("select count(*) from sync_change")
    with pytest.raises(CentralIncompatible) as err:
        a.sync.sync_once()
    assert err.value.code == code
    assert central.scalar("select count(*) from sync_change") == before
    assert a.sync.status().pending_changes > 0


def test_a_workstation_code_is_taken_once(stations: Stations) -> None:
    stations.seed("A01").sync.sync_once()
    st = stations.build("A01")
    st.sync.configure(None, stations.central.config(), None)
    with pytest.raises(LegajoError) as err:
        st.sync.register(None, code="A01", name="Otra")
    assert err.value.code == "sync.code_taken" and "A01" in render_error(err.value)
    assert not st.sync.initialized()


def test_a_workstation_with_its_own_data_cannot_mix_into_a_used_central(stations: Stations) -> None:
    stations.seed("A01").sync.sync_once()
    from archive.services.setup import SetupRequest
    from tests.conftest import ADMIN_PASSWORD

    other = stations.build("Z09")
    admin = other.sv.setup.initialize(SetupRequest("Otra entidad", "admin", "Admin", ADMIN_PASSWORD,
                                                   workstation_code="Z09"))  # fmt: skip
    other.sync.configure(admin, stations.central.config(), None)
    with pytest.raises(CentralIncompatible) as err:
        other.sync.register(admin)
    assert err.value.code == "sync.seed_conflict"


def test_no_password_anywhere_is_explained(stations: Stations) -> None:
    from keyring.backends.null import Keyring as NullKeyring

    a = stations.seed("A01")
    bare = SyncService(a.rt, passwords=PasswordStore(environ={}, backend=NullKeyring()))
    with pytest.raises(SyncConfigError) as err:
        bare.sync_once()
    assert err.value.code == "sync.no_password_no_keyring" and ENV_VAR in render_error(err.value)


class MemoryKeyring(KeyringBackend):
    """An OS keyring stand-in (the boundary: there is no keyring daemon on a CI machine)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def test_the_password_goes_to_the_keyring_never_to_the_database(stations: Stations) -> None:
    a = stations.seed("A01")
    ring = MemoryKeyring()
    service = SyncService(a.rt, passwords=PasswordStore(environ={}, backend=ring))
    config = a.sync.config()
    assert config is not None
    result = service.configure(a.admin, config, "secreto-Ñandú")
    assert result.stored_in_keyring and ring.items == {("legajo-central", config.server): "secreto-Ñandú"}
    assert service.sync_once().seconds >= 0  # the keyring's password is used
    with a.rt.db.engine.connect() as conn:
        dump = "\n".join(str(r) for t in ("local_state", "audit_log") for r in conn.execute(text(f"select * from {t}")))
    assert "secreto" not in dump
    service.close()


def test_tls_the_server_does_not_offer_is_reported(stations: Stations) -> None:
    a = stations.seed("A01")
    config = a.sync.config()
    assert config is not None
    a.sync.configure(a.admin, replace(config, sslmode="require"), None)
    with pytest.raises(CentralUnavailable) as err:
        a.sync.sync_once()
    assert err.value.code == "sync.tls" and "require" in render_error(err.value)
    with a.rt.db.sessions() as s:
        assert s.get(Dependencia, "nada") is None

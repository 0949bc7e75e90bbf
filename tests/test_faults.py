"""A database that takes no writes (issue 9, item 13): a read-only database, a full disk.

Whoever saves meanwhile gets a clear 503 page that shows the typed text back (never a
password or a CSRF token), the API answers ``storage_unavailable``, and ``/healthz``
answers 503 because it commits a real write. The read-only cases run on the engine under
test (SQLite opened with ``mode=ro``; PostgreSQL with ``default_transaction_read_only``);
the full disk is a real, small tmpfs (SQLite; skipped where mounting is not allowed).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import AgendaItem
from rosemeet.db import Heartbeat
from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, plain_meeting

pytestmark = pytest.mark.no_db

#: what the secretary typed: markup and quotes must come back as text, not as HTML
TYPED = 'Besluit: <b>fietsroute</b> via "W13" & de Leie\nTweede lijn'
ESCAPED = "Besluit: &lt;b&gt;fietsroute&lt;/b&gt; via &#34;W13&#34; &amp; de Leie"


def make_app(url: str, instance: Path):
    """An app on ``url`` (CSRF off: the tests post forms directly)."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "faults-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(instance),
            "WTF_CSRF_ENABLED": False,
            "SMTP_HOST": "",
        }
    )


def read_only_url(url: str) -> str:
    """The same database, opened so that it takes no writes."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return url + "%20-cdefault_transaction_read_only%3Don"  # after options=-csearch_path...


def fill(app) -> dict:
    """A secretary with a body, a meeting with one agenda item, and an API token."""
    with app.test_request_context():
        secretary = accounts.create_person(name="Sara Secretaris", email="sara@rose.example.org")
        accounts.set_password(secretary, PASSWORD)
        body = network.save_body(
            None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP
        )
        network.save_membership(None, body=body, person=secretary, role=Role.SECRETARY)
        meeting = plain_meeting(body)
        item = agendas.add_item(meeting, title="Mobiliteit")
        _token, plain = accounts.create_api_token(secretary, "test")
        db.session.commit()
        return {"item": item.id, "version": item.version, "token": plain}


def logged_in(app, writable_app) -> object:
    """A client of ``app`` with the secretary's session (logging in writes, so the session
    is made on the writable app: both share the secret key)."""
    writer = writable_app.test_client()
    assert writer.post("/login", data={"email": "sara@rose.example.org", "password": PASSWORD})
    client = app.test_client()
    client.set_cookie("session", writer.get_cookie("session").value)
    return client


def minutes_form(data: dict) -> dict:
    """The minutes form of the item as the page posts it, plus fields never shown back."""
    prefix = f"item-{data['item']}"
    return {
        f"{prefix}-minutes": TYPED,
        f"{prefix}-version": str(data["version"]),
        "csrf_token": "csrf-waarde-123",
        "password": "geheim-wachtwoord",
    }


def stored_minutes(app, item_id: int) -> str | None:
    """The minutes the database holds for an item."""
    with app.app_context():
        minutes = db.session.get(AgendaItem, item_id).minutes
        db.session.rollback()
        return minutes


def assert_text_kept(response) -> None:
    """A 503 page that says nothing was saved and shows the typed text, escaped."""
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Kon niet bewaren: de database neemt nu niets aan." in page
    assert "Uw tekst staat hieronder; kopieer hem." in page
    assert ESCAPED in page and "<b>fietsroute" not in page
    assert "Tweede lijn" in page
    assert "csrf-waarde-123" not in page and "geheim-wachtwoord" not in page


@pytest.fixture
def stores(scratch_database_url, tmp_path):
    """A writable and a read-only app on one migrated, filled database."""
    writable = make_app(scratch_database_url, tmp_path)
    with writable.app_context():
        upgrade(revision="heads")
    data = fill(writable)
    read_only = make_app(read_only_url(scratch_database_url), tmp_path)
    yield writable, read_only, data
    for app in (read_only, writable):
        with app.app_context():
            db.engine.dispose()


def test_minutes_saved_on_a_read_only_database_come_back_on_the_page(stores):
    writable, read_only, data = stores
    client = logged_in(read_only, writable)
    response = client.post(f"/agenda-items/{data['item']}/minutes", data=minutes_form(data))
    assert_text_kept(response)  # was: the generic 500 page, the text lost
    assert not stored_minutes(writable, data["item"])


def test_a_password_change_on_a_read_only_database_never_shows_a_password(stores):
    writable, read_only, _data = stores
    client = logged_in(read_only, writable)
    new = "Lange fietsroute langs de Leie 2027"
    response = client.post(
        "/profile/password",
        data={"current": PASSWORD, "password": new, "confirm": new, "revoke_tokens": "y"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert PASSWORD not in page and new not in page


def test_the_api_answers_storage_unavailable_on_a_read_only_database(stores):
    _writable, read_only, data = stores
    response = read_only.test_client().patch(
        f"/api/v1/agenda-items/{data['item']}",
        json={"minutes": TYPED, "version": data["version"]},
        headers={"Authorization": f"Bearer {data['token']}"},
    )
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "storage_unavailable"
    # reading still works, and does not fail on the token's "last used" it cannot write
    listed = read_only.test_client().get(
        "/api/v1/bodies", headers={"Authorization": f"Bearer {data['token']}"}
    )
    assert listed.status_code == 200


def test_healthz_writes_so_a_read_only_database_is_unhealthy(stores):
    writable, read_only, _data = stores
    with writable.app_context():
        before = db.session.get(Heartbeat, 1).written_at
        db.session.rollback()
    assert writable.test_client().get("/healthz").status_code == 200
    with writable.app_context():
        assert db.session.get(Heartbeat, 1).written_at > before
        db.session.rollback()
    response = read_only.test_client().get("/healthz")
    assert response.status_code == 503  # was 200: SELECT 1 answers on a read-only database
    assert response.get_json() == {"status": "error", "database": "unwritable"}


def test_other_database_errors_stay_the_generic_500(stores, monkeypatch):
    """Only a database that takes no writes gets the 503 page: a bug stays a logged 500."""
    from sqlalchemy.exc import IntegrityError

    writable, _read_only, data = stores

    def broken(*args, **kwargs):
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: x"))

    monkeypatch.setattr(agendas, "save_minutes", broken)
    client = logged_in(writable, writable)
    response = client.post(f"/agenda-items/{data['item']}/minutes", data=minutes_form(data))
    assert response.status_code == 500
    assert "fietsroute" not in response.get_data(as_text=True)


# --- a real full disk ----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs (needs root and the right to mount; skipped otherwise)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_the_disk(folder: Path) -> Path:
    """Write a file until the disk is full; return it."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                out.write(b"\0" * 512)
        except OSError:
            pass
    assert shutil.disk_usage(folder).free < 4096
    return filler


def test_a_full_disk_keeps_the_text_and_fails_healthz(small_disk, migrated_template):
    path = small_disk / "rosemeet.db"
    shutil.copyfile(migrated_template, path)
    app = make_app(f"sqlite:///{path}", small_disk.parent)
    data = fill(app)
    client = logged_in(app, app)
    with app.app_context():
        db.engine.dispose()  # the WAL is checkpointed and gone: the next write must grow it
    filler = fill_the_disk(small_disk)
    assert_text_kept(client.post(f"/agenda-items/{data['item']}/minutes", data=minutes_form(data)))
    health = client.get("/healthz")
    assert health.status_code == 503  # was 200 on a full disk
    filler.unlink()
    assert client.get("/healthz").status_code == 200
    assert not stored_minutes(app, data["item"])
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    """A migrated, empty SQLite file to copy onto the small disk."""
    path = tmp_path_factory.mktemp("faults-template") / "template.db"
    app = make_app(f"sqlite:///{path}", path.parent)
    with app.app_context():
        upgrade(revision="heads")
        assert db.session.scalars(select(Heartbeat)).one().id == 1
        db.session.rollback()
        db.engine.dispose()
    return path

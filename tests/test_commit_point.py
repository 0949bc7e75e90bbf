"""The one commit point: a page's request is committed once when it answers below 400 and
rolled back otherwise; an operation a page catches the refusal of runs in a savepoint, so what
it changed before refusing is never saved; a refusal no page catches is a page with its status.

Each check reads the database again after the request (``expire_all``) or asks a second
request, which sees only what the first one committed.
"""

from __future__ import annotations

import pytest
from flask import flash

from rosemeet.extensions import db
from rosemeet.network import operations as ops
from rosemeet.network.models import Body


@pytest.fixture
def body(ctx, make_body):
    """A committed working group."""
    group = make_body("Werkgroep Leie", code="WL")
    db.session.commit()
    return group


@pytest.fixture
def logged_in(ctx, auth, admin, body):
    """The admin's session (admin and body committed)."""
    db.session.commit()
    assert auth.login(admin.email).status_code == 302


def stored_name(body_id: int) -> str:
    """The body's name as the database holds it now."""
    db.session.expire_all()
    return db.session.get(Body, body_id).name


def body_form(body: Body, **changes) -> dict:
    """The body's edit form as the page posts it."""
    return {"name": body.name, "code": body.code, "kind": body.kind.value, **changes}


def saves_then(monkeypatch, error: Exception) -> None:
    """``save_body`` really saves (and flushes) what it was given, then raises ``error``."""
    real = ops.save_body

    def half_done(*args, **kwargs):
        real(*args, **kwargs)
        db.session.flush()
        raise error

    monkeypatch.setattr(ops, "save_body", half_done)


def test_a_refused_form_shows_the_message_keeps_the_text_and_saves_nothing(
    client, logged_in, body, monkeypatch
):
    saves_then(monkeypatch, ops.NetworkError("Deze code is voorbehouden.", "code"))
    response = client.post(f"/bodies/{body.id}/edit", data=body_form(body, name="Half bewaard"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # a page below 400: the commit point commits it
    assert "Deze code is voorbehouden." in html and 'value="Half bewaard"' in html
    assert stored_name(body.id) == "Werkgroep Leie"
    assert "Half bewaard" not in client.get(f"/bodies/{body.id}").get_data(as_text=True)


def test_a_refusal_answered_with_a_redirect_saves_nothing_and_says_why(
    client, logged_in, body, monkeypatch
):
    def renames_then_refuses(item):
        item.name = "Half verwijderd"
        db.session.flush()
        raise ops.NetworkError("Dit orgaan heeft geschiedenis.")

    monkeypatch.setattr(ops, "delete_body", renames_then_refuses)
    response = client.post(f"/bodies/{body.id}/delete")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dit orgaan heeft geschiedenis." in page and "Half verwijderd" not in page
    assert stored_name(body.id) == "Werkgroep Leie"


def test_a_saved_form_is_committed_for_the_next_request(client, logged_in, body):
    response = client.post(
        f"/bodies/{body.id}/edit", data=body_form(body, name="Werkgroep Schelde")
    )
    assert response.status_code == 302
    assert "Werkgroep Schelde" in client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert stored_name(body.id) == "Werkgroep Schelde"


def test_a_view_that_fails_after_a_change_is_rolled_back(client, logged_in, body, monkeypatch):
    saves_then(monkeypatch, RuntimeError("a bug after the save"))
    response = client.post(f"/bodies/{body.id}/edit", data=body_form(body, name="Kapot"))
    assert response.status_code == 500
    assert stored_name(body.id) == "Werkgroep Leie"
    assert "Kapot" not in client.get(f"/bodies/{body.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "status"),
    [("invalid", 400), ("forbidden", 403), ("not_found", 404), ("conflict", 409)],
)
def test_a_refusal_no_view_catches_is_a_page_with_its_status(
    client, logged_in, body, monkeypatch, code, status
):
    def refuses_after_a_change(item):
        item.name = "Half gearchiveerd"
        flash("Het orgaan is gearchiveerd.", "success")  # said before it failed
        raise ops.NetworkError("Dit orgaan is vergrendeld.", code=code)

    monkeypatch.setattr(ops, "archive_body", refuses_after_a_change)
    response = client.post(f"/bodies/{body.id}/archive")
    html = response.get_data(as_text=True)
    assert response.status_code == status  # never the generic 500
    assert "Dit orgaan is vergrendeld." in html and f"{status}</h1>" in html
    assert stored_name(body.id) == "Werkgroep Leie"
    later = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert "Het orgaan is gearchiveerd." not in html + later  # nothing of it was saved

"""Simultaneous saves against a real server: gunicorn with 3 workers serving the app on a
committed database (a SQLite file; PostgreSQL too when ROSEMEET_TEST_DATABASE_URL points at
it), and requests fired at one moment from several client processes.

Of N saves made on the same read, exactly one is accepted and every other one answers 409
(the conflict page with the user's text, or the API's JSON error), never a 5xx, and nothing
accepted is overwritten; items added at once each get their own place. Each test prints its
figures (``-s`` shows them).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import AgendaItem, ItemSource, MinutesRevision
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, RelationKind, Role
from tests.conftest import PASSWORD
from tests.servers import SECRET, gunicorn

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parent.parent
#: client processes that fire the requests of one burst
CLIENTS = 4

#: One client process: waits for ``start_at``, then sends its requests at once (a thread each)
#: and prints ``[[status, body], ...]``; redirects are answers, not followed.
CLIENT = r"""
import json, sys, threading, time, urllib.error, urllib.parse, urllib.request

class Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

opener = urllib.request.build_opener(Keep)
spec = json.load(sys.stdin)
results = [None] * len(spec["requests"])

def send(index, r):
    headers = dict(r.get("headers", {}))
    data = None
    if "json" in r:
        data = json.dumps(r["json"]).encode()
        headers["Content-Type"] = "application/json"
    elif "form" in r:
        data = urllib.parse.urlencode(r["form"]).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(r["url"], data=data, headers=headers, method=r["method"])
    while time.time() < spec["start_at"]:
        time.sleep(0.001)
    try:
        with opener.open(request, timeout=60) as response:
            results[index] = [response.status, response.read().decode("utf-8", "replace")]
    except urllib.error.HTTPError as error:
        results[index] = [error.code, error.read().decode("utf-8", "replace")]
    except Exception as error:
        results[index] = [0, repr(error)]

threads = [threading.Thread(target=send, args=item) for item in enumerate(spec["requests"])]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
json.dump(results, sys.stdout)
"""


@dataclass
class Served:
    """The running server and what was prepared in its database."""

    engine: str
    base: str
    app: object
    token: str
    secretary_email: str
    ids: dict
    log: Path

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """One API request from the test itself."""
        request = urllib.request.Request(  # noqa: S310 (http to the local server)
            self.base + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())

    @property
    def bearer(self) -> dict:
        """The API's authorisation header."""
        return {"Authorization": f"Bearer {self.token}"}


def fire(requests: list[dict]) -> list[tuple[int, str]]:
    """Send the requests at one moment from CLIENTS processes; (status, body) in order."""
    start_at = time.time() + 1.5
    groups = [list(range(n, len(requests), CLIENTS)) for n in range(CLIENTS)]
    processes = []
    for group in groups:
        process = subprocess.Popen(
            [sys.executable, "-c", CLIENT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        spec = {"start_at": start_at, "requests": [requests[i] for i in group]}
        process.stdin.write(json.dumps(spec))
        process.stdin.close()
        processes.append(process)
    results: list = [None] * len(requests)
    for group, process in zip(groups, processes, strict=True):
        answers = json.loads(process.stdout.read())
        process.wait(timeout=60)
        for index, answer in zip(group, answers, strict=True):
            results[index] = tuple(answer)
    return results


def tally(served: Served, what: str, results) -> Counter:
    """Count the answers by status and print the figures."""
    counts = Counter(status for status, _body in results)
    fives = sum(n for status, n in counts.items() if status >= 500 or status == 0)
    accepted = sum(n for status, n in counts.items() if status in (200, 201, 302))
    print(
        f"\n[{served.engine}] {what}: {len(results)} requests, accepted {accepted}, "
        f"409 {counts[409]}, 5xx {fives}, all {dict(counts)}"
    )
    if fives:  # what the server said about them
        print("\n".join(served.log.read_text(errors="replace").splitlines()[-80:]))
    return counts


# --- the database and the server --------------------------------------------------------------


@contextmanager
def _database(engine: str, folder: Path):
    """A committed, empty database of this engine: a SQLite file or a PostgreSQL schema."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'served.db'}"
        return
    url = os.environ.get("ROSEMEET_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("ROSEMEET_TEST_DATABASE_URL does not point at PostgreSQL")
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    schema = f"concurrent_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def _seed() -> tuple[dict, str, str]:
    """A body with a secretary and two members, four upcoming meetings, items to fight over."""
    secretary = accounts.create_person(name="Sara Secretaris", email="sara@rose.example.org")
    accounts.set_password(secretary, PASSWORD)
    members = [
        accounts.create_person(name=f"Lid {n}", email=f"lid{n}@rose.example.org") for n in (1, 2)
    ]
    body = network.save_body(None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP)
    network.save_membership(None, body=body, person=secretary, role=Role.SECRETARY)
    for member in members:
        network.save_membership(None, body=body, person=member, role=Role.MEMBER)
    start = (utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    made = [
        meetings.create_meeting(
            [body],
            starts_at=start + timedelta(days=7 * n),
            ends_at=start + timedelta(days=7 * n, hours=2),
            location="W13, Kortrijk",
            notify_new=False,
        )
        for n in range(4)
    ]
    for meeting in made:
        agendas.publish_agenda(meeting)  # changes of a published agenda queue mail too
    items = {
        name: agendas.add_item(made[0], title=title)
        for name, title in (("title", "Begroting"), ("minutes", "Mobiliteit"), ("page", "Leiedal"))
    }
    group = network.save_body(None, name="Werkgroep RASE", code="RASE", kind=BodyKind.ADHOC)
    network.save_membership(None, body=group, person=secretary, role=Role.CHAIR)
    network.add_relation(group, body, RelationKind.REPORTS_TO)
    _token, plain = accounts.create_api_token(secretary, "concurrency test")
    db.session.flush()
    ids = {f"item_{name}": item.id for name, item in items.items()}
    ids.update({f"version_{name}": item.version for name, item in items.items()})
    ids.update(meeting=made[0].id, additions=made[1].id, moves=made[2].id, group=group.id)
    return ids, plain, secretary.email


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory):
    """The app served by gunicorn (3 workers) on a prepared, committed database."""
    folder = tmp_path_factory.mktemp(f"served-{request.param}")
    with _database(request.param, folder) as url:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": SECRET,
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": str(folder),
                "SMTP_HOST": "",
            }
        )
        with app.app_context():
            upgrade(revision="heads")
        with app.test_request_context():
            ids, token, email = _seed()
            db.session.commit()
            db.engine.dispose()
        with gunicorn(url, folder, folder / "gunicorn.log") as base:
            yield Served(request.param, base, app, token, email, ids, folder / "gunicorn.log")
        with app.app_context():
            db.engine.dispose()


def _items(served: Served, meeting_id: int) -> list[dict]:
    status, body = served.api("GET", f"/api/v1/meetings/{meeting_id}/agenda-items")
    assert status == 200
    return body["items"]


def _item(served: Served, item_id: int) -> dict:
    return next(i for i in _items(served, served.ids["meeting"]) if i["id"] == item_id)


# --- the bursts -------------------------------------------------------------------------------


def test_of_60_saves_of_one_item_on_one_read_exactly_one_is_accepted(served):
    item, version = served.ids["item_title"], served.ids["version_title"]
    results = fire(
        [
            {
                "method": "PATCH",
                "url": f"{served.base}/api/v1/agenda-items/{item}",
                "headers": served.bearer,
                "json": {"version": version, "title": f"Begroting van schrijver {n}"},
            }
            for n in range(60)
        ]
    )
    counts = tally(served, "60 simultaneous PATCHes of one agenda item", results)
    assert counts[200] == 1 and counts[409] == 59, counts
    assert all(json.loads(body)["error"]["code"] == "conflict" for s, body in results if s == 409)
    winner = next(n for n, (status, _body) in enumerate(results) if status == 200)
    stored = _item(served, item)
    assert stored["title"] == f"Begroting van schrijver {winner}"
    assert stored["version"] == version + 1


def test_of_40_minutes_saves_on_one_read_one_is_kept_and_39_answer_409(served):
    item, version = served.ids["item_minutes"], served.ids["version_minutes"]
    results = fire(
        [
            {
                "method": "PATCH",
                "url": f"{served.base}/api/v1/agenda-items/{item}",
                "headers": served.bearer,
                "json": {"version": version, "minutes": f"Verslag van schrijver {n}."},
            }
            for n in range(40)
        ]
    )
    counts = tally(served, "40 simultaneous minutes saves (API)", results)
    assert counts[200] == 1 and counts[409] == 39, counts
    winner = next(n for n, (status, _body) in enumerate(results) if status == 200)
    assert _item(served, item)["minutes"] == f"Verslag van schrijver {winner}."
    with served.app.app_context():
        kept = db.session.scalar(
            select(func.count(MinutesRevision.id)).where(MinutesRevision.item_id == item)
        )
        db.engine.dispose()
    assert kept == 1


def _logged_in(served: Served) -> tuple[str, str]:
    """A session cookie of the secretary, and the CSRF token of the minutes page's form."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(served.base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    form = {"email": served.secretary_email, "password": PASSWORD, "csrf_token": token}
    browser.open(served.base + "/login", data=urllib.parse.urlencode(form).encode())
    minutes = browser.open(f"{served.base}/meetings/{served.ids['meeting']}/minutes").read()
    csrf = re.search(r'data-csrf="([^"]+)"', minutes.decode())[1]
    return "; ".join(f"{c.name}={c.value}" for c in jar), csrf


def test_of_20_minutes_forms_sent_at_once_19_get_the_conflict_page_with_their_text(served):
    item, version = served.ids["item_page"], served.ids["version_page"]
    cookie, csrf = _logged_in(served)
    results = fire(
        [
            {
                "method": "POST",
                "url": f"{served.base}/meetings/{served.ids['meeting']}/minutes",
                "headers": {"Cookie": cookie},
                "form": {
                    "csrf_token": csrf,
                    f"item-{item}-version": version,
                    f"item-{item}-minutes": f"Tekst van schrijver {n}",
                    "save_all": "",
                },
            }
            for n in range(20)
        ]
    )
    counts = tally(served, "20 simultaneous minutes forms (pages)", results)
    assert counts[302] == 1 and counts[409] == 19, counts
    winner = next(n for n, (status, _body) in enumerate(results) if status == 302)
    for n, (status, body) in enumerate(results):
        if status == 409:
            assert f'id="mine-{item}">Tekst van schrijver {n}</pre>' in body
            assert f'id="theirs-{item}">Tekst van schrijver {winner}</pre>' in body


def test_20_items_added_at_once_each_get_their_own_place(served):
    meeting = served.ids["additions"]
    before = len(_items(served, meeting))
    results = fire(
        [
            {
                "method": "POST",
                "url": f"{served.base}/api/v1/meetings/{meeting}/agenda-items",
                "headers": served.bearer,
                "json": {"title": f"Punt {n}"},
            }
            for n in range(20)
        ]
    )
    counts = tally(served, "20 simultaneous item additions", results)
    assert counts[201] == 20, counts
    positions = [i["position"] for i in _items(served, meeting)]
    assert sorted(positions) == list(range(1, before + 21)), positions


def test_of_20_simultaneous_moves_of_a_meeting_every_accepted_one_is_announced(served):
    meeting = served.ids["moves"]
    _status, first = served.api("GET", f"/api/v1/meetings/{meeting}")
    results = fire(
        [
            {
                "method": "PATCH",
                "url": f"{served.base}/api/v1/meetings/{meeting}",
                "headers": served.bearer,
                "json": {"location": f"Zaal {n}, Kortrijk"},
            }
            for n in range(20)
        ]
    )
    counts = tally(served, "20 simultaneous meeting PATCHes", results)
    assert set(counts) <= {200, 409}, counts
    _status, last = served.api("GET", f"/api/v1/meetings/{meeting}")
    accepted = {f"Zaal {n}, Kortrijk" for n, (s, _b) in enumerate(results) if s == 200}
    assert last["location"] in accepted
    # every accepted change was told with its own SEQUENCE: none was lost under another
    assert last["sequence"] == first["sequence"] + counts[200]


def test_of_20_closings_of_a_group_sent_at_once_one_closes_it(served):
    group = served.ids["group"]
    cookie, csrf = _logged_in(served)
    results = fire(
        [
            {
                "method": "POST",
                "url": f"{served.base}/bodies/{group}/close",
                "headers": {"Cookie": cookie},
                "form": {
                    "csrf_token": csrf,
                    "closing_report": f"Slotverslag {n}",
                    "follow_ups": "close",
                    "confirm": "y",
                },
            }
            for n in range(20)
        ]
    )
    counts = tally(served, "20 simultaneous closings of a group (pages)", results)
    assert counts[302] == 1, counts
    with served.app.app_context():
        reports = db.session.scalars(
            select(AgendaItem.title).where(AgendaItem.source == ItemSource.FEEDBACK)
        ).all()
        assert reports == ["Slotverslag RASE"]  # one feedback item, not one per request
        db.engine.dispose()

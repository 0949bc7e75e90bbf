"""Load test (issue 9): clients mixing page views, RSVP answers, agenda-item edits and minutes
saves against real processes: gunicorn (3 workers), the scheduler, and an SMTP server that
takes 1 s per message. Prints requests, rate, 5xx, "database is locked" in the server logs,
p50/p95 per kind of request, and lost updates (accepted item saves vs. versions stored).

    .venv/bin/python benchmarks/load.py [--clients 50] [--seconds 30] [--think 0.25]
                                        [--database-url postgresql://...]

Without --database-url a SQLite file in a temporary folder is used (and removed). A
PostgreSQL database must be empty: it is migrated and filled, and left filled. Everything
listens on 127.0.0.1 only; the run ends after --seconds (plus the requests under way).
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import AgendaItem, MinutesRevision
from rosemeet.core import catalogs
from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.operations import local_datetime
from rosemeet.network import operations as network
from rosemeet.network.models import Body, BodyKind, Role

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "load test password 1"
SECRET = "load-test-secret"
BODIES, MEMBERS, SECRETARIES, MEETINGS, ITEMS = 5, 10, 2, 3, 6


# --- the filled database ---------------------------------------------------------------------


def fill(app) -> dict:
    """Bodies with secretaries and members (passwords, API tokens), meetings with agendas;
    every meeting invites its body, so the outbox holds mail for the slow server."""
    people, meeting_ids = [], []
    first = local_today() + timedelta(days=7)
    with app.test_request_context():
        for b in range(BODIES):
            body = network.save_body(
                None, name=f"Werkgroep {b}", code=f"WG{b}", kind=BodyKind.WORKING_GROUP
            )
            for m in range(MEMBERS):
                person = accounts.create_person(
                    name=f"Persoon {b}-{m}", email=f"p{b}-{m}@rose.example.org"
                )
                accounts.set_password(person, PASSWORD)
                role = Role.SECRETARY if m < SECRETARIES else Role.MEMBER
                network.save_membership(None, body=body, person=person, role=role)
                _token, plain = accounts.create_api_token(person, "load")
                people.append({"email": person.email, "token": plain, "body": b, "role": role})
            body_meetings = []
            for n in range(MEETINGS):
                day = first + timedelta(days=7 * n + b)
                starts = local_datetime(day, clock(14, 0), "Europe/Brussels")
                meeting = meetings.create_meeting(
                    [body],
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    location="W13, Kortrijk",
                )
                for i in range(ITEMS):
                    agendas.add_item(meeting, title=f"Punt {i + 1}")
                body_meetings.append(meeting.id)
            meeting_ids.append(body_meetings)
            db.session.commit()
        body_ids = list(db.session.scalars(select(Body.id).order_by(Body.id)))
    return {"people": people, "meetings": meeting_ids, "bodies": body_ids}


def versions(app) -> dict[int, tuple[int, int]]:
    """Per agenda item: (version, minutes revisions)."""
    with app.app_context():
        rows = db.session.execute(select(AgendaItem.id, AgendaItem.version)).all()
        revisions = dict(
            db.session.execute(
                select(MinutesRevision.item_id, func.count(MinutesRevision.id)).group_by(
                    MinutesRevision.item_id
                )
            ).all()
        )
        result = {item: (version, revisions.get(item, 0)) for item, version in rows}
        db.session.rollback()
        return result


# --- the servers -------------------------------------------------------------------------------


class SlowSmtp:
    """An aiosmtpd handler that takes one second per message."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        await asyncio.sleep(self.seconds)
        self.received += 1
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A loopback port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A child process with its output in ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_healthy(base: str, server: subprocess.Popen, log: Path) -> None:
    """Wait until /healthz answers 200 (at most a minute)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


# --- the clients -------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One user: a session cookie for pages, a bearer token for the API."""

    def __init__(self, base: str, person: dict, results: list, accepted: Counter):
        self.base, self.person = base, person
        self.results, self.accepted = results, accepted
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, kind, path, data=None, json_body=None, api=False, method=None):
        """(status, parsed JSON or text); the outcome is recorded under ``kind``."""
        headers = {"Authorization": f"Bearer {self.person['token']}"} if api else {}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=60) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError as error:  # refused, reset, timed out: counted as a 5xx-like failure
            status, text = 599, str(error)
        self.results.append((kind, status, time.monotonic() - started))
        if api and text.startswith(("{", "[")):
            return status, json.loads(text)
        return status, text

    def login(self) -> int:
        """Log in through the form (with its CSRF token)."""
        _status, page = self.request("login_form", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status, _text = self.request(
            "login",
            "/login",
            data={"email": self.person["email"], "password": PASSWORD, "csrf_token": token},
        )
        return status

    def step(self, world: dict, rng: random.Random) -> None:
        """One action, chosen by role: secretaries mostly edit, members read and answer."""
        body = self.person["body"]
        meeting = rng.choice(world["meetings"][body])
        secretary = self.person["role"] is Role.SECRETARY
        weights = (
            {"page": 2, "agenda_edit": 4, "minutes": 4}
            if secretary
            else {"page": 5, "api_read": 2, "rsvp": 3}
        )
        kind = rng.choices(list(weights), list(weights.values()))[0]
        if kind == "page":
            path = rng.choice(
                [
                    "/",
                    f"/meetings/{meeting}",
                    f"/bodies/{world['bodies'][body]}",
                    f"/meetings/{meeting}/agenda",
                ]
            )
            self.request("page", path)
        elif kind == "api_read":
            self.request("api_read", f"/api/v1/meetings/{meeting}/agenda", api=True)
        elif kind == "rsvp":
            answer = rng.choice(["accepted", "declined", "tentative"])
            self.request(
                "rsvp",
                f"/api/v1/meetings/{meeting}/attendance",
                json_body={"response": answer},
                api=True,
            )
        else:
            status, listed = self.request(
                "api_read", f"/api/v1/meetings/{meeting}/agenda-items", api=True
            )
            if status != 200 or not listed.get("items"):
                return
            item = rng.choice(listed["items"])
            change = (
                {"title": f"Punt {item['position']} ({rng.randrange(10**6)})"}
                if kind == "agenda_edit"
                else {
                    "minutes": f"Verslag {rng.randrange(10**6)}: " + "tekst " * rng.randrange(5, 80)
                }
            )
            status, _saved = self.request(
                kind,
                f"/api/v1/agenda-items/{item['id']}",
                json_body={**change, "version": item["version"]},
                api=True,
                method="PATCH",
            )
            if status == 200:
                self.accepted[(kind, item["id"])] += 1


def run_clients(clients: list[Client], world: dict, seconds: float, think: float) -> float:
    """Every client acts until the deadline; the elapsed time."""
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def loop(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < deadline:
            clients[n].step(world, rng)
            if think:
                time.sleep(rng.uniform(0, 2 * think))

    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(loop, range(len(clients))))
    return time.monotonic() - started


# --- the report ----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(results, elapsed, logs, lost, mail, logins) -> None:
    """Print the figures."""
    by_kind = defaultdict(list)
    for kind, status, seconds in results:
        by_kind[kind].append((status, seconds))
    total = len(results)
    errors = sum(status >= 500 for _k, status, _s in results)
    print(f"{'kind':<12} {'requests':>8} {'5xx':>5} {'409':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in sorted(by_kind):
        rows = by_kind[kind]
        times = [s * 1000 for _st, s in rows]
        print(
            f"{kind:<12} {len(rows):>8} {sum(st >= 500 for st, _s in rows):>5} "
            f"{sum(st == 409 for st, _s in rows):>5} {percentile(times, 0.5):>8.0f} "
            f"{percentile(times, 0.95):>8.0f}"
        )
    times = [s * 1000 for _k, _st, s in results]
    print(
        f"all: {total} requests in {elapsed:.1f} s ({total / elapsed:.1f}/s), 5xx {errors}, "
        f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms"
    )
    print(f"logins before the run: {dict(Counter(logins))}")
    for name, text in logs.items():
        print(
            f"{name} log: 'database is locked' {text.count('database is locked')}, "
            f"tracebacks {text.count('Traceback')}"
        )
        errors = Counter(re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception)\b.*)$", text, re.M))
        for line, count in errors.most_common(3):
            print(f"  {count} x {line[:160]}")
    print(f"mail: {mail}")
    print(
        f"agenda-item saves accepted {lost['accepted']}, versions stored {lost['stored']}, "
        f"minutes saves accepted {lost['minutes_accepted']}, revisions stored "
        f"{lost['revisions']}: lost updates {lost['lost']}"
    )


def main() -> None:
    """Fill, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.25, help="mean pause between requests")
    parser.add_argument("--database-url", default=os.environ.get("ROSEMEET_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    catalogs.compile_all()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        url = args.database_url or f"sqlite:///{folder / 'load.db'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                "SECRET_KEY": SECRET,
                "INSTANCE_PATH": str(folder),
                "SMTP_HOST": "",
            }
        )
        with app.app_context():
            if inspect(db.engine).get_table_names():
                raise SystemExit("the database is not empty")
            upgrade(revision="heads")
        began = time.monotonic()
        world = fill(app)
        before = versions(app)
        print(
            f"engine {url.split(':', 1)[0]}; filled in {time.monotonic() - began:.0f} s: "
            f"{len(world['people'])} people, {BODIES * MEETINGS} meetings, "
            f"{BODIES * MEETINGS * ITEMS} items; {args.clients} clients for {args.seconds:.0f} s, "
            f"think {args.think} s"
        )

        from aiosmtpd.controller import Controller

        smtp, smtp_port, web_port = SlowSmtp(1.0), free_port(), free_port()
        controller = Controller(smtp, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        env = {
            **os.environ,
            "ROSEMEET_DATABASE_URL": url,
            "ROSEMEET_INSTANCE_PATH": str(folder),
            "ROSEMEET_SECRET_KEY": SECRET,
            "ROSEMEET_SMTP_HOST": "127.0.0.1",
            "ROSEMEET_SMTP_PORT": str(smtp_port),
            "ROSEMEET_MAIL_DELIVERY_INTERVAL": "2",
            "ROSEMEET_SCHEDULER_POLL_SECONDS": "1",
            "ROSEMEET_LOG_LEVEL": "WARNING",
            "ROSEMEET_BASE_URL": f"http://127.0.0.1:{web_port}",
        }
        web_log, scheduler_log = folder / "gunicorn.log", folder / "scheduler.log"
        web = start(
            [
                str(BIN / "gunicorn"),
                "-w",
                "3",
                "-b",
                f"127.0.0.1:{web_port}",
                "--timeout",
                "60",
                "wsgi:app",
            ],
            env,
            web_log,
        )
        scheduler = None
        try:
            base = f"http://127.0.0.1:{web_port}"
            wait_healthy(base, web, web_log)
            scheduler = start([str(BIN / "rosemeet"), "scheduler"], env, scheduler_log)
            results, accepted = [], Counter()
            people = [world["people"][n % len(world["people"])] for n in range(args.clients)]
            clients = [Client(base, person, results, accepted) for person in people]
            with ThreadPoolExecutor(len(clients)) as pool:
                logins = list(pool.map(Client.login, clients))
            results.clear()  # the run's figures, without the logins
            elapsed = run_clients(clients, world, args.seconds, args.think)
        finally:
            if scheduler is not None:
                stop(scheduler)
            stop(web)
            controller.stop()
        after = versions(app)
        with app.app_context():
            statuses = Counter(
                s.value for s in db.session.scalars(select(OutboxMessage.status)).all()
            )
            db.session.rollback()
            db.engine.dispose()
        stored = sum(after[i][0] - before[i][0] for i in after)
        revisions = sum(after[i][1] - before[i][1] for i in after)
        saves = sum(accepted.values())
        minutes = sum(n for (kind, _i), n in accepted.items() if kind == "minutes")
        lost = {
            "accepted": saves,
            "stored": stored,
            "minutes_accepted": minutes,
            "revisions": revisions,
            "lost": max(0, saves - stored) + max(0, minutes - revisions),
        }
        mail = f"received by the slow server {smtp.received}, outbox {dict(statuses)}"
        logs = {"gunicorn": web_log.read_text(), "scheduler": scheduler_log.read_text()}
        report(results, elapsed, logs, lost, mail, logins)


if __name__ == "__main__":
    main()

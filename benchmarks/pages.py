"""Page figures at a network's scale (issue 20): the pages people open most, served by gunicorn
(2 sync workers) from a database filled by ``network10x.py``, as the admin and as an ordinary
member; prints one table and the bulk figures.

    .venv/bin/python benchmarks/pages.py [--scale 10] [--database-url postgresql://...]
                                         [--seconds 5] [--requests 30] [--only decisions]
                                         [--invitees 500]

Per page and role: p50 and p95 of ``--requests`` requests one at a time (after 3 warm-up
requests; at most 2 x ``--seconds`` of them, at least 5), requests per second with 8 clients
at once for ``--seconds``, both also relative to ``/healthz`` measured in the same run, the
size of the answer, and the SQL statements of one request (counted in this process with the
Flask test client on the same database, after one warm-up request: not through gunicorn).
Then: planning one meeting for a body of 500 members (``--invitees``), without and with
queueing its invitations (in one transaction, rolled back), and the workers' resident memory
after the load.

Without --database-url the network is made in a SQLite file in a temporary folder (and
removed). With it, an empty PostgreSQL database is migrated and filled at ``--scale`` and left
filled; a filled one is reused as it is (--scale is then what it holds). Each run adds two API
tokens and a calendar feed to it. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from network10x import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, fill, is_filled, make_app, report
from sqlalchemy import event, func, select

from rosemeet.accounts import operations as accounts
from rosemeet.accounts.models import Person
from rosemeet.accounts.queries import find_by_email
from rosemeet.agendas.models import Agenda, MinutesStatus
from rosemeet.calendar import operations as feeds
from rosemeet.calendar.models import FeedScope
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Meeting, meeting_body
from rosemeet.network import operations as network
from rosemeet.network.models import Body, BodyKind, Membership, Role

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "pages-benchmark-secret"
#: what the member searches for (a word of many agenda items, minutes and follow-ups)
SEARCH = "mobiliteit"
WORKERS, CONCURRENCY, WARM_UP = 2, 8, 3


@dataclass
class Page:
    """One row of the table: a path as a role, and what was measured."""

    name: str
    role: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    #: the status the page should answer
    expect: int = 200
    #: measured: latencies (s), requests per second at CONCURRENCY, size, statements, statuses
    times: list[float] = field(default_factory=list)
    rate: float = 0.0
    size: int = 0
    statements: int | None = None
    statuses: dict[int, int] = field(default_factory=dict)


@dataclass
class World:
    """What the pages need from the database: ids, tokens, logins."""

    body: int
    meeting: int
    feed: str
    tokens: dict[str, str]
    emails: dict[str, str]


# --- the database ----------------------------------------------------------------------------


def prepare(app: Flask) -> World:
    """API tokens for both logins, a personal feed for the member, and the body and meeting
    shown: the member's action group and its last meeting held (published agenda, minutes)."""
    with app.test_request_context():
        admin, member = find_by_email(ADMIN_EMAIL), find_by_email(MEMBER_EMAIL)
        assert admin is not None and member is not None, "not a database of network10x.py"
        tokens = {
            "admin": accounts.create_api_token(admin, "pages benchmark")[1],
            "member": accounts.create_api_token(member, "pages benchmark")[1],
        }
        _feed, feed = feeds.create_feed(member, FeedScope.PERSON)
        body = db.session.scalar(
            select(Body.id)
            .join(Membership, Membership.body_id == Body.id)
            .where(Membership.person_id == member.id, Body.kind == BodyKind.ACTION_GROUP)
        ) or db.session.scalar(select(Membership.body_id).where(Membership.person_id == member.id))
        meeting = db.session.scalar(
            select(Meeting.id)
            .join(meeting_body, meeting_body.c.meeting_id == Meeting.id)
            .join(Agenda, Agenda.meeting_id == Meeting.id)
            .where(
                meeting_body.c.body_id == body,
                Meeting.starts_at < utcnow(),
                Agenda.minutes_status == MinutesStatus.APPROVED,
            )
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )
        db.session.commit()
    return World(body, meeting, feed, tokens, {"admin": ADMIN_EMAIL, "member": MEMBER_EMAIL})


def pages(world: World) -> list[Page]:
    """The rows, in the order they are measured."""
    rows = [Page("/healthz", "-", "/healthz")]
    for path in (
        "/",
        "/decisions",
        "/api/v1/decisions",
        "/follow-ups",
        "/follow-ups/referrals",
        f"/bodies/{world.body}",
        f"/meetings/{world.meeting}",
        f"/meetings/{world.meeting}/agenda",
    ):
        for role in ("admin", "member"):
            headers = {"Authorization": f"Bearer {world.tokens[role]}"} if "/api/" in path else {}
            rows.append(Page(path, role, path, headers))
    rows.append(Page(f"/search?q={SEARCH}", "member", f"/search?q={SEARCH}"))
    feed = f"/feeds/{world.feed}.ics"
    rows.append(Page("/feeds/<token>.ics", "member", feed))
    rows.append(Page("/feeds/<token>.ics If-None-Match", "member", feed, expect=304))
    rows.append(Page("/feeds/<token>.ics If-Modified-Since", "member", feed, expect=304))
    return rows


# --- statements, in this process -------------------------------------------------------------


class Counter:
    """A ``before_cursor_execute`` listener that counts statements."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


def count_statements(app: Flask, rows: list[Page], world: World) -> dict[str, float]:
    """Statements of one request per row (after a warm-up request), with the test client;
    fills in the conditional headers of the 304 rows. Returns the feed's first render."""
    app.config["WTF_CSRF_ENABLED"] = False  # the test client posts the login without the form
    clients = {"-": app.test_client()}
    for role, email in world.emails.items():
        client = app.test_client()
        answer = client.post("/login", data={"email": email, "password": PASSWORD})
        assert answer.status_code == 302, f"login of {role}: {answer.status_code}"
        clients[role] = client
    with app.app_context():
        engine = db.engine
    first: dict[str, float] = {}
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        for row in rows:
            client = clients[row.role]
            if row.expect == 304:
                seen = client.get(row.path)
                row.headers = (
                    {"If-None-Match": seen.headers["ETag"]}
                    if "None-Match" in row.name
                    else {"If-Modified-Since": seen.headers["Last-Modified"]}
                )
            counter.count = 0
            began = time.perf_counter()
            warm = client.get(row.path, headers=row.headers)
            if row.name == "/feeds/<token>.ics":
                first = {"statements": counter.count, "ms": (time.perf_counter() - began) * 1000}
            counter.count = 0
            answer = client.get(row.path, headers=row.headers)
            row.statements = counter.count
            if answer.status_code != row.expect or warm.status_code != row.expect:
                print(
                    f"in-process {row.name} as {row.role}: {warm.status_code}, "
                    f"{answer.status_code}\n{answer.get_data(as_text=True)[:1500]}"
                )
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return first


def bulk(app: Flask, members: int) -> list[tuple[str, float, int, int]]:
    """Plan a meeting for a body of ``members`` members: (what, seconds, statements, mails
    queued), once without and once with its invitations; everything is rolled back."""
    results = []
    with app.test_request_context():
        engine = db.engine
        body = network.save_body(
            None, name="Bulk body", code="BULK", kind=BodyKind.GENERAL_ASSEMBLY
        )
        for n in range(members):
            person = accounts.create_person(
                name=f"Genodigde {n:03}", email=f"genodigde{n:03}@bulk.example.org"
            )
            network.save_membership(None, body=body, person=person, role=Role.MEMBER)
        db.session.flush()
        counter = Counter()
        event.listen(engine, "before_cursor_execute", counter)
        try:
            for day, notify in ((30, False), (37, True)):
                starts = (utcnow() + timedelta(days=day)).replace(
                    hour=12, minute=0, second=0, microsecond=0
                )
                before = db.session.scalar(select(func.count(OutboxMessage.id)))
                counter.count = 0
                began = time.perf_counter()
                meetings.create_meeting(
                    [body],
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    location="W13, Kortrijk",
                    notify_new=notify,
                )
                db.session.flush()
                took, statements = time.perf_counter() - began, counter.count
                queued = db.session.scalar(select(func.count(OutboxMessage.id))) - before
                what = f"create_meeting, {members} invitees" + (" + queue" if notify else "")
                results.append((what, took, statements, queued))
        finally:
            event.remove(engine, "before_cursor_execute", counter)
            db.session.rollback()
    return results


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(url: str, folder: Path, port: int) -> subprocess.Popen:
    """gunicorn with 2 sync workers on the database; waits until /healthz answers."""
    env = {
        **os.environ,
        "ROSEMEET_DATABASE_URL": url,
        "ROSEMEET_INSTANCE_PATH": str(folder),
        "ROSEMEET_SECRET_KEY": SECRET,
        "ROSEMEET_SMTP_HOST": "",
        "ROSEMEET_LOG_LEVEL": "WARNING",
        "ROSEMEET_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = folder / "gunicorn.log"
    with log.open("ab") as out:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                *("-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "120"),
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def worker_rss(master: int) -> list[int]:
    """VmRSS in kB of the master's children (the workers)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if found:
            sizes.append(int(found.group(1)))
    return sizes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base: str, email: str) -> str:
    """Log in through the form (with its CSRF token); the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    with opener.open(base + "/login", timeout=60) as answer:
        page = answer.read().decode()
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if found is None:
        raise SystemExit("no csrf_token in the login form")
    data = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": found.group(1)}
    )
    try:
        opener.open(base + "/login", data=data.encode(), timeout=60)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 302:
        raise SystemExit(f"login of {email} answered {status}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, int, float]:
    """One GET on a new connection (sync workers close it): status, body size, seconds."""
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        size = len(answer.read())
        return answer.status, size, time.perf_counter() - began
    finally:
        connection.close()


def conditional(row: Page, port: int, headers: dict[str, str]) -> dict[str, str]:
    """The 304 rows' header, from a 200 answer of gunicorn itself (the in-process one differs:
    Last-Modified is when a worker rendered the feed)."""
    plain = {k: v for k, v in headers.items() if not k.startswith("If-")}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", row.path, headers=plain)
        answer = connection.getresponse()
        answer.read()
        if "None-Match" in row.name:
            return {**plain, "If-None-Match": answer.getheader("ETag", "")}
        return {**plain, "If-Modified-Since": answer.getheader("Last-Modified", "")}
    finally:
        connection.close()


def measure(row: Page, port: int, headers: dict[str, str], args) -> None:
    """Latencies one at a time, then the rate with CONCURRENCY clients."""
    warm_until = time.monotonic() + 2
    for n in range(WARM_UP):  # slow pages: one warm-up request is enough
        status, row.size, _took = fetch(port, row.path, headers)
        if n and time.monotonic() > warm_until:
            break
    budget = time.monotonic() + 2 * args.seconds
    while len(row.times) < args.requests and (len(row.times) < 5 or time.monotonic() < budget):
        status, row.size, took = fetch(port, row.path, headers)
        row.times.append(took)
        row.statuses[status] = row.statuses.get(status, 0) + 1
    done, lock = [], threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client() -> None:
        while time.monotonic() < deadline:
            status, _size, _took = fetch(port, row.path, headers)
            with lock:
                done.append(status)

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    row.rate = len(done) / (time.perf_counter() - began)
    for status in done:
        row.statuses[status] = row.statuses.get(status, 0) + 1


# --- the report ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def table(rows: list[Page]) -> None:
    """Print the aligned table; the ratios are to /healthz (the first row)."""
    health = rows[0]
    health_p50, health_rate = percentile(health.times, 0.5), health.rate
    head = (
        "page",
        "role",
        "n",
        "p50 ms",
        "p95 ms",
        "p50 x hz",
        "c8 req/s",
        "% of healthz",
        "statements",
        "KB",
        "statuses",
    )
    lines = []
    for row in rows:
        p50 = percentile(row.times, 0.5)
        unexpected = {s: n for s, n in row.statuses.items() if s != row.expect}
        lines.append(
            (
                row.name,
                row.role,
                str(len(row.times)),
                f"{p50 * 1000:.1f}",
                f"{percentile(row.times, 0.95) * 1000:.1f}",
                f"{p50 / health_p50:.1f}" if health_p50 else "-",
                f"{row.rate:.1f}",
                f"{100 * row.rate / health_rate:.1f}" if health_rate else "-",
                "-" if row.statements is None else str(row.statements),
                f"{row.size / 1024:.1f}",
                f"{row.expect} only"
                if not unexpected
                else " ".join(f"{s}:{n}" for s, n in sorted(row.statuses.items())),
            )
        )
    widths = [max(len(x) for x in column) for column in zip(head, *lines, strict=True)]
    for n, line in enumerate([head, *lines]):
        cells = [
            cell.ljust(width) if i < 2 or i == 10 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print(" | ".join(cells).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))


def main() -> None:
    """Fill or reuse, count statements, plan the bulk meeting, serve, load, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--database-url", default=os.environ.get("ROSEMEET_BENCH_DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=5, help="of each rate measurement")
    parser.add_argument("--requests", type=int, default=30, help="one at a time, per row")
    parser.add_argument("--only", default=None, help="only pages whose path holds this")
    parser.add_argument("--invitees", type=int, default=500, help="of the bulk meeting; 0: none")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop gunicorn, remove the folder
    began, load = time.perf_counter(), os.getloadavg()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = args.database_url or f"sqlite:///{folder / 'pages.db'}"
        app = make_app(url, folder)
        print(f"engine {url.split(':', 1)[0]}")
        if is_filled(app):
            print("reusing the filled database")
        else:
            filling = time.perf_counter()
            print(f"filling at scale {args.scale}")
            report(fill(app, args.scale), time.perf_counter() - filling)
        with app.app_context():
            people = db.session.scalar(select(func.count(Person.id)))
            count = db.session.scalar(select(func.count(Meeting.id)))
            db.session.rollback()
        print(f"{people:,} people, {count:,} meetings")
        world = prepare(app)
        rows = pages(world)
        if args.only:
            rows = [rows[0], *(r for r in rows[1:] if args.only in r.name)]
        phases = {"fill or reuse": time.perf_counter() - began}
        mark = time.perf_counter()
        first = count_statements(app, rows, world)
        phases["statements"], mark = time.perf_counter() - mark, time.perf_counter()
        planned = bulk(app, args.invitees) if args.invitees else []
        phases["bulk"], mark = time.perf_counter() - mark, time.perf_counter()
        with app.app_context():
            db.engine.dispose()
        port = free_port()
        server = serve(url, folder, port)
        base = f"http://127.0.0.1:{port}"
        try:
            cookies = {role: login(base, email) for role, email in world.emails.items()}
            for row in rows:
                headers = dict(row.headers)
                if row.role in cookies:
                    headers["Cookie"] = cookies[row.role]
                if row.expect == 304:
                    headers = conditional(row, port, headers)
                measure(row, port, headers, args)
            rss = worker_rss(server.pid)
        finally:
            stop(server)
        phases["gunicorn"] = time.perf_counter() - mark
        log = (folder / "gunicorn.log").read_text()
        print()
        table(rows)
        print()
        if first:
            print(
                f"feed, first render (in-process): {first['statements']} statements, "
                f"{first['ms']:.0f} ms; later requests are served from the worker's cache"
            )
        for what, seconds, statements, queued in planned:
            print(f"{what}: {seconds:.2f} s, {statements} statements, {queued} mails queued")
        if len(planned) == 2:
            print(f"  queueing the invitations: {planned[1][1] - planned[0][1]:.2f} s")
        print(f"worker RSS after the load: {', '.join(f'{kb / 1024:.0f} MB' for kb in rss)}")
        print(f"gunicorn log: tracebacks {log.count('Traceback')}")
        for line in re.findall(r"^\w+(?:\.\w+)*(?:Error|Exception)\b.*$", log, re.M)[:5]:
            print(f"  {line[:200]}")
        print(
            f"total {time.perf_counter() - began:.0f} s ("
            + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items())
            + "); load average before/after: "
            + f"{load[0]:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )


if __name__ == "__main__":
    main()

"""Uploading and serving a large document (issue 13): a 20 MB PDF posted to the API of a real
gunicorn worker (1 sync worker, a SQLite file in a temporary folder), then downloaded. Prints
the seconds of each, the worker's resident memory before, its peak (VmHWM) after the upload and
after the download, and checks that the bytes came back equal. Memory stays flat when the
upload is streamed to disk and the download is served from the file (never read whole).

    .venv/bin/python benchmarks/documents_upload.py [--mb 20] [--repeat 3]

Everything listens on 127.0.0.1 only and is removed afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.core import catalogs
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.operations import local_datetime
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHUNK = 1024 * 1024


def big_pdf(path: Path, megabytes: int) -> None:
    """A valid PDF header and trailer around ``megabytes`` of incompressible bytes (the type is
    detected from its first bytes; the content is not parsed for text beyond what pypdf can)."""
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        for _ in range(megabytes):
            out.write(secrets.token_bytes(CHUNK))
        out.write(b"\n%%EOF\n")


def fill(instance: Path) -> tuple[int, str]:
    """The database: a body, its secretary (with an API token) and a meeting with an item."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(instance),
        }
    )
    with app.app_context(), app.test_request_context():
        upgrade(revision="heads")
        person = accounts.create_person(name="Sara Secretaris", email="sara@rose.example.org")
        body = network.save_body(None, name="Actiegroep", code="AG", kind=BodyKind.ACTION_GROUP)
        network.save_membership(None, body=body, person=person, role=Role.SECRETARY)
        start = local_datetime(
            meetings.local_today() + timedelta(days=7), clock(14), "Europe/Brussels"
        )
        meeting = meetings.create_meeting(
            [body],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            location="W13, Kortrijk",
            notify_new=False,
        )
        agendas.ensure_agenda(meeting)
        item = agendas.add_item(meeting, title="Cijfers", description="De cijfers")
        _token, secret = accounts.create_api_token(person, "bench")
        db.session.commit()
        item_id = item.id
        db.engine.dispose()
    return item_id, secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_pid(master: int) -> int:
    """The gunicorn worker of a master process."""
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("no gunicorn worker")


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak so far) of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def upload(port: int, secret: str, item_id: int, path: Path) -> tuple[float, dict]:
    """POST the file as multipart, streamed from disk; the seconds and the JSON answer."""
    boundary = "rosemeet-bench-" + secrets.token_hex(8)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nCijfers\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cijfers.pdf"'
        "\r\nContent-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + path.stat().st_size + len(tail)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    connection.putrequest("POST", f"/api/v1/agenda-items/{item_id}/documents")
    connection.putheader("Authorization", f"Bearer {secret}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    connection.send(head)
    with path.open("rb") as data:
        while chunk := data.read(CHUNK):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    if response.status != 201:
        raise SystemExit(f"upload answered {response.status}: {body[:500]!r}")
    return seconds, json.loads(body)


def download(port: int, secret: str, url: str) -> tuple[float, str, int]:
    """GET the file in chunks; the seconds, the SHA-256 and the size of what came."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    connection.request("GET", url, headers={"Authorization": f"Bearer {secret}"})
    response = connection.getresponse()
    digest, size = hashlib.sha256(), 0
    while chunk := response.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    seconds = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"download answered {response.status}")
    return seconds, digest.hexdigest(), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalogs.compile_all()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        item_id, secret = fill(instance)
        port = free_port()
        env = {
            **os.environ,
            "ROSEMEET_INSTANCE_PATH": str(instance),
            "ROSEMEET_DATABASE_URL": f"sqlite:///{instance / 'bench.db'}",
            "ROSEMEET_SECRET_KEY": "bench",
            "ROSEMEET_MAX_UPLOAD_MB": str(args.mb + 5),
            "ROSEMEET_MAX_MEETING_UPLOAD_MB": str((args.mb + 5) * (args.repeat + 1)),
        }
        log = instance / "gunicorn.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout",
                 "300", "wsgi:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            worker = worker_pid(server.pid)
            ups, downs, peaks = [], [], []
            for n in range(args.repeat):
                pdf = instance / f"big-{n}.pdf"  # new content each time: a real store each time
                big_pdf(pdf, args.mb)
                before = memory_kb(worker)
                seconds, answer = upload(port, secret, item_id, pdf)
                after_upload = memory_kb(worker)
                url = answer["latest"]["download_url"]
                down, sha, size = download(port, secret, url)
                after_download = memory_kb(worker)
                expected = hashlib.sha256(pdf.read_bytes()).hexdigest()
                assert sha == expected and size == pdf.stat().st_size, "the bytes differ"
                ups.append(seconds)
                downs.append(down)
                peaks.append(after_download["VmHWM"])
                rss, up_peak = before["VmRSS"] / 1024, after_upload["VmHWM"] / 1024
                print(
                    f"run {n + 1}: upload {seconds:.2f} s, download {down:.2f} s; worker RSS "
                    f"{rss:.0f} MB before, peak {up_peak:.0f} MB after the upload, "
                    f"{after_download['VmHWM'] / 1024:.0f} MB after the download; bytes equal"
                )
                pdf.unlink()
            print(
                f"{args.mb} MB file, median of {args.repeat}: upload "
                f"{statistics.median(ups):.2f} s ({args.mb / statistics.median(ups):.0f} MB/s), "
                f"download {statistics.median(downs):.2f} s "
                f"({args.mb / statistics.median(downs):.0f} MB/s); worker peak RSS "
                f"{max(peaks) / 1024:.0f} MB (file size {args.mb} MB)"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()

"""Real servers for tests that need separate processes: gunicorn serving the app."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
#: the secret key every process of a test shares (sessions and signed links must agree)
SECRET = "test-secret-processes"


@contextmanager
def gunicorn(url: str, instance: Path, log: Path, workers: int = 3, **env: str):
    """gunicorn serving ``wsgi:app`` on the database at ``url`` on a loopback port; yields its
    base URL once /healthz answers and every worker has booted; stopped at the end. Its output
    goes to ``log``; ``env`` adds ROSEMEET_* settings."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "ROSEMEET_DATABASE_URL": url,
        "ROSEMEET_INSTANCE_PATH": str(instance),
        "ROSEMEET_SECRET_KEY": SECRET,
        "ROSEMEET_BASE_URL": base,
        "ROSEMEET_SMTP_HOST": "",
        "ROSEMEET_LOG_LEVEL": "WARNING",
        **env,
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5"]
    with log.open("ab") as out:
        server = subprocess.Popen(
            [*command, "wsgi:app"], cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_serving(base, server, log, workers)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_serving(base: str, server: subprocess.Popen, log: Path, workers: int) -> None:
    """Until /healthz answers and the workers have booted (at most a minute)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310
                booted = log.read_text(errors="replace").count("Booting worker")
                if answer.status == 200 and booted >= workers:
                    time.sleep(1.5)  # the last worker to boot is still loading the app
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer:\n{log.read_text(errors='replace')[-3000:]}")

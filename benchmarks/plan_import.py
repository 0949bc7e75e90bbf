"""Parsing and importing the real action plan: time for parse, first import, re-import."""

from __future__ import annotations

import time
from pathlib import Path

from _scratch import scratch_app

from rosemeet.extensions import db
from rosemeet.plan import importer
from rosemeet.plan import operations as plan

DATA = Path(__file__).resolve().parent.parent / "rosemeet/plan/data/actieplan-rose-2020-2025.tsv"


def main() -> None:
    data = DATA.read_bytes()
    begin = time.perf_counter()
    for _ in range(20):
        result = importer.parse(data)
    parse_ms = (time.perf_counter() - begin) * 1000 / 20
    print(f"parse: {parse_ms:.1f} ms ({len(result.actions)} actions, {len(data)} bytes)")
    with scratch_app() as app, app.test_request_context():
        for label in ("first import", "re-import"):
            begin = time.perf_counter()
            report = plan.apply_import(importer.parse(data))
            db.session.commit()
            elapsed = (time.perf_counter() - begin) * 1000
            print(f"{label}: {elapsed:.1f} ms ({report.summary()})")


if __name__ == "__main__":
    main()

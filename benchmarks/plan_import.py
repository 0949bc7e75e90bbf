"""Parsing and importing two plans: the real 2020-2025 file and the 2026-2031 test file
(a second span, so a second plan): time for parse, first import and re-import of each, and
for reading each plan's tree."""

from __future__ import annotations

import time
from pathlib import Path

from _scratch import scratch_app

from rosemeet.extensions import db
from rosemeet.plan import importer, queries
from rosemeet.plan import operations as plan

ROOT = Path(__file__).resolve().parent.parent
FILES = [
    ROOT / "rosemeet/plan/data/actieplan-rose-2020-2025.tsv",
    ROOT / "tests/plan/data/actieplan-rose-2026-2031.tsv",
]


def _ms(begin: float, times: int = 1) -> float:
    return (time.perf_counter() - begin) * 1000 / times


def main() -> None:
    with scratch_app() as app, app.test_request_context():
        for path in FILES:
            data = path.read_bytes()
            begin = time.perf_counter()
            for _ in range(20):
                result = importer.parse(data)
            print(
                f"{path.name}: parse {_ms(begin, 20):.1f} ms "
                f"({len(result.actions)} actions, {len(data)} bytes, "
                f"{result.first_year}-{result.last_year})"
            )
            for label in ("first import", "re-import"):
                begin = time.perf_counter()
                report = plan.apply_import(importer.parse(data))
                db.session.commit()
                print(f"  {label}: {_ms(begin):.1f} ms ({report.outcome()} {report.summary()})")
        for each in queries.plans():
            begin = time.perf_counter()
            for _ in range(20):
                db.session.expire_all()
                tree = queries.load_plan(each)
            print(f"load_plan {each.span}: {_ms(begin, 20):.1f} ms ({len(tree.actions)} actions)")
        begin = time.perf_counter()
        suggested = queries.suggested_continuations(queries.plans()[-1])
        print(f"suggested continuations: {_ms(begin):.1f} ms ({len(suggested)} pairs)")


if __name__ == "__main__":
    main()

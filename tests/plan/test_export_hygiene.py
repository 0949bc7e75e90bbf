"""Exports (security issue #16): a control character stored before the input check cannot
break /plan/export.xlsx, and formulas behind invisible or fullwidth characters stay text."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.plan import operations as plan_ops
from rosemeet.plan.models import PlanAction, YearStatus


def _first_action() -> PlanAction:
    return db.session.scalars(select(PlanAction).order_by(PlanAction.id)).first()


def _exported_cells(client) -> tuple[list[str], list[str]]:
    xlsx = client.get("/plan/export.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    xlsx_cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    text = client.get("/plan/export.csv").get_data().decode("utf-8-sig")
    csv_cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return xlsx_cells, csv_cells


def test_a_stored_control_character_does_not_break_the_export(ctx, client, auth, admin, imported):
    action = _first_action()
    action.title = "Vorming\x0bvoor trajectbegeleiders\x1b"
    plan_ops.set_years(action, {2022: (YearStatus.PLANNED, "regel 1\r\n\tregel 2\x1b")}, admin)
    db.session.commit()
    auth.login(admin.email)
    xlsx_cells, csv_cells = _exported_cells(client)
    for cells in (xlsx_cells, csv_cells):
        assert "Vormingvoor trajectbegeleiders" in cells
        assert "regel 1\n\tregel 2" in cells


def test_formulas_behind_invisible_or_fullwidth_characters_are_exported_as_text(
    ctx, client, auth, admin, imported
):
    notes = {2020: "=1+1", 2021: "\uff1d1+1", 2022: "\u200b=1+1", 2023: "\ufeff@SUM(A1)"}
    plan_ops.set_years(
        _first_action(), {y: (YearStatus.PLANNED, n) for y, n in notes.items()}, admin
    )
    db.session.commit()
    auth.login(admin.email)
    for cells in _exported_cells(client):
        for note in notes.values():
            assert "'" + note in cells and note not in cells

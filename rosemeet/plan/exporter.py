"""A plan as JSON (``plan.schemas.PlanSchema``: API and ``export-plan``), CSV and XLSX,
with a column pair per year.

Names are the resolved organisation or body names, or the text as written when unresolved.
Every CSV/XLSX cell goes through ``core.text.spreadsheet_cell``: control characters stored
before input was checked are dropped (they would make openpyxl refuse the whole file), and
text a spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from rosemeet.core.text import spreadsheet_cell
from rosemeet.plan.models import PartyRole
from rosemeet.plan.queries import PlanTree
from rosemeet.plan.schemas import PlanSchema


def plan_json(plan: PlanTree) -> dict[str, Any]:
    """The whole plan as the API and the JSON export show it (``PlanSchema``)."""
    return PlanSchema().dump(plan)


def _header(plan: PlanTree) -> list[str]:
    columns = ["id", "path", "action", "indicators", "trekkers", "partners", "themes"]
    for year in plan.plan.years:
        columns += [str(year), f"{year} note"]
    return columns


def _rows(plan: PlanTree) -> list[list[Any]]:
    rows = []
    for action in plan.actions:
        row = [
            action.id,
            " > ".join(plan.path(action)),
            action.title,
            "\n\n".join(i.text for i in action.indicators if i.text),
            "; ".join(p.display_name for p in action.parties(PartyRole.TREKKER)),
            "; ".join(p.display_name for p in action.parties(PartyRole.PARTNER)),
            "; ".join(t.title for t in action.themes),
        ]
        for year in plan.plan.years:
            entry = action.year(year)
            row += [action.status(year).value, entry.note if entry else ""]
        rows.append([spreadsheet_cell(value) for value in row])
    return rows


def plan_csv(plan: PlanTree) -> str:
    """One row per action, with the status and note of each year (UTF-8 text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header(plan))
    writer.writerows(_rows(plan))
    return buffer.getvalue()


def plan_xlsx(plan: PlanTree) -> bytes:
    """The same table as the CSV, as an Excel workbook."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = plan.plan.span
    sheet.append(_header(plan))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in _rows(plan):
        sheet.append(values)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFG", (6, 40, 50, 50, 25, 25, 25), strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = wrap
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""The plan as JSON (API and ``export-plan``), CSV and XLSX, with a column pair per year.

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
from rosemeet.plan.models import YEARS, PartyRole, PlanAction
from rosemeet.plan.queries import HeadingNode, Plan


def heading_json(node: HeadingNode) -> dict[str, Any]:
    """A heading and the headings under it."""
    return {"title": node.heading.title, "children": [heading_json(c) for c in node.children]}


def years_json(action: PlanAction) -> dict[str, dict[str, str]]:
    """Every year of the plan with its status and note (unset years: niet gepland)."""
    out = {}
    for year in YEARS:
        entry = action.year(year)
        out[str(year)] = {
            "status": action.status(year).value,
            "note": entry.note if entry else "",
        }
    return out


def action_json(action: PlanAction, path: list[str]) -> dict[str, Any]:
    """An action as the API and the JSON export show it."""
    return {
        "id": action.id,
        "title": action.title,
        "path": path,
        "indicators": [
            {
                "text": indicator.text,
                "trekkers": [p.display_name for p in indicator.names(PartyRole.TREKKER)],
                "partners": [p.display_name for p in indicator.names(PartyRole.PARTNER)],
            }
            for indicator in action.indicators
        ],
        "themes": [theme.title for theme in action.themes],
        "years": years_json(action),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The whole plan: the heading tree, the actions, the themes."""
    return {
        "lines": [heading_json(line) for line in plan.lines],
        "actions": [action_json(a, plan.path(a)) for a in plan.actions],
        "themes": [{"title": t.title, "text": t.text} for t in plan.themes],
    }


def _header() -> list[str]:
    columns = ["id", "path", "action", "indicators", "trekkers", "partners", "themes"]
    for year in YEARS:
        columns += [str(year), f"{year} note"]
    return columns


def _rows(plan: Plan) -> list[list[Any]]:
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
        for year in YEARS:
            entry = action.year(year)
            row += [action.status(year).value, entry.note if entry else ""]
        rows.append([spreadsheet_cell(value) for value in row])
    return rows


def plan_csv(plan: Plan) -> str:
    """One row per action, with the status and note of each year (UTF-8 text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    writer.writerows(_rows(plan))
    return buffer.getvalue()


def plan_xlsx(plan: Plan) -> bytes:
    """The same table as the CSV, as an Excel workbook."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actieplan"
    sheet.append(_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(plan):
        sheet.append(row)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFG", (6, 40, 50, 50, 25, 25, 25), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

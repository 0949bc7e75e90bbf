"""``rosemeet import-plan`` and ``export-plan``: summaries, exit codes, no writes on errors."""

import json

import pytest
from sqlalchemy import func, select

from rosemeet.extensions import db
from rosemeet.plan.models import Plan, PlanAction, PlanHeading
from tests.plan.conftest import REAL_FILE, SECOND_FILE


def actions() -> int:
    return db.session.scalar(select(func.count(PlanAction.id)))


def test_import_dry_run_then_import_then_again(app, plan_network):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import-plan", str(REAL_FILE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing written: would be 52 created" in dry.output
    assert actions() == 0

    first = runner.invoke(args=["import-plan", str(REAL_FILE)])
    assert first.exit_code == 0, first.output
    assert "Het bestand maakt het plan Actieplan 2020-2025 aan." in first.output
    assert "52 created, 0 updated, 0 unchanged" in first.output
    assert "unresolved name: 'SE-organisaties' (line 6, 7, 42)" in first.output
    assert "17 headings, 31 actions, 35 indicators, 4 themes" in first.output
    assert actions() == 31

    second = runner.invoke(args=["import-plan", str(REAL_FILE)])
    assert "0 created, 0 updated, 52 unchanged, 0 removed, 0 kept" in second.output
    assert actions() == 31


def test_bad_file_exits_non_zero_with_line_and_reason(app, plan_network, tmp_path):
    bad = tmp_path / "plan.tsv"
    bad.write_bytes(b"Actie\tIndicator\tTrekker\tPartners\t2026\nEen actie\tx\ty\tz\n1. Lijn\n")
    result = app.test_cli_runner().invoke(args=["import-plan", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: " in result.output and "2" in result.output
    assert "Nothing was imported." in result.output
    assert db.session.scalar(select(func.count(PlanHeading.id))) == 0


def test_binary_file_is_refused(app, plan_network, tmp_path):
    bad = tmp_path / "plan.xlsx"
    bad.write_bytes(b"PK\x03\x04\x00\x00\x00")
    result = app.test_cli_runner().invoke(args=["import-plan", str(bad)])
    assert result.exit_code == 1 and "NUL" in result.output


def test_export_json_to_stdout_in_the_issue_shape(app, imported):
    result = app.test_cli_runner().invoke(args=["export-plan", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {"plan", "lines", "actions", "themes"}
    assert data["plan"]["name"] == "Actieplan 2020-2025" and data["plan"]["status"] == "current"
    assert len(data["actions"]) == 31 and len(data["themes"]) == 4
    assert data["lines"][0]["title"] == "Netwerking op het grondgebied stimuleren"
    first = data["actions"][0]
    assert set(first) == {"id", "title", "path", "indicators", "themes", "years"}
    assert first["indicators"][0]["trekkers"] == ["Intercommunale W13", "Actiegroep ROSE"]
    assert first["years"][0] == {"year": 2020, "status": "niet gepland", "note": ""}


def test_export_csv_and_xlsx_to_files(app, imported, tmp_path):
    from openpyxl import load_workbook

    runner = app.test_cli_runner()
    out = tmp_path / "plan.xlsx"
    assert runner.invoke(args=["export-plan", "--format", "xlsx", "-o", str(out)]).exit_code == 0
    sheet = load_workbook(out).active
    assert sheet.max_row == 32
    csv_out = runner.invoke(args=["export-plan", "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("id,path,action,indicators,trekkers,partners,themes")


def test_second_plan_with_a_name_then_export_it_by_span(app, imported):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-plan", str(SECOND_FILE), "--name", "Actieplan ROSE II"])
    assert result.exit_code == 0, result.output
    assert "Het bestand maakt het plan Actieplan ROSE II aan." in result.output
    again = runner.invoke(args=["import-plan", str(SECOND_FILE), "--dry-run"])
    assert "Het bestand werkt het plan Actieplan ROSE II bij." in again.output
    exported = runner.invoke(args=["export-plan", "--format", "json", "--plan", "2026-2031"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert {k: data["plan"][k] for k in ("name", "first_year", "last_year", "status")} == {
        "name": "Actieplan ROSE II",
        "first_year": 2026,
        "last_year": 2031,
        "status": "draft",
    }
    by_title = {a["title"]: a for a in data["actions"]}
    assert len(by_title) == 32 and "Overlegorgaan de AZ-fabriek organiseren." not in by_title
    years = by_title["De Actiegroep ROSE organiseren."]["years"]
    assert years[0] == {"year": 2026, "status": "gepland", "note": "6 vergaderingen"}
    assert [y["year"] for y in years] == list(range(2026, 2032))
    current = json.loads(runner.invoke(args=["export-plan", "--format", "json"]).output)
    assert current["plan"]["last_year"] == 2025 and len(current["actions"]) == 31
    missing = runner.invoke(args=["export-plan", "--plan", "2032-2037"])
    assert missing.exit_code == 2 and "2026-2031" in missing.output


@pytest.mark.parametrize(
    "header, says",
    [
        ("Actie\tIndicator\tTrekker\tPartners", "geen jaarkolommen"),
        ("Actie\tIndicator\tTrekker\tPartners\t2026\t2028", "2026, 2028"),
        ("Actie\tIndicator\tTrekker\tPartners\t2100\t2101", "2101"),
        ("Actie\tIndicator\tTrekker\tPartners\t1989\t1990", "1989"),
    ],
)
def test_bad_year_header_exits_non_zero_naming_the_line(app, ctx, tmp_path, header, says):
    bad = tmp_path / "plan.tsv"
    bad.write_text(f"Actieplan\n{header}\n1. Lijn\nEen actie\tx\ty\tz\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-plan", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: " in result.output and "regel 2" in result.output and says in result.output
    assert db.session.scalar(select(func.count(PlanHeading.id))) == 0
    assert db.session.scalar(select(func.count(Plan.id))) == 0

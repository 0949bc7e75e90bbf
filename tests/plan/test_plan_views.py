"""Plan pages over HTTP: import with preview, the action page, overviews, exports, budgets."""

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import event, func, select

from rosemeet.extensions import db
from rosemeet.network.models import Role
from rosemeet.plan import queries
from rosemeet.plan.models import PlanAction, PlanHeading, YearStatus
from tests.plan.conftest import REAL_FILE


def upload(client, data: bytes, name="actieplan.tsv"):
    return client.post(
        "/plan/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_admin_imports_with_a_preview_then_confirms(ctx, client, auth, admin, plan_network):
    db.session.commit()
    auth.login(admin.email)
    preview = upload(client, REAL_FILE.read_bytes())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "52 nieuw, 0 gewijzigd, 0 ongewijzigd" in html
    assert "SE-organisaties" in html
    assert db.session.scalar(select(func.count(PlanAction.id))) == 0  # nothing yet
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', html).group(1)

    done = client.post("/plan/import/confirm", data={"upload": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/plan/names")
    assert db.session.scalar(select(func.count(PlanAction.id))) == 31
    names = client.get("/plan/names").get_data(as_text=True)
    assert "Het actieplan is geïmporteerd" in names and "SE-organisaties" in names
    # the same upload cannot be confirmed twice
    again = client.post("/plan/import/confirm", data={"upload": token})
    assert again.headers["Location"].endswith("/plan/import")


def test_bad_upload_shows_the_parser_message_on_the_form(ctx, client, auth, admin):
    db.session.commit()
    auth.login(admin.email)
    response = upload(client, b"Actie\tIndicator\tTrekker\tPartners\nCaf\xe9\tx\ty\tz\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Regel 2 is geen geldige UTF-8" in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(func.count(PlanHeading.id))) == 0


def test_only_admins_import_and_map_names(ctx, client, auth, make_person, imported):
    member = make_person(password="correct horse battery")
    db.session.commit()
    auth.login(member.email)
    assert client.get("/plan/import").status_code == 403
    assert client.get("/plan/names").status_code == 403
    assert client.get("/plan").status_code == 200


def test_visitors_are_sent_to_the_login(client):
    assert client.get("/plan").status_code == 302


def test_alias_form_maps_a_name_and_keeps_input_on_errors(
    ctx, client, auth, admin, imported, plan_network
):
    db.session.commit()
    auth.login(admin.email)
    bad = client.post("/plan/names", data={"name": "RWA", "target": ""})
    assert bad.status_code == 400 and 'value="RWA"' in bad.get_data(as_text=True)
    taken = client.post(
        "/plan/names",
        data={"name": "Actiegroep", "target": f"organisation-{plan_network['W13'].id}"},
    )
    assert "Actiegroep ROSE" in taken.get_data(as_text=True)  # alias belongs to another
    ok = client.post(
        "/plan/names", data={"name": "RWA", "target": f"body-{plan_network['ROA'].id}"}
    )
    assert ok.status_code == 302
    page = client.get("/plan/names").get_data(as_text=True)
    assert "3 vermeldingen herkend" in page
    assert "RWA" not in [n.text for n in queries.unresolved_names()]


def test_secretary_of_a_trekker_body_edits_years_member_reads(
    ctx, client, auth, make_person, imported, plan_network
):
    from rosemeet.network import operations as network

    secretary = make_person("Sam Secretaris", password="correct horse battery")
    member = make_person("Mia Lid", password="correct horse battery")
    network.save_membership(None, body=plan_network["AG"], person=secretary, role=Role.SECRETARY)
    network.save_membership(None, body=plan_network["AG"], person=member, role=Role.MEMBER)
    action = queries.load_plan(queries.current_plan()).actions[0]  # trekkers: regisseur, Actiegroep
    db.session.commit()
    form = {f"status_{y}": "niet gepland" for y in range(2020, 2026)}
    form.update({"status_2021": "gerealiseerd", "note_2021": "Drie vergaderingen gehouden."})

    auth.login(member.email)
    page = client.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Jaren bewaren" not in page and "Intercommunale W13" in page
    assert client.post(f"/plan/actions/{action.id}/years", data=form).status_code == 403
    auth.logout()

    auth.login(secretary.email)
    assert "Jaren bewaren" in client.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    response = client.post(f"/plan/actions/{action.id}/years", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    saved = queries.load_action(action.id)
    assert saved.status(2021) == YearStatus.DONE
    assert saved.year(2021).note == "Drie vergaderingen gehouden."
    assert saved.year(2021).updated_by == secretary
    # the secretary of a body that is not trekker may not
    other = next(
        a
        for a in queries.load_plan(queries.current_plan()).actions
        if plan_network["AG"] not in a.trekker_bodies
    )
    assert client.post(f"/plan/actions/{other.id}/years", data=form).status_code == 403


def test_years_form_keeps_input_when_invalid(ctx, client, auth, admin, imported):
    action = queries.load_plan(queries.current_plan()).actions[0]
    db.session.commit()
    auth.login(admin.email)
    form = {f"status_{y}": "niet gepland" for y in range(2020, 2026)}
    form.update({"status_2022": "verzonnen", "note_2022": "Mijn notitie", "note_2023": "x" * 5000})
    response = client.post(f"/plan/actions/{action.id}/years", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mijn notitie" in html and 'aria-invalid="true"' in html
    assert queries.load_action(action.id).years == []


def test_admin_links_themes_on_the_action_page(ctx, client, auth, admin, imported):
    plan = queries.load_plan(queries.current_plan())
    action, theme = plan.actions[5], plan.themes[2]
    db.session.commit()
    auth.login(admin.email)
    response = client.post(f"/plan/actions/{action.id}/themes", data={"theme_ids": [theme.id]})
    assert response.status_code == 302
    filtered = client.get(f"/plan?theme={theme.id}").get_data(as_text=True)
    # the import linked the theme to the objective its text quotes (5 actions); plus this one
    assert "6 van 31 acties getoond" in filtered and action.title in filtered


def test_plan_page_filters(ctx, client, auth, admin, imported, plan_network):
    db.session.commit()
    auth.login(admin.email)
    everything = client.get("/plan").get_data(as_text=True)
    assert "31 van 31 acties getoond" in everything
    assert "Strategische lijn" in everything and "Tussentitel" in everything
    by_trekker = client.get("/plan?trekker=AZ-fabriek").get_data(as_text=True)
    shown = int(re.search(r"(\d+) van 31 acties getoond", by_trekker).group(1))
    assert 0 < shown < 31
    by_body = client.get(f"/plan?body={plan_network['ROA'].id}").get_data(as_text=True)
    assert 0 < int(re.search(r"(\d+) van 31", by_body).group(1)) < 31
    by_status = client.get("/plan?year=2021&status=gerealiseerd").get_data(as_text=True)
    assert "0 van 31 acties getoond" in by_status


def test_progress_matrix_and_yearly_report(ctx, client, auth, admin, imported):
    from rosemeet.plan import operations as ops

    action = queries.load_plan(queries.current_plan()).actions[2]
    ops.set_years(action, {2021: (YearStatus.DONE, "Klaar")}, admin)
    db.session.commit()
    auth.login(admin.email)
    matrix = client.get("/plan/progress").get_data(as_text=True)
    assert matrix.count('data-status="gerealiseerd"') == 1
    assert matrix.count('data-status="niet gepland"') == 31 * 6 - 1
    assert "Aantallen per strategische lijn" in matrix
    report = client.get("/plan/report/2021").get_data(as_text=True)
    assert "Klaar" in report and "jaarverslag 2021" in report
    assert client.get("/plan/report/2019").status_code == 404


def test_exports_csv_and_xlsx(ctx, client, auth, admin, imported):
    db.session.commit()
    auth.login(admin.email)
    response = client.get("/plan/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:7] == ["id", "path", "action", "indicators", "trekkers", "partners", "themes"]
    assert rows[0][7:] == [c for y in range(2020, 2026) for c in (str(y), f"{y} note")]
    assert len(rows) == 32
    xlsx = client.get("/plan/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.max_row == 32 and sheet["H1"].value == "2020"


def test_plan_page_query_count_does_not_grow_with_actions(
    ctx, client, auth, admin, plan_network, do_import, app
):
    def plan_file(n: int) -> bytes:
        rows = ["Actie\tIndicator\tTrekker\tPartners\t2026", "1. Lijn", "1.1. Doel"]
        rows += [f"Actie {i}\tIndicator {i}\tActiegroep - W13\tVDAB - iemand {i}" for i in range(n)]
        rows += [f"\tExtra {i}\tLDE-fabriek\t" for i in range(n)]
        return "\n".join(rows).encode()

    db.session.commit()
    auth.login(admin.email)

    def queries_for_plan_page() -> int:
        seen = []

        def count(*_args):
            seen.append(1)

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/plan").status_code == 200
            assert client.get("/plan/progress").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    do_import(plan_file(3))
    db.session.commit()
    few = queries_for_plan_page()
    do_import(plan_file(30))
    db.session.commit()
    many = queries_for_plan_page()
    assert many == few
    assert many <= 30


def test_a_note_that_looks_like_a_formula_is_exported_as_text(ctx, client, auth, admin, imported):
    from rosemeet.plan import operations as plan_ops
    from rosemeet.plan.models import PlanAction, YearStatus

    action = db.session.scalars(select(PlanAction).order_by(PlanAction.id)).first()
    plan_ops.set_years(action, {2021: (YearStatus.DONE, "-1+cmd|' /C calc'!A0")}, admin)
    db.session.commit()
    auth.login(admin.email)
    rows = list(
        csv.reader(io.StringIO(client.get("/plan/export.csv").get_data().decode("utf-8-sig")))
    )
    assert "'-1+cmd|' /C calc'!A0" in [cell for row in rows for cell in row]


def test_odd_digits_in_filters_are_ignored_not_a_server_error(ctx, client, auth, admin, imported):
    db.session.commit()
    auth.login(admin.email)
    assert client.get("/plan?year=²&theme=²").status_code == 200

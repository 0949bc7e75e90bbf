"""Plan pages with two plan periods: switcher and list, plan management, yearly report per
span, upload preview (update or create), the action page (years, continuation, indicator
years, split, bodies), themes, exports per plan and the public page."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.plan import queries
from rosemeet.plan.models import Plan, PlanAction, PlanStatus, YearStatus
from tests.conftest import brussels, plain_meeting
from tests.plan.conftest import REAL_FILE

#: the action whose title is the same in both plans
AV = "De algemene ROSE vergadering organiseren."


def next_plan_bytes(cell_2026: str = "3 vergaderingen") -> bytes:
    """The real file as the 2026-2031 plan, with a filled 2026 cell for the AV action."""
    lines = REAL_FILE.read_text("utf-8").split("\n")
    out = []
    for line in lines:
        line = line.replace(
            "\t2020\t2021\t2022\t2023\t2024\t2025", "\t2026\t2027\t2028\t2029\t2030\t2031"
        )
        if line.startswith(AV + "\t"):
            cells = line.split("\t")
            cells[4] = cell_2026
            line = "\t".join(cells)
        out.append(line)
    return "\n".join(out).encode("utf-8")


def upload(client, data: bytes, name="actieplan-2026.tsv"):
    return client.post(
        "/plan/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def token_of(html: str) -> str:
    return re.search(r'name="upload" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def two_plans(imported, do_import):
    """The 2020-2025 plan (current) and the 2026-2031 plan (draft) from the files."""
    do_import(next_plan_bytes())
    old, new = (db.session.scalar(select(Plan).where(Plan.first_year == y)) for y in (2020, 2026))
    return old, new


def action_of(plan: Plan, title: str = AV) -> PlanAction:
    return db.session.scalar(
        select(PlanAction).where(PlanAction.plan_id == plan.id, PlanAction.title == title)
    )


def grid(action: PlanAction, **years) -> dict[str, str]:
    """The posted year grid of an action: every year as it stands, some years changed
    (``years={"status_2026": "lopend"}``)."""
    data = {}
    for year in action.plan.years:
        entry = action.year(year)
        data[f"status_{year}"] = action.status(year).value
        data[f"note_{year}"] = entry.note if entry else ""
    return {**data, **years}


def fresh(plan: Plan) -> Plan | None:
    """The plan as the requests left it."""
    plan_id = plan.id
    db.session.expire_all()
    return queries.get_plan(plan_id)


@pytest.fixture
def as_admin(ctx, client, auth, admin):
    """The test client logged in as the regisseur."""
    db.session.commit()
    auth.login(admin.email)
    return client


def test_switcher_shows_the_current_plan_first_and_any_plan_by_id(two_plans, as_admin):
    new = two_plans[1]
    html = as_admin.get("/plan").get_data(as_text=True)
    assert "<h1>Actieplan 2020-2025" in html and "/plan/report/2025" in html
    assert f'<option value="{new.id}"' in html  # the switcher offers the other plan
    other = as_admin.get(f"/plan?plan={new.id}").get_data(as_text=True)
    assert "<h1>Actieplan 2026-2031" in other and "/plan/report/2031" in other
    assert "/plan/report/2020" not in other
    for bad in ("abc", "99999", "-1", "1e3", "²"):
        assert as_admin.get(f"/plan?plan={bad}").status_code == 404
    listing = as_admin.get("/plan/plans").get_data(as_text=True)
    assert "2020-2025" in listing and "2026-2031" in listing
    assert "Lopend plan" in listing and "Ontwerp" in listing


def test_regisseur_renames_and_bad_names_are_shown_with_what_was_typed(two_plans, as_admin):
    old, new = two_plans
    long_name = "Actieplan " + "x" * 195
    bad = as_admin.post(f"/plan/plans/{new.id}/name", data={f"p{new.id}-name": long_name})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and long_name in html and 'aria-invalid="true"' in html
    taken = as_admin.post(f"/plan/plans/{new.id}/name", data={f"p{new.id}-name": old.name})
    assert taken.status_code == 400 and "bestaat al" in taken.get_data(as_text=True)
    done = as_admin.post(
        f"/plan/plans/{new.id}/name", data={f"p{new.id}-name": "Actieplan ROSE 2026-2031"}
    )
    assert done.status_code == 302
    assert fresh(new).name == "Actieplan ROSE 2026-2031"


def test_making_a_plan_current_closes_the_other(two_plans, as_admin):
    old, new = two_plans
    bad = as_admin.post(f"/plan/plans/{new.id}/status", data={f"p{new.id}-status": "bogus"})
    assert bad.status_code == 400
    assert (
        as_admin.post(
            f"/plan/plans/{new.id}/status", data={f"p{new.id}-status": "current"}
        ).status_code
        == 302
    )
    assert fresh(new).status == PlanStatus.CURRENT
    assert fresh(old).status == PlanStatus.CLOSED
    assert "<h1>Actieplan 2026-2031" in as_admin.get("/plan").get_data(as_text=True)


def test_publishing_opens_the_public_page_without_notes(two_plans, as_admin, client):
    old, new = two_plans
    action = action_of(new)
    assert (
        client.post(
            f"/plan/actions/{action.id}/years",
            data=grid(
                action, status_2026="gepland", note_2026="Interne afspraak met de voorzitter"
            ),
        ).status_code
        == 302
    )
    assert (
        client.post(f"/plan/plans/{new.id}/published", data={"published": "yes"}).status_code == 400
    )
    assert (
        client.post(f"/plan/plans/{new.id}/published", data={"published": "1"}).status_code == 302
    )
    client.post("/logout")
    public = client.get(f"/plan/{new.id}/public")
    html = public.get_data(as_text=True)
    assert public.status_code == 200 and "Actieplan 2026-2031" in html and AV in html
    assert 'data-status="gepland"' in html and "Interne afspraak" not in html
    assert client.get(f"/plan/{old.id}/public").status_code == 404  # not published
    assert client.get("/plan/99999/public").status_code == 404
    assert client.get(f"/plan?plan={new.id}").status_code == 302  # the rest needs a login


def test_delete_is_refused_with_history_and_offers_closing(imported, do_import, as_admin):
    do_import(next_plan_bytes(cell_2026=""))  # nothing recorded on the new plan
    old, new = (db.session.scalar(select(Plan).where(Plan.first_year == y)) for y in (2020, 2026))
    action = action_of(old)
    assert (
        as_admin.post(
            f"/plan/actions/{action.id}/years", data=grid(action, status_2021="gerealiseerd")
        ).status_code
        == 302
    )
    refused = as_admin.post(f"/plan/plans/{old.id}/delete", follow_redirects=True)
    assert "sluit het af in plaats van het te verwijderen" in refused.get_data(as_text=True)
    assert fresh(old) is not None
    assert as_admin.post(f"/plan/plans/{new.id}/delete").status_code == 302
    assert fresh(new) is None


def test_members_cannot_manage_plans(two_plans, ctx, client, auth, make_person):
    new = two_plans[1]
    member = make_person(password="correct horse battery")
    db.session.commit()
    auth.login(member.email)
    assert client.get("/plan/plans").status_code == 200
    assert client.post(f"/plan/plans/{new.id}/delete").status_code == 403
    assert client.post(f"/plan/plans/{new.id}/name", data={"name": "x"}).status_code == 403
    assert 'action="/plan/plans/' not in client.get("/plan/plans").get_data(as_text=True)


def test_the_yearly_report_follows_the_plan_that_holds_the_year(two_plans, as_admin):
    report = as_admin.get("/plan/report/2026")
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and "Actieplan 2026-2031" in html
    assert "3 vergaderingen" in html  # the year cell of the file
    assert "Actieplan 2020-2025" in as_admin.get("/plan/report/2023").get_data(as_text=True)
    for year in (2019, 2032, 99999999999999999999):
        assert as_admin.get(f"/plan/report/{year}").status_code == 404


def test_upload_preview_says_it_creates_a_plan_and_takes_a_name(imported, as_admin):
    preview = upload(as_admin, next_plan_bytes())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "maakt het plan Actieplan 2026-2031 aan" in html
    assert 'value="Actieplan 2026-2031"' in html
    token = token_of(html)
    too_long = "N" * 201
    bad = as_admin.post("/plan/import/confirm", data={"upload": token, "name": too_long})
    assert bad.status_code == 400 and too_long in bad.get_data(as_text=True)
    assert db.session.scalar(select(Plan).where(Plan.first_year == 2026)) is None
    done = as_admin.post("/plan/import/confirm", data={"upload": token, "name": "Actieplan ROSE"})
    assert done.status_code == 302
    created = db.session.scalar(select(Plan).where(Plan.first_year == 2026))
    assert created.name == "Actieplan ROSE" and created.last_year == 2031
    again = upload(as_admin, next_plan_bytes()).get_data(as_text=True)
    assert "werkt het plan Actieplan ROSE bij" in again
    assert 'name="name"' not in again


def test_upload_preview_lists_years_edited_in_the_app(two_plans, as_admin):
    new = two_plans[1]
    action = action_of(new)
    as_admin.post(
        f"/plan/actions/{action.id}/years",
        data=grid(action, status_2026="gerealiseerd", note_2026="Drie keer samengekomen"),
    )
    html = upload(as_admin, next_plan_bytes("4 vergaderingen")).get_data(as_text=True)
    assert "Drie keer samengekomen" in html and "4 vergaderingen" in html


def test_the_upload_confirm_refuses_a_forged_token(as_admin):
    for token in ("", "../../etc/passwd", "a" * 30):
        response = as_admin.post("/plan/import/confirm", data={"upload": token})
        assert response.status_code == 302 and response.headers["Location"].endswith("/import")


def test_the_year_grid_follows_the_plan_and_keeps_input_on_errors(two_plans, as_admin):
    new = two_plans[1]
    action = action_of(new)
    page = as_admin.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Status in 2026" in page and "Status in 2031" in page and "Status in 2025" not in page
    bad = as_admin.post(
        f"/plan/actions/{action.id}/years",
        data=grid(action, status_2026="bogus", note_2026="Wat ik typte"),
    )
    assert bad.status_code == 400 and "Wat ik typte" in bad.get_data(as_text=True)
    saved = as_admin.post(
        f"/plan/actions/{action.id}/years",
        data=grid(action, status_2026="lopend", note_2026="Eerste AV", status_2020="x"),
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert action_of(new).status(2026) == YearStatus.ONGOING
    assert action_of(new).year(2020) is None  # a year outside the plan is not a field


def test_confirming_a_continuation_shows_both_plans_and_can_be_undone(two_plans, as_admin):
    old, new = two_plans
    earlier, action = action_of(old), action_of(new)
    as_admin.post(
        f"/plan/actions/{earlier.id}/years", data=grid(earlier, status_2024="gerealiseerd")
    )
    page = as_admin.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Voorgesteld" in page and f'name="previous_id" value="{earlier.id}"' in page
    for bad, status in (("abc", 400), ("99999", 404)):
        response = as_admin.post(
            f"/plan/actions/{action.id}/continuation", data={"previous_id": bad}
        )
        assert response.status_code == status
    backwards = as_admin.post(
        f"/plan/actions/{earlier.id}/continuation",
        data={"previous_id": str(action.id)},
        follow_redirects=True,
    )
    assert "eerder plan" in backwards.get_data(as_text=True)
    db.session.expire_all()
    assert action_of(old).continues_id is None
    done = as_admin.post(
        f"/plan/actions/{action.id}/continuation", data={"previous_id": str(earlier.id)}
    )
    assert done.status_code == 302
    page = as_admin.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Actieplan 2020-2025" in page and ">2024<" in page and ">2026<" in page
    assert "gerealiseerd" in page  # the earlier plan's year in the same grid
    undone = as_admin.post(f"/plan/actions/{action.id}/continuation", data={"previous_id": ""})
    assert undone.status_code == 302
    db.session.expire_all()
    assert action_of(new).continues_id is None


def test_indicator_years_are_recorded_and_bad_years_refused(two_plans, as_admin):
    new = two_plans[1]
    action = action_of(new)
    indicator = action.indicators[0]
    prefix = f"i{indicator.id}-"
    bad = as_admin.post(
        f"/plan/indicators/{indicator.id}/years",
        data={prefix + "year": "2025", prefix + "value": "zeven", prefix + "target": "3"},
    )
    assert bad.status_code == 400 and 'value="zeven"' in bad.get_data(as_text=True)
    hostile = as_admin.post(
        f"/plan/indicators/{indicator.id}/years",
        data={prefix + "year": "x", prefix + "status": "<script>"},
    )
    assert hostile.status_code == 400
    done = as_admin.post(
        f"/plan/indicators/{indicator.id}/years",
        data={
            prefix + "year": "2026",
            prefix + "target": "3 vergaderingen",
            prefix + "value": "1234,5",
            prefix + "status": "lopend",
        },
    )
    assert done.status_code == 302
    page = as_admin.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "1.234,5" in page and "3 vergaderingen" in page  # the number in Dutch notation
    report = as_admin.get("/plan/report/2026").get_data(as_text=True)
    assert "1.234,5" in report
    assert as_admin.post("/plan/indicators/99999/years", data={}).status_code == 404


def test_an_indicator_with_a_list_is_split(two_plans, as_admin):
    new = two_plans[1]
    action, indicator = next(
        (a, i)
        for a in queries.load_plan(new).actions
        for i in a.indicators
        if sum(line.startswith("- ") for line in i.text.split("\n")) >= 2
    )
    before = len(action.indicators)
    page = as_admin.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert f"/plan/indicators/{indicator.id}/split" in page
    assert as_admin.post(f"/plan/indicators/{indicator.id}/split").status_code == 302
    db.session.expire_all()
    assert len(queries.load_action(action.id).indicators) > before


def test_bodies_carry_the_action_out_and_their_meetings_are_counted(
    two_plans, as_admin, plan_network
):
    new = two_plans[1]
    action = action_of(new)
    body = plan_network["AG"]
    plain_meeting(body, brussels(2026, 3, 10))
    plain_meeting(body, brussels(2026, 6, 10))
    db.session.commit()
    bad = as_admin.post(f"/plan/actions/{action.id}/bodies", data={"body_ids": "abc"})
    assert bad.status_code == 400
    assert (
        as_admin.post(
            f"/plan/actions/{action.id}/bodies", data={"body_ids": str(body.id)}
        ).status_code
        == 302
    )
    page = as_admin.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Actiegroep ROSE" in page and "<td>2</td>" in page
    report = as_admin.get("/plan/report/2026").get_data(as_text=True)
    assert "2 vergaderingen gehouden" in report


def test_theme_page_and_theme_linked_to_a_body(two_plans, as_admin, plan_network):
    new = two_plans[1]
    theme = queries.plan_themes(new)[0]
    action = action_of(new)
    as_admin.post(f"/plan/actions/{action.id}/themes", data={"theme_ids": str(theme.id)})
    html = as_admin.get(f"/plan?theme={theme.id}").get_data(as_text=True)
    assert "<h1>Actieplan 2026-2031" in html and AV in html
    assert as_admin.get("/plan?theme=abc").status_code == 200
    body = plan_network["ROA"]
    assert (
        as_admin.post(f"/plan/themes/{theme.id}/bodies", data={"body_id": str(body.id)}).status_code
        == 302
    )
    index = as_admin.get(f"/plan?plan={new.id}").get_data(as_text=True)
    assert "Regionaal Overleg Activering" in index
    assert (
        as_admin.post(f"/plan/themes/{theme.id}/bodies", data={"body_id": "x"}).status_code == 302
    )
    assert as_admin.post("/plan/theme-links/99999/delete").status_code == 404


def test_exports_per_plan(two_plans, as_admin):
    new = two_plans[1]
    text = as_admin.get(f"/plan/export.csv?plan={new.id}").get_data().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert "2026" in header and "2020" not in header
    workbook = load_workbook(io.BytesIO(as_admin.get(f"/plan/export.xlsx?plan={new.id}").data))
    assert "2031" in [c.value for c in next(workbook.active.iter_rows(max_row=1))]
    data = json.loads(as_admin.get(f"/plan/export.json?plan={new.id}").data)
    assert data["plan"]["first_year"] == 2026
    assert json.loads(as_admin.get("/plan/export.json").data)["plan"]["first_year"] == 2020
    assert as_admin.get("/plan/export.json?plan=nope").status_code == 404


def test_hostile_input_gets_a_clear_answer_not_a_500(two_plans, as_admin):
    old, new = two_plans
    action = action_of(new)
    for url in (
        "/plan?plan=%00",
        "/plan?theme=1%00&year=abc&status=<b>&body=-1",
        f"/plan?plan={new.id}&year=2020",
        "/plan/progress?plan=x",
        "/plan/export.csv?plan=99999999999999999999",
        f"/plan/actions/{action.id}?plan=x",
    ):
        assert as_admin.get(url).status_code in (200, 404), url
    posts = {
        f"/plan/plans/{old.id}/name": {f"p{old.id}-name": "a\x00b"},
        f"/plan/plans/{old.id}/status": {},
        f"/plan/plans/{old.id}/published": {"published": ["0", "1"]},
        f"/plan/actions/{action.id}/years": {"status_2026": ["lopend", "x"], "note_2026": "\x07"},
        f"/plan/actions/{action.id}/bodies": {"body_ids": "99999999999999999999"},
        f"/plan/actions/{action.id}/continuation": {"previous_id": "1" * 40},
        "/plan/import/confirm": {"upload": "a" * 30, "name": "x"},
    }
    for url, data in posts.items():
        assert as_admin.post(url, data=data).status_code in (302, 400, 404), url


def test_a_trekker_secretary_records_indicator_years_but_manages_nothing(
    two_plans, ctx, client, auth, make_person, plan_network
):
    from rosemeet.network import operations as network
    from rosemeet.network.models import Role

    new = two_plans[1]
    secretary = make_person("Sam Secretaris", password="correct horse battery")
    network.save_membership(None, body=plan_network["AG"], person=secretary, role=Role.SECRETARY)
    action = action_of(new)  # trekkers: regisseur, Actiegroep
    indicator = action.indicators[0]
    db.session.commit()
    auth.login(secretary.email)
    page = client.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Indicator bewaren" in page and "Voortzetting bevestigen" not in page
    assert "Overlegorganen koppelen" not in page
    prefix = f"i{indicator.id}-"
    saved = client.post(
        f"/plan/indicators/{indicator.id}/years",
        data={prefix + "year": "2026", prefix + "value": "2"},
    )
    assert saved.status_code == 302
    assert client.post(f"/plan/actions/{action.id}/continuation", data={}).status_code == 403
    assert client.post(f"/plan/indicators/{indicator.id}/split").status_code == 403
    assert (
        client.post(f"/plan/plans/{new.id}/published", data={"published": "1"}).status_code == 403
    )

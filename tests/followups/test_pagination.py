"""Long registers come in pages, in the pages and the API alike: the same few statements for
5 decisions or 120, the filters kept from page to page, and no error for odd page numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from rosemeet.accounts import operations as accounts
from rosemeet.extensions import db
from rosemeet.followups.models import Decision


def add_decisions(rose, count: int) -> None:
    """``count`` decisions of the Actiegroep meeting of 9 March 2027, numbered on."""
    start = db.session.query(Decision).count()
    db.session.add_all(
        Decision(
            body=rose.ag,
            year=2027,
            sequence=start + n + 1,
            meeting=rose.ag_march,
            text=f"Besluit {start + n + 1}",
            decided_on=date(2027, 3, 9),
        )
        for n in range(count)
    )
    db.session.commit()


def statements(client, count_queries, url: str, **headers) -> int:
    client.get(url, headers=headers)  # warm: the login, the caches
    with count_queries() as counter:
        answer = client.get(url, headers=headers)
    assert answer.status_code == 200
    return counter.count


def test_the_decision_register_pages_with_a_constant_statement_count(
    rose, client, auth, count_queries
):
    add_decisions(rose, 5)
    auth.login(rose.secretary.email)
    few = statements(client, count_queries, f"/decisions?body={rose.ag.id}")
    add_decisions(rose, 115)
    many = statements(client, count_queries, f"/decisions?body={rose.ag.id}")
    assert many == few
    first = client.get(f"/decisions?body={rose.ag.id}").get_data(as_text=True)
    assert first.count('id="decision-') == 50
    assert "1-50 van 120" in first and "pagina 1 van 3" in first
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert f"body={rose.ag.id}" in following and "page=2" in following
    last = client.get(f"/decisions?body={rose.ag.id}&page=3").get_data(as_text=True)
    assert last.count('id="decision-') == 20 and 'rel="next"' not in last
    assert "Besluit 1<" in last  # the oldest, last


@pytest.mark.parametrize("query", ["page=abc", "page=-4", "page=99999", "per_page=100000"])
def test_odd_page_numbers_are_answered_without_an_error(rose, client, auth, query):
    add_decisions(rose, 3)
    auth.login(rose.secretary.email)
    answer = client.get(f"/decisions?{query}")
    assert answer.status_code == 200


def test_the_api_register_pages_in_sql_with_a_constant_statement_count(rose, client, count_queries):
    _row, token = accounts.create_api_token(rose.secretary, "test")
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    add_decisions(rose, 5)
    few = statements(client, count_queries, "/api/v1/decisions?per_page=10", **auth)
    add_decisions(rose, 115)
    many = statements(client, count_queries, "/api/v1/decisions?per_page=10", **auth)
    assert many == few
    body = client.get("/api/v1/decisions?per_page=10&page=12", headers=auth).get_json()
    assert body["total"] == 120 and body["page"] == 12
    assert [d["text"] for d in body["items"]] == [f"Besluit {n}" for n in range(10, 0, -1)]


def test_the_tracker_pages(rose, make_follow_up, client, auth):
    for n in range(55):
        make_follow_up(rose.ag_march, f"Opvolgpunt {n:02d}", owner_person=rose.member)
    db.session.commit()
    auth.login(rose.secretary.email)
    first = client.get("/follow-ups").get_data(as_text=True)
    assert "1-50 van 55" in first
    second = client.get("/follow-ups?page=2").get_data(as_text=True)
    assert "51-55 van 55" in second and 'rel="prev"' in second


def test_the_address_book_and_the_organisations_page(rose, client, auth, make_person, admin):
    for n in range(60):
        make_person(f"Zz Persoon {n:02d}")
    db.session.commit()
    auth.login(admin.email)
    first = client.get("/people").get_data(as_text=True)
    assert "pagina 1 van 2" in first
    second = client.get("/people?page=2").get_data(as_text=True)
    assert "Zz Persoon 59" in second and "Zz Persoon 59" not in first
    assert client.get("/organisations?page=7").status_code == 200


@pytest.mark.parametrize(
    "url", ["/follow-ups", "/follow-ups?status=open", "/follow-ups/referrals", "/people"]
)
def test_lists_cost_the_same_statements_for_few_rows_and_many(
    rose, make_follow_up, make_person, client, auth, admin, count_queries, url
):
    def add(n: int) -> None:
        for k in range(n):
            owner = make_person(f"Zz Eigenaar {k:03d}")  # after the others: the same first page
            make_follow_up(
                rose.ag_march,
                f"Opvolgpunt {k:03d}",
                owner_person=owner,
                report_to_body=rose.roa,
            )
        db.session.commit()

    auth.login(admin.email)
    add(3)
    few = statements(client, count_queries, url)
    add(70)
    many = statements(client, count_queries, url)
    assert many == few

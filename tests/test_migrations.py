"""Every migration goes up and down on this database backend, and matches the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from rosemeet import create_app
from rosemeet.extensions import db

pytestmark = pytest.mark.no_db


def _include_name(name, type_, parent_names) -> bool:
    """SQLite's FTS5 search index (migration 0006) makes tables no model describes."""
    return not (type_ == "table" and name.startswith("search_document_fts"))


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_config):
    app = create_app(scratch_config)
    with app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {"person", "body", "membership", "organisation", "alias"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": _include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.engine.dispose()


# --- a filled database: every revision goes down and up again, keeping the rows ----------------

#: tables whose rows a revision's upgrade or downgrade may rewrite, and so are not compared:
#: SQLite's FTS5 shadow tables (rebuilt with the index) and Alembic's own
_NOT_COMPARED_PREFIXES = ("search_document_fts", "alembic_version")


def fill(app) -> None:
    """Put rows in every table: the demo network, plan and meeting cycles (with agendas, a
    decision and follow-ups), and then one of everything else, through the operations."""
    import io
    from datetime import time, timedelta

    from sqlalchemy import select

    from rosemeet.accounts import operations as accounts
    from rosemeet.accounts.models import LoginAttempt, Person
    from rosemeet.agendas import operations as agendas
    from rosemeet.agendas.models import ItemKind, MinutesDraft, MinutesRemark
    from rosemeet.calendar import operations as feeds
    from rosemeet.calendar.models import FeedScope
    from rosemeet.demo import load_demo
    from rosemeet.documents import operations as documents
    from rosemeet.documents.models import TargetKind
    from rosemeet.documents.queries import Target
    from rosemeet.mail.models import InboundMessage, InboundStatus, ReminderOptOut
    from rosemeet.meetings import operations as meetings
    from rosemeet.meetings import queries as meeting_queries
    from rosemeet.meetings.models import CalendarReply, ReplyStatus, Response
    from rosemeet.network.models import Body
    from rosemeet.plan import operations as plan
    from rosemeet.plan.models import PlanAction, PlanTheme, YearStatus
    from rosemeet.scheduler import lease

    with app.test_request_context():
        assert load_demo()
        bodies = {b.code: b for b in db.session.scalars(select(Body))}
        people = {p.email: p for p in db.session.scalars(select(Person))}
        rita = people["regisseur@rose.example.org"]
        member = people["lid@rose.example.org"]
        # a series that invites (outbox rows) with a guest, and an answer
        _series, made = meetings.create_series(
            [bodies["LDE"]],
            meetings.SeriesSettings(
                rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=4",
                first_date=meetings.local_today() + timedelta(days=1),
                start_time=time(10, 0),
                duration_minutes=90,
                location="W13, Kortrijk",
                guests=[member],
            ),
        )
        meetings.respond(made[0], member, Response.ACCEPTED)
        # the body's own agenda template, a proposal to the AV, minutes sent and approved
        agendas.add_template_item(bodies["AG"], title="Rondvraag", kind=ItemKind.INFORMATION)
        agendas.propose(bodies["AV"], proposer=rita, title="Jaarverslag", from_body=bodies["AG"])
        roa_past = meeting_queries.body_meetings(bodies["ROA"], upcoming=False, limit=2)
        older, newer = roa_past[-1], roa_past[0]
        item = agendas.add_item(older, title="Vervoer naar de werkplek", kind=ItemKind.DECISION)
        agendas.save_minutes(item, "Het ROA bekijkt de vraag.", version=item.version, by=rita)
        agendas.send_minutes_for_comment(older)
        # a remark on them, handled, and a draft someone did not save
        db.session.add_all(
            [
                MinutesRemark(item=item, author=member, text="Ook De Lijn.", proposed_text="x"),
                MinutesDraft(item=item, person=rita, text="Het ROA bek", base_version=2),
            ]
        )
        agendas.approve_minutes(older, in_meeting=newer, by=rita)  # feeds back to the AG
        # the plan: a year entry and a theme on an action
        action = db.session.scalar(select(PlanAction).order_by(PlanAction.id))
        plan.set_years(action, {2024: (YearStatus.DONE, "klaar")}, by=rita)
        plan.set_themes(action, list(db.session.scalars(select(PlanTheme)))[:1])
        # its indicator's value and the body that carries it out (the import linked themes)
        plan.set_indicator_year(
            action.indicators[0], 2024, target="3", value="3", status=YearStatus.DONE, person=rita
        )
        plan.set_action_bodies(action, [bodies["AV"]])
        # a paper on the item in two versions, and a standing link of the body
        paper = documents.attach_file(
            Target(TargetKind.AGENDA_ITEM, item),
            upload=io.BytesIO(b"Vraag over vervoer"),
            filename="vraag.txt",
            title="Vraag",
            by=rita,
        )
        documents.add_version(paper, upload=io.BytesIO(b"Tweede"), filename="v2.txt", by=rita)
        documents.attach_link(
            Target(TargetKind.BODY, bodies["AG"]), url="https://www.vdab.be", title="VDAB", by=rita
        )
        # an answer from a calendar that came in by mail
        inbound = InboundMessage(
            message_key="<reply-1@example.org>", sender=member.email, status=InboundStatus.PROCESSED
        )
        db.session.add(inbound)
        db.session.flush()
        db.session.add(
            CalendarReply(
                inbound_message_id=inbound.id,
                meeting_id=made[0].id,
                person_id=member.id,
                attendee_email=member.email,
                uid=made[0].uid,
                partstat="accepted",
                status=ReplyStatus.APPLIED,
            )
        )
        # tokens, opt-outs, login attempts and the scheduler's lease
        accounts.create_api_token(rita, "migrations")
        feeds.create_feed(member, FeedScope.PERSON)
        db.session.add(ReminderOptOut(person_id=member.id, kind="digest"))
        db.session.add(LoginAttempt(scope="email", key=member.email, succeeded=False))
        db.session.commit()
        lease.acquire("migration-test", timedelta(minutes=1))  # commits (or rolls back) itself


def row_counts(engine) -> dict[str, int]:
    """Rows per table (Alembic's and the FTS5 shadow tables left out)."""
    counts = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            if not name.startswith(_NOT_COMPARED_PREFIXES):
                counts[name] = connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar()
    return counts


def current_revisions(engine) -> set[str]:
    """The revisions the database is at (several while the history has branches)."""
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def assert_sound(engine) -> None:
    """SQLite: the file is intact and no reference lost its row."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def test_every_revision_goes_down_and_up_again_on_a_filled_database(scratch_config):
    app = create_app({**scratch_config, "BASE_URL": "http://rosemeet.test", "SMTP_HOST": ""})
    with app.app_context():
        upgrade(revision="heads")
        fill(app)
        engine = db.engine
        counts = row_counts(engine)
        assert [name for name, n in counts.items() if n == 0] == [], "fill every table"
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        checked = []
        for revision in script.walk_revisions():  # newest first
            name = revision.revision
            assert name in current_revisions(engine)
            before = row_counts(engine)
            downgrade(revision=f"{name}@-1")  # exactly this revision
            assert name not in current_revisions(engine)
            assert_sound(engine)
            after = row_counts(engine)
            both = before.keys() & after.keys()  # a downgrade may also bring back a table
            kept = {t: before[t] for t in both}
            assert {t: after[t] for t in both} == kept, f"downgrading {name} lost rows"
            # its upgrade, on the rows as the downgrade left them, and down again
            upgrade(revision=name)
            assert_sound(engine)
            again = row_counts(engine)
            assert {t: again[t] for t in both} == kept, f"upgrading {name} lost rows"
            downgrade(revision=f"{name}@-1")
            assert row_counts(engine) == after
            checked.append(name)
        assert current_revisions(engine) == set()
        assert {"0001", "0005", "0006", "0007"} <= set(checked)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(revision="heads")
        assert_sound(engine)
        db.engine.dispose()


def test_db_downgrade_minus_one_and_db_check_on_the_command_line(scratch_config):
    app = create_app(scratch_config)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade(revision="heads")
        heads = current_revisions(db.engine)
        checked = runner.invoke(args=["db", "check"])
        assert checked.exit_code == 0, checked.output
        result = runner.invoke(args=["db", "downgrade", "-1"])
        assert result.exit_code == 0, result.output
        assert "No such option" not in result.output
        after = current_revisions(db.engine)
        assert after != heads and len(after) >= len(heads) - 1
        db.engine.dispose()

"""The scheduler's jobs do their work inside the app they are bound to."""

from datetime import timedelta

from sqlalchemy import select

from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.network.models import BodyKind
from rosemeet.scheduler import jobs


def test_reminder_and_delivery_jobs(app, ctx, admin, make_body, smtp_server):
    make_body(
        "Werkgroep RASE",
        code="RASE",
        kind=BodyKind.ADHOC,
        ends_on=local_today() + timedelta(days=10),
    )
    db.session.commit()
    jobs.bind_app(app)
    jobs.send_reminders()
    (reminder,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reminder_adhoc_end")
    ).all()
    jobs.deliver_mail()
    db.session.refresh(reminder)
    assert reminder.status == MessageStatus.SENT
    assert smtp_server.messages[0]["Subject"] == "Werkgroep RASE loopt binnenkort af"

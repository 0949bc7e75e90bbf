"""The admin's mail page lists the inbound mail that could not be used, with why."""

from __future__ import annotations

from datetime import UTC, datetime

from rosemeet.extensions import db
from rosemeet.mail.models import InboundMessage, InboundStatus
from tests.conftest import PASSWORD


def inbound(key: str, status: InboundStatus, **fields) -> InboundMessage:
    row = InboundMessage(message_key=key, status=status, **fields)
    db.session.add(row)
    return row


def test_the_admin_sees_unusable_mail_with_its_detail(ctx, client, auth, admin):
    inbound(
        "<old@x>",
        InboundStatus.UNUSABLE,
        sender="vreemde@elders.example",
        subject="Accepted: <script>x</script>",
        detail="The answer names a meeting rosemeet does not know (UID abc).",
        received_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    )
    inbound(
        "<new@x>",
        InboundStatus.UNUSABLE,
        sender="spam@elders.example",
        subject="Goedkope pillen",
        detail="No handler could use this mail.",
        received_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    inbound("<ok@x>", InboundStatus.PROCESSED, sender="chris@rose.example.org", subject="Ok")
    db.session.commit()
    auth.login(admin.email)

    html = client.get("/admin/mail/").get_data(as_text=True)

    assert "vreemde@elders.example" in html
    assert "The answer names a meeting rosemeet does not know (UID abc)." in html
    assert "Accepted: &lt;script&gt;x&lt;/script&gt;" in html
    assert html.index("spam@elders.example") < html.index("vreemde@elders.example")  # newest
    assert "chris@rose.example.org" not in html  # processed mail is only counted
    assert 'id="inbound"' in html


def test_a_non_admin_cannot_see_the_inbound_mail(ctx, client, auth, make_person):
    inbound("<x@x>", InboundStatus.UNUSABLE, sender="vreemde@elders.example", detail="Geheim")
    person = make_person("Mia Lid", password=PASSWORD)
    db.session.commit()
    auth.login(person.email)

    response = client.get("/admin/mail/")

    assert response.status_code in (403, 404)
    assert "vreemde@elders.example" not in response.get_data(as_text=True)

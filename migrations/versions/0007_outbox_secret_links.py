"""outbox: secret links made at send time (link_kind, link_args), tokens scrubbed from old rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:00:00

Reviewed by hand. Reset, invitation and answer (RSVP) links used to be stored in clear in
the outbox bodies, so the admin mail page or a backup gave access to any account. From now
on a body holds ``[[link:<name>]]`` placeholders and the row names who makes the links when
the message is sent (``link_kind``) with what it needs (``link_args``: ids, a password
fingerprint and when the link was asked for; never a token).

Upgrade adds the two nullable columns and rewrites the rows that hold a secret link: the
signed data of an itsdangerous token is readable without the key, so each link becomes its
placeholder and the row gets the kind and arguments that make the same link again (a
pending message still goes out with a working link). A link that cannot be read becomes
"[link]". Downgrade cannot sign links (the old code sends bodies as stored): the rows with
placeholders show "[link]", and those still pending are failed with a reason on the admin
mail page (ask for a new link); then the columns go.
"""

import re

from alembic import op
import sqlalchemy as sa
from itsdangerous.encoding import base64_decode, bytes_to_int
from itsdangerous.url_safe import URLSafeSerializer


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: a secret link as the old code wrote it: absolute, the route, the token, the answer
SECRET_URL = re.compile(
    r"(?:https?://[^\s\"'<>/]+)?/(?P<route>password/reset|invitation|rsvp)/"
    r"(?P<token>[A-Za-z0-9_.\-]+)(?:\?response=(?P<response>[a-z_]+))?"
)
PLACEHOLDER = re.compile(r"\[\[link:[a-z_]{1,40}\]\]")
KINDS = {"password/reset": "reset", "invitation": "invite", "rsvp": "rsvp"}

outbox = sa.table(
    "outbox_message",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("text_body", sa.Text),
    sa.column("html_body", sa.Text),
    sa.column("last_error", sa.Text),
    sa.column("link_kind", sa.String),
    sa.column("link_args", sa.JSON),
)


def _signed_data(token, timed):
    """The data and the timestamp an itsdangerous token carries (no key needed), or None."""
    try:
        value = token.rsplit(".", 1)[0]
        stamp = None
        if timed:
            value, stamp_part = value.rsplit(".", 1)
            stamp = bytes_to_int(base64_decode(stamp_part))
        data = URLSafeSerializer("unused").load_payload(value.encode())
    except Exception:  # not a token this code made: the link is masked instead
        return None
    return (data, stamp) if isinstance(data, dict) else None


def _link_args(kind, token):
    """What the link maker of this kind needs to make the same link again, or None."""
    found = _signed_data(token, timed=kind != "rsvp")
    if found is None:
        return None
    data, stamp = found
    if kind == "rsvp":
        if isinstance(data.get("m"), int) and isinstance(data.get("p"), int):
            return {"meeting": data["m"], "person": data["p"]}
        return None
    if isinstance(data.get("p"), int) and isinstance(data.get("f"), str) and stamp:
        purpose = "reset" if kind == "reset" else "invite"
        return {"purpose": purpose, "person": data["p"], "fingerprint": data["f"], "issued": stamp}
    return None


def _rewrite(bodies):
    """The bodies with each secret link as a placeholder (or "[link]"), the kind and args."""
    chosen = {}

    def replace(match):
        kind = KINDS[match["route"]]
        args = _link_args(kind, match["token"])
        name = match["response"] if kind == "rsvp" else "link"
        if args is None or not name or chosen.get("kind", kind) != kind:
            return "[link]"
        if chosen.setdefault("args", args) != args:
            return "[link]"
        chosen["kind"] = kind
        return f"[[link:{name}]]"

    rewritten = [SECRET_URL.sub(replace, body) if body else body for body in bodies]
    return rewritten, chosen.get("kind"), chosen.get("args")


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_kind", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("link_args", sa.JSON(), nullable=True))

    bind = op.get_bind()
    holding_links = sa.or_(
        *(
            column.like(f"%/{route}/%")
            for column in (outbox.c.text_body, outbox.c.html_body)
            for route in KINDS
        )
    )
    rows = bind.execute(
        sa.select(outbox.c.id, outbox.c.text_body, outbox.c.html_body).where(holding_links)
    ).all()
    for row in rows:
        (text_body, html_body), kind, args = _rewrite([row.text_body, row.html_body])
        bind.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(text_body=text_body, html_body=html_body, link_kind=kind, link_args=args)
        )


def downgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(outbox.c.id, outbox.c.status, outbox.c.text_body, outbox.c.html_body).where(
            outbox.c.link_kind.is_not(None)
        )
    ).all()
    for row in rows:
        values = {
            "text_body": PLACEHOLDER.sub("[link]", row.text_body or ""),
            "html_body": PLACEHOLDER.sub("[link]", row.html_body) if row.html_body else None,
        }
        if row.status == "pending":
            values["status"] = "dead"
            values["last_error"] = "downgrade: its link is made at send time; ask for a new one"
        bind.execute(outbox.update().where(outbox.c.id == row.id).values(**values))

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("link_args")
        batch_op.drop_column("link_kind")

"""The admin's mail page: pending, sent and failed messages, with resend; and the inbound
mail that could not be used."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from rosemeet.core.forms import ConfirmForm
from rosemeet.core.permissions import require
from rosemeet.extensions import db
from rosemeet.mail import links
from rosemeet.mail.forms import ReminderForm
from rosemeet.mail.models import InboundMessage, InboundStatus, MessageStatus, OutboxMessage
from rosemeet.mail.operations import resend, resend_all_failed
from rosemeet.mail.reminders import opted_out, reminder_kinds, set_preferences

bp = Blueprint("mail", __name__)

PAGE_SIZE = 50
#: how many unusable inbound mails the mail page lists (the newest)
INBOUND_PAGE_SIZE = 50


@bp.app_template_filter("mask_links")
def mask_links(text: str | None) -> str:
    """A stored body or subject as pages may show it: every secret link is ``[link]``."""
    return links.mask(text)


@bp.get("/admin/mail/")
@login_required
def outbox():
    """Messages by status, newest first."""
    require(current_user, "view_admin")
    status = request.args.get("status", "")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
    if MessageStatus.parse(status):
        query = query.where(OutboxMessage.status == MessageStatus(status))
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    unusable = select(InboundMessage).where(InboundMessage.status == InboundStatus.UNUSABLE)
    processed = select(func.count(), func.max(InboundMessage.received_at)).where(
        InboundMessage.status == InboundStatus.PROCESSED
    )
    processed_count, last_processed = db.session.execute(processed).one()
    return render_template(
        "mail/outbox.html",
        messages=db.session.scalars(query).all(),
        counts=counts,
        status=status,
        statuses=MessageStatus,
        form=ConfirmForm(),
        unusable=db.session.scalars(
            unusable.order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(
                INBOUND_PAGE_SIZE
            )
        ).all(),
        processed_count=processed_count,
        last_processed=last_processed,
    )


@bp.get("/admin/mail/<int:message_id>")
@login_required
def message(message_id: int):
    """One message as it will be (or was) sent."""
    require(current_user, "view_admin")
    item = db.get_or_404(OutboxMessage, message_id)
    return render_template("mail/message.html", message=item, form=ConfirmForm())


@bp.post("/admin/mail/<int:message_id>/resend")
@login_required
def resend_message(message_id: int):
    """Queue a failed message again."""
    require(current_user, "view_admin")
    item = db.get_or_404(OutboxMessage, message_id)
    if not resend(item):
        flash(_("Only a failed message can be sent again."), "error")
        return redirect(url_for("mail.message", message_id=item.id))
    flash(_("The message is queued again."), "success")
    return redirect(url_for("mail.outbox"))


@bp.post("/admin/mail/resend-failed")
@login_required
def resend_failed():
    """Queue every failed message again at once (after an outage, or a fixed setting)."""
    require(current_user, "view_admin")  # CSRFProtect has checked the form's token
    count = resend_all_failed()
    if count:
        message = ngettext(
            "%(num)d failed message is queued again.",
            "%(num)d failed messages are queued again.",
            count,
        )
        flash(message, "success")
    else:
        flash(_("There are no failed messages."), "info")
    return redirect(url_for("mail.outbox"))


@bp.route("/profile/reminders", methods=["GET", "POST"])
@login_required
def reminders():
    """Switch kinds of reminder on or off."""
    person = current_user._get_current_object()
    form = ReminderForm()
    if form.validate_on_submit():
        set_preferences(person, form.kinds.data or [])
        flash(_("Your reminder settings are saved."), "success")
        return redirect(url_for("mail.reminders"))
    if request.method == "GET":
        off = opted_out(person.id)
        form.kinds.data = [k.key for k in reminder_kinds() if k.key not in off]
    return render_template("mail/reminders.html", form=form)

"""Pages of the remarks on minutes sent for comments: an item's remarks (where a refused form
comes back with its message and what was typed), adding a remark, and accepting or answering
one. The routes are on the agendas blueprint; the minutes page shows the same forms beside
each item (``agendas/_remarks.html`` on its "minutes-item" slot) and they come back to it."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rosemeet.agendas import remarks
from rosemeet.agendas.models import AgendaItem, MinutesRemark
from rosemeet.agendas.remark_forms import AcceptForm, AnswerForm, RemarkForm, with_ids
from rosemeet.agendas.views import bp
from rosemeet.core.forms import attempt
from rosemeet.core.permissions import can
from rosemeet.core.web import safe_next
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting


def remark_helpers() -> dict:
    """What the minutes page's remarks (``agendas/_remarks.html``) and the next meeting's
    approval item call."""
    return {
        "minutes_remarks": _item_remarks,
        "may_add_remark": lambda item: can(current_user, "add_remark", item),
        "may_handle_remark": lambda item: can(current_user, "handle_remark", item),
        "new_remark_form": lambda item: with_ids(
            RemarkForm(formdata=None), f"remark-item-{item.id}"
        ),
        "new_answer_form": lambda remark: with_ids(
            AnswerForm(formdata=None), f"remark-{remark.id}-answer"
        ),
        "new_accept_form": lambda remark: with_ids(
            AcceptForm(formdata=None), f"remark-{remark.id}-accept"
        ),
        "remarks_by_item": remarks.remarks_by_item,
    }


def _item_remarks(item: AgendaItem) -> list[MinutesRemark]:
    """The remarks on an item's minutes, read once per meeting and request."""
    if item.meeting_id is None:
        return []
    loaded = g.setdefault("agendas_remarks", {})
    if item.meeting_id not in loaded:
        meeting = db.session.get(Meeting, item.meeting_id)
        loaded[item.meeting_id] = remarks.remarks_of(meeting) if meeting else {}
    return loaded[item.meeting_id].get(item.id, [])


def _back(item: AgendaItem) -> str:
    """Where a form of the item returns to: the ``next`` it names, else the minutes page."""
    default = url_for("agendas.minutes", meeting_id=item.meeting_id) + f"#item-{item.id}"
    return safe_next(default)


def _item(item_id: int) -> AgendaItem:
    """An item whose minutes the visitor may read, else 404."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting is None or not can(current_user, "view_minutes", item.meeting):
        abort(404)
    return item


def _remark(remark_id: int) -> MinutesRemark:
    """A remark the visitor may handle: 404 when unseen, 403 when seen only."""
    remark = db.session.get(MinutesRemark, remark_id)
    if remark is None or not can(current_user, "view", remark):
        abort(404)
    if not can(current_user, "handle", remark):
        abort(403)
    return remark


def _page(item: AgendaItem, status: int = 200, **kept):
    """The item's remarks page; ``kept`` holds a refused form (``kept_add``,
    ``kept_answer`` or ``kept_accept`` with ``kept_remark_id``)."""
    return (
        render_template(
            "agendas/remarks.html",
            item=item,
            meeting=item.meeting,
            remarks_next=_back(item),
            **kept,
        ),
        status,
    )


def _submit(item: AgendaItem, form, operation: Callable[[], object], done: str, **kept):
    """Validate ``form``, run ``operation`` in a savepoint and go back where the form came
    from; a refusal shows the remarks page with the message and what was typed."""
    if form.validate():
        with attempt(form) as tried:
            operation()
            flash(done, "success")
            return redirect(_back(item))
        return _page(item, tried.refused.status if tried.refused else 400, **kept)
    return _page(item, 400, **kept)


@bp.get("/agenda-items/<int:item_id>/remarks")
def item_remarks(item_id: int):
    """The remarks on an item's minutes; invitees add one, the secretary handles them."""
    return _page(_item(item_id))


@bp.post("/agenda-items/<int:item_id>/remarks")
@login_required
def add_remark(item_id: int):
    """Add a remark (and a proposed wording) to an item's minutes sent for comments."""
    item = _item(item_id)
    if not can(current_user, "add_remark", item):
        abort(403)
    form = with_ids(RemarkForm(), f"remark-item-{item.id}")
    return _submit(
        item,
        form,
        lambda: remarks.add_remark(
            item, form.text.data, form.proposed_text.data or None, by=current_user
        ),
        _("Your remark is added."),
        kept_add=form,
    )


@bp.post("/minutes-remarks/<int:remark_id>/accept")
@login_required
def accept_remark(remark_id: int):
    """Accept a remark: its proposed wording becomes the item's minutes (a new revision)."""
    remark = _remark(remark_id)
    form = with_ids(AcceptForm(), f"remark-{remark.id}-accept")
    return _submit(
        remark.item,
        form,
        lambda: remarks.accept_remark(remark, by=current_user, answer=form.answer.data),
        _("The proposed wording is now the minutes of this item."),
        kept_accept=form,
        kept_remark_id=remark.id,
    )


@bp.post("/minutes-remarks/<int:remark_id>/answer")
@login_required
def answer_remark(remark_id: int):
    """Answer a remark; the minutes stay as they are."""
    remark = _remark(remark_id)
    form = with_ids(AnswerForm(), f"remark-{remark.id}-answer")
    return _submit(
        remark.item,
        form,
        lambda: remarks.answer_remark(remark, form.answer.data, by=current_user),
        _("The remark is answered."),
        kept_answer=form,
        kept_remark_id=remark.id,
    )

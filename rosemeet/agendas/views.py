"""Pages for agendas and minutes: the agenda editor, items, publishing, the body's backlog,
template and proposals, minutes with the version check, approval (print and downloads are
the ``records`` domain's)."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.forms import (
    AcceptForm,
    ActionSearchForm,
    DeclineForm,
    ItemForm,
    MinutesForm,
    ProposalForm,
    SettingsForm,
    TemplateItemForm,
)
from rosemeet.agendas.models import AgendaItem, AgendaStatus, ItemKind, ItemRole, Proposal
from rosemeet.core.enums import select_choices
from rosemeet.core.forms import ConfirmForm, attempt, given, text_error
from rosemeet.core.markdown import render_markdown
from rosemeet.core.permissions import can, get_or_404
from rosemeet.core.time import format_day_time
from rosemeet.core.web import MAX_ID, parse_id
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting
from rosemeet.meetings.queries import load_meeting
from rosemeet.network.models import Body
from rosemeet.network.queries import people_choices

bp = Blueprint("agendas", __name__)


def agenda_helpers() -> dict:
    """``agenda_for(meeting)`` for the meeting page, ``published_agenda(meeting)`` for mail,
    ``proposals_waiting()`` for the home page."""
    return {
        "agenda_for": _agenda_for_page,
        "published_agenda": _published_agenda,
        "proposals_waiting": lambda: queries.proposals_waiting_for(current_user),
    }


def _published_agenda(meeting: Meeting) -> queries.AgendaView | None:
    """The agenda as invitees may read it: only once it is published."""
    view = queries.load_agenda(meeting)
    return view if view.status is AgendaStatus.PUBLISHED else None


def _agenda_for_page(meeting: Meeting) -> queries.AgendaView | None:
    if not can(current_user, "view_agenda", meeting):
        return None
    return queries.load_agenda(meeting)


def _meeting(meeting_id: int, action: str = "view_agenda") -> Meeting:
    get_or_404(current_user, Meeting, meeting_id, action)
    return load_meeting(meeting_id)


def _version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the agenda ---------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/agenda")
def agenda(meeting_id: int):
    """A meeting's agenda (made from the template when the meeting was planned); those who
    make it edit it here."""
    meeting = _meeting(meeting_id)
    editor = can(current_user, "edit_agenda", meeting)
    view = queries.load_agenda(meeting, with_backlog=editor)
    return render_template(
        "agendas/agenda.html",
        meeting=meeting,
        view=view,
        editor=editor,
        confirm_form=ConfirmForm(),
        approval=_approval(meeting, view) if editor else None,
        prepared=queries.prepared_bodies(meeting) if editor else [],
        sent=queries.sent_proposals([i.id for i in view.items]) if editor else {},
        pending=queries.pending_counts(meeting.bodies) if editor else {},
    )


def _approval(meeting: Meeting, view: queries.AgendaView):
    if not any(i.role is ItemRole.APPROVE_MINUTES for i in view.items):
        return None
    return queries.approvable_minutes(meeting)


def _item_form(item: AgendaItem | None = None, **kwargs) -> tuple[ItemForm, ActionSearchForm]:
    form = ItemForm(obj=item, **kwargs)
    form.presenter_id.choices = people_choices(("", _("Nobody from the network")))
    if request.method == "GET" and item is not None:
        form.links.data = item.links or ""
        form.action_ids.data = [a.id for a in item.actions]
        form.version.data = str(item.version)
        form.presenter_id.data = item.presenter_id
    search = ActionSearchForm(formdata=request.form if request.method == "POST" else None)
    return form, search


def _action_choices(form: ItemForm, search: ActionSearchForm):
    """The linked actions (checked) and the search results (to tick)."""
    linked = queries.actions_by_id([i for i in (form.action_ids.data or []) if i])
    found = queries.search_actions(search.action_q.data or "")
    seen = {a.id for a in linked}
    return linked, [a for a in found if a.id not in seen]


def _save_item(meeting: Meeting, item: AgendaItem | None):
    form, search = _item_form(item)
    searching = request.method == "POST" and "search_actions" in request.form
    if not searching and form.validate_on_submit():
        actions = queries.actions_by_id(form.action_ids.data or [])
        presenter = (
            db.session.get(Person, form.presenter_id.data) if form.presenter_id.data else None
        )
        fields: dict[str, Any] = {
            "title": form.title.data,
            "description": form.description.data,
            "kind": ItemKind(form.kind.data),
            "presenter": presenter,
            "presenter_text": form.presenter_text.data,
            "planned_minutes": form.planned_minutes.data,
            "links": form.links.data,
            "actions": actions,
        }
        with attempt(form, unshown=(ops.VersionConflict,)) as tried:
            if item is None:
                item = ops.add_item(meeting, **fields)
            else:
                ops.update_item(item, version=_version(form.version.data), **fields)
            flash(_("The item is saved."), "success")
            return redirect(url_for("agendas.agenda", meeting_id=meeting.id) + f"#item-{item.id}")
        if isinstance(tried.refused, ops.VersionConflict):
            current = db.session.get(AgendaItem, tried.refused.item_id)
            return render_template(
                "agendas/conflict.html",
                meeting=meeting,
                item=current,
                rows=[
                    (_("Title"), current.title if current else "", form.title.data),
                    (
                        _("Description"),
                        (current.description if current else "") or "",
                        form.description.data or "",
                    ),
                ],
                form=form,
                search=search,
                back=url_for("agendas.edit_item", item_id=current.id)
                if current
                else url_for("agendas.agenda", meeting_id=meeting.id),
            ), 409
    linked, found = _action_choices(form, search)
    status = 400 if request.method == "POST" and not searching else 200
    return render_template(
        "agendas/item_form.html",
        meeting=meeting,
        item=item,
        form=form,
        search=search,
        linked=linked,
        found=found,
        searched=searching,
    ), status


@bp.route("/meetings/<int:meeting_id>/agenda/items/new", methods=["GET", "POST"])
@login_required
def new_item(meeting_id: int):
    """Add an item to the agenda."""
    meeting = _meeting(meeting_id, "edit_agenda")
    return _save_item(meeting, None)


@bp.route("/agenda-items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int):
    """Change an agenda item (a stale save shows both versions)."""
    item = get_or_404(current_user, AgendaItem, item_id, "edit")
    if item.meeting is None:
        abort(404)
    return _save_item(load_meeting(item.meeting.id), item)


@bp.post("/agenda-items/<int:item_id>/move")
@login_required
def move_item(item_id: int):
    """Move an item one place up or down (the keyboard alternative to dragging)."""
    item = get_or_404(current_user, AgendaItem, item_id, "edit")
    if item.meeting_id is None:
        abort(404)  # backlog items have no order to change
    ops.move_item(item, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("agendas.agenda", meeting_id=item.meeting_id) + f"#item-{item.id}")


def _order_ids() -> list[int]:
    """The item ids of ``order=3,1,2``; AgendaError when one is no number."""
    try:
        return [int(v) for v in request.form.get("order", "").split(",") if v.strip()]
    except ValueError:
        raise ops.AgendaError(
            _("The order does not match the items of this agenda."), "order"
        ) from None


@bp.post("/meetings/<int:meeting_id>/agenda/order")
@login_required
def reorder(meeting_id: int):
    """Save the order of the items (sent by drag and drop: ``order=3,1,2``)."""
    meeting = _meeting(meeting_id, "edit_agenda")
    with attempt(unshown=(ops.AgendaError,)) as tried:  # one message for every refusal
        ops.reorder(meeting, _order_ids())
    saved = tried.refused is None
    if request.accept_mimetypes.best == "application/json":
        return {"ok": saved}, 200 if saved else 400
    if saved:
        flash(_("The order is saved."), "success")
    else:
        flash(_("The order could not be saved; reload the page and try again."), "error")
    return redirect(url_for("agendas.agenda", meeting_id=meeting_id))


@bp.post("/agenda-items/<int:item_id>/delete")
@login_required
def delete_item(item_id: int):
    """Remove an item from the agenda or the backlog."""
    item = get_or_404(current_user, AgendaItem, item_id, "edit")
    meeting_id = item.meeting_id or request.form.get("meeting_id", type=int)
    with attempt():
        ops.delete_item(item)
        flash(_("The item is removed."), "success")
    if meeting_id:
        return redirect(url_for("agendas.agenda", meeting_id=meeting_id))
    return redirect(url_for("network.home"))


@bp.post("/meetings/<int:meeting_id>/agenda/publish")
@login_required
def publish(meeting_id: int):
    """Publish the agenda: members see it and the invitees get it by mail."""
    meeting = _meeting(meeting_id, "edit_agenda")
    with attempt():
        ops.publish_agenda(meeting)
        flash(_("The agenda is published; the invitees get it by mail."), "success")
    return redirect(url_for("agendas.agenda", meeting_id=meeting_id))


@bp.post("/agenda-items/<int:item_id>/pull")
@login_required
def pull_item(item_id: int):
    """Put a backlog item on a meeting's agenda."""
    item = get_or_404(current_user, AgendaItem, item_id, "edit")
    meeting = _meeting(request.form.get("meeting_id", type=int) or 0, "edit_agenda")
    with attempt():
        ops.pull_into(item, meeting)
        flash(_("The item is on the agenda."), "success")
    return redirect(url_for("agendas.agenda", meeting_id=meeting.id))


@bp.post("/agenda-items/<int:item_id>/send")
@login_required
def send_item(item_id: int):
    """Send an item to the body this body prepares the agenda of (one click)."""
    item = get_or_404(current_user, AgendaItem, item_id, "edit")
    target = db.session.get(Body, request.form.get("body_id", type=int) or 0)
    if target is None or item.meeting is None:
        abort(404)
    with attempt():
        ops.send_to_body(item, target, by=current_user)
        flash(_("The item is proposed to %(name)s.", name=target.name), "success")
    back = request.form.get("back") == "minutes"
    endpoint = "agendas.minutes" if back else "agendas.agenda"
    return redirect(url_for(endpoint, meeting_id=item.meeting_id) + f"#item-{item.id}")


# --- minutes ------------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id: int):
    """The minutes, per agenda item; those who write them edit them here, all items in one
    form (drafts they did not save are offered back)."""
    return _minutes_page(_meeting(meeting_id, "view_minutes"))


#: the fields of one item in the minutes form: ``item-<id>-minutes``, ``item-<id>-version``
_ITEM_VERSION = re.compile(r"^item-([0-9]+)-version$")


def _norm(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _minutes_page(
    meeting: Meeting,
    typed: dict[int, tuple[str, int]] | None = None,
    *,
    invalid: dict[int, MinutesForm] | None = None,
    note: str | None = None,
    status: int = 200,
):
    """The minutes page; ``typed`` (item id -> text, version read) keeps what was typed and
    not saved in the fields, ``invalid`` the forms refused with their messages."""
    editor = can(current_user, "edit_minutes", meeting)
    view = queries.load_agenda(meeting)
    if view.agenda is not None and view.agenda.minutes_approved:
        editor = False
    typed = typed or {}
    forms: dict[int, MinutesForm] = {}
    drafts: dict[int, Any] = {}
    if editor:
        found = queries.drafts_of(meeting, current_user)
        for item in view.items:
            form = (invalid or {}).get(item.id)
            if form is None:
                form = MinutesForm(formdata=None, prefix=f"item-{item.id}", meta={"csrf": False})
                text, version = typed.get(item.id, (item.minutes or "", item.version))
                form.minutes.data = text
                form.version.data = str(version)
            forms[item.id] = form
            draft = found.get(item.id)
            if draft is not None and _norm(draft.text) not in (
                _norm(form.minutes.data),
                _norm(item.minutes) if draft.base_version == item.version else None,
            ):
                drafts[item.id] = draft
    return render_template(
        "agendas/minutes.html",
        meeting=meeting,
        view=view,
        editor=editor,
        manager=can(current_user, "edit_agenda", meeting),
        forms=forms,
        drafts=drafts,
        unsaved=[i for i in view.items if i.id in typed],
        note=note,
        confirm_form=ConfirmForm(),
        prepared=queries.prepared_bodies(meeting) if editor else [],
        sent=queries.sent_proposals([i.id for i in view.items]) if editor else {},
    ), status


def _typed_minutes() -> tuple[dict[int, tuple[str, int]], dict[int, MinutesForm]]:
    """What the minutes form sent, per item id: (text, version read); and the items whose
    field was refused (too long, control characters), as forms with their messages."""
    typed: dict[int, tuple[str, int]] = {}
    invalid: dict[int, MinutesForm] = {}
    for key in request.form:
        match = _ITEM_VERSION.match(key)
        if match is None or f"item-{match.group(1)}-minutes" not in request.form:
            continue
        item_id = parse_id(match.group(1))
        if item_id is None:  # not an id that can exist ("item-99999…-version")
            continue
        form = MinutesForm(prefix=f"item-{item_id}", meta={"csrf": False})
        version = _version(form.version.data)
        if version is not None and not 0 <= version <= MAX_ID:
            version = None
        # no readable version: as read at no version at all, so a changed text is a conflict
        typed[item_id] = (form.minutes.data or "", version if version is not None else 0)
        if not form.validate():
            invalid[item_id] = form
    return typed, invalid


def _changed(meeting: Meeting, typed: dict[int, tuple[str, int]]) -> dict[int, tuple[str, int]]:
    """Of the typed texts, those that differ from the item's text at the version read."""
    items = {i.id: i for i in queries.load_items(meeting.id)}
    return {
        item_id: (text, version)
        for item_id, (text, version) in typed.items()
        if item_id in items and _norm(text) != _norm(queries.minutes_at(items[item_id], version))
    }


def _keep_as_drafts(meeting: Meeting, typed: dict[int, tuple[str, int]]) -> None:
    """Keep texts typed and not saved as the person's drafts (a closed tab loses nothing)."""
    items = {i.id: i for i in queries.load_items(meeting.id)}
    for item_id, (text, version) in typed.items():
        if item_id in items:
            with attempt():
                ops.keep_draft(items[item_id], text, version=version, by=current_user)


def _saved_note(outcome: ops.MinutesSaved) -> str | None:
    if not outcome.saved:
        return None
    return _(
        "Saved: %(titles)s.",
        titles=", ".join(f"\u201c{item.title}\u201d" for item in outcome.saved),
    )


@bp.post("/meetings/<int:meeting_id>/minutes")
@login_required
def save_all_minutes(meeting_id: int):
    """Save the minutes form: every changed item (each with its own version check), or one
    item (``save_item``) keeping the text typed in the others; or put a kept draft back in
    its field (``restore_draft``) or forget it (``discard_draft``)."""
    meeting = _meeting(meeting_id, "edit_minutes")
    typed, invalid = _typed_minutes()
    if invalid:
        flash(_("Some minutes could not be saved; see the marked items."), "error")
        return _minutes_page(meeting, typed, invalid=invalid, status=400)
    items = {i.id: i for i in queries.load_items(meeting.id)}
    restore = _version(request.form.get("restore_draft"))
    discard = _version(request.form.get("discard_draft"))
    if restore is not None or discard is not None:
        chosen = items.get(restore if restore is not None else discard or 0)
        draft = queries.drafts_of(meeting, current_user).get(chosen.id) if chosen else None
        if chosen is not None and draft is not None and restore is not None:
            typed[chosen.id] = (draft.text, draft.base_version)
            note = _("The unsaved text is back in its field; save it to keep it.")
        elif chosen is not None and discard is not None:
            ops.discard_draft(chosen, current_user)
            note = _("The unsaved text is thrown away.")
        else:
            note = None
        return _minutes_page(meeting, typed, note=note)
    one = _version(request.form.get("save_item"))
    if one is not None:
        chosen_text = {one: typed[one]} if one in typed else {}
        others = {i: t for i, t in _changed(meeting, typed).items() if i != one}
        to_save = chosen_text
    else:
        others = {}
        to_save = typed
    outcome: ops.MinutesSaved | None = None
    with attempt(unshown=(ops.VersionConflict,)):
        _keep_as_drafts(meeting, others)
        outcome = ops.save_all_minutes(meeting, to_save, current_user)
    if outcome is None:  # refused as a whole (approved meanwhile): the message is flashed
        return redirect(url_for("agendas.minutes", meeting_id=meeting_id))
    if outcome.conflicts:
        return _conflict_page(meeting, outcome, typed, drafts_kept=bool(others))
    if one is not None:
        note = _saved_note(outcome) or _("Nothing changed in this item.")
        if others:
            note += " " + _(
                "The text typed in the other items is not saved yet; it is kept as your draft."
            )
        return _minutes_page(meeting, others, note=note)
    if outcome.saved:
        flash(_saved_note(outcome) or "", "success")
    else:
        flash(_("Nothing changed; nothing was saved."), "info")
    return redirect(url_for("agendas.minutes", meeting_id=meeting_id))


def _conflict_page(
    meeting: Meeting,
    outcome: ops.MinutesSaved,
    typed: dict[int, tuple[str, int]],
    *,
    drafts_kept: bool = False,
):
    """Both texts of each item someone else saved meanwhile, to merge. When nothing else was
    saved (nor kept as a draft) the answer is 409 (and nothing is written); when other items
    were saved, or the other items' text kept as drafts, it is 200, so that they stay, and the
    text that lost is kept as the person's draft too."""
    status = 200 if outcome.saved or drafts_kept else 409
    if outcome.saved:
        for conflict in outcome.conflicts:
            if conflict.item is not None:
                with attempt():
                    ops.keep_draft(
                        conflict.item,
                        conflict.mine,
                        version=typed.get(conflict.item_id, ("", 0))[1],
                        by=current_user,
                    )
    return render_template(
        "agendas/minutes_conflict.html",
        meeting=meeting,
        conflicts=outcome.conflicts,
        saved=outcome.saved,
        confirm_form=ConfirmForm(),
    ), status


@bp.post("/agenda-items/<int:item_id>/minutes")
@login_required
def save_minutes(item_id: int):
    """Save one item's minutes (``item-<id>-minutes`` and ``-version``); a stale version shows
    both texts and loses neither."""
    item = get_or_404(current_user, AgendaItem, item_id)
    if item.meeting is None or not can(current_user, "edit_minutes", item.meeting):
        abort(403)
    meeting = load_meeting(item.meeting.id)
    form = MinutesForm(prefix=f"item-{item.id}")
    if not form.validate_on_submit():
        flash(" ".join(str(m) for msgs in form.errors.values() for m in msgs), "error")
        return redirect(url_for("agendas.minutes", meeting_id=meeting.id))
    version = _version(form.version.data)
    typed = {item_id: (form.minutes.data or "", version if version is not None else 0)}
    outcome: ops.MinutesSaved | None = None
    with attempt(unshown=(ops.VersionConflict,)):
        outcome = ops.save_all_minutes(meeting, typed, current_user)
    if outcome is not None and outcome.conflicts:
        return _conflict_page(meeting, outcome, typed)
    if outcome is not None:
        flash(_("The minutes of \u201c%(title)s\u201d are saved.", title=item.title), "success")
    return redirect(url_for("agendas.minutes", meeting_id=meeting.id) + f"#item-{item_id}")


def _json_drafts(data: Any) -> tuple[list[tuple[int, str, int]], list[int]] | None:
    """``{"items": [{"agenda_item_id", "text", "version"}], "discard": [ids]}``; None if
    it is not that shape."""
    if not isinstance(data, dict):
        return None
    rows, discard = data.get("items", []), data.get("discard", [])
    if not isinstance(rows, list) or not isinstance(discard, list) or len(rows) > 500:
        return None
    kept: list[tuple[int, str, int]] = []
    for row in rows:
        if not isinstance(row, dict):
            return None
        item_id, text, version = row.get("agenda_item_id"), row.get("text"), row.get("version")
        if not (
            isinstance(item_id, int)
            and isinstance(version, int)
            and isinstance(text, str)
            and not isinstance(item_id, bool)
            and not isinstance(version, bool)
            and 0 <= version <= MAX_ID
            and text_error(text, multiline=True) is None
        ):
            return None
        kept.append((item_id, text, version))
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in discard):
        return None
    return kept, discard


def _editable(meeting: Meeting) -> bool:
    agenda = queries.agenda_of(meeting)
    return agenda is None or not agenda.minutes_approved


@bp.post("/meetings/<int:meeting_id>/minutes/drafts")
@login_required
def keep_drafts(meeting_id: int):
    """Keep what is typed in the minutes and not saved (minutes.js, every 30 seconds): JSON
    ``{"items": [{"agenda_item_id", "text", "version"}], "discard": [item ids]}``."""
    meeting = _meeting(meeting_id, "edit_minutes")
    parsed = _json_drafts(request.get_json(silent=True))
    if parsed is None:
        return {"error": "invalid", "message": _("This is not a list of drafts.")}, 400
    if not _editable(meeting):
        message = _("These minutes are approved and can no longer be changed.")
        return {"error": "approved", "message": message}, 409
    rows, discard = parsed
    items = {i.id: i for i in queries.load_items(meeting.id)}
    kept = []
    with attempt() as tried:
        for item_id, text, version in rows:
            if item_id in items:
                ops.keep_draft(items[item_id], text, version=version, by=current_user)
                kept.append(item_id)
        for item_id in discard:
            if item_id in items:
                ops.discard_draft(items[item_id], current_user)
    if tried.refused is not None:
        return {"error": "refused", "message": str(tried.refused)}, 400
    return {"kept": kept, "discarded": [i for i in discard if i in items]}


@bp.post("/meetings/<int:meeting_id>/minutes/preview")
@login_required
def preview_minutes(meeting_id: int):
    """The minutes' Markdown as the app shows it (sanitised HTML), for the live preview:
    JSON ``{"text"}`` -> ``{"html"}``."""
    _meeting(meeting_id, "edit_minutes")
    data = request.get_json(silent=True)
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or len(text) > ops.MAX_MINUTES or text_error(text, multiline=True):
        return {"error": "invalid", "message": _("This is no text to preview.")}, 400
    return {"html": str(render_markdown(text))}


@bp.post("/meetings/<int:meeting_id>/minutes/send")
@login_required
def send_minutes(meeting_id: int):
    """Send the minutes for comments to the invitees."""
    meeting = _meeting(meeting_id, "edit_agenda")
    with attempt():
        ops.send_minutes_for_comment(meeting)
        flash(_("The minutes are sent for comments."), "success")
    return redirect(url_for("agendas.minutes", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/approve-previous")
@login_required
def approve_previous(meeting_id: int):
    """At this meeting's approval item: approve the previous meeting's minutes."""
    meeting = _meeting(meeting_id, "edit_agenda")
    found = queries.approvable_minutes(meeting)
    if found is None:
        abort(404)
    previous, _agenda = found
    with attempt():
        ops.approve_minutes(previous, in_meeting=meeting, by=current_user)
        flash(_("The minutes of %(title)s are approved.", title=previous.display_title), "success")
    return redirect(url_for("agendas.agenda", meeting_id=meeting_id))


@bp.get("/meetings/<int:meeting_id>/minutes/history")
def minutes_history(meeting_id: int):
    """Every saved version of the minutes."""
    meeting = _meeting(meeting_id, "view_minutes")
    return render_template(
        "agendas/history.html",
        meeting=meeting,
        view=queries.load_agenda(meeting),
        revisions=queries.revisions_of(meeting),
    )


# --- proposals ----------------------------------------------------------------------------------


@bp.route("/bodies/<int:body_id>/propose", methods=["GET", "POST"])
@login_required
def propose(body_id: int):
    """Propose an item for the body's next meeting."""
    body = get_or_404(current_user, Body, body_id, "propose")
    form = ProposalForm()
    if form.validate_on_submit():
        with attempt(form):
            ops.propose(
                body,
                proposer=current_user,
                title=given(form.title.data),
                description=form.description.data,
                kind=ItemKind(form.kind.data),
                planned_minutes=form.planned_minutes.data,
            )
            flash(
                _("Your proposal is sent to the secretary of %(name)s.", name=body.name), "success"
            )
            return redirect(url_for("agendas.my_proposals"))
    status = 400 if request.method == "POST" else 200
    return render_template("agendas/propose.html", body=body, form=form), status


@bp.get("/proposals/mine")
@login_required
def my_proposals():
    """What I proposed and what became of it."""
    return render_template(
        "agendas/my_proposals.html", proposals=queries.my_proposals(current_user)
    )


@bp.get("/bodies/<int:body_id>/proposals")
@login_required
def body_proposals(body_id: int):
    """Proposals to the body: accept (choose the meeting), defer or decline."""
    body = get_or_404(current_user, Body, body_id, "manage_agenda")
    return _proposals_page(body)


def _proposals_page(body: Body, decline_forms: dict | None = None, status: int = 200):
    meetings = queries.upcoming_meetings(body)
    accept_form = AcceptForm(formdata=None)
    accept_form.meeting_id.choices = select_choices(
        (m.id, f"{format_day_time(m.local_start)} {m.display_title}") for m in meetings
    )
    return render_template(
        "agendas/proposals.html",
        body=body,
        pending=queries.pending_proposals(body),
        handled=queries.handled_proposals(body),
        accept_form=accept_form,
        decline_forms=decline_forms or {},
        decline_form=DeclineForm(formdata=None),
        confirm_form=ConfirmForm(),
        backlog=queries.backlog_of([body.id]),
    ), status


@bp.post("/proposals/<int:proposal_id>/<any(accept, defer, decline):decision>")
@login_required
def decide(proposal_id: int, decision: str):
    """Accept, defer or decline a proposal."""
    proposal = get_or_404(current_user, Proposal, proposal_id, "decide")
    body = proposal.body
    with attempt():
        if decision == "accept":
            meeting = db.session.get(Meeting, request.form.get("meeting_id", type=int) or 0)
            if meeting is None:
                raise ops.AgendaError(_("Choose a meeting."), "meeting_id")
            ops.accept_proposal(proposal, meeting, by=current_user)
            message = _("The proposal is on the agenda of %(title)s.", title=meeting.display_title)
        elif decision == "defer":
            ops.defer_proposal(proposal, by=current_user)
            message = _("The proposal waits in the backlog; it is offered again next time.")
        else:
            form = DeclineForm()
            if not form.validate_on_submit():
                return _proposals_page(body, {proposal.id: form}, 400)
            ops.decline_proposal(proposal, given(form.reason.data), by=current_user)
            message = _("The proposal is declined.")
        flash(message, "success")
    return redirect(url_for("agendas.body_proposals", body_id=body.id))


# --- the body's template and settings -----------------------------------------------------------


@bp.get("/bodies/<int:body_id>/agenda-template")
@login_required
def template(body_id: int):
    """The body's standard opening items and its agenda settings."""
    body = get_or_404(current_user, Body, body_id, "manage_agenda")
    return _template_page(body)


def _template_page(body: Body, form=None, settings_form=None, status: int = 200):
    settings = queries.settings_of(body)
    if settings_form is None:
        settings_form = SettingsForm(formdata=None, reminder_days=settings.reminder_days)
    return render_template(
        "agendas/template.html",
        body=body,
        rows=queries.template_of(body),
        form=form or TemplateItemForm(formdata=None),
        settings_form=settings_form,
        confirm_form=ConfirmForm(),
    ), status


@bp.post("/bodies/<int:body_id>/agenda-template")
@login_required
def change_template(body_id: int):
    """Add, remove or move a standard item, or change the settings."""
    body = get_or_404(current_user, Body, body_id, "manage_agenda")
    action = request.form.get("action", "add")
    position = request.form.get("position", type=int) or 0
    with attempt():
        if action == "add":
            form = TemplateItemForm()
            if not form.validate_on_submit():
                return _template_page(body, form=form, status=400)
            ops.add_template_item(
                body,
                title=given(form.title.data),
                kind=ItemKind(form.kind.data),
                role=ItemRole.parse(form.role.data),
                planned_minutes=form.planned_minutes.data,
            )
        elif action == "remove":
            ops.remove_template_item(body, position)
        elif action in ("up", "down"):
            ops.move_template_item(body, position, -1 if action == "up" else 1)
        elif action == "settings":
            settings_form = SettingsForm()
            if not settings_form.validate_on_submit():
                return _template_page(body, settings_form=settings_form, status=400)
            ops.set_reminder_days(body, given(settings_form.reminder_days.data))
        flash(_("The agenda template is saved."), "success")
    return redirect(url_for("agendas.template", body_id=body.id))

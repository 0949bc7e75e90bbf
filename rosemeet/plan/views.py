"""Pages of the action plan: plans, the tree, an action, progress, yearly report, import,
names, and the public page of a published plan."""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from rosemeet.core.enums import select_choices
from rosemeet.core.forms import ConfirmForm, attempt, given
from rosemeet.core.permissions import can, require
from rosemeet.core.web import parse_id
from rosemeet.extensions import db
from rosemeet.network.models import Body, Organisation
from rosemeet.plan import exporter, queries
from rosemeet.plan import operations as ops
from rosemeet.plan.forms import (
    AliasForm,
    BodiesForm,
    ConfirmImportForm,
    ContinuationForm,
    IndicatorYearForm,
    PlanStatusForm,
    PublishForm,
    RenamePlanForm,
    ThemeBodyForm,
    ThemesForm,
    UploadForm,
    YearsForm,
)
from rosemeet.plan.importer import MAX_BYTES, parse
from rosemeet.plan.models import (
    IndicatorYear,
    PartyRole,
    Plan,
    PlanAction,
    PlanIndicator,
    PlanStatus,
    PlanTheme,
    PlanThemeLink,
    YearStatus,
)

logger = logging.getLogger(__name__)

bp = Blueprint("plan", __name__, url_prefix="/plan")

#: uploads waiting for confirmation are dropped after this many seconds
UPLOAD_TTL = 24 * 3600


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


def _require_importer() -> None:
    """Importing the plan file and mapping names is for the admin, the regisseur."""
    require(current_user, "import", PlanAction)


def _chosen_plan(plans: list[Plan] | None = None, default: Plan | None = None) -> Plan | None:
    """The plan of ``?plan=<id>`` (404 when it names none), else ``default``, else the first
    of ``plans`` (the current plan, else the newest); None when there is no plan at all."""
    if "plan" in request.args:
        plan_id = _int_arg("plan")
        plan = queries.get_plan(plan_id) if plan_id is not None else None
        if plan is None:
            abort(404)
        return plan
    if default is not None:
        return default
    return next(iter(queries.plans() if plans is None else plans), None)


@bp.get("")
@login_required
def index():
    """The plan as a tree (line, objective, action), with filters and the plan switcher."""
    require(current_user, "view", PlanAction)
    theme_id = _int_arg("theme")
    theme = db.session.get(PlanTheme, theme_id) if theme_id is not None else None
    every_plan = queries.plans()
    plan = _chosen_plan(every_plan, theme.plan if theme is not None else None)
    if plan is None:
        return render_template("plan/index.html", plan=None, plans=[], plan_action_class=PlanAction)
    tree = queries.load_plan(plan)
    year = _int_arg("year")
    filters = queries.Filters(
        trekker=request.args.get("trekker", ""),
        partner=request.args.get("partner", ""),
        body_id=_int_arg("body"),
        year=year if year in plan.years else None,
        status=YearStatus.parse(request.args.get("status")),
    )
    lines = tree.lines
    shown = len(tree.actions)
    if filters.active or theme is not None:
        keep = {a.id for a in tree.actions if filters.matches(a)}
        if theme is not None:
            keep &= {a.id for a in queries.actions_for_theme(theme)}
        lines = [node for node in (line.pruned(keep) for line in tree.lines) if node]
        shown = len(keep)
    return render_template(
        "plan/index.html",
        plan=plan,
        plans=every_plan,
        tree=tree,
        lines=lines,
        shown=shown,
        filters=filters,
        theme=theme,
        statuses=list(YearStatus),
        trekkers=tree.names(PartyRole.TREKKER),
        partners=tree.names(PartyRole.PARTNER),
        bodies=tree.bodies(),
        theme_body_form=_theme_body_form()
        if tree.themes and can(current_user, "edit", plan)
        else None,
        unlink_form=ConfirmForm(),
        PartyRole=PartyRole,
        plan_action_class=PlanAction,
        not_planned=YearStatus.NOT_PLANNED,
    )


# --- plans (list, rename, status, publish, delete) ---------------------------------------------


def _plans_page(forms: dict[int, dict] | None = None, status: int = 200):
    """The list of plans; the regisseur gets a form set per plan (``forms`` keeps typed ones)."""
    plans = queries.plans()
    editable = can(current_user, "edit", Plan)
    sets = {}
    if editable:
        for plan in plans:
            given = (forms or {}).get(plan.id, {})
            sets[plan.id] = {
                "rename": given.get("rename") or _rename_form(plan, formdata=None),
                "status": given.get("status") or _status_form(plan, formdata=None),
            }
    return render_template(
        "plan/plans.html",
        plans=plans,
        forms=sets,
        confirm_form=ConfirmForm(),
        publish_form=PublishForm(),
    ), status


def _rename_form(plan: Plan, **kwargs) -> RenamePlanForm:
    form = RenamePlanForm(prefix=f"p{plan.id}", **kwargs)
    if not kwargs.get("formdata", True):
        form.name.data = plan.name
    return form


def _status_form(plan: Plan, **kwargs) -> PlanStatusForm:
    form = PlanStatusForm(prefix=f"p{plan.id}", **kwargs)
    form.status.choices = PlanStatus.choices()
    if not kwargs.get("formdata", True):
        form.status.data = plan.status.value
    return form


def _editable_plan(plan_id: int) -> Plan:
    """The plan to manage: 403 for who may not edit plans, 404 when there is none."""
    require(current_user, "edit", Plan)
    plan = queries.get_plan(plan_id)
    if plan is None:
        abort(404)
    return plan


@bp.get("/plans")
@login_required
def plans():
    """Every plan with its span and status; the regisseur renames, closes, publishes."""
    require(current_user, "view", PlanAction)
    return _plans_page()


@bp.post("/plans/<int:plan_id>/name")
@login_required
def rename(plan_id: int):
    """Rename a plan."""
    plan = _editable_plan(plan_id)
    form = _rename_form(plan)
    if form.validate_on_submit():
        with attempt(form, "name") as tried:
            ops.rename_plan(plan, given(form.name.data).strip())
        if tried.refused is None:
            flash(_("The plan is now called %(name)s.", name=plan.name), "success")
            return redirect(url_for("plan.plans"))
    return _plans_page({plan.id: {"rename": form}}, status=400)


@bp.post("/plans/<int:plan_id>/status")
@login_required
def set_status(plan_id: int):
    """Make a plan the current one, close it, or put it back to draft."""
    plan = _editable_plan(plan_id)
    form = _status_form(plan)
    if form.validate_on_submit():
        with attempt(form, "status") as tried:
            ops.set_plan_status(plan, PlanStatus(form.status.data))
        if tried.refused is None:
            flash(
                _("%(name)s is now: %(status)s.", name=plan.name, status=plan.status.label),
                "success",
            )
            return redirect(url_for("plan.plans"))
    return _plans_page({plan.id: {"status": form}}, status=400)


@bp.post("/plans/<int:plan_id>/published")
@login_required
def publish(plan_id: int):
    """Publish a plan's progress for anonymous visitors, or take it back."""
    plan = _editable_plan(plan_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt(form):
        ops.set_published(plan, form.published.data == "1")
        if plan.published:
            flash(_("%(name)s is public now.", name=plan.name), "success")
        else:
            flash(_("%(name)s is no longer public.", name=plan.name), "success")
    return redirect(url_for("plan.plans"))


@bp.post("/plans/<int:plan_id>/delete")
@login_required
def delete(plan_id: int):
    """Delete a plan without history (refused otherwise: the message offers closing)."""
    plan = _editable_plan(plan_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    name = plan.name
    with attempt(form):
        ops.delete_plan(plan)
        flash(_("%(name)s is deleted.", name=name), "success")
    return redirect(url_for("plan.plans"))


# --- one action ------------------------------------------------------------------------------


def _years_form(action: PlanAction, **kwargs) -> YearsForm:
    form = YearsForm.for_years(action.plan.years)(**kwargs)
    if not kwargs.get("formdata", True):
        for year in action.plan.years:
            status_name, note_name = YearsForm.field_names(year)
            entry = action.year(year)
            form[status_name].data = action.status(year).value
            form[note_name].data = entry.note if entry else ""
    return form


def _checkbox_form(form_class, field: str, choices, chosen, **kwargs):
    """A form of checkboxes holding ids, preset to ``chosen`` unless posted."""
    form = form_class(**kwargs)
    form[field].choices = select_choices(choices)
    if not kwargs.get("formdata", True):
        form[field].data = [item.id for item in chosen]
    return form


def _themes_form(action: PlanAction, **kwargs) -> ThemesForm:
    themes = queries.plan_themes(action.plan)
    return _checkbox_form(
        ThemesForm, "theme_ids", ((t.id, t.title) for t in themes), action.themes, **kwargs
    )


def _bodies_form(action: PlanAction, **kwargs) -> BodiesForm:
    bodies = db.session.execute(select(Body.id, Body.name).order_by(Body.name)).all()
    return _checkbox_form(BodiesForm, "body_ids", bodies, action.bodies, **kwargs)


def _indicator_form(indicator: PlanIndicator, plan: Plan, **kwargs) -> IndicatorYearForm:
    form = IndicatorYearForm(prefix=f"i{indicator.id}", **kwargs)
    form.year.choices = select_choices((year, str(year)) for year in plan.years)
    form.status.choices = [*select_choices([("", _("no status"))]), *YearStatus.choices()]
    return form


def _splittable(text: str | None) -> bool:
    """Does an indicator's text hold several statements (a list or " - a - b")?"""
    text = text or ""
    listed = sum(len(content) for kind, content in plan_blocks(text) if kind == "ul")
    return listed >= 2 or text.count(" - ") >= 2 or text.count("<li") >= 2


def _action_page(action: PlanAction, status: int = 200, **forms):
    """The action page; ``forms`` holds a posted form to show again with its errors."""
    plan = action.plan
    if "years_form" not in forms and can(current_user, "edit_years", action):
        forms["years_form"] = _years_form(action, formdata=None)
    if can(current_user, "edit_years", action):
        indicator_forms = {i.id: _indicator_form(i, plan, formdata=None) for i in action.indicators}
        indicator_forms.update(forms.pop("indicator_forms", {}))
    else:
        indicator_forms = {}
    admin = can(current_user, "edit", plan)
    if admin:
        forms.setdefault("themes_form", _themes_form(action, formdata=None))
        forms.setdefault("bodies_form", _bodies_form(action, formdata=None))
    earlier = action.continues
    suggestions = (
        [previous for new, previous in queries.suggested_continuations(plan) if new.id == action.id]
        if earlier is None
        else []
    )
    held = (
        {year: queries.held_meetings(action, year) for year in plan.years} if action.bodies else {}
    )
    earlier_held = (
        {year: queries.held_meetings(earlier, year) for year in earlier.plan.years}
        if earlier is not None and earlier.bodies
        else {}
    )
    return render_template(
        "plan/action.html",
        action=action,
        plan=plan,
        path=queries.heading_path(action.heading),
        earlier=earlier,
        suggestions=suggestions,
        held=held,
        earlier_held=earlier_held,
        indicator_forms=indicator_forms,
        splittable={i.id: _splittable(i.text) for i in action.indicators},
        admin=admin,
        confirm_form=ConfirmForm(),
        continuation_form=ContinuationForm(),
        PartyRole=PartyRole,
        years_form=forms.get("years_form"),
        themes_form=forms.get("themes_form"),
        bodies_form=forms.get("bodies_form"),
    ), status


def _load_action(action_id: int, permission: str = "view") -> PlanAction:
    action = queries.load_action(action_id)
    if action is None:
        abort(404)
    if not can(current_user, permission, action):
        abort(404 if not can(current_user, "view", action) else 403)
    return action


@bp.get("/actions/<int:action_id>")
@login_required
def action(action_id: int):
    """An action: text, indicators with their years, bodies, themes, continuity, year grid."""
    return _action_page(_load_action(action_id))


def _back_to(action: PlanAction, anchor: str):
    return redirect(url_for("plan.action", action_id=action.id) + "#" + anchor)


@bp.post("/actions/<int:action_id>/years")
@login_required
def save_years(action_id: int):
    """Save the status and note of each year of the plan (admin, trekker secretaries)."""
    item = _load_action(action_id, "edit_years")
    form = _years_form(item)
    if form.validate_on_submit():
        entries = {}
        for year in item.plan.years:
            status_name, note_name = YearsForm.field_names(year)
            entries[year] = (YearStatus(form[status_name].data), form[note_name].data or "")
        with attempt(form) as tried:
            changed = ops.set_years(item, entries, current_user)
        if tried.refused is None:
            if changed:
                flash(
                    _("Saved: %(years)s.", years=", ".join(str(y) for y in changed)),
                    "success",
                )
            else:
                flash(_("Nothing changed."), "info")
            return _back_to(item, "years")
    return _action_page(item, years_form=form, status=400)


def _save_checked(item: PlanAction, form, query, save, message: str, anchor: str):
    """Save the items checked on a link form (themes, bodies) among those ``query`` allows,
    or show the form again; ``anchor`` names the section and the form (``<anchor>_form``)."""
    field = next(name for name in form.data if name.endswith("_ids"))
    model = query.column_descriptions[0]["entity"]
    if form.validate_on_submit():
        chosen = db.session.scalars(query.where(model.id.in_(form[field].data or []))).all()
        with attempt(form, field) as tried:
            save(item, list(chosen))
        if tried.refused is None:
            flash(message, "success")
            return _back_to(item, anchor)
    return _action_page(item, status=400, **{f"{anchor}_form": form})


@bp.post("/actions/<int:action_id>/themes")
@login_required
def save_themes(action_id: int):
    """Link the action to transversal themes of its plan (admin)."""
    item = _load_action(action_id, "edit_themes")
    query = select(PlanTheme).where(PlanTheme.plan_id == item.plan_id)
    return _save_checked(
        item,
        _themes_form(item),
        query,
        ops.set_themes,
        _("The themes are saved."),
        "themes",
    )


@bp.post("/actions/<int:action_id>/bodies")
@login_required
def save_bodies(action_id: int):
    """The bodies that carry the action out (admin); their meetings are counted per year."""
    item = _load_action(action_id)
    require(current_user, "edit", item.plan)
    return _save_checked(
        item,
        _bodies_form(item),
        select(Body),
        ops.set_action_bodies,
        _("The bodies are saved."),
        "bodies",
    )


@bp.post("/actions/<int:action_id>/continuation")
@login_required
def save_continuation(action_id: int):
    """Confirm that the action continues one of an earlier plan, or undo it (admin)."""
    item = _load_action(action_id)
    require(current_user, "edit", item.plan)
    form = ContinuationForm()
    if not form.validate_on_submit():
        abort(400)
    previous_id = parse_id(form.previous_id.data)
    previous = queries.load_action(previous_id) if previous_id is not None else None
    if form.previous_id.data and previous is None:
        abort(404)
    with attempt(form):
        ops.set_continuation(item, previous)
        if previous is None:
            flash(_("The action no longer continues an earlier one."), "success")
        else:
            flash(
                _(
                    "Confirmed: this action continues %(title)s (%(plan)s).",
                    title=previous.title,
                    plan=previous.plan.name,
                ),
                "success",
            )
    return _back_to(item, "continuity")


def _load_indicator(indicator_id: int, permission: str) -> tuple[PlanIndicator, PlanAction]:
    indicator = db.session.get(PlanIndicator, indicator_id)
    if indicator is None:
        abort(404)
    return indicator, _load_action(indicator.action_id, permission)


@bp.post("/indicators/<int:indicator_id>/years")
@login_required
def save_indicator_year(indicator_id: int):
    """Record one year of an indicator: target, measured value and status."""
    indicator, item = _load_indicator(indicator_id, "edit_years")
    form = _indicator_form(indicator, item.plan)
    if form.validate_on_submit():
        with attempt(form, "value") as tried:
            ops.set_indicator_year(
                indicator,
                form.year.data,
                target=(form.target.data or "").strip(),
                value=(form.value.data or "").strip(),
                status=YearStatus.parse(form.status.data),
                person=current_user,
            )
        if tried.refused is None:
            flash(_("Saved: the indicator in %(year)s.", year=form.year.data), "success")
            return _back_to(item, f"indicator-{indicator.id}")
    return _action_page(item, indicator_forms={indicator.id: form}, status=400)


@bp.post("/indicators/<int:indicator_id>/split")
@login_required
def split(indicator_id: int):
    """Split an indicator holding several statements into one indicator each (admin)."""
    indicator, item = _load_indicator(indicator_id, "view")
    require(current_user, "edit", item.plan)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt(form):
        parts = ops.split_indicator(indicator)
        flash(_("The indicator is split into %(count)s indicators.", count=len(parts)), "success")
    return _back_to(item, "indicators")


# --- themes linked to bodies (admin) -----------------------------------------------------------


def _theme_body_form(**kwargs) -> ThemeBodyForm:
    form = ThemeBodyForm(**kwargs)
    bodies = db.session.execute(select(Body.id, Body.name).order_by(Body.name)).all()
    form.body_id.choices = select_choices([(0, _("Choose…")), *bodies])
    return form


@bp.post("/themes/<int:theme_id>/bodies")
@login_required
def link_theme_body(theme_id: int):
    """Link a transversal theme to a body (RASE for sustainability)."""
    theme = db.session.get(PlanTheme, theme_id)
    if theme is None:
        abort(404)
    require(current_user, "edit", theme.plan)
    form = _theme_body_form()
    body = db.session.get(Body, form.body_id.data) if form.validate_on_submit() else None
    if body is None:
        flash(_("Choose a body."), "error")
    else:
        with attempt(form):
            ops.link_theme(theme, body=body)
            flash(_("%(theme)s is linked to %(body)s.", theme=theme.title, body=body.name))
    return redirect(url_for("plan.index", plan=theme.plan_id) + "#themes-h")


@bp.post("/theme-links/<int:link_id>/delete")
@login_required
def unlink_theme(link_id: int):
    """Remove a link of a theme made in the app."""
    link = db.session.get(PlanThemeLink, link_id)
    if link is None:
        abort(404)
    require(current_user, "edit", link.theme.plan)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    plan_id = link.theme.plan_id
    with attempt(form):
        ops.unlink_theme(link)
        flash(_("The link is removed."), "success")
    return redirect(url_for("plan.index", plan=plan_id) + "#themes-h")


# --- overviews -------------------------------------------------------------------------------


def _cells(counts: dict[int, Counter], plan: Plan) -> dict[YearStatus, int]:
    """How many action-years have each status, over the plan's years."""
    return {status: sum(counts[year][status] for year in plan.years) for status in YearStatus}


@bp.get("/progress")
@login_required
def progress():
    """A matrix of actions by year of the plan, by status, with counts per line."""
    require(current_user, "view", PlanAction)
    plan = _chosen_plan()
    if plan is None:
        abort(404)
    tree = queries.load_plan(plan)
    summary = []
    for line in tree.lines:
        actions = list(line.all_actions())
        summary.append((line.heading, len(actions), _cells(tree.status_counts(actions), plan)))
    per_year = tree.status_counts(tree.actions)
    return render_template(
        "plan/progress.html",
        plan=plan,
        tree=tree,
        summary=summary,
        total=_cells(per_year, plan),
        per_year=per_year,
        statuses=list(YearStatus),
        done=YearStatus.DONE,
    )


def _indicator_values(tree, year: int) -> dict[int, IndicatorYear]:
    """Indicator id -> its entry for the year."""
    values = {}
    for action in tree.actions:
        for indicator in action.indicators:
            entry = indicator.value_of(year)
            if entry is not None:
                values[indicator.id] = entry
    return values


@bp.get("/report/<int:year>")
@login_required
def report(year: int):
    """What was planned and what happened per action in one year, printable: the plan whose
    span holds the year (the current one first)."""
    require(current_user, "view", PlanAction)
    plan = queries.plan_for_year(year)
    if plan is None:
        abort(404)
    tree = queries.load_plan(plan)
    return render_template(
        "plan/report.html",
        plan=plan,
        tree=tree,
        year=year,
        counts=tree.status_counts(tree.actions)[year],
        values=_indicator_values(tree, year),
        held={a.id: queries.held_meetings(a, year) for a in tree.actions if a.bodies},
        statuses=list(YearStatus),
        PartyRole=PartyRole,
    )


@bp.get("/export.<any(csv, xlsx, json):fmt>")
@login_required
def export(fmt: str):
    """The plan (``?plan=<id>``, default the current one) as CSV, XLSX or JSON."""
    require(current_user, "view", PlanAction)
    plan = _chosen_plan()
    if plan is None:
        abort(404)
    tree = queries.load_plan(plan)
    filename = f"actieplan-{plan.span}.{fmt}"
    if fmt == "json":
        response = jsonify(exporter.plan_json(tree))
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if fmt == "csv":
        body, mimetype = exporter.plan_csv(tree).encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        body = exporter.plan_xlsx(tree)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<int:plan_id>/public")
def public(plan_id: int):
    """A published plan for anonymous visitors: its tree and year matrix, without notes."""
    plan = queries.get_plan(plan_id)
    if plan is None or not can(current_user, "view", plan):
        abort(404)
    tree = queries.load_plan(plan)
    return render_template("plan/public.html", plan=plan, tree=tree)


# --- import (admin) ----------------------------------------------------------------------------


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "plan-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store_upload(data: bytes) -> str:
    """Keep the uploaded bytes until the admin confirms; drop stale uploads."""
    folder = _upload_dir()
    now = time.time()
    for old in folder.glob("*.tsv"):
        try:
            if now - old.stat().st_mtime > UPLOAD_TTL:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # another request removed it just now
            continue
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.tsv").write_bytes(data)
    return token


def _read_upload(token: str) -> bytes | None:
    path = _upload_dir() / f"{token}.tsv"
    return path.read_bytes() if path.is_file() else None


def _preview(result, confirm_form: ConfirmImportForm, filename: str, status: int = 200):
    """What the import would do: which plan it updates or creates, conflicts, warnings."""
    report = ops.apply_import(result, dry_run=True)
    if report.creates_plan and not confirm_form.name.data:
        confirm_form.name.data = report.plan_name
    return render_template(
        "plan/import_preview.html",
        report=report,
        result=result,
        confirm_form=confirm_form,
        filename=filename,
    ), status


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Upload the plan file and see what the import would change."""
    _require_importer()
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.stream.read(MAX_BYTES + 1)
        result = parse(data, queries.known_names())
        if not result.ok:
            form.file.errors = [*form.file.errors, *(str(e) for e in result.errors)]
        else:
            confirm = ConfirmImportForm(formdata=None, upload=_store_upload(data))
            return _preview(result, confirm, form.file.data.filename or "")
    status = 400 if form.errors else 200
    return render_template("plan/import.html", form=form), status


@bp.post("/import/confirm")
@login_required
def confirm_import():
    """Import the file shown in the preview (into a new plan named as typed, if it makes one)."""
    _require_importer()
    form = ConfirmImportForm()
    valid = form.validate_on_submit()
    data = _read_upload(form.upload.data) if not form.upload.errors and form.upload.data else None
    if data is None:
        flash(_("The uploaded file is no longer available. Upload it again."), "error")
        return redirect(url_for("plan.upload"))
    result = parse(data, queries.known_names())
    if not result.ok:  # the names known may have changed since the preview
        (_upload_dir() / f"{form.upload.data}.tsv").unlink(missing_ok=True)
        flash(str(result.errors[0]), "error")
        return redirect(url_for("plan.upload"))
    if not valid:
        return _preview(result, form, "", status=400)
    with attempt(form, "name") as tried:
        report = ops.apply_import(result, plan_name=(form.name.data or "").strip() or None)
    if tried.refused is not None:
        return _preview(result, form, "", status=400)
    (_upload_dir() / f"{form.upload.data}.tsv").unlink(missing_ok=True)  # used once
    flash(_("The plan is imported: %(summary)s", summary=report.summary()), "success")
    if report.unresolved:
        return redirect(url_for("plan.names"))
    return redirect(url_for("plan.index", plan=report.plan.id if report.plan else None))


# --- names (admin) ---------------------------------------------------------------------------


def _target_choices() -> dict[str, list[tuple[str, str]]]:
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    bodies = db.session.execute(select(Body.id, Body.name).order_by(Body.name))
    return {
        _("Organisations"): [(f"organisation-{i}", name) for i, name in organisations],
        _("Bodies"): [(f"body-{i}", name) for i, name in bodies],
    }


def _target(value: str) -> Organisation | Body | None:
    kind, _sep, ident = (value or "").partition("-")
    number = parse_id(ident)
    if number is None:
        return None
    if kind == "organisation":
        return db.session.get(Organisation, number)
    return db.session.get(Body, number) if kind == "body" else None


@bp.route("/names", methods=["GET", "POST"])
@login_required
def names():
    """Trekkers and partners the import could not resolve; map each to an alias once."""
    _require_importer()
    form = AliasForm()
    form.target.choices = {"": [("", _("Choose…"))], **_target_choices()}
    if request.method == "GET" and request.args.get("name"):
        form.name.data = request.args["name"]
    if form.validate_on_submit():
        target = _target(form.target.data)
        if target is None:
            form.target.errors = [_("Choose an organisation or a body.")]
        else:
            with attempt(form, "target"):
                resolved = ops.map_name(given(form.name.data), target)
                flash(
                    _(
                        '"%(name)s" now stands for %(target)s (%(count)s mentions resolved).',
                        name=form.name.data,
                        target=target.name,
                        count=resolved,
                    ),
                    "success",
                )
                return redirect(url_for("plan.names"))
    return render_template(
        "plan/names.html",
        form=form,
        unresolved=queries.unresolved_names(),
        PartyRole=PartyRole,
    ), (400 if form.errors else 200)


@bp.app_template_filter("plan_blocks")
def plan_blocks(text: str | None) -> list[tuple[str, str | list[str]]]:
    """Markdown-ish plan text as ("p", line) and ("ul", items) blocks for the templates."""
    blocks: list[tuple[str, str | list[str]]] = []
    for paragraph in (text or "").split("\n\n"):
        items: list[str] = []
        for line in paragraph.splitlines():
            if line.startswith("- "):
                items.append(line[2:])
                continue
            if items:
                blocks.append(("ul", items))
                items = []
            if line.strip():
                blocks.append(("p", line))
        if items:
            blocks.append(("ul", items))
    return blocks


@bp.app_template_filter("plan_value")
def plan_value(entry: IndicatorYear) -> str:
    """An indicator's measured value: a number in the reader's notation, else as written."""
    if entry.value_number is not None:
        return format_decimal(entry.value_number)
    return entry.value or ""

"""Pages of the action plan: the tree, an action, progress, yearly report, import, names."""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from rosemeet.core.enums import select_choices
from rosemeet.core.forms import attempt
from rosemeet.core.permissions import can, require
from rosemeet.core.web import parse_id
from rosemeet.extensions import db
from rosemeet.network.models import Body, Organisation
from rosemeet.plan import exporter, queries
from rosemeet.plan import operations as ops
from rosemeet.plan.forms import AliasForm, ConfirmImportForm, ThemesForm, UploadForm, YearsForm
from rosemeet.plan.importer import MAX_BYTES, parse
from rosemeet.plan.models import YEARS, PartyRole, PlanAction, PlanTheme, YearStatus

logger = logging.getLogger(__name__)

bp = Blueprint("plan", __name__, url_prefix="/plan")

#: uploads waiting for confirmation are dropped after this many seconds
UPLOAD_TTL = 24 * 3600


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


@bp.get("")
@login_required
def index():
    """The plan as a tree (line, objective, action), with filters."""
    require(current_user, "view", PlanAction)
    plan = queries.load_plan()
    year = _int_arg("year")
    filters = queries.Filters(
        trekker=request.args.get("trekker", ""),
        partner=request.args.get("partner", ""),
        body_id=_int_arg("body"),
        theme_id=_int_arg("theme"),
        year=year if year in YEARS else None,
        status=YearStatus.parse(request.args.get("status")),
    )
    lines = plan.lines
    shown = len(plan.actions)
    if filters.active:
        keep = {a.id for a in plan.actions if filters.matches(a)}
        lines = [node for node in (line.pruned(keep) for line in plan.lines) if node]
        shown = len(keep)
    return render_template(
        "plan/index.html",
        plan=plan,
        lines=lines,
        shown=shown,
        filters=filters,
        years=YEARS,
        statuses=list(YearStatus),
        trekkers=plan.names(PartyRole.TREKKER),
        partners=plan.names(PartyRole.PARTNER),
        bodies=plan.bodies(),
        PartyRole=PartyRole,
        plan_action_class=PlanAction,
        not_planned=YearStatus.NOT_PLANNED,
    )


# --- one action ------------------------------------------------------------------------------


def _years_form(action: PlanAction, **kwargs) -> YearsForm:
    form = YearsForm(**kwargs)
    if request.method == "GET" or not kwargs.get("formdata", True):
        for year in YEARS:
            status_name, note_name = YearsForm.field_names(year)
            entry = action.year(year)
            form[status_name].data = action.status(year).value
            form[note_name].data = entry.note if entry else ""
    return form


def _themes_form(action: PlanAction, **kwargs) -> ThemesForm:
    form = ThemesForm(**kwargs)
    form.theme_ids.choices = select_choices((t.id, t.title) for t in queries.themes())
    if request.method == "GET" or not kwargs.get("formdata", True):
        form.theme_ids.data = [t.id for t in action.themes]
    return form


def _action_page(action: PlanAction, years_form=None, themes_form=None, status: int = 200):
    if years_form is None and can(current_user, "edit_years", action):
        years_form = _years_form(action, formdata=None)
    if themes_form is None and can(current_user, "edit_themes", action):
        themes_form = _themes_form(action, formdata=None)
    return render_template(
        "plan/action.html",
        action=action,
        path=queries.heading_path(action.heading),
        years=YEARS,
        years_form=years_form,
        themes_form=themes_form,
        PartyRole=PartyRole,
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
    """An action: text, indicators with trekkers and partners, themes and the year grid."""
    return _action_page(_load_action(action_id))


@bp.post("/actions/<int:action_id>/years")
@login_required
def save_years(action_id: int):
    """Save the status and note of each year (admin, secretaries of a trekker body)."""
    item = _load_action(action_id, "edit_years")
    form = _years_form(item)
    if form.validate_on_submit():
        entries = {}
        for year in YEARS:
            status_name, note_name = YearsForm.field_names(year)
            entries[year] = (YearStatus(form[status_name].data), form[note_name].data or "")
        changed = ops.set_years(item, entries, current_user)
        if changed:
            flash(
                _("Saved: %(years)s.", years=", ".join(str(y) for y in changed)),
                "success",
            )
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("plan.action", action_id=action_id) + "#years")
    return _action_page(item, years_form=form, status=400)


@bp.post("/actions/<int:action_id>/themes")
@login_required
def save_themes(action_id: int):
    """Link the action to transversal themes (admin)."""
    item = _load_action(action_id, "edit_themes")
    form = _themes_form(item)
    if form.validate_on_submit():
        chosen = db.session.scalars(
            select(PlanTheme).where(PlanTheme.id.in_(form.theme_ids.data or []))
        ).all()
        ops.set_themes(item, list(chosen))
        flash(_("The themes are saved."), "success")
        return redirect(url_for("plan.action", action_id=action_id) + "#themes")
    return _action_page(item, themes_form=form, status=400)


# --- overviews -------------------------------------------------------------------------------


@bp.get("/progress")
@login_required
def progress():
    """A matrix of actions by year, coloured and labelled by status, with counts per line."""
    require(current_user, "view", PlanAction)
    plan = queries.load_plan()
    summary = []
    for line in plan.lines:
        actions = list(line.all_actions())
        summary.append((line.heading, len(actions), _cells(plan, actions)))
    return render_template(
        "plan/progress.html",
        plan=plan,
        summary=summary,
        total=_cells(plan, plan.actions),
        per_year=plan.status_counts(plan.actions),
        years=YEARS,
        statuses=list(YearStatus),
    )


def _cells(plan, actions) -> dict[YearStatus, int]:
    """How many action-years of these actions have each status."""
    counts = plan.status_counts(actions)
    return {status: sum(counts[year][status] for year in YEARS) for status in YearStatus}


@bp.get("/report/<int:year>")
@login_required
def report(year: int):
    """What was planned and what happened per action in one year, printable."""
    require(current_user, "view", PlanAction)
    if year not in YEARS:
        abort(404)
    plan = queries.load_plan()
    return render_template(
        "plan/report.html",
        plan=plan,
        year=year,
        years=YEARS,
        counts=plan.status_counts(plan.actions)[year],
        statuses=list(YearStatus),
        PartyRole=PartyRole,
    )


@bp.get("/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    """The plan with its year columns as CSV or XLSX."""
    require(current_user, "view", PlanAction)
    plan = queries.load_plan()
    if fmt == "csv":
        body, mimetype = exporter.plan_csv(plan).encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        body = exporter.plan_xlsx(plan)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="actieplan.{fmt}"'},
    )


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


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Upload the plan file and see what the import would change."""
    require(current_user, "import", PlanAction)
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.stream.read(MAX_BYTES + 1)
        result = parse(data, queries.known_names())
        if not result.ok:
            form.file.errors = [*form.file.errors, *(str(e) for e in result.errors)]
        else:
            report = ops.apply_import(result, dry_run=True)
            return render_template(
                "plan/import_preview.html",
                report=report,
                result=result,
                confirm_form=ConfirmImportForm(upload=_store_upload(data)),
                filename=form.file.data.filename,
            )
    status = 400 if form.errors else 200
    return render_template("plan/import.html", form=form), status


@bp.post("/import/confirm")
@login_required
def confirm_import():
    """Import the file shown in the preview."""
    require(current_user, "import", PlanAction)
    form = ConfirmImportForm()
    data = _read_upload(form.upload.data) if form.validate_on_submit() else None
    if data is None:
        flash(_("The uploaded file is no longer available. Upload it again."), "error")
        return redirect(url_for("plan.upload"))
    (_upload_dir() / f"{form.upload.data}.tsv").unlink(missing_ok=True)  # used once, either way
    result = parse(data, queries.known_names())
    if not result.ok:  # the names known may have changed since the preview
        flash(str(result.errors[0]), "error")
        return redirect(url_for("plan.upload"))
    report = ops.apply_import(result)
    flash(_("The plan is imported: %(summary)s", summary=report.summary()), "success")
    if report.unresolved:
        return redirect(url_for("plan.names"))
    return redirect(url_for("plan.index"))


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
    model = {"organisation": Organisation, "body": Body}.get(kind)
    number = parse_id(ident)
    return db.session.get(model, number) if model and number is not None else None


@bp.route("/names", methods=["GET", "POST"])
@login_required
def names():
    """Trekkers and partners the import could not resolve; map each to an alias once."""
    require(current_user, "import", PlanAction)
    form = AliasForm()
    form.target.choices = {"": [("", _("Choose…"))], **_target_choices()}
    if request.method == "GET" and request.args.get("name"):
        form.name.data = request.args["name"]
    if form.validate_on_submit():
        target = _target(form.target.data)
        if target is None:
            form.target.errors.append(_("Choose an organisation or a body."))
        else:
            with attempt(form, "target"):
                resolved = ops.map_name(form.name.data, target)
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

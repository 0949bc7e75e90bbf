"""Pages for the network: home, organisations, bodies, members and relations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rosemeet.accounts import operations as accounts
from rosemeet.accounts.models import Person
from rosemeet.core.enums import select_choices
from rosemeet.core.forms import ConfirmForm, attempt, given
from rosemeet.core.pagination import paginate, requested_page
from rosemeet.core.permissions import can, get_or_404, require
from rosemeet.extensions import db
from rosemeet.network import operations as ops
from rosemeet.network import queries
from rosemeet.network.forms import (
    BodyForm,
    MembershipForm,
    OrganisationForm,
    PersonForm,
    RelationForm,
    lines,
)
from rosemeet.network.models import (
    Body,
    BodyKind,
    BodyRelation,
    Membership,
    Organisation,
    OrganisationKind,
    RelationKind,
    Role,
)

bp = Blueprint("network", __name__)


@bp.app_context_processor
def network_helpers() -> dict:
    """Functions every template may call: the flag of a body past its planned end."""
    return {"past_planned_end": queries.past_planned_end}


@bp.get("/")
def home():
    """Start page: my bodies (or the public bodies for visitors)."""
    bodies = queries.visible_bodies(current_user)
    return render_template("network/home.html", bodies=bodies)


# --- organisations ---------------------------------------------------------------------------


@bp.get("/organisations")
@login_required
def organisations():
    """All organisations of the network."""
    require(current_user, "view", Organisation)
    page = paginate(queries.organisations(), *requested_page())
    return render_template(
        "network/organisations.html",
        organisations=page.items,
        page=page,
        organisation_class=Organisation,
    )


@bp.get("/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    """One organisation with its people and aliases."""
    org = get_or_404(current_user, Organisation, organisation_id)
    return render_template("network/organisation.html", organisation=org)


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int | None = None):
    """Add or edit an organisation (admin)."""
    org = (
        get_or_404(current_user, Organisation, organisation_id, "edit") if organisation_id else None
    )
    if org is None:
        require(current_user, "create", Organisation)
    form = OrganisationForm(obj=org)
    if org is not None and "aliases" not in request.form:  # a form without them keeps them
        form.aliases.data = "\n".join(a.text for a in org.aliases)
    if form.validate_on_submit():
        with attempt(form):
            saved = ops.save_organisation(
                org,
                name=given(form.name.data),
                kind=OrganisationKind(form.kind.data),
                abbreviation=form.abbreviation.data,
                email=form.email.data,
                phone=form.phone.data,
                website=form.website.data,
                address=form.address.data,
                aliases=lines(form.aliases.data),
            )
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("network.organisation", organisation_id=saved.id))
    return render_template("network/organisation_form.html", form=form, organisation=org)


# --- bodies ----------------------------------------------------------------------------------


@bp.get("/bodies")
def bodies():
    """The bodies this visitor may see; archived ones on request."""
    archived = request.args.get("archived") == "1"
    rows = queries.visible_bodies(current_user, include_archived=archived)
    return render_template(
        "network/bodies.html", bodies=rows, show_archived=archived, body_class=Body
    )


@bp.get("/bodies/<int:body_id>")
def body(body_id: int):
    """A body: members, relations, meetings."""
    return _body_page(get_or_404(current_user, Body, body_id))


def _body_page(item: Body, member_form: MembershipForm | None = None, status: int = 200):
    outgoing, incoming = queries.body_relations(item)
    if member_form is None and can(current_user, "manage_members", item):
        member_form = _membership_form(item)
    relation_form = _relation_form(item) if can(current_user, "manage_relations", item) else None
    return render_template(
        "network/body.html",
        body=item,
        members=queries.body_members(item),
        outgoing=outgoing,
        incoming=incoming,
        member_form=member_form,
        relation_form=relation_form,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/bodies/new", methods=["GET", "POST"])
@bp.route("/bodies/<int:body_id>/edit", methods=["GET", "POST"])
@login_required
def edit_body(body_id: int | None = None):
    """Add a body (admin) or edit one (admin, chair, secretary)."""
    item = get_or_404(current_user, Body, body_id, "edit") if body_id else None
    if item is None:
        require(current_user, "create", Body)
    form = BodyForm(obj=item)
    if item is not None and "aliases" not in request.form:  # a form without them keeps them
        form.aliases.data = "\n".join(a.text for a in item.aliases)
    if request.method == "GET" and item is None and BodyKind.parse(request.args.get("kind")):
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        with attempt(form):
            saved = ops.save_body(
                item,
                name=given(form.name.data),
                code=given(form.code.data),
                kind=BodyKind(form.kind.data),
                description=form.description.data,
                default_location=form.default_location.data,
                is_public=form.is_public.data,
                mailbox=form.mailbox.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                aliases=lines(form.aliases.data),
            )
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("network.body", body_id=saved.id))
    return render_template("network/body_form.html", form=form, body=item)


@bp.post("/bodies/<int:body_id>/delete")
@login_required
def delete_body(body_id: int):
    """Delete a body without history, or explain that it should be archived."""
    item = get_or_404(current_user, Body, body_id, "delete")
    name = item.name
    with attempt():
        ops.delete_body(item)
        flash(_("%(name)s is deleted.", name=name), "success")
        return redirect(url_for("network.bodies"))
    return redirect(url_for("network.body", body_id=body_id, offer="archive"))


@bp.post("/bodies/<int:body_id>/archive")
@login_required
def archive_body(body_id: int):
    """Archive (or, with restore=1, restore) a body."""
    item = get_or_404(current_user, Body, body_id, "archive")
    if request.form.get("restore") == "1":
        ops.unarchive_body(item)
        flash(_("%(name)s is active again.", name=item.name), "success")
    else:
        ops.archive_body(item)
        flash(_("%(name)s is archived.", name=item.name), "success")
    return redirect(url_for("network.body", body_id=body_id))


# --- memberships -----------------------------------------------------------------------------


def _membership_form(body: Body, membership: Membership | None = None, **kwargs) -> MembershipForm:
    form = MembershipForm(obj=membership, **kwargs)
    form.person_id.choices = queries.people_choices()
    return form


@bp.post("/bodies/<int:body_id>/members")
@login_required
def add_member(body_id: int):
    """Add a person to the body."""
    item = get_or_404(current_user, Body, body_id, "manage_members")
    form = _membership_form(item)
    if form.validate_on_submit():
        person = db.session.get_one(Person, form.person_id.data)
        with attempt(form):
            ops.save_membership(
                None,
                body=item,
                person=person,
                role=Role(form.role.data),
                since=form.since.data,
                until=form.until.data,
            )
            flash(_("%(name)s is added.", name=person.name), "success")
            return redirect(url_for("network.body", body_id=body_id) + "#members")
    return _body_page(item, member_form=form, status=400)


@bp.route("/memberships/<int:membership_id>/edit", methods=["GET", "POST"])
@login_required
def edit_membership(membership_id: int):
    """Change the role or period of a membership."""
    membership = get_or_404(current_user, Membership, membership_id, "edit")
    form = _membership_form(membership.body, membership)
    form.person_id.choices = select_choices([(membership.person_id, membership.person.name)])
    if form.validate_on_submit():
        with attempt(form):
            ops.save_membership(
                membership,
                body=membership.body,
                person=membership.person,
                role=Role(form.role.data),
                since=form.since.data,
                until=form.until.data,
            )
            flash(_("The membership is saved."), "success")
            return redirect(url_for("network.body", body_id=membership.body_id) + "#members")
    return render_template("network/membership_form.html", form=form, membership=membership)


@bp.post("/memberships/<int:membership_id>/remove")
@login_required
def remove_membership(membership_id: int):
    """Remove a membership entered by mistake."""
    membership = get_or_404(current_user, Membership, membership_id, "edit")
    body_id, name = membership.body_id, membership.person.name
    ops.remove_membership(membership)
    flash(_("%(name)s is removed from the body.", name=name), "success")
    return redirect(url_for("network.body", body_id=body_id) + "#members")


# --- relations -------------------------------------------------------------------------------


def _relation_form(body: Body) -> RelationForm:
    form = RelationForm()
    others = db.session.execute(
        select(Body.id, Body.name).where(Body.id != body.id).order_by(Body.name)
    )
    form.target_body_id.choices = select_choices(others)
    return form


@bp.post("/bodies/<int:body_id>/relations")
@login_required
def add_relation(body_id: int):
    """Relate this body to another."""
    item = get_or_404(current_user, Body, body_id, "manage_relations")
    form = _relation_form(item)
    if form.validate_on_submit():
        target = db.session.get_one(Body, form.target_body_id.data)
        with attempt():
            ops.add_relation(item, target, RelationKind(form.kind.data))
            flash(_("The relation is saved."), "success")
    return redirect(url_for("network.body", body_id=body_id) + "#relations")


@bp.post("/relations/<int:relation_id>/delete")
@login_required
def delete_relation(relation_id: int):
    """Remove a relation between two bodies."""
    relation = get_or_404(current_user, BodyRelation, relation_id, "delete")
    body_id = relation.source_body_id
    ops.remove_relation(relation)
    flash(_("The relation is removed."), "success")
    return redirect(url_for("network.body", body_id=body_id) + "#relations")


# --- people (admin) ---------------------------------------------------------------------------


@bp.get("/people")
@login_required
def people():
    """The network's address book."""
    page = paginate(
        select(Person).options(selectinload(Person.organisation)).order_by(Person.name, Person.id),
        *requested_page(),
    )
    return render_template(
        "network/people.html",
        people=page.items,
        page=page,
        can_create=can(current_user, "create", Person),
        confirm_form=ConfirmForm(),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit_person(person_id: int | None = None):
    """Add or edit a person (admin)."""
    person = get_or_404(current_user, Person, person_id, "edit") if person_id else None
    if person is None:
        require(current_user, "create", Person)
    form = PersonForm(obj=person)
    form.organisation_id.choices = queries.organisation_choices((0, _("(no organisation)")))
    if request.method == "GET" and person is not None:
        form.organisation_id.data = person.organisation_id or 0
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data or 0)
        with attempt(form, "email"):
            saved = person
            if saved is None:
                saved = accounts.create_person(
                    name=given(form.name.data),
                    email=form.email.data,
                    organisation=organisation,
                    is_admin=form.is_admin.data,
                    phone=form.phone.data or None,
                )
            else:
                accounts.update_person(
                    saved,
                    name=given(form.name.data).strip(),
                    email=form.email.data,
                    organisation=organisation,
                    is_admin=form.is_admin.data,
                    phone=form.phone.data or None,
                )
            if form.send_invitation.data:
                accounts.invite_person(saved)
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("network.people"))
    return render_template("network/person_form.html", form=form, person=person)


@bp.post("/people/<int:person_id>/invite")
@login_required
def invite(person_id: int):
    """Send (again) an invitation to set a password."""
    person = get_or_404(current_user, Person, person_id, "invite")
    with attempt():
        accounts.invite_person(person)
        flash(_("An invitation for %(name)s is queued.", name=person.name), "success")
    return redirect(url_for("network.people"))

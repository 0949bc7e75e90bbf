"""Login, logout, profile, password reset, invitations, API tokens and people."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from rosemeet.accounts import operations as ops
from rosemeet.accounts import queries
from rosemeet.accounts.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    EndEverythingForm,
    LoginForm,
    ProfileForm,
    RequestResetForm,
    SetPasswordForm,
)
from rosemeet.accounts.models import ApiToken, Person
from rosemeet.core.forms import attempt, given
from rosemeet.core.permissions import get_or_404
from rosemeet.core.web import client_ip, parse_id, safe_next
from rosemeet.db import reads_first
from rosemeet.extensions import db

bp = Blueprint("accounts", __name__)


def load_user(identity: str) -> Person | None:
    """Resolve "id:session_version"; a stale version logs the cookie out."""
    raw_id, _sep, raw_version = identity.partition(":")
    person_id, version = parse_id(raw_id), parse_id(raw_version)
    if person_id is None or version is None:
        return None
    person = db.session.get(Person, person_id)
    if person is None or person.session_version != version or not person.is_active_account:
        return None
    return person


def _start_session(person: Person) -> None:
    """Give ``person`` a fresh session cookie (nothing from before survives), once the database
    holds what the cookie relies on (the password, the session version): committed here, before
    the commit point, so that a commit that fails leaves the browser's old session as it was."""
    db.session.commit()
    session.clear()
    login_user(person)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@reads_first  # SQLite: argon2 runs without the write lock; recording the attempt takes it
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("network.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            person = ops.authenticate(
                given(form.email.data), given(form.password.data), client_ip()
            )
        except ops.LoginDelayed as exc:
            form.password.errors = [*form.password.errors, str(exc)]
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(exc.seconds)}
        except ops.AccountError as exc:
            db.session.commit()  # the failed attempt counts for throttling: the 401 rolls back
            form.password.errors = [*form.password.errors, str(exc)]
            return render_template("accounts/login.html", form=form), 401
        _start_session(person)
        flash(_("Welcome, %(name)s.", name=person.name), "success")
        return redirect(safe_next(url_for("network.home")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Log out and invalidate every copy of the session cookie."""
    ops.end_sessions(current_user._get_current_object())
    # committed before the cookie goes: when the commit fails, this browser stays logged in
    # (and can try again) instead of seeming logged out while other copies still work
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link by e-mail."""
    form = RequestResetForm()
    if form.validate_on_submit():
        ip, email = client_ip(), given(form.email.data)
        if queries.reset_throttled(email, ip):
            minutes = current_app.config["RESET_THROTTLE_WINDOW"] // 60
            form.email.errors = [
                *form.email.errors,
                _(
                    "Too many links were asked for this address or from your network."
                    " Try again in %(minutes)s minutes.",
                    minutes=minutes,
                ),
            ]
            return render_template("accounts/forgot_password.html", form=form), 429
        ops.record_reset_request(email, ip)
        ops.request_password_reset(email)
        flash(_("If this address is known, a link to choose a new password is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _set_password_page(purpose: str, token: str, template: str):
    person = ops.load_link_token(token, purpose)
    if person is None:
        return render_template("accounts/link_invalid.html"), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        with attempt(form, "password") as tried:
            ops.set_password(person, given(form.password.data))
            message = _("Your password is set.")
            if purpose == "reset":  # whoever knew the old password may hold a session or token
                ops.end_everything(person)
                message = _("Your password is set. Other sessions and all API tokens are ended.")
        if tried.refused is None:  # the session starts outside the savepoint: it commits
            _start_session(person)
            flash(message, "success")
            return redirect(url_for("network.home"))
    return render_template(template, form=form, person=person)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through an e-mailed link."""
    return _set_password_page("reset", token, "accounts/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Set a first password through an invitation link."""
    return _set_password_page("invite", token, "accounts/accept_invitation.html")


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Own name, telephone and language; password; API tokens."""
    person = current_user._get_current_object()
    form = ProfileForm(obj=person)
    if form.validate_on_submit():
        ops.update_person(
            person,
            name=given(form.name.data).strip(),
            phone=form.phone.data or None,
            locale=form.locale.data,
        )
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return _profile_page(form=form)


def _profile_page(status: int = 200, **forms):
    person = current_user._get_current_object()
    forms.setdefault("form", ProfileForm(obj=person, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("token_form", ApiTokenForm(formdata=None))
    forms.setdefault("end_form", EndEverythingForm(formdata=None))
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("accounts/profile.html", tokens=tokens, **forms), status


@bp.post("/profile/password")
@login_required
def change_password():
    """Change the password; other sessions end, this one is renewed."""
    person = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not ops.check_password(person, given(form.current.data)):
            form.current.errors = [*form.current.errors, _("The current password is not correct.")]
        else:
            with attempt(form, "password") as tried:
                ops.set_password(person, given(form.password.data))
                message = _("Your password is changed. Other sessions are logged out.")
                if form.revoke_tokens.data:
                    revoked = ops.revoke_all_api_tokens(person)
                    message = ngettext(
                        "Your password is changed. Other sessions are logged out and"
                        " %(num)d API token revoked.",
                        "Your password is changed. Other sessions are logged out and"
                        " %(num)d API tokens revoked.",
                        revoked,
                    )
            if tried.refused is None:  # the session starts outside the savepoint: it commits
                _start_session(person)
                flash(message, "success")
                return redirect(url_for("accounts.profile"))
    return _profile_page(400, password_form=form)


@bp.post("/profile/tokens")
@login_required
def create_token():
    """Create a personal API token and show it once."""
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _profile_page(400, token_form=form)
    _token, plain = ops.create_api_token(current_user._get_current_object(), given(form.name.data))
    return _profile_page(new_token=plain)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of my API tokens."""
    token = get_or_404(current_user, ApiToken, token_id, "revoke")
    ops.revoke_api_token(token)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("accounts.profile"))


@bp.post("/profile/end-all")
@login_required
def end_everything():
    """End every other session and revoke every API token; this session is renewed."""
    form = EndEverythingForm()
    if not form.validate_on_submit():
        return _profile_page(400, end_form=form)
    person = current_user._get_current_object()
    revoked = ops.end_everything(person)
    _start_session(person)
    flash(
        ngettext(
            "All other sessions are logged out and %(num)d API token revoked.",
            "All other sessions are logged out and %(num)d API tokens revoked.",
            revoked,
        ),
        "success",
    )
    return redirect(url_for("accounts.profile"))

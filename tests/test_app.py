"""The app as a whole: health, headers, error pages, configuration."""

import pytest

from config import ConfigError, load_config
from rosemeet import create_app


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_unknown_page_is_a_dutch_error_page_without_details(client):
    response = client.get("/does-not-exist", headers={"Accept-Language": "nl-BE"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Deze pagina bestaat niet" in html
    assert "Traceback" not in html


def test_unexpected_error_gives_generic_500(database_url, tmp_path):
    fresh = create_app(
        {"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": database_url}
    )

    @fresh.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail")

    response = fresh.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert "secret detail" not in response.get_data(as_text=True)
    assert "Er liep iets mis" in response.get_data(as_text=True)


def test_api_errors_are_json_never_html(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["code"] == "not_found"


def test_production_refuses_a_missing_secret_key(tmp_path):
    with pytest.raises(ConfigError):
        load_config({"ROSEMEET_ENV": "production"}, tmp_path)


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = load_config({}, tmp_path)["SECRET_KEY"]
    second = load_config({}, tmp_path)["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgresql_urls_use_psycopg3(tmp_path):
    config = load_config({"ROSEMEET_DATABASE_URL": "postgresql://u@h/db"}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_cookies_are_httponly_and_lax(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_forms_without_csrf_token_are_refused(database_url, tmp_path):
    strict = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    response = strict.test_client().post("/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)

"""rosemeet configuration, read from the environment (ROSEMEET_*).

Every setting has a safe development default except the secret key in production:
with ROSEMEET_ENV=production a missing ROSEMEET_SECRET_KEY stops the app.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

#: Where instance data (SQLite database, generated secret key) lives by default.
DEFAULT_INSTANCE_PATH = Path(__file__).resolve().parent / "instance"


#: argon2 cost profiles: real costs, or the cheapest for the test suite (never in production)
ARGON2_PROFILES = ("production", "test")


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: Mapping[str, str], instance_path: Path, production: bool) -> str:
    key = env.get("ROSEMEET_SECRET_KEY", "")
    if key:
        return key
    if production:
        raise ConfigError("ROSEMEET_SECRET_KEY must be set when ROSEMEET_ENV=production")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _argon2_profile(env: Mapping[str, str], production: bool) -> str:
    """The argon2 cost profile the environment names (production unless told)."""
    profile = env.get("ROSEMEET_ARGON2_PROFILE") or "production"
    if profile not in ARGON2_PROFILES:
        raise ConfigError(f"ROSEMEET_ARGON2_PROFILE must be one of {', '.join(ARGON2_PROFILES)}")
    if production and profile != "production":
        raise ConfigError("ROSEMEET_ARGON2_PROFILE=test is for the test suite, not production")
    return profile


def load_config(env: Mapping[str, str] | None = None, instance_path: Path | None = None) -> dict:
    """Return the Flask configuration described by the environment."""
    env = os.environ if env is None else env
    instance_path = Path(
        env.get("ROSEMEET_INSTANCE_PATH") or instance_path or DEFAULT_INSTANCE_PATH
    )
    production = env.get("ROSEMEET_ENV", "development") == "production"
    database_url = env.get("ROSEMEET_DATABASE_URL") or f"sqlite:///{instance_path / 'rosemeet.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "ENV_NAME": "production" if production else "development",
        "LOG_LEVEL": env.get("ROSEMEET_LOG_LEVEL", "INFO" if production else "WARNING").upper(),
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": _secret_key(env, instance_path, production),
        #: password hashing costs: "production" (argon2's RFC 9106 low-memory profile) or "test"
        "ARGON2_PROFILE": _argon2_profile(env, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": env.get("ROSEMEET_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SMTP_HOST": env.get("ROSEMEET_SMTP_HOST", ""),
        "SMTP_PORT": int(env.get("ROSEMEET_SMTP_PORT", "25")),
        "SMTP_USER": env.get("ROSEMEET_SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("ROSEMEET_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag(env.get("ROSEMEET_SMTP_STARTTLS"), False),
        "MAIL_FROM": env.get("ROSEMEET_MAIL_FROM", "rosemeet <rosemeet@localhost>"),
        #: the inbound mailbox (IMAP) where the bodies' organiser addresses deliver: calendar
        #: answers are read from it every IMAP_POLL_SECONDS; unset host: nothing is read
        "IMAP_HOST": env.get("ROSEMEET_IMAP_HOST", ""),
        "IMAP_TLS": _flag(env.get("ROSEMEET_IMAP_TLS"), True),
        "IMAP_PORT": int(
            env.get("ROSEMEET_IMAP_PORT")
            or ("993" if _flag(env.get("ROSEMEET_IMAP_TLS"), True) else "143")
        ),
        "IMAP_USER": env.get("ROSEMEET_IMAP_USER", ""),
        "IMAP_PASSWORD": env.get("ROSEMEET_IMAP_PASSWORD", ""),
        "IMAP_FOLDER": env.get("ROSEMEET_IMAP_FOLDER", "INBOX"),
        #: "move" a read mail to the folders below, or "flag" it (\Seen plus a keyword) in place
        "IMAP_AFTER_READING": env.get("ROSEMEET_IMAP_AFTER_READING", "move"),
        "IMAP_PROCESSED_FOLDER": env.get("ROSEMEET_IMAP_PROCESSED_FOLDER", "rosemeet/verwerkt"),
        "IMAP_UNKNOWN_FOLDER": env.get("ROSEMEET_IMAP_UNKNOWN_FOLDER", "rosemeet/onbekend"),
        #: a larger mail is not downloaded: it is listed as unusable and moved
        "IMAP_MAX_MESSAGE_MB": int(env.get("ROSEMEET_IMAP_MAX_MESSAGE_MB", "10")),
        "IMAP_POLL_SECONDS": int(env.get("ROSEMEET_IMAP_POLL_SECONDS", "120")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        #: documents: where their files are kept (default: <instance>/files), the largest file
        #: and the most all versions of a meeting's papers may weigh together, in MB (uploads
        #: raise the request limit above to the file limit, for their routes only)
        "FILES_PATH": env.get("ROSEMEET_FILES_PATH", ""),
        "MAX_UPLOAD_MB": int(env.get("ROSEMEET_MAX_UPLOAD_MB", "25")),
        "MAX_MEETING_UPLOAD_MB": int(env.get("ROSEMEET_MAX_MEETING_UPLOAD_MB", "250")),
        #: failed logins per account / per IP address within LOGIN_THROTTLE_WINDOW seconds that
        #: cost nothing; after them every attempt waits 2^(failures - free) seconds after the
        #: last failure, at most LOGIN_MAX_DELAY_ACCOUNT / _IP seconds (never a hard lock)
        "LOGIN_FREE_FAILURES_ACCOUNT": 5,
        "LOGIN_FREE_FAILURES_IP": 20,
        "LOGIN_MAX_DELAY_ACCOUNT": 60,
        "LOGIN_MAX_DELAY_IP": 30,
        "LOGIN_THROTTLE_WINDOW": 15 * 60,
        #: password reset mails allowed per address / per IP address within RESET_THROTTLE_WINDOW
        "RESET_MAX_PER_ADDRESS": 3,
        "RESET_MAX_PER_IP": 10,
        "RESET_THROTTLE_WINDOW": 60 * 60,
        #: login attempts and reset requests are kept this many days (for an admin looking
        #: into an incident), then forgotten by the scheduler; throttling needs only an hour
        "LOGIN_ATTEMPTS_KEEP_DAYS": 30,
        #: number of reverse proxies in front of the app whose X-Forwarded-For and
        #: X-Forwarded-Proto are trusted (Werkzeug's ProxyFix); 0 = none, use the socket address
        "PROXY_FIX": int(env.get("ROSEMEET_PROXY_FIX", "0")),
        #: lifetime in seconds of password reset and invitation links
        "RESET_TOKEN_MAX_AGE": 2 * 60 * 60,
        #: the scheduler's lease lapses after this many seconds without renewal
        "SCHEDULER_LEASE_SECONDS": int(env.get("ROSEMEET_SCHEDULER_LEASE_SECONDS", "60")),
        #: seconds between two runs of the mail delivery job
        "MAIL_DELIVERY_INTERVAL": int(env.get("ROSEMEET_MAIL_DELIVERY_INTERVAL", "20")),
        #: a message that still cannot be delivered this long after its first attempt is failed
        #: (shown on the admin mail page, with "send all failed again")
        "MAIL_DEAD_AFTER_HOURS": float(env.get("ROSEMEET_MAIL_DEAD_AFTER_HOURS", "72")),
        #: retries wait 1, 2, 4, ... minutes, never longer than this
        "MAIL_MAX_BACKOFF_MINUTES": float(env.get("ROSEMEET_MAIL_MAX_BACKOFF_MINUTES", "30")),
        #: a delivery run's claim on a message lapses after this many seconds (renewed before
        #: each send), so the messages of a run that died go out with the next run
        "MAIL_CLAIM_SECONDS": float(env.get("ROSEMEET_MAIL_CLAIM_SECONDS", "300")),
        #: how often a waiting scheduler checks whether the lease is free
        "SCHEDULER_POLL_SECONDS": float(env.get("ROSEMEET_SCHEDULER_POLL_SECONDS", "10")),
        "INVITE_TOKEN_MAX_AGE": 14 * 24 * 60 * 60,
    }

"""The app is wired by ``create_app`` alone: importing a module connects nothing, and each
domain's ``setup(app)`` brings its blueprint, commands, signal receivers, reminder kinds,
permission rules, secret-link makers, template hooks and search index; two apps in one
process neither share hooks nor double any receiver."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import blinker
import click
import pytest
from flask import Blueprint, Flask, render_template_string
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

import rosemeet
from rosemeet import create_app
from rosemeet.core import permissions
from rosemeet.core.hooks import HOOKS, register_template_hook
from rosemeet.followups import feedback as followups
from rosemeet.followups import search
from rosemeet.mail import links
from rosemeet.mail.reminders import REGISTRY

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parent.parent
#: every signal of rosemeet and the receivers its domains connect (module.function)
RECEIVERS = {
    "membership-ended": ["rosemeet.meetings.operations.uninvite"],
    "meetings-created": ["rosemeet.agendas.operations.prepare_agendas"],
    "minutes-approved": ["rosemeet.followups.feedback._on_minutes_approved"],
}
#: the kinds of reminder, in the order the domains register them (stored opt-outs name them)
KINDS = ["adhoc_end", "agenda", "minutes", "followup_due", "followup_overdue", "digest"]
#: the kinds of secret link in e-mails and the operations that make them when mail is sent
LINK_MAKERS = {
    "reset": "rosemeet.accounts.operations.account_links",
    "invite": "rosemeet.accounts.operations.account_links",
    "rsvp": "rosemeet.meetings.operations.rsvp_links",
}

#: run in a fresh interpreter: import every module, look, then make an app and look again
PROBE = """
import importlib, json, pkgutil, sys
import blinker
from flask import Flask
from flask_sqlalchemy.session import Session
from sqlalchemy import event
import rosemeet

for info in pkgutil.walk_packages(rosemeet.__path__, "rosemeet."):
    importlib.import_module(info.name)
from rosemeet.agendas import queries
from rosemeet.core import permissions
from rosemeet.followups import search
from rosemeet.mail import links, reminders
from rosemeet.network.models import Body

class Member:  # a logged-in person who is no admin
    is_authenticated, is_admin, id = True, False, 1

def signals():
    found = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("rosemeet.") and name.endswith(".signals"):
            for value in vars(module).values():
                if isinstance(value, blinker.Signal):
                    found[value.name] = sorted(
                        f"{r.__module__}.{r.__qualname__}"
                        for r in value.receivers_for(blinker.ANY)
                    )
    return found

def state():
    bare = Flask("bare")  # an app that no domain's setup has seen
    reminders.init_app(bare)
    with bare.app_context():
        kinds = [kind.key for kind in reminders.reminder_kinds()]
        public = Body(name="Open", code="OPEN", is_public=True)
        bare_can = permissions.can(Member(), "view", public)
        try:
            links.make_links("rsvp", {"meeting": 1, "person": 1})
            bare_links = True
        except links.LinkUnavailable:
            bare_links = False
    return {
        "signals": signals(),
        "agenda_sections": len(queries._SECTIONS),
        "search_index": event.contains(Session, "after_flush", search._index_flushed),
        "bare_app_kinds": kinds,
        "bare_app_rules": bare_can,
        "bare_app_links": bare_links,
    }

imported = state()
from rosemeet import create_app
create_app({"INSTANCE_PATH": sys.argv[1], "SQLALCHEMY_DATABASE_URI": "sqlite://"})
print(json.dumps({"imported": imported, "created": state()}))
"""


def _probe(tmp_path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def _app(tmp_path, name: str) -> Flask:
    folder = tmp_path / name
    return create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _modules():
    """Every module of rosemeet, imported."""
    for info in pkgutil.walk_packages(rosemeet.__path__, "rosemeet."):
        yield importlib.import_module(info.name)


def _module_values(kind: type):
    for module in _modules():
        for value in vars(module).values():
            if isinstance(value, kind):
                yield module, value


def _rosemeet_signals() -> list[blinker.Signal]:
    found = {id(v): v for m, v in _module_values(blinker.Signal) if m.__name__.endswith(".signals")}
    return list(found.values())


def test_importing_every_module_connects_and_registers_nothing_create_app_does(tmp_path):
    probe = _probe(tmp_path)
    imported, created = probe["imported"], probe["created"]
    assert imported["signals"] == {name: [] for name in RECEIVERS}
    assert imported["agenda_sections"] == 0
    assert imported["search_index"] is False
    assert imported["bare_app_kinds"] == []
    assert imported["bare_app_rules"] is False  # no rule anywhere: a public body is refused
    assert imported["bare_app_links"] is False  # no maker anywhere: the link is unavailable
    assert created["signals"] == RECEIVERS
    assert created["agenda_sections"] == 2  # the opvolglijst, the reported agendas
    assert created["search_index"] is True
    assert created["bare_app_kinds"] == []  # kinds live on the app that registered them
    assert created["bare_app_rules"] is False  # and so do the permission rules
    assert created["bare_app_links"] is False  # and the link makers


def test_create_app_has_every_blueprint_command_kind_and_hook(tmp_path):
    app = _app(tmp_path, "one")
    blueprints = {bp.name: bp for _module, bp in _module_values(Blueprint)}
    assert set(blueprints) == {
        "accounts", "network", "mail", "plan", "meetings", "agendas", "followups", "documents",
        "records", "calendar", "api",
    }  # fmt: skip
    for name, bp in blueprints.items():
        assert app.blueprints.get(name) is bp, f"the {name} blueprint is not registered"
    listed = [
        command
        for module in _modules()
        if module.__name__.endswith(".cli") or module.__name__ == "rosemeet.cli"
        for command in getattr(module, "COMMANDS", [])
    ]
    assert len(listed) >= 12
    for command in listed:
        assert isinstance(command, click.Command)
        assert app.cli.commands.get(command.name) is command, (
            f"`rosemeet {command.name}` is missing"
        )
    kinds = list(app.extensions[REGISTRY].values())
    assert [kind.key for kind in kinds] == KINDS
    for kind in kinds:
        domain = kind.produce.__module__.split(".")[1]
        assert kind.produce.__module__ == f"rosemeet.{domain}.reminders"
        assert str(kind.label)
    makers = app.extensions[links.REGISTRY]
    assert {kind: f"{m.__module__}.{m.__qualname__}" for kind, m in makers.items()} == LINK_MAKERS
    rules = app.extensions[permissions.REGISTRY]
    domains = [
        m for m in _modules() if m.__name__.endswith(".permissions") and m is not permissions
    ]
    # accounts, network, plan, meetings, agendas, followups, documents, calendar
    assert len(domains) == 8
    for module in domains:
        assert module.RULES, f"{module.__name__} lists no rule"
        for model, actions, func in module.RULES:
            for action in actions:
                assert rules[(model, action)] is func, f"{module.__name__}: {action} not registered"
    assert len(rules) == sum(len(a) for m in domains for _model, a, _func in m.RULES)


def test_every_template_slot_is_filled_and_every_hook_has_a_slot(tmp_path):
    app = _app(tmp_path, "one")
    used = set()
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in {".html", ".txt"}:
            text = path.read_text()
            assert "ignore missing" not in text, f"{path}: a slot that fails silently"
            used |= set(re.findall(r"""template_hook\(\s*["']([\w-]+)["']""", text))
    registered = app.extensions[HOOKS]
    assert used == set(registered)
    for snippets in registered.values():
        for snippet in snippets:
            assert app.jinja_env.get_template(snippet.source)  # the template exists


def test_two_apps_share_no_hook_and_connect_each_receiver_once(tmp_path, monkeypatch):
    first, second = _app(tmp_path, "one"), _app(tmp_path, "two")
    assert first.extensions[HOOKS] is not second.extensions[HOOKS]
    assert first.extensions[REGISTRY] is not second.extensions[REGISTRY]
    for registry in (permissions.REGISTRY, links.REGISTRY):
        assert first.extensions[registry] is not second.extensions[registry]
        assert first.extensions[registry] == second.extensions[registry]
    assert {n: len(s) for n, s in first.extensions[HOOKS].items()} == {
        n: len(s) for n, s in second.extensions[HOOKS].items()
    }
    signals = _rosemeet_signals()
    assert sorted(s.name for s in signals) == sorted(RECEIVERS)
    for signal in signals:
        assert len(list(signal.receivers_for(object()))) == len(RECEIVERS[signal.name])
    fed_back = []
    monkeypatch.setattr(followups, "feed_back", fed_back.append)
    approved = object()
    minutes = next(s for s in signals if s.name == "minutes-approved")
    minutes.send(approved, approved_in=None, by=None)
    assert fed_back == [approved]  # once, after two apps
    assert event.contains(FlaskSession, "after_flush", search._index_flushed)


def test_a_hook_renders_its_snippets_by_priority_on_its_own_app_only(tmp_path):
    first, second = _app(tmp_path, "one"), _app(tmp_path, "two")
    register_template_hook(first, "test-slot", lambda name: f"<b>{name}</b>", priority=60)
    register_template_hook(first, "test-slot", lambda name: f"<i>{name}</i>")
    page = "<p>{{ template_hook('test-slot', name=name) }}</p>"
    with first.test_request_context():
        assert render_template_string(page, name="Rita") == "<p><i>Rita</i>\n<b>Rita</b></p>"
    with second.test_request_context():
        assert render_template_string(page, name="Rita") == "<p></p>"

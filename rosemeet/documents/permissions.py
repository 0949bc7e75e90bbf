"""Who may see, add and change documents.

A document is read by whoever may read what it is attached to (the same ``can`` rules: a
meeting's papers with its agenda, an item's with the item, minutes' annexes with the minutes,
a decision's, a follow-up's, an action's and a body's with them); an *internal* one only by
the chair and the secretary of the body it belongs to (and admins). Documents are added by
whoever may change the object (the agenda's makers for a meeting and its items, the minutes'
writers for the minutes, the body's chair and secretary for decisions, follow-ups and the
body's standing links, a trekker's secretary for an action), and by members to the agenda
items they proposed. Those who may add to its object add versions, rename and remove it (the
member who proposed an item only their own documents on it).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from rosemeet.agendas.models import AgendaItem, Proposal
from rosemeet.core.permissions import RuleEntry, can, logged_in
from rosemeet.documents.models import Document, TargetKind
from rosemeet.documents.queries import Target, target_bodies, target_of
from rosemeet.extensions import db
from rosemeet.followups.models import Decision, FollowUp
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body
from rosemeet.network.permissions import runs_body
from rosemeet.plan.models import PlanAction

#: the rule that reads an object of each kind
_READ = {
    TargetKind.MEETING: "view_agenda",
    TargetKind.MINUTES: "view_minutes",
    TargetKind.AGENDA_ITEM: "view",
    TargetKind.DECISION: "view",
    TargetKind.FOLLOW_UP: "view",
    TargetKind.ACTION: "view",
    TargetKind.BODY: "view",
}
#: the rule that adds documents to an object of each kind
ADD = {
    kind: "add_minutes_document" if kind is TargetKind.MINUTES else "add_document"
    for kind in TargetKind
}


def may_read(user, target: Target, internal: bool = False) -> bool:
    """May the user read the documents of ``target`` (the internal ones too)?"""
    if not can(user, _READ[target.kind], target.obj):
        return False
    return not internal or runs_any(user, target)


def may_add(user, target: Target) -> bool:
    """May the user attach documents to ``target``?"""
    return can(user, ADD[target.kind], target.obj)


def runs_any(user, target: Target) -> bool:
    """Is the user chair or secretary of a body the target belongs to?"""
    return any(runs_body(user, body) for body in target_bodies(target))


def view_document(user, document) -> bool:
    """Read with its object; internal ones by those who run its body."""
    return document is not None and may_read(user, target_of(document), document.internal)


def manage_document(user, document) -> bool:
    """Those who may add to its object change and remove it: its uploader, and whoever edits
    the object (a member who proposed an item changes only their own documents on it).
    Approved minutes' annexes are changed by nobody but admins."""
    if document is None or not view_document(user, document):
        return False
    target = target_of(document)
    if not may_add(user, target):
        return False
    own = logged_in(user) and document.created_by_id == user.id
    if target.kind is TargetKind.AGENDA_ITEM:
        return own or can(user, "edit", target.obj)
    return True


def add_to_meeting(user, meeting) -> bool:
    """Those who make the agenda attach the meeting's papers."""
    return can(user, "edit_agenda", meeting)


def add_to_minutes(user, meeting) -> bool:
    """Those who write the minutes attach their annexes (until they are approved)."""
    return can(user, "edit_minutes", meeting)


def add_to_item(user, item, *, proposed: Collection[int] | None = None) -> bool:
    """Those who make the agenda, and the member who proposed the item (while they see it).
    ``proposed`` are the ids of the items the user proposed, when already read (a page that
    asks for every item of an agenda reads them once)."""
    if item is None or not logged_in(user):
        return False
    if can(user, "edit", item):
        return True
    if proposed is not None:
        mine = item.id in proposed
    else:
        mine = (
            db.session.scalar(
                select(Proposal.id).where(
                    Proposal.item_id == item.id, Proposal.proposer_id == user.id
                )
            )
            is not None
        )
    return mine and can(user, "view", item)


def add_to_decision(user, decision) -> bool:
    """The chair and the secretary of the decision's body."""
    return decision is not None and runs_body(user, decision.body)


def add_to_follow_up(user, follow_up) -> bool:
    """Those who may change the follow-up."""
    return can(user, "edit", follow_up)


def add_to_action(user, action) -> bool:
    """The secretaries of its trekker bodies (who record its years)."""
    return can(user, "edit_years", action)


def add_to_body(user, body) -> bool:
    """The chair and the secretary keep the body's standing links and documents."""
    return can(user, "edit", body)


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (Document, ("view",), view_document),
    (Document, ("edit", "delete", "add_version"), manage_document),
    (Meeting, ("add_document",), add_to_meeting),
    (Meeting, ("add_minutes_document",), add_to_minutes),
    (AgendaItem, ("add_document",), add_to_item),
    (Decision, ("add_document",), add_to_decision),
    (FollowUp, ("add_document",), add_to_follow_up),
    (PlanAction, ("add_document",), add_to_action),
    (Body, ("add_document",), add_to_body),
]

"""One page of a long list, for the pages and the API alike: counted and cut in SQL, so that a
page costs the same few statements however long the list grows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from rosemeet.extensions import db

#: rows per page unless asked, and the most a page holds
PER_PAGE, MAX_PER_PAGE = 50, 200


@dataclass
class Page:
    """One page of a list: its rows, where it stands, and how many there are in all."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even for an empty list)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages


def paginate(rows: Select[Any] | Sequence[Any], page: int, per_page: int) -> Page:
    """The page of ``rows``: a query in its stable order (counted, then cut with LIMIT and
    OFFSET: its loader options then load the page's rows only), or a list already made."""
    start = (page - 1) * per_page
    if isinstance(rows, Select):
        total = db.session.scalar(select(func.count()).select_from(rows.order_by(None).subquery()))
        items = list(db.session.scalars(rows.limit(per_page).offset(start)))
        return Page(items, page, per_page, total or 0)
    return Page(rows[start : start + per_page], page, per_page, len(rows))


def _number(name: str, default: int, high: int | None = None) -> int:
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    value = max(1, value)
    return min(value, high) if high else min(value, 10**6)


def requested_page() -> tuple[int, int]:
    """A page's ``?page=`` and ``?per_page=``: anything unreadable is the default and anything
    out of range the nearest value that is not (a page never answers an error for them)."""
    return _number("page", 1), _number("per_page", PER_PAGE, MAX_PER_PAGE)

"""The scheduler's lease: at most one process runs jobs at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, String, Table, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from rosemeet.db import Base


class SchedulerLease(Base):
    """Who holds the right to run jobs, and until when (renewed while alive)."""

    __tablename__ = "scheduler_lease"

    #: the lease's name ("scheduler")
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    #: host:pid:random of the process that holds it
    holder: Mapped[str] = mapped_column(String(200))
    #: the lease lapses at this time unless renewed
    expires_at: Mapped[datetime]
    #: when the current holder first took it
    acquired_at: Mapped[datetime]


#: APScheduler's job table, declared here so that the migrations own it (APScheduler's
#: SQLAlchemyJobStore would otherwise create it on first start); same columns as 3.11's.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

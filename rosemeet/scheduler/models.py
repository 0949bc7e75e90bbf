"""The scheduler's lease: at most one process runs jobs at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from rosemeet.db import Base


class SchedulerLease(Base):
    """Who holds the right to run jobs, and until when (renewed while alive).

    APScheduler keeps its jobs in memory: the job table is rebuilt from
    ``jobs.job_table`` whenever a process takes the lease, so no scheduler internals
    write to the database (migration 0008 dropped the old ``apscheduler_jobs`` table).
    """

    __tablename__ = "scheduler_lease"

    #: the lease's name ("scheduler")
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    #: host:pid:random of the process that holds it
    holder: Mapped[str] = mapped_column(String(200))
    #: the lease lapses at this time unless renewed
    expires_at: Mapped[datetime]
    #: when the current holder first took it
    acquired_at: Mapped[datetime]
    #: the fencing token: increases every time another process takes the lease, so a holder
    #: that was paused past its lease finds a higher number and stops (it never goes back)
    fence: Mapped[int] = mapped_column(default=1, server_default="1")

"""Call-back tasks of one number, in plain Python: missed calls from a number are counted on ONE
open task, and the task closes by itself when a call with that number is answered after the
last missed one (the number was called back, or called in again and was answered).

Given the number's open task before a batch of calls (its count and last missed time) and what
the batch says happened with the number (missed and answered calls, each at its moment),
:func:`settle` tells what each task of the number becomes: the open one counted on or closed,
and the new ones (a missed call with no open task makes one; one missed after a close makes
another). Whatever order the batch lists the calls in, they are taken in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MISSED, ANSWERED = "missed", "answered"


@dataclass
class CallBack:
    """One call-back task of a number as a batch leaves it."""

    existing: bool  # the task that was open before the batch
    missed_count: int
    last_missed_at: datetime | None
    missed_call_ids: list[str] = field(default_factory=list)  # the batch's missed calls counted on it
    closed_at: datetime | None = None
    closed_by_call_id: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.missed_call_ids) or self.closed_at is not None


def settle(open_before: tuple[int, datetime | None] | None, happened: list[tuple[datetime, str, str]]) -> list[CallBack]:
    """The number's tasks after ``happened`` (``(moment, MISSED | ANSWERED, call_id)``): the one
    open before (``open_before``: its missed count and last missed time) first when there was
    one, then the new ones in the order they were made. An answered call closes the open task
    only when it was answered after that task's last missed call (an older answered call, told
    late, does not)."""
    tasks: list[CallBack] = []
    current = None
    if open_before is not None:
        current = CallBack(existing=True, missed_count=open_before[0], last_missed_at=open_before[1])
        tasks.append(current)
    for at, kind, call_id in sorted(happened, key=lambda h: (h[0], h[1] == MISSED, h[2])):
        if kind == MISSED:
            if current is None:
                current = CallBack(existing=False, missed_count=0, last_missed_at=None)
                tasks.append(current)
            current.missed_count += 1
            current.missed_call_ids.append(call_id)
            current.last_missed_at = at if current.last_missed_at is None else max(current.last_missed_at, at)
        elif current is not None and (current.last_missed_at is None or at >= current.last_missed_at):
            current.closed_at, current.closed_by_call_id = at, call_id
            current = None
    return tasks

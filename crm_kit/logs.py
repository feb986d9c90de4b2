"""Structured logs: one JSON line per record, with service, call id and actor.

The call id and actor of the worker being run are kept in context variables, which greenlet
keeps per greenthread, so concurrent workers do not mix their lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

from crm_kit.actor import ACTOR_KEY, Actor

_call_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("crm_call_id", default=None)
_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("crm_actor", default=None)


def bind_worker(worker_ctx) -> None:
    _call_id.set(worker_ctx.call_id)
    header = worker_ctx.context_data.get(ACTOR_KEY)
    _actor.set(Actor.from_header(header).user_id if header else None)


def unbind_worker() -> None:
    _call_id.set(None)
    _actor.set(None)


# The longest message a log line keeps.
MAX_MESSAGE_CHARS = 4000


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if len(message) > MAX_MESSAGE_CHARS:  # a bad input echoed whole must not flood the log
            message = f"{message[:MAX_MESSAGE_CHARS]}… ({len(message) - MAX_MESSAGE_CHARS} more characters)"
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": message,
        }
        if call_id := _call_id.get():
            line["call_id"] = call_id
        if actor := _actor.get():
            line["actor"] = actor
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(service: str, level: str = "INFO") -> None:
    """Send every log record of this process to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # nameko logs every worker at DEBUG; keep INFO readable.
    logging.getLogger("nameko").setLevel(max(logging.INFO, root.level))
    logging.getLogger("kombu").setLevel(logging.WARNING)
    logging.getLogger("amqp").setLevel(logging.WARNING)

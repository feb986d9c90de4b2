"""Sales processes: named stages in order, each with a win probability, a time limit and the
preconditions a deal must meet to enter it, and the rule for moving a deal between stages.

A process is data (stored as JSON in ``sales_processes``); three modes say how strictly its
stages are followed:

- ``strict``: a standard sale. Forward moves go one stage at a time, back moves are allowed,
  and a deal enters a stage only when that stage's preconditions hold;
- ``manual``: stages may be skipped or revisited freely (the service still records every
  move in the stage history);
- ``none``: a non-process deal (a long project tracked by tasks): it has no stages at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from crm_kit.errors import PreconditionFailed, ValidationError

STRICT: Final = "strict"
MANUAL: Final = "manual"
NONE: Final = "none"
MODES: Final = (STRICT, MANUAL, NONE)

# What a stage may demand of a deal, by name; the descriptions go into refusals.
PRECONDITIONS: Final[Mapping[str, str]] = {
    "partner_is_client": "the partner is classified as a client",
    "terms_chosen": "a sales agreement is chosen for the deal",
    "amount_set": "the deal amount is set",
    "offer_sent": "a commercial offer was sent",
    "offer_accepted": "a commercial offer is accepted",
    "invoice_issued": "an invoice is issued",
    "invoice_paid": "every invoice is paid in full",
    "prepayment_paid": "the agreement's prepayment share of the deal amount is paid",
}
# Preconditions that are the agreement's money terms, not steps of the process: checked in a
# manual process too (a deal does not reach shipment unpaid because its stages are free).
TERMS_PRECONDITIONS: Final = ("prepayment_paid",)

MAX_NAME_LENGTH: Final = 200
MAX_TIME_LIMIT_DAYS: Final = 3650
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CODE_RULE: Final = "must be 1 to 64 lower-case Latin letters, digits or '_', starting with a letter"


@dataclass(frozen=True)
class Stage:
    """One stage of a sales process. ``probability`` is the chance of winning a deal at this
    stage in percent (0..100); ``time_limit_days`` is how long a deal may stay here before it
    counts as stuck (``None``: no limit)."""

    code: str
    name: str
    probability: int
    time_limit_days: int | None
    preconditions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "probability": self.probability,
            "time_limit_days": self.time_limit_days,
            "preconditions": list(self.preconditions),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Stage:
        return cls(
            code=d["code"],
            name=d["name"],
            probability=d["probability"],
            time_limit_days=d.get("time_limit_days"),
            preconditions=tuple(d.get("preconditions") or ()),
        )


@dataclass(frozen=True)
class SalesProcess:
    """A sales process: its ``code`` (the key deals refer to), ``name``, ``mode`` (one of
    :data:`MODES`) and ``stages`` in order."""

    code: str
    name: str
    mode: str
    stages: tuple[Stage, ...] = ()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SalesProcess:
        """The process stored as ``d`` (what :meth:`to_dict` gives). Trusts ``d``: input from a
        user goes through :func:`validate_process`."""
        return cls(
            code=d["code"],
            name=d["name"],
            mode=d["mode"],
            stages=tuple(Stage.from_dict(stage) for stage in d.get("stages") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the shape :meth:`from_dict` and :func:`validate_process` read."""
        return {
            "code": self.code,
            "name": self.name,
            "mode": self.mode,
            "stages": [stage.to_dict() for stage in self.stages],
        }

    @property
    def stage_codes(self) -> tuple[str, ...]:
        return tuple(stage.code for stage in self.stages)

    def stage(self, code: str | None) -> Stage | None:
        """The stage called ``code``, ``None`` when the process has no such stage."""
        return next((stage for stage in self.stages if stage.code == code), None)

    def last_stage(self) -> str | None:
        """The code of the final stage (a strict deal is won there), ``None`` without stages."""
        return self.stages[-1].code if self.stages else None


def _default_stages() -> tuple[Stage, ...]:
    client = "partner_is_client"
    return (
        Stage("lead", "First contact", 10, 3, ()),
        Stage("qualification", "Client classified", 20, 7, (client,)),
        Stage("terms", "Sales terms chosen", 30, 7, (client, "terms_chosen")),
        Stage("offer", "Commercial offer", 50, 14, (client, "terms_chosen", "amount_set")),
        Stage("negotiation", "Negotiation", 60, 14, ("offer_sent",)),
        Stage("invoice", "Invoice", 80, 10, ("offer_accepted",)),
        Stage("payment", "Payment", 90, 30, ("invoice_issued",)),
        Stage("shipment", "Shipment", 100, 7, ("invoice_paid", "prepayment_paid")),
    )


DEFAULT_PROCESS: Final = SalesProcess("standard", "Standard sale", STRICT, _default_stages())
MANUAL_PROCESS: Final = SalesProcess("manual", "Manual transitions", MANUAL, _default_stages())
NO_PROCESS: Final = SalesProcess("none", "No process", NONE, ())
BUILTIN_PROCESSES: Final[Mapping[str, SalesProcess]] = {
    process.code: process for process in (DEFAULT_PROCESS, MANUAL_PROCESS, NO_PROCESS)
}


@dataclass(frozen=True)
class DealFacts:
    """What is known about a deal, one boolean per name in :data:`PRECONDITIONS` (a new
    precondition is added to both). A fact not gathered stays ``False``, so a stage that needs
    it is refused rather than let through."""

    partner_is_client: bool = False
    terms_chosen: bool = False
    amount_set: bool = False
    offer_sent: bool = False
    offer_accepted: bool = False
    invoice_issued: bool = False
    invoice_paid: bool = False
    prepayment_paid: bool = False


def missing_preconditions(stage: Stage, facts: DealFacts) -> list[str]:
    """The names of ``stage``'s preconditions that ``facts`` do not meet, in the stage's order."""
    return [name for name in stage.preconditions if not getattr(facts, name)]


def first_stage(process: SalesProcess) -> str | None:
    """The stage a new deal starts at; ``None`` for a process without stages (mode none)."""
    return process.stages[0].code if process.stages else None


def check_move(process: SalesProcess, current: str | None, target: str, facts: DealFacts) -> None:
    """Refuses moving a deal of ``process`` from stage ``current`` to stage ``target``.

    - mode none: every move, ``PreconditionFailed`` with details ``{"mode": "none"}``;
    - ``target`` not a stage of the process: ``ValidationError`` on field ``stage``;
    - ``target`` equal to ``current``: ``PreconditionFailed`` ``{"stage": target}``;
    - mode strict, a forward move past the next stage: ``PreconditionFailed`` with
      ``{"stage": target, "current": current, "skipped": [the stages in between]}``;
    - mode strict, ``current`` not a stage of the process: ``PreconditionFailed`` with
      ``{"stage": current, "process": code}`` (only the first stage may be entered from nothing);
    - mode strict, entering a stage (forward or back) whose preconditions ``facts`` do not meet:
      ``PreconditionFailed`` with ``{"stage": target, "missing": [precondition names]}`` and the
      descriptions of what is missing in the message.

    Mode manual allows every other move, preconditions unchecked but for those of
    :data:`TERMS_PRECONDITIONS` (``{"stage": target, "missing": [...]}`` as above).
    """
    if process.mode == NONE:
        raise PreconditionFailed("this deal has no stages", {"mode": NONE})
    codes = process.stage_codes
    if target not in codes:
        raise ValidationError.for_field(
            "stage", f"{target!r} is not a stage of process {process.code!r}; stages: {', '.join(codes)}"
        )
    if target == current:
        raise PreconditionFailed(f"the deal is already at stage {target}", {"stage": target})
    if process.mode != STRICT:
        stage = process.stages[codes.index(target)]
        _refuse_missing(target, [name for name in missing_preconditions(stage, facts) if name in TERMS_PRECONDITIONS])
        return

    if current is None:
        position = -1
    elif current in codes:
        position = codes.index(current)
    else:
        raise PreconditionFailed(
            f"the deal's stage {current!r} is not a stage of process {process.code!r}",
            {"stage": current, "process": process.code},
        )
    target_position = codes.index(target)
    if target_position > position + 1:
        skipped = list(codes[position + 1 : target_position])
        raise PreconditionFailed(
            f"cannot enter {target}: stages are not skipped in a standard sale, next is {skipped[0]}",
            {"stage": target, "current": current, "skipped": skipped},
        )
    _refuse_missing(target, missing_preconditions(process.stages[target_position], facts))


def _refuse_missing(target: str, missing: list[str]) -> None:
    if missing:
        descriptions = "; ".join(PRECONDITIONS[name] for name in missing)
        raise PreconditionFailed(f"cannot enter {target}: {descriptions}", {"stage": target, "missing": missing})


def _text_errors(value: object, what: str) -> tuple[str | None, list[str]]:
    if not isinstance(value, str) or not value.strip():
        return None, [f"{what} must be a non-empty string"]
    text = value.strip()
    if len(text) > MAX_NAME_LENGTH:
        return None, [f"{what} must be at most {MAX_NAME_LENGTH} characters"]
    return text, []


def _code_errors(value: object) -> list[str]:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        return [_CODE_RULE]
    return []


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_stage(raw: object, prefix: str, errors: dict[str, list[str]]) -> Stage | None:
    if not isinstance(raw, Mapping):
        errors[prefix] = ["must be an object with code, name, probability, time_limit_days, preconditions"]
        return None
    problems_before = len(errors)

    code = raw.get("code")
    if problems := _code_errors(code):
        errors[f"{prefix}.code"] = problems
    name, problems = _text_errors(raw.get("name"), "name")
    if problems:
        errors[f"{prefix}.name"] = problems

    probability = raw.get("probability")
    if not _whole_number(probability) or not 0 <= probability <= 100:
        errors[f"{prefix}.probability"] = ["must be a whole number of percent from 0 to 100"]

    limit = raw.get("time_limit_days")
    if limit is not None and (not _whole_number(limit) or not 1 <= limit <= MAX_TIME_LIMIT_DAYS):
        errors[f"{prefix}.time_limit_days"] = [f"must be a whole number of days from 1 to {MAX_TIME_LIMIT_DAYS}, or null"]

    preconditions = raw.get("preconditions") or []
    if not isinstance(preconditions, list | tuple) or not all(isinstance(name, str) for name in preconditions):
        errors[f"{prefix}.preconditions"] = ["must be a list of precondition names"]
    else:
        unknown = [name for name in preconditions if name not in PRECONDITIONS]
        problems = [f"unknown precondition {name!r}; known: {', '.join(PRECONDITIONS)}" for name in unknown]
        if len(set(preconditions)) != len(preconditions):
            problems.append("a precondition is listed twice")
        if problems:
            errors[f"{prefix}.preconditions"] = problems

    if len(errors) > problems_before:
        return None
    return Stage(code, name, probability, limit, tuple(preconditions))


def validate_process(d: Mapping[str, Any]) -> SalesProcess:
    """The process ``d`` describes (the shape of :meth:`SalesProcess.to_dict`), names stripped.

    Refuses, with one ``ValidationError`` listing every field at once (stage fields as
    ``stages.<index>.<field>``):

    - ``code`` and stage codes that are not 1..64 of ``[a-z0-9_]`` starting with a letter,
      blank or overlong names, a ``mode`` not in :data:`MODES`;
    - ``stages`` not a list; no stages in mode strict or manual; any stage in mode none;
    - a stage code used twice;
    - a probability that is not a whole number 0..100, or lower than the previous stage's
      (probabilities never fall along the process);
    - a time limit that is not a whole number of days 1..3650 (``null``: no limit);
    - preconditions that are not in :data:`PRECONDITIONS`, or listed twice.
    """
    if not isinstance(d, Mapping):
        raise ValidationError.for_field("process", "must be an object")
    errors: dict[str, list[str]] = {}

    code = d.get("code")
    if problems := _code_errors(code):
        errors["code"] = problems
    name, problems = _text_errors(d.get("name"), "name")
    if problems:
        errors["name"] = problems
    mode = d.get("mode")
    if mode not in MODES:
        errors["mode"] = [f"must be one of: {', '.join(MODES)}"]

    raw_stages = d.get("stages")
    if raw_stages is None:
        raw_stages = []
    if not isinstance(raw_stages, list | tuple):
        errors["stages"] = ["must be a list of stages"]
        raw_stages = []
    elif mode == NONE and raw_stages:
        errors["stages"] = ["a process in mode none has no stages"]
    elif mode in (STRICT, MANUAL) and not raw_stages:
        errors["stages"] = ["a process needs at least one stage"]

    stages: list[Stage] = []
    seen: dict[str, int] = {}
    previous_probability: int | None = None
    for index, raw in enumerate(raw_stages):
        prefix = f"stages.{index}"
        stage = _validate_stage(raw, prefix, errors)
        stage_code = raw.get("code") if isinstance(raw, Mapping) else None
        if isinstance(stage_code, str):
            if stage_code in seen:
                errors.setdefault(f"{prefix}.code", []).append(
                    f"stage code {stage_code!r} is already used by stage {seen[stage_code]}"
                )
                stage = None
            else:
                seen[stage_code] = index
        probability = raw.get("probability") if isinstance(raw, Mapping) else None
        if _whole_number(probability) and 0 <= probability <= 100:
            if previous_probability is not None and probability < previous_probability:
                errors.setdefault(f"{prefix}.probability", []).append(
                    f"must not be below the previous stage's {previous_probability}%"
                )
                stage = None
            previous_probability = probability
        if stage is not None:
            stages.append(stage)

    if errors:
        raise ValidationError(f"invalid sales process: {', '.join(sorted(errors))}", errors)
    return SalesProcess(code, name, mode, tuple(stages))

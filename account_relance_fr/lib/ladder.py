# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Selection of the next step of a dunning ladder (échelle de relances).

A customer hears one voice: its overdue invoices climb the ladder together. The customer's
step is the highest one its invoices reached; the next step claims every invoice that is due
by then, and an invoice that falls due while the customer is on a step joins that step
instead of starting a ladder of its own (:func:`customer_step`)."""

from dataclasses import dataclass
from datetime import timedelta

from .dates import as_date


@dataclass(frozen=True)
class LevelSpec:
    """One ladder step: reached ``delay`` days after the due date (negative: before it)."""

    id: int
    sequence: int
    delay: int
    min_amount: float = 0.0


@dataclass(frozen=True)
class Claim:
    """An invoice as the ladder sees it: its step on the customer's ladder (``level_id``,
    ``None`` before the first one), the date from which it is due, the date of its last
    step and the amount it claims."""

    id: int
    level_id: int | None
    due_date: object
    last_action_date: object = None
    amount: float = 0.0


#: After the last step of a ladder: a step repeated every so many days until paid, or a
#: person asked to hand the file to a collector or to prepare an injunction to pay.
END_REPEAT = "repeat"
END_HANDOFF = "handoff"
END_INJUNCTION = "injunction"


@dataclass(frozen=True)
class Ending:
    """What a ladder does after its last step (``mode``: ``END_*``): the step repeated
    (``level_id``) and its period (``every_days``) when it repeats."""

    mode: str
    level_id: int | None = None
    every_days: int = 14


@dataclass(frozen=True)
class Step:
    """What a customer's dunning does today: perform ``level`` for the invoices ``claims``,
    or nothing (``level`` is ``None``), while the invoices ``joining`` join the customer's
    ``current`` step without a reminder of their own."""

    level: LevelSpec | None
    claims: tuple
    joining: tuple
    current: LevelSpec | None
    last_action_date: object = None


def _ordered(levels):
    return sorted(levels, key=lambda level: (level.sequence, level.id))


def _candidate(levels, current_level_id):
    """``(previous, candidate)`` steps around ``current_level_id`` (unknown/empty: start)."""
    ordered = _ordered(levels)
    index = next((i for i, level in enumerate(ordered) if level.id == current_level_id), None)
    if current_level_id is None or index is None:
        previous, candidate_index = None, 0
    else:
        previous, candidate_index = ordered[index], index + 1
    candidate = ordered[candidate_index] if candidate_index < len(ordered) else None
    return previous, candidate


def _spacing(previous, candidate):
    """Days to wait after the previous step's action before running ``candidate`` (>= 0)."""
    return max(candidate.delay - previous.delay, 0) if previous else 0


def next_level(levels, *, current_level_id, days_overdue, last_action_date, today, amount):
    """The step to run now for an invoice at ``current_level_id``, or ``None``.

    The ladder moves one step per call and never skips one: the candidate is the step right
    after the current one (the first step if ``current_level_id`` is empty or unknown). It is
    due when ``days_overdue >= candidate.delay`` and, if a step was already run on
    ``last_action_date``, at least ``candidate.delay - current.delay`` days have passed since (so
    an invoice catching up keeps the policy's spacing). An ``amount`` below the candidate's
    ``min_amount`` waits (``None``).
    """
    previous, candidate = _candidate(levels, current_level_id)
    if candidate is None or days_overdue < candidate.delay:
        return None
    if last_action_date:
        elapsed = (as_date(today) - as_date(last_action_date)).days
        if elapsed < _spacing(previous, candidate):
            return None
    if amount < candidate.min_amount:
        return None
    return candidate


def next_level_date(levels, *, current_level_id, due_date, last_action_date):
    """``(step, date)``: the next step and the first day :func:`next_level` returns it.

    That day is ``due_date + step.delay``, or later to keep the spacing after
    ``last_action_date``. The step's ``min_amount`` is not checked here. ``(None, None)`` at the
    end of the ladder.
    """
    previous, candidate = _candidate(levels, current_level_id)
    if candidate is None:
        return None, None
    when = as_date(due_date) + timedelta(days=candidate.delay)
    if last_action_date:
        when = max(when, as_date(last_action_date) + timedelta(days=_spacing(previous, candidate)))
    return candidate, when


def reached_level(levels, days_overdue):
    """The last step (in ladder order) whose delay is reached, or ``None``.

    Used to place existing invoices on the ladder at install time without sending anything.
    """
    reached = [level for level in _ordered(levels) if level.delay <= days_overdue]
    return reached[-1] if reached else None


def claimable(claim, level, today):
    """Whether ``level`` may claim ``claim`` on ``today``: a step after the due date claims
    the invoices that are overdue, never one not yet due; a courtesy step (delay of 0 or
    less) claims those whose due date is that near."""
    return (as_date(today) - as_date(claim.due_date)).days >= min(level.delay, 1)


def claimed_by_hand(levels, claim, level, today):
    """Whether performing ``level`` of ``levels`` by hand claims ``claim`` on ``today``.

    A step claims the invoices below it (or not placed yet), as the night does; at the end
    of the ladder, the last step performed again claims those placed on it. An invoice
    placed past the step went through it (or was placed past it when the module was
    installed): a lower step never claims it again. The step must also be able to claim it
    on that day (:func:`claimable`)."""
    if not claimable(claim, level, today):
        return False
    by_id = {spec.id: spec for spec in levels}
    placed = by_id.get(claim.level_id)
    if placed is None:
        return True
    last = max(levels, key=_key)
    return _key(placed) < _key(level) or (placed.id == level.id == last.id)


def customer_step(levels, claims, *, today, held=False):
    """The :class:`Step` of a customer whose open invoices are ``claims`` on ``today``.

    The customer's current step is the highest one its invoices reached; the next step is
    due as :func:`next_level` rules it for the customer as a whole: from the due date of its
    oldest claimable invoice, ``last_action_date`` being that of the invoices on the current
    step, ``amount`` the sum of the claimable invoices. It claims all of them. ``held``: a
    step that a person must perform is still open, and the ladder waits for it. Otherwise,
    the invoices below the current step that it may claim join it."""
    ordered = _ordered(levels)
    position = {level.id: index for index, level in enumerate(ordered)}
    current = current_level(levels, claims)
    leaders = [c for c in claims if current and c.level_id == current.id] or list(claims)
    last = max((as_date(c.last_action_date) for c in leaders if c.last_action_date), default=None)
    _previous, candidate = _candidate(levels, current.id if current else None)
    if candidate and not held:
        due = [claim for claim in claims if claimable(claim, candidate, today)]
        if due:
            oldest = max((as_date(today) - as_date(claim.due_date)).days for claim in due)
            step = next_level(
                levels,
                current_level_id=current.id if current else None,
                days_overdue=oldest,
                last_action_date=last,
                today=today,
                amount=sum(claim.amount for claim in due),
            )
            if step:
                return Step(step, tuple(c.id for c in due), (), current, last)
    joining = ()
    if current:
        joining = tuple(
            claim.id
            for claim in claims
            if position.get(claim.level_id, -1) < position[current.id]
            and claimable(claim, current, today)
        )
    return Step(None, (), joining, current, last)


def repeat_date(levels, ending, *, current_level_id, last_action_date):
    """The day the customer on the last step of ``levels`` is reminded again, when the
    ladder's ``ending`` repeats a step: ``every_days`` after the last action; ``None``
    otherwise (not on the last step, or the ladder ends by asking a person)."""
    if not (ending and ending.mode == END_REPEAT and ending.level_id and levels):
        return None
    if current_level_id != max(levels, key=_key).id or not last_action_date:
        return None
    return as_date(last_action_date) + timedelta(days=max(ending.every_days, 1))


def current_level(levels, claims):
    """The customer's current step: the highest step of ``levels`` its ``claims`` reached,
    or ``None``."""
    by_id = {level.id: level for level in levels}
    placed = [by_id[claim.level_id] for claim in claims if claim.level_id in by_id]
    return max(placed, key=_key, default=None)


def level_after(levels, level_id):
    """The step that follows ``level_id`` on the ladder (the first one when empty or
    unknown), or ``None`` at its end."""
    return _candidate(levels, level_id or None)[1]


def _key(level):
    return (level.sequence, level.id)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Selection of the next step of a dunning ladder (échelle de relances)."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LevelSpec:
    """One ladder step: reached ``delay`` days after the due date (negative: before it)."""

    id: int
    sequence: int
    delay: int
    min_amount: float = 0.0


def _as_date(value):
    return value.date() if isinstance(value, datetime) else value


def _ordered(levels):
    return sorted(levels, key=lambda level: (level.sequence, level.id))


def next_level(levels, *, current_level_id, days_overdue, last_action_date, today, amount):
    """The step to run now for an invoice at ``current_level_id``, or ``None``.

    The ladder moves one step per call and never skips one: the candidate is the step right
    after the current one (the first step if ``current_level_id`` is ``None`` or unknown). It is
    due when ``days_overdue >= candidate.delay`` and, if a step was already run on
    ``last_action_date``, at least ``candidate.delay - current.delay`` days have passed since (so
    an invoice catching up keeps the policy's spacing). An ``amount`` below the candidate's
    ``min_amount`` waits (``None``).
    """
    ordered = _ordered(levels)
    index = next((i for i, level in enumerate(ordered) if level.id == current_level_id), None)
    if current_level_id is None or index is None:
        previous, candidate_index = None, 0
    else:
        previous, candidate_index = ordered[index], index + 1
    if candidate_index >= len(ordered):
        return None
    candidate = ordered[candidate_index]
    if days_overdue < candidate.delay:
        return None
    if last_action_date is not None:
        spacing = max(candidate.delay - previous.delay, 0) if previous else 0
        if (_as_date(today) - _as_date(last_action_date)).days < spacing:
            return None
    if amount < candidate.min_amount:
        return None
    return candidate


def reached_level(levels, days_overdue):
    """The last step (in ladder order) whose delay is reached, or ``None``.

    Used to place existing invoices on the ladder at install time without sending anything.
    """
    reached = [level for level in _ordered(levels) if level.delay <= days_overdue]
    return reached[-1] if reached else None


def next_level_date(levels, *, current_level_id, due_date, last_action_date):
    """The step after ``current_level_id`` and the first date it is due, or ``(None, None)``.

    Mirrors :func:`next_level`: the due date plus the step's delay, and not before the last
    action plus the spacing between the two steps.
    """
    ordered = _ordered(levels)
    index = next((i for i, level in enumerate(ordered) if level.id == current_level_id), None)
    previous = ordered[index] if index is not None else None
    candidate_index = index + 1 if index is not None else 0
    if candidate_index >= len(ordered):
        return None, None
    candidate = ordered[candidate_index]
    when = _as_date(due_date) + timedelta(days=candidate.delay)
    if last_action_date is not None and previous is not None:
        spacing = max(candidate.delay - previous.delay, 0)
        when = max(when, _as_date(last_action_date) + timedelta(days=spacing))
    return candidate, when

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Selection of the next step of a dunning ladder (échelle de relances)."""

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

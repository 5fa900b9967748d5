# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When will an open invoice be paid? Plain functions, no database.

The expectation is learnt from the payments already received:

- each paid invoice (or instalment) of the history gives a **delay**: the days between its
  due date and its payment, the payments of a partly paid one weighted by their amounts
  (a 1,000 invoice paid 400 at +10 days and 600 at +30 was paid at +22);
- recent payments count more: a payment's weight halves every ``HALF_LIFE_DAYS``;
- the customer's own history is used when it has at least ``MIN_HISTORY`` payments, else
  that of the similar customers (same kind of debtor, business or consumer), else the
  company's; with no history at all, the due date is the expectation;
- an invoice already late is expected at the mean of the past delays **longer than its
  lateness** (a customer who pays at +30 and is at +20 is expected at +30; one who has never
  been that late is expected a week later than today): the longer it waits, the later it
  is expected, and never in the past;
- a pause decides alone: a promise is its date, a payment plan the date of its next
  instalment, while a dispute, insolvency proceedings, a litigation, a blocked dunning or a
  file with a collector have no date (they are forecast apart, as "no expected date").

The dunning step enters through the lateness: the steps are days past the due date, so the
delays longer than the lateness are those of invoices that reached that step and beyond.
"""

from bisect import bisect_right
from collections import namedtuple
from datetime import timedelta

HALF_LIFE_DAYS = 365
MIN_HISTORY = 3
# what the similar customers' (or the company's) payments weigh beside a customer's own, in
# payments: a quarter of a payment, enough to temper a customer's first payment, not to
# drown it (customers keep their habits: see bench/README.md, the backtest)
PRIOR_WEIGHT = 0.25
# an invoice later than any past payment of its history is expected this many days on
BEYOND_HISTORY_DAYS = 7
# pauses with no expected date: nobody can say when (or whether) they will be paid
UNDATED_HOLDS = frozenset({"dispute", "insolvency", "litigation", "blocked", "handoff", "einvoice"})

# one paid invoice or instalment: its delay in days (negative when paid early), the day it
# was (on average) paid, and its amount
PaidItem = namedtuple("PaidItem", "delay paid_on amount")


class Profile:
    """What is learnt from a history: its (delay, weight) pairs and whose history it is
    (``source``), with the history that completes it (``prior``, weighing ``scale`` times
    its weights). Its delays are kept sorted with their running totals, so that the mean of
    the delays longer than a lateness costs a binary search, however long the history."""

    __slots__ = ("_keys", "_sum_dw", "_sum_w", "delays", "prior", "scale", "source")

    def __init__(self, delays, source, prior=None, scale=0.0):
        self.delays = tuple(delays)
        self.source = source
        self.prior = prior
        self.scale = scale
        ordered = sorted(self.delays)
        self._keys = [d for d, _w in ordered]
        self._sum_w = [0.0] * (len(ordered) + 1)
        self._sum_dw = [0.0] * (len(ordered) + 1)
        for index in range(len(ordered) - 1, -1, -1):
            delay, weight = ordered[index]
            self._sum_w[index] = self._sum_w[index + 1] + weight
            self._sum_dw[index] = self._sum_dw[index + 1] + delay * weight

    def totals_above(self, late):
        """(total weight, total weighted delay) of the delays longer than ``late`` (all of
        them when ``late`` is ``None``), its prior's included."""
        index = 0 if late is None else bisect_right(self._keys, late)
        weight, weighted = self._sum_w[index], self._sum_dw[index]
        if self.prior is not None and self.scale:
            prior_weight, prior_weighted = self.prior.totals_above(late)
            weight += self.scale * prior_weight
            weighted += self.scale * prior_weighted
        return weight, weighted

    def __bool__(self):
        return bool(self.delays) or bool(self.prior)


NO_PROFILE = Profile((), "none")


# who to call first (the board's priority): one point per ``per_amount`` overdue (in the
# company's currency) up to ``max_amount``, one per ``per_day`` days late up to
# ``max_days``, one per ``per_delay`` days the customer usually pays late up to
# ``max_delay``; and the points of a limitation date close, a promise due today or past,
# an instalment of a payment plan missed. At most 100 + 65.
PRIORITY = {
    "per_amount": 500,
    "max_amount": 40,
    "per_day": 3,
    "max_days": 30,
    "per_delay": 5,
    "max_delay": 10,
    "limitation": 25,
    "promise": 20,
    "plan": 20,
}


def priority(
    amount_overdue,
    days_late,
    payer_delay,
    *,
    near_limitation,
    promise_due,
    plan_missed,
    paused=False,
):
    """The board's priority of a customer (see :data:`PRIORITY`), as its SQL computes it:
    for the tests and the documentation."""
    w = PRIORITY
    score = 0.0
    if not paused or promise_due or plan_missed:
        score += min(max(amount_overdue, 0) / w["per_amount"], w["max_amount"])
        score += min(max(days_late, 0) / w["per_day"], w["max_days"])
        score += min(max(payer_delay or 0, 0) / w["per_delay"], w["max_delay"])
    score += w["limitation"] if near_limitation else 0
    score += w["promise"] if promise_due else 0
    score += w["plan"] if plan_missed else 0
    return round(score)


def weighted_delay(due, payments):
    """The delay of an item due on ``due`` and paid by ``payments`` ((date, amount) pairs):
    the days from its due date to the amount-weighted mean date of its payments, and that
    mean date. ``None`` without a payment."""
    total = sum(amount for _day, amount in payments if amount > 0)
    if not total:
        return None
    days = sum((day - due).days * amount for day, amount in payments if amount > 0) / total
    return PaidItem(days, due + timedelta(days=round(days)), total)


def profile(items, today, source, half_life=HALF_LIFE_DAYS):
    """The delays of ``items`` (:class:`PaidItem`) with their recency weights as of
    ``today``: a payment ``half_life`` days old weighs half a payment of today."""
    delays = tuple(
        (item.delay, 0.5 ** (max((today - item.paid_on).days, 0) / half_life)) for item in items
    )
    return Profile(delays, source)


def choose_profile(customer, similar, company, minimum=MIN_HISTORY, prior_weight=PRIOR_WEIGHT):
    """The profile that predicts a customer's invoice: its own payments, to which the
    payments of the similar customers (or, when they are fewer than ``minimum``, of the
    company) add the weight of ``prior_weight`` payments in all, so that a customer with
    one or two payments is not judged on them alone; the similar customers' or the
    company's when the customer has none; :data:`NO_PROFILE` without history."""
    prior = next(
        (c for c in (similar, company) if c and len(c.delays) >= minimum),
        None,
    )
    if not (customer and customer.delays):
        return prior or NO_PROFILE
    if not prior:
        return customer
    total = prior.totals_above(None)[0]
    return Profile(
        customer.delays, customer.source, prior=prior, scale=prior_weight / total if total else 0.0
    )


def expected_delay(prof, already_late=0):
    """The expected delay (days after the due date) of an item of the profile ``prof``,
    already ``already_late`` days late (0 when not yet due): the weighted mean of the past
    delays longer than ``already_late``, or ``already_late`` plus
    :data:`BEYOND_HISTORY_DAYS` when no past delay was that long. ``None`` without history.
    """
    if not prof:
        return None
    weight, weighted = prof.totals_above(already_late if already_late > 0 else None)
    if weight <= 0:
        return already_late + BEYOND_HISTORY_DAYS
    return weighted / weight


def expected_date(due, today, prof, *, hold=None, promise_date=None, plan_date=None):
    """The day an item due on ``due`` is expected to be paid, seen on ``today``; ``None``
    when nobody can say (see :data:`UNDATED_HOLDS`).

    :param hold: the invoice's pause (``relance_hold``), if any
    :param promise_date: the date of an active payment promise
    :param plan_date: the date of the next instalment of its payment plan
    """
    if hold in UNDATED_HOLDS:
        return None
    if hold == "promise" and promise_date:
        return max(promise_date, today)
    if hold == "plan":
        return max(plan_date, today) if plan_date else None
    late = (today - due).days
    delay = expected_delay(prof, late)
    if delay is None:
        return max(due, today)
    return max(due + timedelta(days=round(delay)), today)


def naive_delay(prof):
    """The plain weighted mean delay of the profile (the "due date + average delay"
    prediction the backtest compares with), 0 without history."""
    weight = sum(w for _d, w in prof.delays)
    return sum(d * w for d, w in prof.delays) / weight if weight else 0.0


def week_start(day):
    """The Monday of ``day``'s week: the forecast's weeks run Monday to Sunday."""
    return day - timedelta(days=day.weekday())


def forecast_weeks(today, items, weeks=13):
    """The expected inflows by week for the ``weeks`` weeks from ``today``'s week:
    ``items`` are (expected date or ``None``, amount) pairs. Returns ``(buckets, overdue,
    undated, later)``: the list of (Monday, amount) of each week, the amount expected before
    this week's Monday (none, as dates are never in the past, kept for safety), the amount
    with no expected date, and the amount expected after the last week."""
    first = week_start(today)
    totals = [0.0] * weeks
    undated = later = before = 0.0
    for day, amount in items:
        if day is None:
            undated += amount
            continue
        index = (day - first).days // 7
        if index < 0:
            before += amount
        elif index >= weeks:
            later += amount
        else:
            totals[index] += amount
    buckets = [(first + timedelta(weeks=i), totals[i]) for i in range(weeks)]
    return buckets, before, undated, later


def accuracy(pairs, tolerance=7):
    """The accuracy of predictions: ``pairs`` are (predicted date, actual date). Returns
    (mean absolute error in days, share of actual dates within ``tolerance`` days of the
    prediction), ``(None, None)`` when empty."""
    pairs = [(p, a) for p, a in pairs if p is not None]
    if not pairs:
        return None, None
    errors = [abs((actual - predicted).days) for predicted, actual in pairs]
    return (
        sum(errors) / len(errors),
        sum(1 for e in errors if e <= tolerance) / len(errors),
    )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dunning ladder step selection (plain pytest, no database)."""

from datetime import date, timedelta

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

ladder = load("ladder")
LevelSpec = ladder.LevelSpec

COURTESY = LevelSpec(id=1, sequence=10, delay=-5)  # courtesy reminder before the due date
FIRST = LevelSpec(id=2, sequence=20, delay=10)
SECOND = LevelSpec(id=3, sequence=30, delay=30)
NOTICE = LevelSpec(id=4, sequence=40, delay=45, min_amount=100.0)  # mise en demeure
# Given out of order on purpose: the ladder is ordered by (sequence, id).
LEVELS = [NOTICE, FIRST, SECOND, COURTESY]

TODAY = date(2026, 3, 20)


def _next(current, days_overdue, last_action_days_ago=None, amount=1000.0, levels=None):
    levels = LEVELS if levels is None else levels
    last_action = None if last_action_days_ago is None else TODAY - timedelta(last_action_days_ago)
    return ladder.next_level(
        levels,
        current_level_id=current,
        days_overdue=days_overdue,
        last_action_date=last_action,
        today=TODAY,
        amount=amount,
    )


def test_first_step_may_come_before_the_due_date():
    assert _next(None, -6) is None
    assert _next(None, -5) == COURTESY
    assert _next(None, 0) == COURTESY


def test_unknown_current_level_starts_at_the_first_step():
    assert _next(99, -5) == COURTESY


def test_never_skips_a_step():
    # 40 days overdue, never reminded: the first step only, not the 30-day one.
    assert _next(None, 40) == COURTESY


def test_next_step_waits_for_its_delay():
    assert _next(1, 9, last_action_days_ago=20) is None
    assert _next(1, 10, last_action_days_ago=20) == FIRST


def test_catching_up_keeps_the_policy_spacing():
    # From the courtesy step (-5) to the first step (10): 10 - (-5) = 15 days between them.
    assert _next(1, 40, last_action_days_ago=0) is None
    assert _next(1, 40, last_action_days_ago=14) is None
    assert _next(1, 40, last_action_days_ago=15) == FIRST
    # From the first (10) to the second step (30): 20 days.
    assert _next(2, 40, last_action_days_ago=19) is None
    assert _next(2, 40, last_action_days_ago=20) == SECOND


def test_no_last_action_date_means_no_spacing():
    assert _next(2, 30) == SECOND


def test_min_amount_makes_the_invoice_wait():
    # Formal notice needs 100.00: 45 - 30 = 15 days after the second step.
    assert _next(3, 45, last_action_days_ago=15, amount=99.99) is None
    assert _next(3, 45, last_action_days_ago=15, amount=100.0) == NOTICE
    assert _next(3, 44, last_action_days_ago=15, amount=100.0) is None


def test_end_of_the_ladder():
    assert _next(4, 400, last_action_days_ago=300) is None


def test_empty_ladder():
    assert _next(None, 100, levels=[]) is None


def test_same_sequence_ordered_by_id():
    a = LevelSpec(id=7, sequence=10, delay=5)
    b = LevelSpec(id=3, sequence=10, delay=15)
    # Order (10, 3) then (10, 7): b comes first even with the longer delay.
    assert _next(None, 20, levels=[a, b]) == b
    # After b, a is next; its spacing 5 - 15 < 0 counts as 0.
    assert _next(3, 20, last_action_days_ago=0, levels=[a, b]) == a


def test_empty_current_and_last_action_values_from_the_orm():
    # Odoo gives False for an empty many2one id or date.
    assert (
        ladder.next_level(
            LEVELS,
            current_level_id=False,
            days_overdue=0,
            last_action_date=False,
            today=TODAY,
            amount=10.0,
        )
        == COURTESY
    )


def test_next_level_date():
    due = date(2026, 3, 1)
    # First step: due date - 5 days = 2026-02-24.
    assert ladder.next_level_date(
        LEVELS, current_level_id=None, due_date=due, last_action_date=None
    ) == (COURTESY, date(2026, 2, 24))
    # After the courtesy step run on 2026-02-24: due + 10 = 2026-03-11 = 2026-02-24 + 15.
    assert ladder.next_level_date(
        LEVELS, current_level_id=1, due_date=due, last_action_date=date(2026, 2, 24)
    ) == (FIRST, date(2026, 3, 11))
    # Courtesy step run late, on 2026-03-05: spacing wins, 2026-03-05 + 15 = 2026-03-20.
    assert ladder.next_level_date(
        LEVELS, current_level_id=1, due_date=due, last_action_date=date(2026, 3, 5)
    ) == (FIRST, date(2026, 3, 20))
    # The date agrees with next_level: not on 2026-03-19 (14 days), yes on 2026-03-20.
    for today, expected in ((date(2026, 3, 19), None), (date(2026, 3, 20), FIRST)):
        assert (
            ladder.next_level(
                LEVELS,
                current_level_id=1,
                days_overdue=(today - due).days,
                last_action_date=date(2026, 3, 5),
                today=today,
                amount=1000.0,
            )
            == expected
        )
    # The min amount is not checked here; end of the ladder gives (None, None).
    assert ladder.next_level_date(
        LEVELS, current_level_id=3, due_date=due, last_action_date=False
    ) == (NOTICE, date(2026, 4, 15))
    assert ladder.next_level_date(
        LEVELS, current_level_id=4, due_date=due, last_action_date=date(2026, 4, 15)
    ) == (None, None)


def test_reached_level():
    assert ladder.reached_level(LEVELS, -10) is None
    assert ladder.reached_level(LEVELS, -5) == COURTESY
    assert ladder.reached_level(LEVELS, 0) == COURTESY
    assert ladder.reached_level(LEVELS, 29) == FIRST
    assert ladder.reached_level(LEVELS, 35) == SECOND
    assert ladder.reached_level(LEVELS, 100) == NOTICE
    assert ladder.reached_level([], 100) is None


# ------------------------------------------------------------------ a customer's voice
Claim = ladder.Claim


def _claim(id_, level, days_overdue, last_days_ago=None, amount=500.0):
    last = None if last_days_ago is None else TODAY - timedelta(last_days_ago)
    return Claim(id_, level, TODAY - timedelta(days_overdue), last, amount)


def test_one_invoice_follows_next_level():
    for days in (-6, -5, 9, 40):
        step = ladder.customer_step(LEVELS, [_claim(1, None, days)], today=TODAY)
        assert step.level == _next(None, days)
    step = ladder.customer_step(LEVELS, [_claim(1, 1, 40, last_days_ago=15)], today=TODAY)
    assert (step.level, step.claims) == (FIRST, (1,))


def test_next_step_claims_every_overdue_invoice():
    # The customer is on the first step since 20 days (an invoice 30 days overdue); a newer
    # invoice fell due 3 days ago: the second step (30 days, 20 after the first) claims both.
    claims = [_claim(1, 2, 30, last_days_ago=20), _claim(2, None, 3)]
    step = ladder.customer_step(LEVELS, claims, today=TODAY)
    assert (step.level, step.claims, step.joining) == (SECOND, (1, 2), ())


def test_newer_invoice_joins_the_current_step():
    # The second step is 10 days away: the newer overdue invoice joins the first step; one
    # not yet due neither joins nor is claimed.
    claims = [_claim(1, 2, 20, last_days_ago=10), _claim(2, None, 3), _claim(3, None, -2)]
    step = ladder.customer_step(LEVELS, claims, today=TODAY)
    assert (step.level, step.current, step.joining) == (None, FIRST, (2,))
    assert step.last_action_date == TODAY - timedelta(10)


def test_courtesy_step_claims_only_what_falls_due_soon():
    claims = [_claim(1, None, -5), _claim(2, None, -20)]
    step = ladder.customer_step(LEVELS, claims, today=TODAY)
    assert (step.level, step.claims) == (COURTESY, (1,))


def test_step_after_the_due_date_never_claims_what_is_not_due():
    claims = [_claim(1, 1, 10, last_days_ago=15), _claim(2, 1, -3, last_days_ago=15)]
    step = ladder.customer_step(LEVELS, claims, today=TODAY)
    assert (step.level, step.claims) == (FIRST, (1,))


def test_open_manual_step_holds_the_ladder():
    claims = [_claim(1, 2, 30, last_days_ago=20), _claim(2, None, 3)]
    step = ladder.customer_step(LEVELS, claims, today=TODAY, held=True)
    assert (step.level, step.claims, step.joining) == (None, (), (2,))


def test_minimum_amount_of_the_customer():
    # The formal notice needs 100.00 claimed in all: two invoices of 60.00 reach it.
    claims = [_claim(1, 3, 45, last_days_ago=15, amount=60.0)]
    assert ladder.customer_step(LEVELS, claims, today=TODAY).level is None
    claims.append(_claim(2, 3, 45, last_days_ago=15, amount=60.0))
    assert ladder.customer_step(LEVELS, claims, today=TODAY).level == NOTICE


def test_end_of_the_ladder_still_joins():
    claims = [_claim(1, 4, 400, last_days_ago=300), _claim(2, 2, 30, last_days_ago=5)]
    step = ladder.customer_step(LEVELS, claims, today=TODAY)
    assert (step.level, step.current, step.joining) == (None, NOTICE, (2,))


def test_a_step_performed_by_hand_claims_what_is_below_it():
    below, joined, past = _claim(1, 2, 40), _claim(2, None, 3), _claim(3, 4, 400)
    assert ladder.claimed_by_hand(LEVELS, below, SECOND, TODAY)
    assert ladder.claimed_by_hand(LEVELS, joined, SECOND, TODAY)
    # placed past the step (or at it): a lower step does not claim it again
    assert not ladder.claimed_by_hand(LEVELS, past, SECOND, TODAY)
    assert not ladder.claimed_by_hand(LEVELS, _claim(4, 3, 40), SECOND, TODAY)
    # the last step repeated claims those placed on it
    assert ladder.claimed_by_hand(LEVELS, past, NOTICE, TODAY)
    # never what the step may not claim on that day
    assert not ladder.claimed_by_hand(LEVELS, _claim(5, None, -2), SECOND, TODAY)
    assert ladder.claimed_by_hand(LEVELS, _claim(5, None, -2), COURTESY, TODAY)


def test_the_last_step_repeats_every_n_days():
    ending = ladder.Ending(ladder.END_REPEAT, level_id=SECOND.id, every_days=14)
    last = TODAY - timedelta(days=10)
    args = dict(current_level_id=NOTICE.id, last_action_date=last)
    assert ladder.repeat_date(LEVELS, ending, **args) == last + timedelta(days=14)
    # not on the last step, or a ladder that ends by asking a person: no repeat
    assert (
        ladder.repeat_date(LEVELS, ending, current_level_id=SECOND.id, last_action_date=last)
        is None
    )
    handoff = ladder.Ending(ladder.END_HANDOFF)
    assert ladder.repeat_date(LEVELS, handoff, **args) is None
    assert ladder.repeat_date(LEVELS, None, **args) is None

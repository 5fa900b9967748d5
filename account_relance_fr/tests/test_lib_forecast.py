# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Expected payment dates and the receivables forecast (plain pytest, no database)."""

from datetime import date, timedelta

import pytest

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

forecast = load("forecast")
TODAY = date(2026, 6, 1)


def item(delay, days_ago=0, amount=100.0):
    """A paid item of ``delay`` days, paid ``days_ago`` days before TODAY."""
    return forecast.PaidItem(delay, TODAY - timedelta(days=days_ago), amount)


def test_partial_payments_weighted_by_amount():
    # 400 at +10 days and 600 at +30: paid at +22 on average
    paid = forecast.weighted_delay(
        date(2026, 1, 31), [(date(2026, 2, 10), 400.0), (date(2026, 3, 2), 600.0)]
    )
    assert paid.delay == pytest.approx(22.0)
    assert paid.paid_on == date(2026, 2, 22)
    assert paid.amount == 1000.0
    # paid before its due date: a negative delay
    early = forecast.weighted_delay(date(2026, 1, 31), [(date(2026, 1, 26), 50.0)])
    assert early.delay == -5
    assert forecast.weighted_delay(date(2026, 1, 31), []) is None


def test_recent_payments_count_more():
    # a payment of today weighs 1, one of 180 days ago 0.5, one of 360 days ago 0.25
    prof = forecast.profile(
        [item(10), item(40, 180), item(70, 360)], TODAY, "customer", half_life=180
    )
    assert [w for _d, w in prof.delays] == pytest.approx([1.0, 0.5, 0.25])
    # (10 x 1 + 40 x 0.5 + 70 x 0.25) / 1.75 = 26.57 days
    assert forecast.expected_delay(prof) == pytest.approx(47.5 / 1.75)
    assert forecast.naive_delay(prof) == pytest.approx(47.5 / 1.75)


def test_the_customer_then_similar_customers_then_the_company():
    similar = forecast.profile([item(20)] * 3, TODAY, "similar")
    company = forecast.profile([item(30)] * 10, TODAY, "company")
    # a customer's own payment, tempered by the similar customers' weighing a quarter of a
    # payment: (10 x 1 + 20 x 0.25) / 1.25 = 12 days
    mine = forecast.profile([item(10)], TODAY, "customer")
    chosen = forecast.choose_profile(mine, similar, company)
    assert chosen.source == "customer"
    assert forecast.expected_delay(chosen) == pytest.approx(12.0)
    # fewer than three similar payments: the company's complete it
    few = forecast.profile([item(20)] * 2, TODAY, "similar")
    chosen = forecast.choose_profile(mine, few, company)
    assert forecast.expected_delay(chosen) == pytest.approx((10 + 30 * 0.25) / 1.25)
    # no payment of its own: the similar customers', else the company's
    assert forecast.choose_profile(None, similar, company).source == "similar"
    assert forecast.choose_profile(None, None, company).source == "company"
    assert forecast.choose_profile(None, None, None) is forecast.NO_PROFILE


def test_a_late_invoice_is_expected_later_the_longer_it_waits():
    # a customer who pays at +10, +30 or +50 days, equally
    prof = forecast.profile([item(10), item(30), item(50)], TODAY, "customer")
    due = TODAY - timedelta(days=20)  # 20 days late: only +30 and +50 remain possible
    assert forecast.expected_date(due, TODAY, prof) == due + timedelta(days=40)
    # 55 days late: later than it ever was, expected a week from today
    due = TODAY - timedelta(days=55)
    assert forecast.expected_date(due, TODAY, prof) == TODAY + timedelta(days=7)
    # not yet due: the mean delay, +30 days
    due = TODAY + timedelta(days=10)
    assert forecast.expected_date(due, TODAY, prof) == due + timedelta(days=30)
    # an early payer's invoice due tomorrow is expected today, never in the past
    early = forecast.profile([item(-10)] * 3, TODAY, "customer")
    assert forecast.expected_date(TODAY + timedelta(days=1), TODAY, early) == TODAY


def test_no_history_expects_the_due_date():
    due = TODAY + timedelta(days=15)
    assert forecast.expected_date(due, TODAY, forecast.NO_PROFILE) == due
    assert forecast.expected_date(TODAY - timedelta(days=3), TODAY, forecast.NO_PROFILE) == TODAY


def test_pauses_decide():
    prof = forecast.profile([item(30)] * 3, TODAY, "customer")
    due = TODAY - timedelta(days=10)
    promised = TODAY + timedelta(days=4)
    assert (
        forecast.expected_date(due, TODAY, prof, hold="promise", promise_date=promised) == promised
    )
    plan = TODAY + timedelta(days=12)
    assert forecast.expected_date(due, TODAY, prof, hold="plan", plan_date=plan) == plan
    for hold in ("dispute", "insolvency", "litigation", "blocked", "handoff"):
        assert forecast.expected_date(due, TODAY, prof, hold=hold) is None


def test_forecast_weeks():
    # TODAY is a Monday
    items = [
        (TODAY, 100.0),
        (TODAY + timedelta(days=6), 50.0),  # Sunday: the same week
        (TODAY + timedelta(days=7), 25.0),
        (TODAY + timedelta(weeks=13), 10.0),  # after the 13 weeks
        (None, 1000.0),
    ]
    buckets, before, undated, later = forecast.forecast_weeks(TODAY + timedelta(days=2), items)
    assert len(buckets) == 13
    assert buckets[0] == (TODAY, 150.0)
    assert buckets[1] == (TODAY + timedelta(days=7), 25.0)
    assert (before, undated, later) == (0.0, 1000.0, 10.0)


def test_accuracy():
    pairs = [
        (date(2026, 1, 10), date(2026, 1, 12)),
        (date(2026, 1, 10), date(2026, 1, 30)),
        (None, date(2026, 1, 1)),  # no prediction: not counted
    ]
    mae, within = forecast.accuracy(pairs)
    assert (mae, within) == (11.0, 0.5)
    assert forecast.accuracy([]) == (None, None)


def test_priority():
    # 6,000.00 overdue (12 points), 30 days late (10), paid 25 days late usually (5)
    assert (
        forecast.priority(
            6000.0, 30, 25, near_limitation=False, promise_due=False, plan_missed=False
        )
        == 27
    )
    # capped: 40 + 30 + 10, and a limitation close, a promise due, an instalment missed
    assert (
        forecast.priority(
            10**6, 1000, 1000, near_limitation=True, promise_due=True, plan_missed=True
        )
        == 80 + 25 + 20 + 20
    )
    # all its invoices paused: only a promise due or a plan missed count
    assert (
        forecast.priority(
            6000.0, 30, 25, near_limitation=False, promise_due=False, plan_missed=False, paused=True
        )
        == 0
    )
    assert (
        forecast.priority(
            6000.0, 30, 25, near_limitation=False, promise_due=True, plan_missed=False, paused=True
        )
        == 27 + 20
    )

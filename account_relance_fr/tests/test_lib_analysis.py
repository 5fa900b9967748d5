# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Receivable indicators (plain pytest, no database)."""

from datetime import date, timedelta

import pytest

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

analysis = load("analysis")


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-10, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
        (1000, "over_90"),
    ],
)
def test_aging_bucket(days, bucket):
    assert analysis.aging_bucket(days) == bucket


@pytest.mark.parametrize(
    ("avg_days_late", "late_ratio", "count", "badge"),
    [
        (0, 0, 0, "unknown"),
        (50, 1.0, 0, "unknown"),
        # one invoice 13 days late, or two: not enough to judge
        (13, 1.0, 1, "unknown"),
        (40, 1.0, 2, "unknown"),
        (40, 1.0, 3, "bad"),
        (0, 0, 10, "good"),
        (5, 0.2, 10, "good"),  # both limits included
        (5.1, 0.2, 10, "normal"),
        (5, 0.21, 10, "normal"),
        (30, 0.5, 10, "normal"),  # bad limits excluded
        (30.1, 0.1, 10, "bad"),
        (2, 0.51, 10, "bad"),
    ],
)
def test_payer_badge(avg_days_late, late_ratio, count, badge):
    assert analysis.payer_badge(avg_days_late, late_ratio, count) == badge


def test_paid_within_rate():
    d = date(2026, 3, 1)
    pairs = [
        (d, d + timedelta(5)),  # within 10 days
        (d, d + timedelta(10)),  # exactly 10 days: within
        (d, d + timedelta(11)),  # too late
        (d, None),  # unpaid
    ]
    # 2 of 4 = 0.5
    assert analysis.paid_within_rate(pairs, 10) == 0.5
    # Within 11 days: 3 of 4 = 0.75
    assert analysis.paid_within_rate(iter(pairs), 11) == 0.75
    assert analysis.paid_within_rate([], 10) == 0.0


def test_dso_countback():
    # 30 days of this month sold 1,000 and 30 days of the last one 3,000: a receivable of
    # 2,500 covers this month (30 days) and 1,500 / 3,000 of the last (15 days): 45.0
    assert analysis.dso_countback(2500, [(30, 1000), (30, 3000)]) == 45.0
    # exhausted within the current month: 20 days x 600 / 1,000 = 12.0
    assert analysis.dso_countback(600, [(20, 1000), (31, 5000)]) == 12.0
    # exactly this month's sales: its days
    assert analysis.dso_countback(1000, [(20, 1000), (31, 5000)]) == 20.0
    # a month without sales, and one with more credit notes than invoices, count whole
    assert analysis.dso_countback(1500, [(6, 0), (30, -200), (31, 3000)]) == 51.5
    # credits exceed the receivable: 0 days, never negative
    assert analysis.dso_countback(-8509, [(30, 1000)]) == 0.0
    assert analysis.dso_countback(0, [(30, 1000)]) == 0.0
    # older than every month read: all their days
    assert analysis.dso_countback(10_000, [(30, 1000), (31, 1000)]) == 61.0
    # 1 decimal, half up: 7 x 1 / 3 = 2.333 -> 2.3; 7 x 1 / 2 = 3.5
    assert analysis.dso_countback(1, [(7, 3)]) == 2.3
    assert analysis.dso_countback(1, [(7, 2)]) == 3.5

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


def test_dso():
    # 30,000 / 365,000 x 365 = 30.0
    assert analysis.dso(30000, 365000) == 30.0
    # 10,000 / 120,000 x 365 = 30.4166... -> 30.4
    assert analysis.dso(10000, 120000) == 30.4
    # 10,000 / 120,000 x 360 = 30.0
    assert analysis.dso(10000, 120000, days=360) == 30.0
    # 1 / 20 x 365 = 18.25 -> 18.3 (half up)
    assert analysis.dso(1, 20) == 18.3
    assert analysis.dso(5000, 0) == 0.0
    assert analysis.dso(0, 100000) == 0.0


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

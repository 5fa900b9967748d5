# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Payment terms and limitation periods (plain pytest, no database)."""

from datetime import date

import pytest

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

dates = load("dates")


def test_end_of_month():
    assert dates.end_of_month(date(2026, 1, 20)) == date(2026, 1, 31)
    assert dates.end_of_month(date(2026, 2, 1)) == date(2026, 2, 28)
    assert dates.end_of_month(date(2024, 2, 10)) == date(2024, 2, 29)  # leap year
    assert dates.end_of_month(date(2026, 4, 30)) == date(2026, 4, 30)


def test_add_years():
    assert dates.add_years(date(2026, 1, 15), 5) == date(2031, 1, 15)
    assert dates.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert dates.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_due_date_net():
    # 2026-01-20 + 30: 11 days to Jan 31, 19 more -> Feb 19.
    assert dates.due_date_net(date(2026, 1, 20), 30) == date(2026, 2, 19)
    assert dates.due_date_net(date(2026, 1, 20), 0) == date(2026, 1, 20)


def test_45_days_end_of_month_worked_example():
    # Legal reference, section 1: invoice of 2026-01-20.
    invoice = date(2026, 1, 20)
    # A: 2026-01-20 + 45 = 2026-03-06, end of month -> 2026-03-31.
    assert dates.due_date_45_eom_a(invoice) == date(2026, 3, 31)
    # B: end of January 2026-01-31, + 45 (28 in Feb + 17) -> 2026-03-17.
    assert dates.due_date_45_eom_b(invoice) == date(2026, 3, 17)
    # 60 days: 11 (Jan 21-31) + 28 (Feb) + 21 -> 2026-03-21.
    assert dates.legal_cap_date(invoice) == date(2026, 3, 21)
    # Method A exceeds the 60-day cap here: warn. Method B does not.
    assert dates.exceeds_legal_cap(invoice, date(2026, 3, 31)) is True
    assert dates.exceeds_legal_cap(invoice, date(2026, 3, 17)) is False
    assert dates.exceeds_legal_cap(invoice, date(2026, 3, 21)) is False
    assert dates.exceeds_legal_cap(invoice, date(2026, 3, 22)) is True


def test_legal_cap_accepts_45_eom_method_b_beyond_60_days():
    # Invoice 2026-01-01: + 60 = 2026-03-02 (30 + 28 + 2); method B = 2026-01-31 + 45 = 2026-03-17.
    invoice = date(2026, 1, 1)
    assert dates.legal_cap_date(invoice) == date(2026, 3, 2)
    assert dates.due_date_45_eom_b(invoice) == date(2026, 3, 17)
    assert dates.exceeds_legal_cap(invoice, date(2026, 3, 17)) is False
    assert dates.exceeds_legal_cap(invoice, date(2026, 3, 18)) is True


def test_prescription_consumer_worked_example():
    # Legal reference, section 5: B2C invoice due 2026-01-15 -> 2028-01-15 (2 years).
    assert dates.prescription_date(date(2026, 1, 15), "consumer") == date(2028, 1, 15)
    # A partial payment on 2026-06-01 restarts a full period -> 2028-06-01.
    assert dates.prescription_date(date(2026, 1, 15), "consumer", [date(2026, 6, 1)]) == date(
        2028, 6, 1
    )


def test_prescription_business():
    # 5 years from the due date.
    assert dates.prescription_date(date(2026, 1, 15), "business") == date(2031, 1, 15)
    # The latest interruption wins; one dated before the due date changes nothing.
    interruptions = [date(2027, 3, 1), None, date(2026, 6, 1), date(2025, 12, 1)]
    assert dates.prescription_date(date(2026, 1, 15), "business", interruptions) == date(2032, 3, 1)
    assert dates.prescription_date(date(2026, 1, 15), "business", [date(2025, 12, 1)]) == date(
        2031, 1, 15
    )


def test_prescription_leap_day():
    # Due 2024-02-29, 2 years -> 2026-02-28 (no 29 February in 2026).
    assert dates.prescription_date(date(2024, 2, 29), "consumer") == date(2026, 2, 28)


def test_prescription_unknown_debtor():
    with pytest.raises(ValueError, match="Unknown debtor type"):
        dates.prescription_date(date(2026, 1, 15), "company")


def test_is_near_prescription():
    limit = date(2028, 1, 15)
    # 2027-10-17 -> 2028-01-15: 14 (Oct 18-31) + 30 + 31 + 15 = 90 days: within the warning.
    assert dates.is_near_prescription(limit, date(2027, 10, 17)) is True
    # One day earlier: 91 days left.
    assert dates.is_near_prescription(limit, date(2027, 10, 16)) is False
    assert dates.is_near_prescription(limit, date(2027, 10, 16), warning_days=91) is True
    # Still flagged on and after the limitation date.
    assert dates.is_near_prescription(limit, limit) is True
    assert dates.is_near_prescription(limit, date(2028, 6, 1)) is True


def test_is_prescribed():
    limit = date(2028, 1, 15)
    assert dates.is_prescribed(limit, date(2028, 1, 15)) is False
    assert dates.is_prescribed(limit, date(2028, 1, 16)) is True

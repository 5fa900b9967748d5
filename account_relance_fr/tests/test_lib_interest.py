# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Late-payment interest and recovery indemnity (plain pytest, no database)."""

import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

interest = load("interest")
RatePeriod = interest.RatePeriod

# Legal reference, section 2: semester, ECB MRO, ECB + 10, legal rate (professional creditor),
# 3 x legal, legal rate (private creditor); all in percent.
TABLE = [
    ("2023-H1", "2.50", "12.50", "2.06", "6.18", "4.47"),
    ("2023-H2", "4.00", "14.00", "4.22", "12.66", "6.82"),
    ("2024-H1", "4.50", "14.50", "5.07", "15.21", "8.01"),
    ("2024-H2", "4.25", "14.25", "4.92", "14.76", "8.16"),
    ("2025-H1", "3.15", "13.15", "3.71", "11.13", "7.21"),
    ("2025-H2", "2.15", "12.15", "2.76", "8.28", "6.65"),
    ("2026-H1", "2.15", "12.15", "2.62", "7.86", "6.67"),
]


def _start(label):
    year, half = label.split("-H")
    return date(int(year), 1 if half == "1" else 7, 1)


RATES = [
    RatePeriod(_start(label), float(ecb), float(pro), float(private))
    for label, ecb, _ecb10, pro, _floor, private in TABLE
]

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "account_relance_rate_data.xml"


# --- semesters ---------------------------------------------------------------------------


def test_semester_helpers():
    assert interest.semester_start(date(2026, 3, 20)) == date(2026, 1, 1)
    assert interest.semester_start(date(2026, 6, 30)) == date(2026, 1, 1)
    assert interest.semester_start(date(2026, 7, 1)) == date(2026, 7, 1)
    assert interest.semester_start(date(2026, 12, 31)) == date(2026, 7, 1)
    assert interest.semester_end(date(2026, 1, 1)) == date(2026, 6, 30)
    assert interest.semester_end(date(2026, 7, 1)) == date(2026, 12, 31)
    assert interest.semester_label(date(2026, 6, 30)) == "2026-H1"
    assert interest.semester_label(date(2026, 8, 10)) == "2026-H2"
    assert interest.semester_label(datetime(2026, 8, 10, 23, 59)) == "2026-H2"


def test_rate_for_day_exact_semester():
    period, provisional = interest.rate_for_day(RATES, date(2026, 3, 20))
    assert (period.date_start, period.ecb_rate, provisional) == (date(2026, 1, 1), 2.15, False)
    period, provisional = interest.rate_for_day(list(reversed(RATES)), date(2024, 12, 31))
    assert (period.date_start, period.legal_rate_pro, provisional) == (
        date(2024, 7, 1),
        4.92,
        False,
    )


def test_rate_for_day_missing_semester_uses_latest_provisionally():
    # 2026-H2 is not recorded: the 2026-H1 record applies, marked provisional.
    period, provisional = interest.rate_for_day(RATES, date(2026, 8, 10))
    assert (period.date_start, provisional) == (date(2026, 1, 1), True)
    # A gap in the middle: without 2024-H2, the 2024-H1 record applies.
    gappy = [rate for rate in RATES if rate.date_start != date(2024, 7, 1)]
    period, provisional = interest.rate_for_day(gappy, date(2024, 9, 1))
    assert (period.date_start, provisional) == (date(2024, 1, 1), True)


def test_rate_for_day_before_first_record_uses_earliest():
    period, provisional = interest.rate_for_day(RATES, date(2022, 12, 31))
    assert (period.date_start, provisional) == (date(2023, 1, 1), True)


def test_rate_for_day_without_records_raises():
    with pytest.raises(ValueError, match="No late-payment rate"):
        interest.rate_for_day([], date(2026, 1, 1))


# --- contractual floor (3 x legal rate) ------------------------------------------------------


@pytest.mark.parametrize("row", TABLE, ids=[row[0] for row in TABLE])
def test_table_derived_columns(row):
    _label, ecb, ecb10, pro, floor, _private = row
    assert Decimal(ecb) + 10 == Decimal(ecb10)
    assert 3 * Decimal(pro) == Decimal(floor)
    # A contractual rate equal to the floor is allowed, one hundredth below is not.
    assert interest.check_contractual_rate(float(floor), float(pro)) is True
    below = float(Decimal(floor) - Decimal("0.01"))
    assert interest.check_contractual_rate(below, float(pro)) is False


def test_check_contractual_rate_examples():
    # 2026-H1: 3 x 2.62 = 7.86.
    assert interest.check_contractual_rate(7.86, 2.62)
    assert not interest.check_contractual_rate(7.85, 2.62)
    assert interest.check_contractual_rate(12.15, 2.62)
    # 2023-H1: 3 x 2.06 = 6.18 although 3 * 2.06 == 6.180000000000001 in binary floats.
    assert interest.check_contractual_rate(6.18, 2.06)
    # 2024-H1: 3 x 5.07 = 15.21, above ECB + 10 = 14.50; the floor binds contractual rates only.
    assert not interest.check_contractual_rate(14.50, 5.07)


def test_rate_data_file_matches_legal_table():
    root = ET.parse(DATA_FILE).getroot()
    assert root.tag == "odoo"
    assert root.get("noupdate") == "1"
    records = root.findall("record")
    assert len(records) == len(TABLE)
    for record, (label, ecb, _ecb10, pro, _floor, private) in zip(records, TABLE, strict=True):
        fields = {field.get("name"): field.text for field in record.findall("field")}
        assert record.get("model") == "account.relance.rate"
        assert record.get("id") == "rate_" + label.replace("-H", "_h")
        assert fields["date_start"] == _start(label).isoformat()
        assert Decimal(fields["ecb_rate"]) == Decimal(ecb)
        assert Decimal(fields["legal_rate_pro"]) == Decimal(pro)
        assert Decimal(fields["legal_rate_private"]) == Decimal(private)


# --- late interest, business debtor ----------------------------------------------------------


def test_worked_example_b2b():
    # Legal reference: 1,200.00 due 2026-01-15, paid 2026-03-20, default rate.
    # Days 16 (Jan 16-31) + 28 (Feb) + 20 (Mar 1-20) = 64; rate 2.15 + 10 = 12.15 %;
    # 1200 x 0.1215 x 64 / 365 = 9331.2 / 365 = 25.5649... -> 25.56.
    result = interest.late_interest(
        principal=1200.0, due_date=date(2026, 1, 15), on_date=date(2026, 3, 20), rates=RATES
    )
    assert result["days"] == 64
    assert result["interest"] == 25.56
    assert result["provisional"] is False
    assert result["missing_semesters"] == []
    [segment] = result["segments"]
    assert (segment["date_from"], segment["date_to"]) == (date(2026, 1, 16), date(2026, 3, 20))
    assert (segment["days"], segment["rate"], segment["base"], segment["amount"]) == (
        64,
        12.15,
        1200.0,
        25.56,
    )


def test_worked_example_b2b_penalties():
    # 25.56 interest + 40.00 indemnity = 65.56.
    result = interest.penalties(
        principal=1200.0, due_date=date(2026, 1, 15), on_date=date(2026, 3, 20), rates=RATES
    )
    assert result["days_late"] == 64
    assert result["interest"] == 25.56
    assert result["indemnity"] == 40.0
    assert result["total"] == 65.56


def test_semester_boundary_split():
    # 1000 due 2025-06-20, computed on 2025-07-10.
    # 2025-06-21..30: 10 days at 3.15 + 10 = 13.15 %: 1000 x 0.1315 x 10 / 365 = 3.6027 -> 3.60
    # 2025-07-01..10: 10 days at 2.15 + 10 = 12.15 %: 1000 x 0.1215 x 10 / 365 = 3.3288 -> 3.33
    # total (1315 + 1215) / 365 = 6.9315 -> 6.93
    result = interest.late_interest(
        principal=1000, due_date=date(2025, 6, 20), on_date=date(2025, 7, 10), rates=RATES
    )
    assert result["days"] == 20
    assert result["interest"] == 6.93
    assert [
        (s["date_from"], s["date_to"], s["days"], s["rate"], s["amount"])
        for s in result["segments"]
    ] == [
        (date(2025, 6, 21), date(2025, 6, 30), 10, 13.15, 3.60),
        (date(2025, 7, 1), date(2025, 7, 10), 10, 12.15, 3.33),
    ]


def test_freeze_due_semester():
    # Same case, rate frozen at the due date's semester (2025-H1, 13.15 %) for all 20 days:
    # 1000 x 0.1315 x 20 / 365 = 2630 / 365 = 7.2055 -> 7.21; still one segment per semester.
    result = interest.late_interest(
        principal=1000,
        due_date=date(2025, 6, 20),
        on_date=date(2025, 7, 10),
        rates=RATES,
        freeze_due_semester=True,
    )
    assert result["interest"] == 7.21
    assert [(s["days"], s["rate"], s["amount"]) for s in result["segments"]] == [
        (10, 13.15, 3.60),  # 1315 / 365 = 3.6027
        (10, 13.15, 3.60),
    ]


def test_three_semesters():
    # 1000 due 2024-12-15, computed on 2025-07-15: 212 days.
    # 2024-12-16..31: 16 days at 14.25 %: 142.5 x 16 = 2280 / 365 = 6.2466 -> 6.25
    # 2025-01-01..06-30: 181 days at 13.15 %: 131.5 x 181 = 23801.5 / 365 = 65.2096 -> 65.21
    # 2025-07-01..15: 15 days at 12.15 %: 121.5 x 15 = 1822.5 / 365 = 4.9932 -> 4.99
    # total 27904 / 365 = 76.4493 -> 76.45
    result = interest.late_interest(
        principal=1000, due_date=date(2024, 12, 15), on_date=date(2025, 7, 15), rates=RATES
    )
    assert result["days"] == 212
    assert result["interest"] == 76.45
    assert [(s["days"], s["rate"], s["amount"]) for s in result["segments"]] == [
        (16, 14.25, 6.25),
        (181, 13.15, 65.21),
        (15, 12.15, 4.99),
    ]


def test_same_rate_still_split_and_rounded_at_the_end_only():
    # 1200 due 2025-12-15, computed on 2026-01-10; 12.15 % in both semesters.
    # Dec 16-31: 16 days: 145.8 x 16 = 2332.8 / 365 = 6.3912 -> shown 6.39
    # Jan 1-10: 10 days: 145.8 x 10 = 1458 / 365 = 3.9945 -> shown 3.99
    # total 145.8 x 26 = 3790.8 / 365 = 10.3858 -> 10.39 (not 6.39 + 3.99 = 10.38)
    result = interest.late_interest(
        principal=1200, due_date=date(2025, 12, 15), on_date=date(2026, 1, 10), rates=RATES
    )
    assert result["interest"] == 10.39
    assert [(s["semester"], s["days"], s["amount"]) for s in result["segments"]] == [
        ("2025-H2", 16, 6.39),
        ("2026-H1", 10, 3.99),
    ]


def test_contractual_rate_needs_no_rate_record():
    # Contractual 36.5 %: 0.1 % a day. 200.8 due 2026-06-25, computed on 2026-07-05.
    # Jun 26-30: 200.8 x 0.365 x 5 / 365 = 1.004 -> shown 1.00; Jul 1-5: same.
    # total 2.008 -> 2.01
    result = interest.late_interest(
        principal=200.8,
        due_date=date(2026, 6, 25),
        on_date=date(2026, 7, 5),
        rates=[],
        contractual_rate=36.5,
    )
    assert result["interest"] == 2.01
    assert [(s["days"], s["rate"], s["amount"]) for s in result["segments"]] == [
        (5, 36.5, 1.0),
        (5, 36.5, 1.0),
    ]
    assert result["provisional"] is False


def test_partial_payment_reduces_base_from_the_next_day():
    # 1200 due 2026-01-15, 200 paid on 2026-02-01, computed on 2026-03-20.
    # Jan 16 - Feb 1: 17 days on 1200: 145.8 x 17 = 2478.6 / 365 = 6.7907 -> 6.79
    # Feb 2 - Mar 20: 27 + 20 = 47 days on 1000: 121.5 x 47 = 5710.5 / 365 = 15.6452 -> 15.65
    # total 8189.1 / 365 = 22.4359 -> 22.44
    result = interest.late_interest(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        payments=[(date(2026, 2, 1), 200.0)],
    )
    assert result["days"] == 64
    assert result["interest"] == 22.44
    assert [
        (s["date_from"], s["date_to"], s["days"], s["base"], s["amount"])
        for s in result["segments"]
    ] == [
        (date(2026, 1, 16), date(2026, 2, 1), 17, 1200.0, 6.79),
        (date(2026, 2, 2), date(2026, 3, 20), 47, 1000.0, 15.65),
    ]


@pytest.mark.parametrize("paid_on", [date(2026, 1, 15), date(2026, 1, 10)])
def test_payment_on_or_before_due_date_reduces_every_day(paid_on):
    # 1000 remains for all 64 days: 121.5 x 64 = 7776 / 365 = 21.3041 -> 21.30
    result = interest.late_interest(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        payments=[(paid_on, 200)],
    )
    assert result["interest"] == 21.30
    assert [(s["days"], s["base"]) for s in result["segments"]] == [(64, 1000.0)]


@pytest.mark.parametrize("amount", [1200, 1500])
def test_full_payment_stops_interest(amount):
    # Paid in full (or over) on 2026-02-01: 17 days on 1200 = 6.79, zero-base days dropped.
    result = interest.late_interest(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        payments=[(datetime(2026, 2, 1, 10, 0), amount)],
    )
    assert result["days"] == 17
    assert result["interest"] == 6.79
    assert len(result["segments"]) == 1


def test_payment_bears_interest_on_its_own_day():
    # Paid in full on 2026-03-20, computed on 2026-03-20: same as the worked example, 25.56.
    result = interest.late_interest(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        payments=[(date(2026, 3, 20), 1200)],
    )
    assert (result["days"], result["interest"]) == (64, 25.56)


def test_several_payments_and_semester_in_one_go():
    # 1000 due 2025-06-20, 300 paid 2025-06-25, 300 paid 2025-07-05, computed 2025-07-10.
    # Jun 21-25: 5 days on 1000 at 13.15 %: 131.5 x 5 = 657.5
    # Jun 26-30: 5 days on 700 at 13.15 %: 92.05 x 5 = 460.25
    # Jul 1-5: 5 days on 700 at 12.15 %: 85.05 x 5 = 425.25
    # Jul 6-10: 5 days on 400 at 12.15 %: 48.6 x 5 = 243
    # total 1786 / 365 = 4.8932 -> 4.89
    result = interest.late_interest(
        principal=1000,
        due_date=date(2025, 6, 20),
        on_date=date(2025, 7, 10),
        rates=RATES,
        payments=[(date(2025, 7, 5), 300), (date(2025, 6, 25), 300)],
    )
    assert result["interest"] == 4.89
    assert [(s["days"], s["base"], s["rate"]) for s in result["segments"]] == [
        (5, 1000.0, 13.15),
        (5, 700.0, 13.15),
        (5, 700.0, 12.15),
        (5, 400.0, 12.15),
    ]


@pytest.mark.parametrize("on_date", [date(2026, 1, 15), date(2026, 1, 1)])
def test_not_late_yet(on_date):
    result = interest.late_interest(
        principal=1200, due_date=date(2026, 1, 15), on_date=on_date, rates=RATES
    )
    assert result == {
        "days": 0,
        "interest": 0.0,
        "segments": [],
        "provisional": False,
        "missing_semesters": [],
    }
    result = interest.penalties(
        principal=1200, due_date=date(2026, 1, 15), on_date=on_date, rates=RATES
    )
    assert (result["indemnity"], result["total"]) == (0.0, 0.0)


def test_one_day_late():
    # 1200 x 0.1215 x 1 / 365 = 0.3995 -> 0.40; the 40.00 indemnity is due even for one day.
    result = interest.penalties(
        principal=1200, due_date=date(2026, 1, 15), on_date=date(2026, 1, 16), rates=RATES
    )
    assert (result["days"], result["interest"], result["indemnity"], result["total"]) == (
        1,
        0.40,
        40.0,
        40.40,
    )


def test_missing_semester_is_provisional_never_zero():
    # 1000 due 2026-06-30, computed on 2026-08-10: 31 + 10 = 41 days in 2026-H2 (not recorded),
    # at the 2026-H1 rate 12.15 %: 121.5 x 41 = 4981.5 / 365 = 13.6479 -> 13.65
    result = interest.late_interest(
        principal=1000, due_date=date(2026, 6, 30), on_date=date(2026, 8, 10), rates=RATES
    )
    assert result["interest"] == 13.65
    assert result["provisional"] is True
    assert result["missing_semesters"] == ["2026-H2"]
    assert [(s["semester"], s["provisional"]) for s in result["segments"]] == [("2026-H2", True)]


def test_several_missing_semesters():
    # 1000 due 2026-06-20, computed on 2027-01-10: 10 + 184 + 10 = 204 days, all at 12.15 %
    # (2026-H1 recorded, 2026-H2 and 2027-H1 provisional): 121.5 x 204 = 24786 / 365 = 67.9068
    result = interest.late_interest(
        principal=1000, due_date=date(2026, 6, 20), on_date=date(2027, 1, 10), rates=RATES
    )
    assert result["days"] == 204
    assert result["interest"] == 67.91
    assert result["missing_semesters"] == ["2026-H2", "2027-H1"]
    assert [(s["semester"], s["days"], s["provisional"]) for s in result["segments"]] == [
        ("2026-H1", 10, False),
        ("2026-H2", 184, True),
        ("2027-H1", 10, True),
    ]


def test_frozen_missing_due_semester():
    # Due 2026-07-15 (2026-H2 not recorded), frozen: 2026-H1 rate, provisional.
    # Jul 16-31 + Aug 1-14 = 30 days: 121.5 x 30 = 3645 / 365 = 9.9863 -> 9.99
    result = interest.late_interest(
        principal=1000,
        due_date=date(2026, 7, 15),
        on_date=date(2026, 8, 14),
        rates=RATES,
        freeze_due_semester=True,
    )
    assert (result["interest"], result["missing_semesters"]) == (9.99, ["2026-H2"])


def test_no_rate_record_raises():
    with pytest.raises(ValueError, match="No late-payment rate"):
        interest.late_interest(
            principal=1000, due_date=date(2026, 1, 15), on_date=date(2026, 3, 20), rates=[]
        )


def test_unknown_debtor_raises():
    with pytest.raises(ValueError, match="Unknown debtor type"):
        interest.late_interest(
            principal=1000,
            due_date=date(2026, 1, 15),
            on_date=date(2026, 3, 20),
            rates=RATES,
            debtor="company",
        )


# --- consumers -------------------------------------------------------------------------------


def test_consumer_without_formal_notice_owes_nothing():
    result = interest.penalties(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        debtor="consumer",
    )
    assert (result["days"], result["interest"], result["segments"]) == (0, 0.0, [])
    assert (result["indemnity"], result["total"]) == (0.0, 0.0)


def test_consumer_interest_from_notice_at_legal_rate():
    # Notice received 2026-02-10: Feb 11-28 (18) + Mar 1-20 (20) = 38 days at the legal rate,
    # professional creditor, 2026-H1 = 2.62 %: 1200 x 0.0262 x 38 / 365 = 1194.72 / 365 = 3.2732
    result = interest.penalties(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        debtor="consumer",
        notice_date=date(2026, 2, 10),
    )
    assert result["days"] == 38
    assert result["interest"] == 3.27
    assert result["segments"][0]["date_from"] == date(2026, 2, 11)
    assert result["segments"][0]["rate"] == 2.62
    assert (result["indemnity"], result["total"]) == (0.0, 3.27)


def test_consumer_notice_before_due_date_runs_from_due_date():
    # Notice 2026-01-05 < due 2026-01-15: 64 days at 2.62 %: 31.44 x 64 = 2012.16 / 365 = 5.5128
    result = interest.late_interest(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        debtor="consumer",
        notice_date=date(2026, 1, 5),
    )
    assert (result["days"], result["interest"]) == (64, 5.51)


@pytest.mark.parametrize("freeze", [False, True])
def test_consumer_legal_rate_follows_semesters(freeze):
    # 1000 due 2025-12-01, notice 2025-12-21, computed 2026-01-10 (freeze does not apply):
    # Dec 22-31: 10 days at 2.76 %: 27.6 x 10 = 276; Jan 1-10: 10 days at 2.62 %: 26.2 x 10 = 262
    # total 538 / 365 = 1.4740 -> 1.47
    result = interest.late_interest(
        principal=1000,
        due_date=date(2025, 12, 1),
        on_date=date(2026, 1, 10),
        rates=RATES,
        debtor="consumer",
        notice_date=date(2025, 12, 21),
        freeze_due_semester=freeze,
    )
    assert result["interest"] == 1.47
    assert [(s["days"], s["rate"]) for s in result["segments"]] == [(10, 2.76), (10, 2.62)]


def test_consumer_contractual_rate():
    # 5 %: 1200 x 0.05 x 38 / 365 = 2280 / 365 = 6.2466 -> 6.25
    result = interest.late_interest(
        principal=1200,
        due_date=date(2026, 1, 15),
        on_date=date(2026, 3, 20),
        rates=RATES,
        debtor="consumer",
        notice_date=date(2026, 2, 10),
        contractual_rate=5.0,
    )
    assert result["interest"] == 6.25


# --- recovery indemnity ----------------------------------------------------------------------


def test_recovery_indemnity():
    assert interest.recovery_indemnity("business", 1) == 40.0
    assert interest.recovery_indemnity("business", 365) == 40.0
    assert interest.recovery_indemnity("business", 0) == 0.0
    assert interest.recovery_indemnity("business", -3) == 0.0
    assert interest.recovery_indemnity("consumer", 100) == 0.0


def test_interest_after_a_billed_date():
    """What is left to bill after 2026-03-20 on 1,200 due 2026-01-15, computed to 04-20:
    1200 x 12.15 % x 31/365 = 12.38 (not 37.95 - 25.56 = 12.39: each period is rounded once)."""
    result = interest.late_interest(
        principal=1200, due_date=date(2026, 1, 15), on_date=date(2026, 4, 20), rates=RATES
    )
    assert interest.interest_after(result["segments"], date(2026, 3, 20)) == 12.38
    assert interest.interest_after(result["segments"]) == result["interest"]
    assert interest.interest_after(result["segments"], date(2026, 4, 20)) == 0.0


# --- instalments and the contractual floor of each semester ---------------------------------


def test_instalments_bear_interest_from_their_own_due_dates():
    # 1,200.00 invoiced 2026-01-01, 50 % at 30 days (600.00 due 2026-01-31) and 50 % at 60
    # days (600.00 due 2026-03-02), paid at once on 2026-03-20, 12.15 % (2026-H1).
    # 1st: Feb 1 - Mar 20 = 28 + 20 = 48 days: 600 x 0.1215 x 48 / 365 = 3499.2 / 365
    # 2nd: Mar 3 - Mar 20 = 18 days:           600 x 0.1215 x 18 / 365 = 1312.2 / 365
    # total 4811.4 / 365 = 13.1819 -> 13.18 (the invoice's due date alone would give 7.19)
    paid = date(2026, 3, 20)
    instalments = [
        interest.Instalment(date(2026, 1, 31), 600.0, ((paid, 600.0),), settled=True),
        interest.Instalment(date(2026, 3, 2), 600.0, ((paid, 600.0),), settled=True),
    ]
    result = interest.instalment_penalties(instalments, on_date=date(2026, 6, 1), rates=RATES)
    assert result["interest"] == 13.18
    assert [(s["instalment"], s["days"], s["amount"]) for s in result["segments"]] == [
        (date(2026, 1, 31), 48, 9.59),
        (date(2026, 3, 2), 18, 3.60),
    ]
    # one indemnity for the invoice; one per late instalment for periodic payments
    assert (result["indemnity"], result["total"], result["days_late"]) == (40.0, 53.18, 48)
    periodic = interest.instalment_penalties(
        instalments, on_date=date(2026, 6, 1), rates=RATES, periodic=True
    )
    assert (periodic["indemnity"], periodic["late_instalments"]) == (80.0, 2)


def test_instalment_paid_on_time_bears_nothing():
    # the 1st instalment paid on its due date; the 2nd unpaid, 10 days late on 2026-03-12:
    # 600 x 0.1215 x 10 / 365 = 1.9973 -> 2.00
    instalments = [
        interest.Instalment(date(2026, 1, 31), 600.0, ((date(2026, 1, 31), 600.0),), True),
        interest.Instalment(date(2026, 3, 2), 600.0),
    ]
    result = interest.instalment_penalties(instalments, on_date=date(2026, 3, 12), rates=RATES)
    assert (result["interest"], result["late_instalments"], result["days_late"]) == (2.0, 1, 10)
    # not yet due: nothing at all
    early = interest.instalment_penalties(instalments, on_date=date(2026, 3, 1), rates=RATES)
    assert (early["interest"], early["indemnity"], early["late_instalments"]) == (0.0, 0.0, 0)


def test_one_instalment_is_the_invoice():
    args = dict(principal=1200.0, due_date=date(2026, 1, 15), rates=RATES)
    one = interest.instalment_penalties(
        [interest.Instalment(date(2026, 1, 15), 1200.0)], on_date=date(2026, 3, 20), rates=RATES
    )
    plain = interest.penalties(on_date=date(2026, 3, 20), **args)
    assert (one["interest"], one["indemnity"], one["total"]) == (25.56, 40.0, 65.56)
    assert (plain["interest"], plain["indemnity"], plain["total"]) == (25.56, 40.0, 65.56)


def test_contractual_rate_below_a_semester_floor_gives_way_to_it():
    # A 9 % contractual rate, accepted in 2026 (floor 3 x 2.62 = 7.86 %), on 1,000.00 due
    # 2023-12-31, computed on 2024-07-10: 2024-H1 (182 days) at its floor 3 x 5.07 = 15.21 %,
    # 2024-H2 (10 days) at its floor 3 x 4.92 = 14.76 %: 9 % applies in neither.
    # 1000 x 15.21 % x 182 / 365 = 75.8416; 1000 x 14.76 % x 10 / 365 = 4.0438; 79.89
    result = interest.late_interest(
        principal=1000.0,
        due_date=date(2023, 12, 31),
        on_date=date(2024, 7, 10),
        rates=RATES,
        contractual_rate=9.0,
    )
    assert [(s["semester"], s["days"], s["rate"], s["basis"]) for s in result["segments"]] == [
        ("2024-H1", 182, 15.21, interest.BASIS_FLOOR),
        ("2024-H2", 10, 14.76, interest.BASIS_FLOOR),
    ]
    assert result["interest"] == 79.89
    # in 2026-H1 the same 9 % is above the floor (7.86 %): it applies
    later = interest.late_interest(
        principal=1000.0,
        due_date=date(2026, 1, 31),
        on_date=date(2026, 3, 2),
        rates=RATES,
        contractual_rate=9.0,
    )
    assert [(s["rate"], s["basis"]) for s in later["segments"]] == [(9.0, "contract")]
    # a consumer's contractual rate has no such floor; the default rates say their basis
    consumer = interest.late_interest(
        principal=1000.0,
        due_date=date(2023, 12, 31),
        on_date=date(2024, 2, 1),
        rates=RATES,
        contractual_rate=9.0,
        debtor=interest.CONSUMER,
        notice_date=date(2024, 1, 2),
    )
    assert {(s["rate"], s["basis"]) for s in consumer["segments"]} == {(9.0, "contract")}
    default = interest.late_interest(
        principal=1000.0, due_date=date(2026, 1, 31), on_date=date(2026, 3, 2), rates=RATES
    )
    assert [s["basis"] for s in default["segments"]] == ["ecb"]

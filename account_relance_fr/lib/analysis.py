# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Receivable indicators: aging buckets, payer badge, DSO (countback), reminder effectiveness."""

from decimal import ROUND_HALF_UP, Decimal

from .dates import as_date

#: Aging buckets as (key, last day overdue included); beyond the last one: ``"over_90"``.
AGING_BUCKETS = (("not_due", 0), ("1_30", 30), ("31_60", 60), ("61_90", 90))
AGING_OVER = "over_90"

#: The payment behaviour reads the invoices paid over this many days.
BEHAVIOUR_DAYS = 365
#: Paid invoices needed to judge a payer.
MIN_HISTORY = 3
#: A good payer is late by at most this many days on average...
GOOD_MAX_AVG_DAYS_LATE = 5
#: ...and pays at most this share of its invoices late.
GOOD_MAX_LATE_RATIO = 0.2
#: A bad payer is late by more than this many days on average...
BAD_AVG_DAYS_LATE = 30
#: ...or pays more than this share of its invoices late.
BAD_LATE_RATIO = 0.5


def aging_ranges():
    """The aging buckets in order as ``(key, first day, last day)``, overdue days included,
    ``None`` where a bucket has no bound: the board's SQL and the statement are built from
    them."""
    ranges, first = [], None
    for key, last_day in AGING_BUCKETS:
        ranges.append((key, first, last_day))
        first = last_day + 1
    ranges.append((AGING_OVER, first, None))
    return ranges


def aging_bucket(days_overdue):
    """``'not_due'`` (<= 0), ``'1_30'``, ``'31_60'``, ``'61_90'`` or ``'over_90'``."""
    for key, last_day in AGING_BUCKETS:
        if days_overdue <= last_day:
            return key
    return AGING_OVER


def payer_badge(avg_days_late, late_ratio, invoice_count):
    """``'unknown'`` (fewer paid invoices than ``MIN_HISTORY``: one late invoice does not
    make a bad payer), ``'good'``, ``'bad'`` or ``'normal'`` (see module constants)."""
    if invoice_count < MIN_HISTORY:
        return "unknown"
    if avg_days_late > BAD_AVG_DAYS_LATE or late_ratio > BAD_LATE_RATIO:
        return "bad"
    if avg_days_late <= GOOD_MAX_AVG_DAYS_LATE and late_ratio <= GOOD_MAX_LATE_RATIO:
        return "good"
    return "normal"


#: Months the countback DSO reads back at most: older receivables count as that many days.
DSO_MONTHS = 24


def dso_countback(receivable, periods):
    """Days sales outstanding by the countback (exhaustion) method, as French credit
    controllers compute it: from the end of the period backwards, the days of each month
    whose sales (incl. VAT, net of credit notes) the receivable still covers, then the share
    of the month that exhausts it; 1 decimal, half up.

    ``periods``: ``(days, sales)`` of the months, newest first (the current month to date
    first). A receivable of zero or less (credits exceed it) is 0 days; a month without
    sales, or with more credit notes than invoices, counts its days whole; a receivable
    older than all ``periods`` counts all their days.
    """
    remaining = Decimal(str(receivable))
    if remaining <= 0:
        return 0.0
    days_total = Decimal(0)
    for days, month_sales in periods:
        sales = max(Decimal(str(month_sales)), Decimal(0))
        if sales and remaining <= sales:
            days_total += Decimal(days) * remaining / sales
            break
        days_total += Decimal(days)
        remaining -= sales
    return float(days_total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def paid_within_rate(reminder_dates_and_paid_dates, days):
    """Share (0..1) of reminders followed by a payment within ``days`` days; 0.0 if none.

    Takes ``(reminder_date, paid_date or None)`` pairs; a reminder counts when
    ``(paid_date - reminder_date).days <= days`` (a payment that crossed the reminder counts).
    """
    total = paid = 0
    for reminder_date, paid_date in reminder_dates_and_paid_dates:
        total += 1
        if paid_date and (as_date(paid_date) - as_date(reminder_date)).days <= days:
            paid += 1
    return paid / total if total else 0.0

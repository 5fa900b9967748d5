# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Payment terms (Code de commerce L441-10 I) and limitation periods (prescription)."""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

#: Longest payment term between businesses, in days after the invoice date (L441-10 I).
LEGAL_CAP_DAYS = 60
#: Days of the "45 jours fin de mois" term.
EOM_45_DAYS = 45
#: Limitation period in years: business debtor (C. com. L110-4), consumer (C. consom. L218-2).
PRESCRIPTION_YEARS = {"business": 5, "consumer": 2}
#: Default warning window before the limitation date.
PRESCRIPTION_WARNING_DAYS = 90


def as_date(value):
    """``value`` as a :class:`~datetime.date` (a datetime is truncated to its date)."""
    return value.date() if isinstance(value, datetime) else value


def end_of_month(d):
    """Last day of the month of ``d``."""
    return as_date(d) + relativedelta(day=31)


def add_years(d, n):
    """``d`` plus ``n`` years; 29 February becomes 28 February in a non-leap year."""
    return as_date(d) + relativedelta(years=n)


def due_date_net(invoice_date, days):
    """Invoice date + ``days`` calendar days."""
    return as_date(invoice_date) + timedelta(days=days)


def days_then_end_of_month(invoice_date, days):
    """Invoice date + ``days`` days, then end of that month (the payment term lines'
    "Days after invoice date, then end of month")."""
    return end_of_month(due_date_net(invoice_date, days))


def due_date_45_eom_a(invoice_date):
    """45 days end of month, method A: invoice date + 45 days, then end of that month."""
    return days_then_end_of_month(invoice_date, EOM_45_DAYS)


def due_date_45_eom_b(invoice_date):
    """45 days end of month, method B: end of the invoice month, then + 45 days."""
    return end_of_month(invoice_date) + timedelta(days=EOM_45_DAYS)


def legal_cap_date(invoice_date):
    """Invoice date + 60 days: the general cap between businesses."""
    return due_date_net(invoice_date, LEGAL_CAP_DAYS)


def exceeds_legal_cap(invoice_date, due_date):
    """True if ``due_date`` is later than both the 60-day and the 45-EOM (method B) bounds.

    The law allows 60 days after the invoice date, or 45 days end of month if expressly agreed;
    a due date within either bound is accepted. Sector caps (L441-11 II) are not checked here.
    """
    bound = max(legal_cap_date(invoice_date), due_date_45_eom_b(invoice_date))
    return as_date(due_date) > bound


def prescription_date(due_date, debtor, interruptions=()):
    """Limitation date: 5 years (business) or 2 years (consumer) from the latest start date.

    The period starts on ``due_date`` and restarts in full on each interruption (Code civil
    2240-2244): a payment, even partial, a written acknowledgment of the debt, a court claim or an
    enforcement act. A mise en demeure does **not** interrupt it: do not pass its date.
    ``None`` entries in ``interruptions`` are ignored.
    """
    try:
        years = PRESCRIPTION_YEARS[debtor]
    except KeyError:
        raise ValueError(
            f"Unknown debtor type {debtor!r}: expected one of {tuple(PRESCRIPTION_YEARS)}."
        ) from None
    start = max([as_date(due_date), *(as_date(d) for d in interruptions if d)])
    return add_years(start, years)


def is_near_prescription(prescription_date, today, warning_days=PRESCRIPTION_WARNING_DAYS):
    """True from ``warning_days`` days before the limitation date on (and once it has passed)."""
    return (as_date(prescription_date) - as_date(today)).days <= warning_days


def is_prescribed(prescription_date, today):
    """True once the limitation date is over (Code civil 2229: its last day is accomplished)."""
    return as_date(today) > as_date(prescription_date)


__all__ = [
    "add_years",
    "as_date",
    "days_then_end_of_month",
    "due_date_45_eom_a",
    "due_date_45_eom_b",
    "due_date_net",
    "end_of_month",
    "exceeds_legal_cap",
    "is_near_prescription",
    "is_prescribed",
    "legal_cap_date",
    "prescription_date",
]

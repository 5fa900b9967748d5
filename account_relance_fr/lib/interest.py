# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Late-payment interest and fixed recovery indemnity (Code de commerce L441-10 II, D441-5).

Rates are percent floats (``12.15`` means 12.15 %). Money comes in as floats, is computed in
:class:`~decimal.Decimal` and is returned as floats rounded to the cent (``ROUND_HALF_UP``).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .dates import as_date

BUSINESS = "business"
CONSUMER = "consumer"
DEBTOR_TYPES = (BUSINESS, CONSUMER)

#: Points added to the ECB main refinancing rate for the default B2B rate (L441-10 II).
ECB_MARGIN = Decimal(10)
#: A contractual rate may not be lower than this multiple of the legal rate (L441-10 II).
CONTRACTUAL_FLOOR_FACTOR = Decimal(3)
#: Fixed recovery indemnity owed by a business debtor per late invoice (D441-5).
RECOVERY_INDEMNITY = Decimal("40.00")
#: Day count basis of the simple-interest formula.
YEAR_DAYS = Decimal(365)

#: Why a segment bears its rate: the contractual rate, the legal floor of 3 x the legal
#: rate that replaced a lower contractual rate, the ECB rate + 10 points (businesses), the
#: legal rate (consumers, from the formal notice).
BASIS_CONTRACT = "contract"
BASIS_FLOOR = "floor"
BASIS_ECB = "ecb"
BASIS_LEGAL = "legal"

CENT = Decimal("0.01")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class RatePeriod:
    """Rates of one semester; ``date_start`` is 1 January or 1 July."""

    date_start: date
    ecb_rate: float
    legal_rate_pro: float
    legal_rate_private: float


def _dec(value):
    """Exact decimal of a float/int/str/Decimal (through ``str`` to avoid binary noise)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _money(value):
    """Round a decimal amount to the cent, half up, and return a float."""
    return float(_dec(value).quantize(CENT, rounding=ROUND_HALF_UP))


def semester_start(d):
    """First day of the semester of ``d``: 1 January or 1 July."""
    d = as_date(d)
    return date(d.year, 1 if d.month <= 6 else 7, 1)


def semester_end(d):
    """Last day of the semester of ``d``: 30 June or 31 December."""
    d = as_date(d)
    return date(d.year, 6, 30) if d.month <= 6 else date(d.year, 12, 31)


def semester_label(d):
    """Label of the semester of ``d``, e.g. ``"2026-H2"``."""
    d = as_date(d)
    return f"{d.year}-H{1 if d.month <= 6 else 2}"


def rate_for_day(rates, d):
    """Return ``(period, provisional)``: the rate record that applies to day ``d``.

    The record starting on the semester start of ``d`` applies. Without one, the latest record
    before that semester is used and marked provisional; if there is none before either, the
    earliest record is used, provisional too. Raises :class:`ValueError` if ``rates`` is empty.
    """
    if not rates:
        raise ValueError("No late-payment rate is recorded.")
    start = semester_start(d)
    ordered = sorted(rates, key=lambda rate: as_date(rate.date_start))
    for rate in ordered:
        if as_date(rate.date_start) == start:
            return rate, False
    earlier = [rate for rate in ordered if as_date(rate.date_start) < start]
    if earlier:
        return earlier[-1], True
    return ordered[0], True


def check_contractual_rate(contractual_rate, legal_rate_pro):
    """True if ``contractual_rate`` is at least 3 x the legal rate (professional creditor)."""
    quantum = Decimal("0.0001")
    rate = _dec(contractual_rate).quantize(quantum, rounding=ROUND_HALF_UP)
    floor = (CONTRACTUAL_FLOOR_FACTOR * _dec(legal_rate_pro)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )
    return rate >= floor


def _check_debtor(debtor):
    if debtor not in DEBTOR_TYPES:
        raise ValueError(f"Unknown debtor type {debtor!r}: expected one of {DEBTOR_TYPES}.")


def no_interest():
    """The result of :func:`late_interest` when no interest runs."""
    return {
        "days": 0,
        "interest": 0.0,
        "segments": [],
        "provisional": False,
        "missing_semesters": [],
    }


def no_penalties():
    """The result of :func:`penalties` when nothing is owed (no due date, not late)."""
    return dict(no_interest(), days_late=0, indemnity=0.0, total=0.0)


def late_interest(
    *,
    principal,
    due_date,
    on_date,
    rates,
    debtor=BUSINESS,
    payments=(),
    contractual_rate=None,
    freeze_due_semester=False,
    notice_date=None,
):
    """Simple late-payment interest ``base x rate / 100 x days / 365`` up to ``on_date``.

    * ``debtor='business'``: interest runs from ``due_date + 1`` without any reminder, at
      ``contractual_rate`` if given, but never below 3 x the legal rate of each day's semester
      (the floor then applies to that semester's days), else ECB rate + 10 points of each
      day's semester (of the due date's semester if ``freeze_due_semester``).
    * ``debtor='consumer'``: no interest without ``notice_date`` (receipt of the mise en
      demeure); it then runs from ``max(notice_date, due_date) + 1`` at ``contractual_rate`` if
      given, else at the legal rate (professional creditor) of each day's semester; the legal rate
      changes by law each semester, so ``freeze_due_semester`` does not apply.
    * ``payments``: ``(date, amount)`` pairs; the base of day ``d`` is ``principal`` minus the
      payments dated strictly before ``d`` (a payment still bears interest on its own day), never
      below zero.

    The last day counted is ``on_date`` (the payment or computation date). Days are split into
    segments whenever the semester, the rate or the base changes; days with a zero base are
    dropped. Interest is summed exactly and rounded to the cent once, at the end.

    Returns a dict: ``days`` (interest-bearing days, i.e. days with a positive base: equal to
    ``(on_date - due_date).days`` for an unpaid business invoice), ``interest`` (float),
    ``segments`` (dicts ``date_from``, ``date_to`` (inclusive), ``days``, ``rate``, ``base``,
    ``amount`` (rounded for display), ``semester``, ``basis`` (``BASIS_*``: why that rate),
    ``provisional``), ``provisional`` (a
    semester had no rate record) and ``missing_semesters`` (sorted labels such as ``"2026-H2"``).
    """
    _check_debtor(debtor)
    due_date = as_date(due_date)
    on_date = as_date(on_date)
    if debtor == CONSUMER:
        if notice_date is None:
            return no_interest()
        start = max(as_date(notice_date), due_date)
    else:
        start = due_date
    first_day = start + ONE_DAY
    if on_date < first_day:
        return no_interest()

    principal = _dec(principal)
    payments = sorted(
        ((as_date(paid_on), _dec(amount)) for paid_on, amount in payments),
        key=lambda payment: payment[0],
    )

    # Days on which the semester or the base may change, within ]first_day, on_date].
    cuts = set()
    boundary = semester_end(first_day) + ONE_DAY
    while boundary <= on_date:
        cuts.add(boundary)
        boundary = semester_end(boundary) + ONE_DAY
    for paid_on, _amount in payments:
        if first_day < paid_on + ONE_DAY <= on_date:
            cuts.add(paid_on + ONE_DAY)
    starts = [first_day, *sorted(cuts)]
    ends = [cut - ONE_DAY for cut in starts[1:]] + [on_date]

    rate_cache = {}

    def day_rate(day):
        """Percent rate (Decimal), its basis, provisional flag and missing semester label
        for ``day``."""
        if contractual_rate is not None and (debtor == CONSUMER or not rates):
            # a consumer's contractual rate has no legal floor; without any rate record the
            # floor of a business contract cannot be checked
            return _dec(contractual_rate), BASIS_CONTRACT, False, None
        if debtor == BUSINESS and freeze_due_semester and contractual_rate is None:
            day = due_date
        key = semester_start(day)
        if key not in rate_cache:
            period, provisional = rate_for_day(rates, key)
            if contractual_rate is not None:
                # L441-10 II: a contractual rate may not be lower than 3 x the legal rate of
                # the semester of each day; below it, the floor applies to those days
                floor = CONTRACTUAL_FLOOR_FACTOR * _dec(period.legal_rate_pro)
                contract = _dec(contractual_rate)
                rate, basis = (
                    (contract, BASIS_CONTRACT) if contract >= floor else (floor, BASIS_FLOOR)
                )
            elif debtor == BUSINESS:
                rate, basis = _dec(period.ecb_rate) + ECB_MARGIN, BASIS_ECB
            else:
                rate, basis = _dec(period.legal_rate_pro), BASIS_LEGAL
            rate_cache[key] = (rate, basis, provisional)
        rate, basis, provisional = rate_cache[key]
        return rate, basis, provisional, semester_label(key) if provisional else None

    segments = []
    missing = set()
    for seg_start, seg_end in zip(starts, ends, strict=True):
        paid = sum((amount for paid_on, amount in payments if paid_on < seg_start), Decimal(0))
        base = max(principal - paid, Decimal(0))
        if base <= 0:
            continue
        rate, basis, provisional, missing_label = day_rate(seg_start)
        if missing_label:
            missing.add(missing_label)
        semester = semester_label(seg_start)
        previous = segments[-1] if segments else None
        if (
            previous
            and previous["date_to"] + ONE_DAY == seg_start
            and (previous["semester"], previous["_rate"], previous["_base"])
            == (semester, rate, base)
        ):
            previous["date_to"] = seg_end
            continue
        segments.append(
            {
                "date_from": seg_start,
                "date_to": seg_end,
                "semester": semester,
                "basis": basis,
                "provisional": provisional,
                "_rate": rate,
                "_base": base,
            }
        )

    total = Decimal(0)
    days = 0
    for segment in segments:
        seg_days = (segment["date_to"] - segment["date_from"]).days + 1
        rate = segment.pop("_rate")
        base = segment.pop("_base")
        amount = base * rate / Decimal(100) * seg_days / YEAR_DAYS
        total += amount
        days += seg_days
        segment.update(days=seg_days, rate=float(rate), base=float(base), amount=_money(amount))
    return {
        "days": days,
        "interest": _money(total),
        "segments": segments,
        "provisional": bool(missing),
        "missing_semesters": sorted(missing),
    }


def recovery_indemnity(debtor, days_late):
    """Fixed recovery indemnity: 40.0 for a late business debtor, never for a consumer."""
    _check_debtor(debtor)
    if debtor == BUSINESS and days_late > 0:
        return float(RECOVERY_INDEMNITY)
    return 0.0


def penalties(*, due_date, on_date, debtor=BUSINESS, **interest_args):
    """:func:`late_interest` (same arguments) plus ``days_late``, ``indemnity`` and
    ``total`` (interest + indemnity).

    ``days_late`` is ``(on_date - due_date).days``: pass the payment date as ``on_date`` for a
    paid invoice, the computation date otherwise.
    """
    result = late_interest(due_date=due_date, on_date=on_date, debtor=debtor, **interest_args)
    days_late = (as_date(on_date) - as_date(due_date)).days
    indemnity = recovery_indemnity(debtor, days_late)
    result.update(
        days_late=days_late,
        indemnity=indemnity,
        total=_money(_dec(result["interest"]) + _dec(indemnity)),
    )
    return result


@dataclass(frozen=True)
class Instalment:
    """One instalment (échéance) of an invoice: its due date, its amount and the payments
    applied to it (``(date, amount)`` pairs; the invoice's receivable line and the partial
    reconciliations Odoo made on it, oldest instalment first unless reconciled otherwise);
    ``settled`` when nothing is left to pay on it."""

    due_date: date
    amount: float
    payments: tuple = ()
    settled: bool = False


def instalment_penalties(instalments, *, on_date, periodic=False, debtor=BUSINESS, **interest_args):
    """:func:`penalties` of an invoice paid in ``instalments`` (:class:`Instalment`).

    Interest runs on each instalment from its own due date, on its own unpaid balance, up to
    ``on_date`` or the payment that settled it; the segments of each carry its
    ``instalment`` due date. An invoice with one instalment gives :func:`penalties`.

    The fixed indemnity (D441-5) is due once per invoice paid late (CJEU C-279/23: even if
    part of it was paid on time), and once per late instalment when the instalments are
    periodic payments (``periodic``, CJEU C-78/22: each periodic payment is a transaction of
    its own). ``days_late`` counts from the oldest late instalment."""
    _check_debtor(debtor)
    on_date = as_date(on_date)
    result = dict(no_penalties())
    missing = set()
    total_interest = Decimal(0)
    late = 0
    for instalment in sorted(instalments, key=lambda i: as_date(i.due_date)):
        due = as_date(instalment.due_date)
        payments = sorted((as_date(d), a) for d, a in instalment.payments)
        end = on_date
        if instalment.settled and payments:
            end = min(end, payments[-1][0])
        one = late_interest(
            principal=instalment.amount,
            due_date=due,
            on_date=end,
            debtor=debtor,
            payments=payments,
            **interest_args,
        )
        days_late = (end - due).days
        if days_late > 0:
            late += 1
            result["days_late"] = max(result["days_late"], days_late)
        total_interest += sum(
            (
                _dec(seg["base"]) * _dec(seg["rate"]) / 100 * seg["days"] / YEAR_DAYS
                for seg in one["segments"]
            ),
            Decimal(0),
        )
        result["days"] += one["days"]
        result["segments"] += [dict(segment, instalment=due) for segment in one["segments"]]
        missing.update(one["missing_semesters"])
    indemnity = Decimal(0)
    if late and debtor == BUSINESS:
        indemnity = RECOVERY_INDEMNITY * (late if periodic else 1)
    result.update(
        interest=_money(total_interest),
        indemnity=float(indemnity),
        total=_money(_dec(_money(total_interest)) + indemnity),
        provisional=bool(missing),
        missing_semesters=sorted(missing),
        late_instalments=late,
    )
    return result


def interest_after(segments, after_date=None):
    """Interest of ``segments`` (as returned by :func:`late_interest`) for the days after
    ``after_date`` only (all of them if ``None``), rounded to the cent at the end: what is
    left to bill when the interest was billed up to ``after_date``."""
    total = Decimal(0)
    for segment in segments:
        start = as_date(segment["date_from"])
        if after_date is not None:
            start = max(start, as_date(after_date) + timedelta(days=1))
        days = (as_date(segment["date_to"]) - start).days + 1
        if days <= 0:
            continue
        total += _dec(segment["base"]) * _dec(segment["rate"]) / 100 * days / YEAR_DAYS
    return _money(total)

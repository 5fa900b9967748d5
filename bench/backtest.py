# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How accurate are the expected payment dates? A backtest on a database's own history.

    python bench/backtest.py [DB] [--company NAME] [--json]

``DB``: the bench's template of ``BENCH_SCALE`` (``relance_bench_tpl_default`` by default)
or any database with account_relance_fr. Read only.

On the first day of each month of the history, every instalment of a customer invoice
that was open that day and has been paid since is predicted three ways, from the payments
received before that day only:

* ``expected`` — ``lib.forecast.expected_date``, as the addon computes it (the customer's
  history, else similar customers', else the company's; recent payments weigh more; an
  invoice already late is expected at the delays longer than its lateness, never in the
  past);
* ``due date`` — the naive prediction: paid on its due date;
* ``due + average delay`` — the due date plus the customer's plain mean delay (0 without
  history).

Each prediction is compared with the day the instalment was actually paid (the
amount-weighted date of its payments, as the addon reads the history): the mean absolute
error in days and the share paid within +/- 7 days of the prediction. The pauses of the
past (promises, disputes) are not known as of each day: the backtest predicts as if there
were none, which is how most invoices are.
"""

import argparse
import importlib.util
import json
import os
import sys
from collections import defaultdict
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "relance_forecast", common.ROOT / "account_relance_fr" / "lib" / "forecast.py"
)
forecast = importlib.util.module_from_spec(spec)
spec.loader.exec_module(forecast)

TOLERANCE = 7


def read_items(cr, company_id):
    """Every instalment of the company's posted customer invoices: (id, customer, is a
    company, invoice date, due date, paid on (None while open), payments as (date, amount)
    pairs, excluding credit notes)."""
    cr.execute(
        """
        SELECT aml.id, move.commercial_partner_id, COALESCE(partner.is_company, FALSE),
               move.invoice_date, aml.date_maturity, aml.reconciled,
               ARRAY_AGG(apr.max_date ORDER BY apr.id) FILTER (WHERE apr.id IS NOT NULL),
               ARRAY_AGG(apr.amount ORDER BY apr.id) FILTER (WHERE apr.id IS NOT NULL)
          FROM account_move_line aml
          JOIN account_move move ON move.id = aml.move_id
          JOIN res_partner partner ON partner.id = move.commercial_partner_id
     LEFT JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
               AND NOT EXISTS (
                   SELECT 1 FROM account_move_line cl JOIN account_move cm ON cm.id = cl.move_id
                    WHERE cl.id = apr.credit_move_id AND cm.move_type = 'out_refund')
         WHERE aml.company_id = %s AND aml.display_type = 'payment_term'
           AND move.move_type = 'out_invoice' AND move.state = 'posted'
           AND aml.date_maturity IS NOT NULL
      GROUP BY aml.id, move.commercial_partner_id, partner.is_company, move.invoice_date,
               aml.date_maturity, aml.reconciled
        """,
        (company_id,),
    )
    items = []
    for line_id, partner, is_company, invoiced, due, reconciled, dates, amounts in cr.fetchall():
        payments = list(zip(dates or [], [float(a) for a in amounts or []], strict=True))
        paid = forecast.weighted_delay(due, payments) if reconciled and payments else None
        last = max(dates) if reconciled and dates else None
        items.append((line_id, partner, is_company, invoiced, due, paid, last))
    return items


def backtest(items, today):
    """The (predicted, actual) pairs of each method, over the first days of the months."""
    paid_items = [i for i in items if i[5] is not None]
    if not paid_items:
        return {}
    first = min(i[3] for i in items)
    cutoff = date(first.year, first.month, 1)
    methods = {"expected": [], "due date": [], "due + average delay": []}
    while cutoff <= today:
        known = [i for i in paid_items if i[6] < cutoff]  # fully paid before the cutoff
        by_partner, by_kind = defaultdict(list), defaultdict(list)
        everyone = []
        for _lid, partner, is_company, _inv, _due, paid, _last in known:
            by_partner[partner].append(paid)
            by_kind[is_company].append(paid)
            everyone.append(paid)
        profiles = {p: forecast.profile(v, cutoff, "customer") for p, v in by_partner.items()}
        kinds = {k: forecast.profile(v, cutoff, "similar") for k, v in by_kind.items()}
        company = forecast.profile(everyone, cutoff, "company")
        memo = {}
        for _lid, partner, is_company, invoiced, due, paid, last in paid_items:
            if invoiced > cutoff or last < cutoff:
                continue  # not yet invoiced, or already paid on that day
            prof = forecast.choose_profile(profiles.get(partner), kinds.get(is_company), company)
            late = (cutoff - due).days
            key = (partner, is_company, late)
            if key not in memo:
                memo[key] = forecast.expected_date(due, cutoff, prof) - due
            predicted = due + memo[key]
            actual = paid.paid_on
            methods["expected"].append((predicted, actual))
            methods["due date"].append((due, actual))
            mine = profiles.get(partner)
            mean = (
                sum(d for d, _w in mine.delays) / len(mine.delays) if mine and mine.delays else 0
            )
            methods["due + average delay"].append((due + timedelta(days=round(mean)), actual))
        month = cutoff.month % 12 + 1
        cutoff = date(cutoff.year + (cutoff.month == 12), month, 1)
    return methods


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_db = common.template_name(os.environ.get("BENCH_SCALE", "default"))
    parser.add_argument("db", nargs="?", default=default_db)
    parser.add_argument("--company", help="name of the company (default: the bench's)")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    odoo, registry = common.bootstrap(args.db)
    with registry.cursor() as cr:
        env = common.env_for(odoo, cr)
        company = (
            env["res.company"].search([("name", "=", args.company)], limit=1)
            if args.company
            else common.bench_company(env) or env.company
        )
        items = read_items(cr, company.id)
        company_name = company.name
        today = date.today()
    methods = backtest(items, today)
    out = {"database": args.db, "company": company_name, "tolerance_days": TOLERANCE}
    for name, pairs in methods.items():
        mae, within = forecast.accuracy(pairs, TOLERANCE)
        out[name] = {
            "predictions": len(pairs),
            "mae_days": round(mae, 1) if mae is not None else None,
            "within_7_days": round(within, 3) if within is not None else None,
        }
    if args.json:
        print(json.dumps(out))
        return
    print(f"Backtest of the expected payment dates on {args.db} ({company_name}):")
    print(f"{'method':<22} {'predictions':>11} {'MAE (days)':>10} {'within 7 days':>14}")
    for name in methods:
        row = out[name]
        print(
            f"{name:<22} {row['predictions']:>11} {row['mae_days']:>10} "
            f"{row['within_7_days'] * 100:>13.1f}%"
        )


if __name__ == "__main__":
    main()

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import forecast
from .account_relance_run import LOCK_NS

_logger = logging.getLogger(__name__)

# the payments of the last two years teach the expectation; older ones weigh little anyway
# (their weight halves every lib.forecast.HALF_LIFE_DAYS)
HISTORY_DAYS = 730
PENDING_KEY = "account_relance_fr.expected"
EXPECTED_BASIS = [
    ("customer", "The customer's payments"),
    ("similar", "Similar customers' payments"),
    ("company", "The company's payments"),
    ("none", "Due date (no payment history)"),
    ("promise", "Payment promise"),
    ("plan", "Payment plan"),
    ("undated", "No expected date"),
]


class AccountRelanceForecast(models.AbstractModel):
    """The expected payment date of the open invoices and of each of their instalments
    (``lib.forecast``), learnt from the company's payment history read in one query.

    Written by the nightly run (the invoices it dunned and those whose expectation has
    passed or is missing) and by the reconciliation of a payment; stored, so that the
    board, the invoice and the receivables forecast read it without computing."""

    _name = "account.relance.forecast"
    _description = "Expected payment dates"

    @api.model
    def _history(self, companies, today):
        """The profiles of ``companies`` as of ``today``: ``{company id: (by customer,
        by kind of customer, all)}``, each a :class:`lib.forecast.Profile` (the kind is
        ``True`` for a company, ``False`` for an individual). One query: the paid
        instalments of the customer invoices paid within :data:`HISTORY_DAYS`, each with
        the amount-weighted delay of its payments (credit notes are not payments)."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT aml.company_id, move.commercial_partner_id,
                       COALESCE(partner.is_company, FALSE),
                       aml.date_maturity,
                       SUM(apr.amount * (apr.max_date - aml.date_maturity))
                           / NULLIF(SUM(apr.amount), 0),
                       SUM(apr.amount)
                  -- from the matchings of the period, each join on a primary key: the plan
                  -- stays cheap even on statistics that a day of payments left behind
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml ON aml.id = apr.debit_move_id
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN res_partner partner ON partner.id = move.commercial_partner_id
                  JOIN account_move_line paid_by ON paid_by.id = apr.credit_move_id
                  JOIN account_move paying ON paying.id = paid_by.move_id
                 WHERE apr.company_id IN %(companies)s
                   AND apr.max_date >= %(since)s
                   AND aml.display_type = 'payment_term'
                   AND aml.reconciled
                   AND aml.date_maturity IS NOT NULL
                   AND move.move_type = 'out_invoice'
                   AND move.state = 'posted'
                   AND paying.move_type != 'out_refund'
                 GROUP BY aml.id, aml.company_id, move.commercial_partner_id,
                          partner.is_company, aml.date_maturity
                """,
                companies=tuple(companies.ids),
                since=today - timedelta(days=HISTORY_DAYS),
            )
        )
        items = defaultdict(lambda: (defaultdict(list), defaultdict(list), []))
        for company_id, partner_id, is_company, due, mean_delay, amount in rows:
            if mean_delay is None:
                continue
            days = float(mean_delay)
            item = forecast.PaidItem(days, due + timedelta(days=round(days)), float(amount))
            by_partner, by_kind, everyone = items[company_id]
            by_partner[partner_id].append(item)
            by_kind[is_company].append(item)
            everyone.append(item)
        return {
            company_id: (
                {p: forecast.profile(i, today, "customer") for p, i in by_partner.items()},
                {k: forecast.profile(i, today, "similar") for k, i in by_kind.items()},
                forecast.profile(everyone, today, "company"),
            )
            for company_id, (by_partner, by_kind, everyone) in items.items()
        }

    @api.model
    def _refresh(self, moves, today=None, history=None):
        """Write the expected payment date of ``moves`` (the open customer invoices among
        them) and of their unpaid instalments. The expectation of an invoice is that of its
        oldest unpaid instalment (what is owed first). A few queries whatever the number of
        invoices: what it needs is read in one, what changed written in one per ten
        thousand rows (an unchanged row is not written: no new version of it). ``history``:
        ``_history`` of their companies on ``today``, when already read."""
        if not moves:
            return
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT move.id, move.company_id, move.commercial_partner_id,
                       COALESCE(partner.is_company, FALSE), move.relance_hold,
                       move.relance_promise_date,
                       COALESCE(move.relance_due_date, move.invoice_date_due),
                       aml.id, aml.date_maturity,
                       move.relance_expected_date, move.relance_expected_basis,
                       move.relance_usual_delay, aml.relance_expected_later
                  FROM account_move move
                  JOIN res_partner partner ON partner.id = move.commercial_partner_id
             LEFT JOIN account_move_line aml
                    ON aml.move_id = move.id
                   AND aml.display_type = 'payment_term'
                   AND NOT aml.reconciled
                 WHERE move.id IN %(ids)s
                   AND move.move_type = 'out_invoice'
                   AND move.state = 'posted'
                   AND move.payment_state IN ('not_paid', 'partial')
                 ORDER BY move.id, aml.date_maturity, aml.id
                """,
                ids=tuple(moves.ids),
            )
        )
        if not rows:
            return
        if history is None:
            companies = self.env["res.company"].browse({row[1] for row in rows})
            history = self._history(companies, today)
        plans = self.env["account.relance.plan"].search(
            [("state", "=", "active"), ("move_ids", "in", [row[0] for row in rows])]
        )
        plan_date = {move.id: plan.next_date for plan in plans for move in plan.move_ids}
        move_values, line_values, seen = [], [], set()
        for (
            move_id,
            company_id,
            partner_id,
            is_company,
            hold,
            promise,
            due,
            line_id,
            maturity,
            stored_date,
            stored_basis,
            stored_delay,
            line_stored,
        ) in rows:
            by_partner, by_kind, everyone = history.get(company_id, ({}, {}, None))
            prof = forecast.choose_profile(
                by_partner.get(partner_id), by_kind.get(is_company), everyone
            )
            expected = forecast.expected_date(
                maturity or due,
                today,
                prof,
                hold=hold,
                promise_date=promise,
                plan_date=plan_date.get(move_id),
            )
            oldest = move_id not in seen  # its oldest unpaid instalment comes first
            # the oldest is expected when its invoice is: only a later one stores its date
            later = None if oldest else expected
            if line_id and line_stored != later:
                line_values.append((line_id, later))
            if oldest:
                seen.add(move_id)
                basis = {"promise": "promise", "plan": "plan"}.get(hold) or (
                    "undated" if hold in forecast.UNDATED_HOLDS else prof.source
                )
                usual = forecast.expected_delay(prof) if prof.source == "customer" else None
                values = (move_id, expected, basis, round(usual) if usual is not None else None)
                if (stored_date, stored_basis, stored_delay) != values[1:]:
                    move_values.append(values)
        self._write_values(
            "account_move",
            [
                ("relance_expected_date", "date"),
                ("relance_expected_basis", "varchar"),
                ("relance_usual_delay", "int4"),
            ],
            move_values,
        )
        self._write_values("account_move_line", [("relance_expected_later", "date")], line_values)
        self.env["account.move"].invalidate_model(
            ["relance_expected_date", "relance_expected_basis", "relance_usual_delay"]
        )
        self.env["account.move.line"].invalidate_model(
            ["relance_expected_later", "relance_expected_date"]
        )

    @api.model
    def _refresh_later(self, moves):
        """Refresh ``moves`` at the end of the transaction (before its commit), once the
        payments are matched and the invoices' payment state settled: a reconciliation
        creates its partials before it knows whether the invoice is paid."""
        pending = self.env.cr.precommit.data.setdefault(PENDING_KEY, set())
        if not pending:
            self.env.cr.precommit.add(self.sudo()._refresh_pending)
        pending.update(moves.ids)

    def _refresh_pending(self):
        ids = self.env.cr.precommit.data.pop(PENDING_KEY, set())
        moves = self.env["account.move"].browse(sorted(ids)).exists()
        self._refresh(moves)

    def _write_values(self, table, columns, values):
        """Write ``values`` ((id, value of each of ``columns``)) in one UPDATE per ten
        thousand rows, the values passed as arrays: stored fields that no compute depends
        on and no one tracks, written for thousands of invoices each night. ``columns``:
        (column name, SQL type) pairs."""
        updates = SQL(", ").join(
            SQL("%s = v.%s", SQL.identifier(name), SQL.identifier(name)) for name, _type in columns
        )
        names = SQL(", ").join(SQL.identifier(name) for name, _type in columns)
        for start in range(0, len(values), 10000):
            chunk = values[start : start + 10000]
            arrays = SQL(", ").join(
                SQL("%s::%s[]", [row[index] for row in chunk], SQL(sql_type))
                for index, (_name, sql_type) in enumerate(columns, start=1)
            )
            self.env.cr.execute(
                SQL(
                    "UPDATE %s AS t SET %s FROM unnest(%s::int4[], %s) AS v(id, %s)"
                    " WHERE t.id = v.id",
                    SQL.identifier(table),
                    updates,
                    [row[0] for row in chunk],
                    arrays,
                    names,
                )
            )

    @api.model
    def _refresh_night(self, companies, moves, today, commit=False):
        """The expected payment dates of the invoices dunned tonight and of those whose
        expectation is missing or has passed (or of ``moves``, for a run on chosen
        invoices). In cron mode one worker does it (a session lock held across its
        commits), the others leave it; an invoice another transaction holds for more than
        a moment, or changed meanwhile, is left to the next night."""
        if commit:
            self.env.cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_NS, -2))
            if not self.env.cr.fetchone()[0]:
                return
        try:
            self._refresh_chunks(companies, moves, today, commit)
        finally:
            if commit:
                self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_NS, -2))

    def _refresh_chunks(self, companies, moves, today, commit):
        Move = self.env["account.move"]
        targets = moves
        if targets is None:
            targets = Move.search(
                [
                    *Move._relance_open_domain(),
                    ("company_id", "in", companies.ids),
                    "|",
                    ("relance_last_date", "=", today),
                    "|",
                    ("relance_expected_date", "=", False),
                    ("relance_expected_date", "<", today),
                ]
            )
        if not targets:
            return
        cr = self.env.cr
        # the payment history read once for the night, not once per chunk
        history = self._history(targets.company_id, today)
        for start in range(0, len(targets), 10000):
            try:
                with cr.savepoint():
                    # the UPDATE locks the rows it changes: an invoice an accountant is
                    # saving is waited for a moment, not for the length of their transaction
                    cr.execute("SET LOCAL lock_timeout = '2s'")
                    self._refresh(targets[start : start + 10000], today, history=history)
                    cr.execute("SET LOCAL lock_timeout TO DEFAULT")
            except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
                _logger.info("Expected payment dates: invoices held or changed meanwhile, left")
                self.env.invalidate_all()
                if commit:
                    cr.rollback()
                continue
            if commit:
                self.env["ir.cron"]._commit_progress()

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..lib import analysis


class AccountRelanceDso(models.Model):
    """Days sales outstanding of each company at the end of each of the last 12 months:
    receivable balance / customer invoices (incl. VAT) of the 12 previous months x 365."""

    _name = "account.relance.dso"
    _description = "Days sales outstanding"
    _auto = False
    _order = "month_end"
    _depends = {
        "account.move.line": ["balance", "company_id", "account_id", "parent_state", "date"],
        "account.move": ["amount_total_signed", "company_id", "state", "move_type", "invoice_date"],
    }

    month_end = fields.Date("Month", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    receivable = fields.Monetary("Receivable balance", readonly=True, aggregator="sum")
    revenue_12m = fields.Monetary("Invoiced over 12 months", readonly=True, aggregator="sum")
    dso = fields.Float("DSO (days)", readonly=True, aggregator="avg", digits=(16, 1))

    @property
    def _table_query(self):
        """The figures of each month end before the user's day (``context_today``); the DSO
        as ``lib.analysis.dso`` computes it (365 days, one decimal, half up)."""
        return SQL(
            """
            WITH months AS (
                SELECT (date_trunc('month', %(today)s::date) - (n || ' month')::interval
                        - interval '1 day')::date AS month_end, n
                  FROM generate_series(0, 11) n
            ), figures AS (
                SELECT m.month_end, c.id AS company_id, c.currency_id,
                       (SELECT COALESCE(SUM(aml.balance), 0)
                          FROM account_move_line aml
                         WHERE aml.company_id = c.id
                           AND aml.account_id IN (SELECT id FROM account_account
                                                 WHERE account_type = 'asset_receivable')
                           AND aml.parent_state = 'posted'
                           AND aml.date <= m.month_end) AS receivable,
                       (SELECT COALESCE(SUM(am.amount_total_signed), 0)
                          FROM account_move am
                         WHERE am.company_id = c.id
                           AND am.state = 'posted'
                           AND am.move_type IN ('out_invoice', 'out_refund')
                           AND am.invoice_date > m.month_end - interval '12 months'
                           AND am.invoice_date <= m.month_end) AS revenue_12m
                  FROM months m
            CROSS JOIN res_company c
            )
            SELECT (company_id * 100 + ROW_NUMBER() OVER (PARTITION BY company_id
                        ORDER BY month_end))::int AS id,
                   month_end, company_id, currency_id, receivable, revenue_12m,
                   CASE WHEN revenue_12m <> 0
                        THEN ROUND((receivable / revenue_12m * %(days)s)::numeric, 1)
                        ELSE 0 END AS dso
              FROM figures
            """,
            today=fields.Date.context_today(self),
            days=analysis.DSO_DAYS,
        )

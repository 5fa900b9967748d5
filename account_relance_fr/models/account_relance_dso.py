# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from ..lib import analysis


class AccountRelanceDso(models.Model):
    """Days sales outstanding (DSO) of each company on the user's day and at the end of each
    of the 11 months before, by the countback method (``lib.analysis.dso_countback``): the
    receivable balance (credit notes and payments applied) exhausted by the sales of the
    month, then of the months before (incl. VAT, net of credit notes)."""

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
    sales = fields.Monetary(
        "Invoiced in the month",
        readonly=True,
        aggregator="sum",
        help="Customer invoices less credit notes, incl. VAT, dated in the month (to the day "
        "for the current month).",
    )
    dso = fields.Float("DSO (days)", readonly=True, aggregator="avg", digits=(16, 1))

    @property
    def _table_query(self):
        return SQL(
            """
            WITH months AS (
                SELECT n, CASE WHEN n = 0 THEN %(today)s::date
                               ELSE (date_trunc('month', %(today)s::date)
                                     - ((n - 1) || ' month')::interval
                                     - interval '1 day')::date END AS month_end
                  FROM generate_series(0, 11) n
            ), sales AS (
                SELECT am.company_id, date_trunc('month', am.invoice_date)::date AS month,
                       SUM(am.amount_total_signed) AS amount
                  FROM account_move am
                 WHERE am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.invoice_date <= %(today)s::date
                   AND am.invoice_date >= date_trunc('month', %(today)s::date)
                                          - (%(lookback)s || ' month')::interval
              GROUP BY am.company_id, date_trunc('month', am.invoice_date)
            ), ends AS (
                SELECT m.n, m.month_end, c.id AS company_id, c.currency_id,
                       (SELECT COALESCE(SUM(aml.balance), 0)
                          FROM account_move_line aml
                         WHERE aml.company_id = c.id
                           AND aml.account_id IN (SELECT id FROM account_account
                                                 WHERE account_type = 'asset_receivable')
                           AND aml.parent_state = 'posted'
                           AND aml.date <= m.month_end) AS receivable
                  FROM months m
            CROSS JOIN res_company c
            ), periods AS (
                SELECT e.company_id, e.month_end, e.receivable, k,
                       CASE WHEN k = 0 THEN EXTRACT(DAY FROM e.month_end)
                            ELSE EXTRACT(DAY FROM date_trunc('month', e.month_end)
                                                  - ((k - 1) || ' month')::interval
                                                  - interval '1 day') END AS days,
                       GREATEST(COALESCE(s.amount, 0), 0) AS sales
                  FROM ends e
            CROSS JOIN generate_series(0, %(months)s - 1) k
             LEFT JOIN sales s
                    ON s.company_id = e.company_id
                   AND s.month = (date_trunc('month', e.month_end)
                                  - (k || ' month')::interval)::date
            ), cumulated AS (
                SELECT *, SUM(sales) OVER w AS cum_sales, SUM(days) OVER w AS cum_days
                  FROM periods
                WINDOW w AS (PARTITION BY company_id, month_end ORDER BY k)
            ), countback AS (
                -- the first month whose sales exhaust the balance (its sales are then > 0;
                -- the later rows, kept by the WHERE but not by DISTINCT ON, may have none)
                SELECT DISTINCT ON (company_id, month_end) company_id, month_end,
                       CASE WHEN receivable <= 0 THEN 0
                            WHEN cum_sales >= receivable
                            THEN cum_days - days
                                 + days * (receivable - (cum_sales - sales)) / NULLIF(sales, 0)
                            ELSE cum_days END AS dso
                  FROM cumulated
                 WHERE receivable <= 0 OR cum_sales >= receivable OR k = %(months)s - 1
              ORDER BY company_id, month_end, k
            )
            SELECT (e.company_id * 100 + 12 - e.n)::int AS id,
                   e.month_end, e.company_id, e.currency_id, e.receivable,
                   COALESCE(s.amount, 0) AS sales,
                   ROUND(c.dso::numeric, 1) AS dso
              FROM ends e
              JOIN countback c ON c.company_id = e.company_id AND c.month_end = e.month_end
         LEFT JOIN sales s
                ON s.company_id = e.company_id
               AND s.month = date_trunc('month', e.month_end)::date
            """,
            today=fields.Date.context_today(self),
            months=analysis.DSO_MONTHS,
            lookback=analysis.DSO_MONTHS + 12,
        )

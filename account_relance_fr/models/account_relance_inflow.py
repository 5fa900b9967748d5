# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL


class AccountRelanceInflow(models.Model):
    """The receivables forecast: one row per unpaid instalment of an open customer invoice,
    with the day it is expected to be paid (``account.relance.forecast``), grouped by week
    in the views. The overdue amounts with no expected date (a dispute, insolvency
    proceedings, a file with a collector...) have no week: they are forecast apart.

    A read-only SQL model over the stored expectations: the numbers of rows and of queries
    of a screen do not grow with the invoices, only the rows PostgreSQL adds up."""

    _name = "account.relance.inflow"
    _description = "Receivables forecast"
    _auto = False
    _order = "expected_date, id"
    _rec_name = "move_id"
    _depends = {
        "account.move": [
            "move_type",
            "state",
            "payment_state",
            "company_id",
            "commercial_partner_id",
            "invoice_user_id",
            "relance_level_id",
            "relance_hold",
            "relance_expected_basis",
            "relance_expected_date",
        ],
        "account.move.line": [
            "amount_residual",
            "date_maturity",
            "reconciled",
            "display_type",
            "relance_expected_later",
        ],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    move_id = fields.Many2one("account.move", "Invoice", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    level_id = fields.Many2one("account.relance.level", "Dunning step", readonly=True)
    hold = fields.Selection(
        lambda self: self.env["account.move"]._fields["relance_hold"].selection,
        "Paused",
        readonly=True,
    )
    due_date = fields.Date("Due date", readonly=True)
    expected_date = fields.Date("Expected payment", readonly=True)
    basis = fields.Selection(
        lambda self: self.env["account.move"]._fields["relance_expected_basis"].selection,
        "Expected from",
        readonly=True,
    )
    overdue = fields.Boolean(readonly=True)
    undated = fields.Boolean("No expected date", readonly=True)
    amount = fields.Monetary("Expected", readonly=True)

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT aml.id, aml.company_id, company.currency_id,
                   move.commercial_partner_id AS partner_id, move.id AS move_id,
                   move.invoice_user_id AS user_id, move.relance_level_id AS level_id,
                   move.relance_hold AS hold,
                   COALESCE(aml.date_maturity, move.invoice_date_due) AS due_date,
                   -- the oldest unpaid instalment is expected when its invoice is
                   COALESCE(aml.relance_expected_later, move.relance_expected_date)
                       AS expected_date,
                   move.relance_expected_basis AS basis,
                   COALESCE(aml.date_maturity, move.invoice_date_due) < %(today)s AS overdue,
                   COALESCE(aml.relance_expected_later, move.relance_expected_date) IS NULL
                       AS undated,
                   aml.amount_residual AS amount
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_company company ON company.id = aml.company_id
             WHERE aml.display_type = 'payment_term'
               AND NOT aml.reconciled
               AND aml.amount_residual > 0
               AND move.move_type = 'out_invoice'
               AND move.state = 'posted'
               AND move.payment_state IN ('not_paid', 'partial')
            """,
            today=today,
        )

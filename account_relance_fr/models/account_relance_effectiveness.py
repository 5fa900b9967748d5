# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL


class AccountRelanceEffectiveness(models.Model):
    """How well each step works: one row per invoice and level performed, with whether
    the invoice was settled within 15 and 30 days after the reminder."""

    _name = "account.relance.effectiveness"
    _description = "Dunning effectiveness"
    _auto = False
    _order = "date desc"
    _depends = {
        "account.relance.event.line": [
            "date",
            "company_id",
            "partner_id",
            "move_id",
            "level_id",
            "channel",
            "event_id",
        ],
        "account.relance.event": ["state"],
        "account.move": ["payment_state"],
        "account.move.line": ["move_id", "account_id"],
        "account.partial.reconcile": ["max_date", "debit_move_id"],
    }

    date = fields.Date("Reminder date", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    move_id = fields.Many2one("account.move", "Invoice", readonly=True)
    level_id = fields.Many2one("account.relance.level", readonly=True)
    channel = fields.Selection(
        selection=lambda self: self.env["account.relance.level"]._channel_selection(),
        readonly=True,
    )
    paid_date = fields.Date("Settled on", readonly=True)
    days_to_pay = fields.Integer("Days to pay", readonly=True, aggregator="avg")
    # in percent: 100 for a reminder followed by the payment in time, averaged by the views
    paid_15 = fields.Float("Paid within 15 days (%)", readonly=True, aggregator="avg")
    paid_30 = fields.Float("Paid within 30 days (%)", readonly=True, aggregator="avg")
    reminder_count = fields.Integer("Reminders", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT line.id, line.date, line.company_id, line.partner_id, line.move_id,
                   line.level_id, line.channel, paid.paid_date,
                   paid.paid_date - line.date AS days_to_pay,
                   CASE WHEN paid.paid_date - line.date <= 15 THEN 100.0 ELSE 0.0 END AS paid_15,
                   CASE WHEN paid.paid_date - line.date <= 30 THEN 100.0 ELSE 0.0 END AS paid_30,
                   1 AS reminder_count
              FROM account_relance_event_line line
              JOIN account_relance_event event ON event.id = line.event_id
              JOIN account_move am ON am.id = line.move_id
         LEFT JOIN LATERAL (
                    SELECT MAX(apr.max_date) AS paid_date
                      FROM account_move_line aml
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                     WHERE aml.move_id = am.id AND aml.account_id IN (
                           SELECT id FROM account_account
                            WHERE account_type = 'asset_receivable')
                       AND am.payment_state IN ('paid', 'in_payment')
                   ) paid ON TRUE
             WHERE event.state IN ('done', 'todo') AND line.level_id IS NOT NULL
            """
        )

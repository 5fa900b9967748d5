# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountRelanceEventLine(models.Model):
    """One invoice of a dunning action: the unit of "this level was performed once"."""

    _name = "account.relance.event.line"
    _description = "Dunning action invoice"
    _order = "event_id, invoice_date_due, id"

    event_id = fields.Many2one(
        "account.relance.event", required=True, index=True, ondelete="cascade"
    )
    move_id = fields.Many2one("account.move", "Invoice", required=True, index=True)
    level_id = fields.Many2one("account.relance.level", required=True, index=True)
    date = fields.Date(related="event_id.date", store=True)
    company_id = fields.Many2one(related="event_id.company_id", store=True)
    partner_id = fields.Many2one(related="event_id.partner_id", store=True)
    channel = fields.Selection(related="event_id.channel", store=True)
    state = fields.Selection(related="event_id.state", store=True)
    active = fields.Boolean(related="event_id.active", store=True)
    currency_id = fields.Many2one("res.currency", required=True)
    invoice_name = fields.Char("Number")
    invoice_date = fields.Date()
    invoice_date_due = fields.Date("Due date")
    amount_total = fields.Monetary("Amount incl. VAT")
    amount_residual = fields.Monetary("Residual")
    days_overdue = fields.Integer()

    _move_level_uniq = models.Constraint(
        "UNIQUE(move_id, level_id)",
        "An invoice goes through each dunning level only once.",
    )

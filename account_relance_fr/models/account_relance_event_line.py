# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

_COPY = {
    "compute": "_compute_from_event",
    "store": True,
    "readonly": False,
    "precompute": True,
}


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
    # Copies of the action's fields, for searching and grouping the lines. The nightly run
    # gives them at creation: thousands of lines are then neither computed nor written a
    # second time (a related field would be); they follow the action when it changes.
    date = fields.Date(**_COPY)
    company_id = fields.Many2one("res.company", **_COPY)
    partner_id = fields.Many2one("res.partner", "Customer", **_COPY)
    channel = fields.Selection(selection="_channel_selection", **_COPY)
    active = fields.Boolean(**_COPY)
    # read from the action: it changes when the email is queued, just after creation
    state = fields.Selection(related="event_id.state")
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

    @api.model
    def _channel_selection(self):
        return self.env["account.relance.level"]._channel_selection()

    @api.depends(
        "event_id.date",
        "event_id.company_id",
        "event_id.partner_id",
        "event_id.channel",
        "event_id.active",
    )
    def _compute_from_event(self):
        for line in self:
            event = line.event_id
            line.date = event.date
            line.company_id = event.company_id
            line.partner_id = event.partner_id
            line.channel = event.channel
            line.active = event.active

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, split_every

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
    # no index of its own: the unique index on (move_id, level_id) serves it
    move_id = fields.Many2one("account.move", "Invoice", required=True)
    # empty for an invoice of an action besides the ladder (a call logged)
    level_id = fields.Many2one("account.relance.level", index=True)
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
    amount_residual = fields.Monetary(
        "Due", help="What the action claimed: the residual of the instalments then due."
    )
    amount_later = fields.Monetary(
        "Falls due later",
        help="The instalments of the invoice not yet due on the date of the action: shown "
        "apart, never claimed.",
    )
    days_overdue = fields.Integer()
    # 0 for the ladder's steps, 1, 2... for the step repeated after its last one
    repeat = fields.Integer(required=True, default=0)

    _move_level_uniq = models.Constraint(
        "UNIQUE(move_id, level_id, repeat)",
        "An invoice goes through each dunning level only once (each repeat once).",
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

    @api.model
    def _relance_insert(self, vals_list):
        """Insert the lines of a night's actions, one statement per 1,000 lines, without the
        ORM's ``create``, whose conversion of every value nothing here needs: the lines'
        copies of the action's fields are given, the amounts are the invoices' (rounded in
        their currency), no stored field depends on the lines, and the only constraint is
        the unique index, which the database checks. The caller invalidates the one2many
        fields of the actions and invoices."""
        if not vals_list:
            return
        names = list(vals_list[0])
        assert all(self._fields[name].column_type for name in names), names
        uid, now = self.env.uid, self.env.cr.now()
        rows = [(*(vals[name] for name in names), uid, now, uid, now) for vals in vals_list]
        columns = [*names, "create_uid", "create_date", "write_uid", "write_date"]
        for chunk in split_every(1000, rows):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) VALUES " + ", ".join(["%s"] * len(chunk)),
                    SQL.identifier(self._table),
                    SQL(", ").join(map(SQL.identifier, columns)),
                    *chunk,
                )
            )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models.account_relance_einvoice_status import EINVOICE_STATUSES


class AccountRelanceEinvoiceSet(models.TransientModel):
    """Record the e-invoicing lifecycle status of the selected customer invoices by hand
    (a status read on the platform's portal, a customer's refusal by email)."""

    _name = "account.relance.einvoice.set"
    _description = "Set the e-invoicing status"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    code = fields.Selection(EINVOICE_STATUSES, "Status", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Char(help="The reason the platform or the customer gave, if any.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            values["move_ids"] = [
                fields.Command.set(
                    self.env["account.move"]
                    .browse(self.env.context.get("active_ids", []))
                    .filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
                    .ids
                )
            ]
        return values

    def action_set(self):
        self.ensure_one()
        self.move_ids._relance_set_einvoice_status(
            self.code, date=self.date, reason=self.reason, source="user"
        )
        return {"type": "ir.actions.act_window_close"}

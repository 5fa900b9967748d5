# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError

from ..models.account_move import HOLD_STATES


class AccountRelanceHold(models.TransientModel):
    """Pause, block, put in litigation or resume the dunning of selected invoices."""

    _name = "account.relance.hold"
    _description = "Pause the dunning"

    invoice_ids = fields.Many2many("account.move", string="Invoices", required=True)
    hold = fields.Selection(
        HOLD_STATES + [("resume", "Resume the dunning")],
        "Action",
        required=True,
        default="blocked",
    )
    note = fields.Char("Reason")
    promise_date = fields.Date()
    promise_amount = fields.Float()
    dispute_reason_id = fields.Many2one("account.relance.dispute.reason", "Dispute reason")

    def action_apply(self):
        self.ensure_one()
        moves = self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        if not moves:
            raise UserError(self.env._("Select customer invoices."))
        if self.hold == "resume":
            moves.action_relance_resume()
        else:
            moves.action_relance_set_hold(
                self.hold,
                note=self.note,
                promise_date=self.promise_date,
                promise_amount=self.promise_amount,
                dispute_reason=self.dispute_reason_id.id,
            )
            if self.hold == "dispute":
                self.dispute_reason_id._notify_dispute(moves, self.note)
        return {"type": "ir.actions.act_window_close"}

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountRelanceDisputeReason(models.Model):
    _name = "account.relance.dispute.reason"
    _description = "Dispute reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    def _notify_dispute(self, moves, note=False):
        """Tell the salesperson of each invoice of ``moves`` (and the company's dispute
        contact) that it is disputed for this reason (if any), in an internal note."""
        for move in moves:
            users = (
                move.invoice_user_id | move.company_id.relance_dispute_user_id
            )._relance_working()
            if not users:
                continue
            move.message_post(
                body=self.env._(
                    "Dispute recorded on this invoice: %(reason)s%(note)s. The dunning is paused.",
                    reason=self.name or "",
                    note=" — %s" % note if note else "",
                ),
                partner_ids=users.partner_id.ids,
                # an internal note that notifies them: the customer may follow the invoice
                subtype_xmlid="mail.mt_note",
            )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountRelanceSkip(models.TransientModel):
    """Skip a step that a person must perform (a call, a letter, an email to validate):
    the customer's ladder waits for it, and goes on once it is done or skipped."""

    _name = "account.relance.skip"
    _description = "Skip a dunning step"

    action_ids = fields.Many2many("account.relance.event", string="Steps", required=True)
    reason = fields.Char(required=True)

    def action_skip(self):
        self.ensure_one()
        self.action_ids._relance_skip(self.reason)
        return {"type": "ir.actions.act_window_close"}

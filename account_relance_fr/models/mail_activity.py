# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a dunning activity done (from the chatter, the activity view or the
        systray) records its dunning action as done."""
        actions = self.env["account.relance.event"]
        if not self.env.context.get("relance_skip_event"):
            event_ids = [a.res_id for a in self if a.res_model == "account.relance.event"]
            actions = actions.browse(event_ids).exists().filtered(lambda e: e.state == "todo")
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if actions:
            actions._relance_performed()
        return result

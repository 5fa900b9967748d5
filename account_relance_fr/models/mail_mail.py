# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """A reminder the mail server refused is not a reminder sent: its dunning action is
        marked failed, with an activity for the responsible (never silently)."""
        if failure_type:
            # only the reminder itself: activity notifications of the action are other mails
            actions = self.env["account.relance.event"].sudo().search([("mail_id", "in", self.ids)])
            if actions:
                actions._relance_mail_failed(failure_reason or failure_type)
        return super()._postprocess_sent_message(
            success_pids,
            success_emails,
            failure_reason=failure_reason,
            failure_type=failure_type,
        )

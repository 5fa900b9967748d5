# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _routing_handle_bounce(self, email_message, message_dict):
        """A reminder that bounces marks its dunning action failed. The reminder is posted
        on the customer: the bounce is routed to the customer, so the action is found by
        the bounced message itself."""
        result = super()._routing_handle_bounce(email_message, message_dict)
        bounced = message_dict.get("bounced_message")
        if bounced and message_dict.get("bounced_email"):
            self.env["account.relance.event"].sudo().search(
                [("message_id", "=", bounced.id), ("state", "!=", "failed")]
            )._relance_mail_bounced(message_dict["bounced_email"])
        return result

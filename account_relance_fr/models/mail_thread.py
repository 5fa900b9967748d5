# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, models
from odoo.tools.mail import generate_tracking_message_id


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _relance_subtype_id(self):
        """The "Dunning" subtype of the dunning notes and reminder emails."""
        return self.env["ir.model.data"]._xmlid_to_res_id("account_relance_fr.mt_relance")

    def _relance_log(self, bodies):
        """Log internal notes with the dunning subtype on these records, in one insert:
        ``bodies`` maps each record's id to its body (text or ``Markup``).

        The values are those of ``mail.thread._message_log_batch`` (no notification), with
        the subtype set at creation: changing it afterwards would check the access to every
        message again."""
        if not self:
            return self.env["mail.message"]
        author_id, email_from = self._message_compute_author()
        base_values = {
            "author_id": author_id,
            "email_from": email_from,
            "model": self._name,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "message_type": "notification",
            "is_internal": True,
            "subtype_id": self._relance_subtype_id(),
            "email_add_signature": False,
            "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                default=email_from, author_id=author_id
            )[False],
        }
        return self.sudo()._message_create(
            [
                dict(base_values, res_id=record.id, body=Markup("%s") % bodies.get(record.id, ""))
                for record in self
            ]
        )

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

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import ladder


class AccountRelanceLevel(models.Model):
    _name = "account.relance.level"
    _description = "Dunning level"
    _order = "policy_id, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "account.relance.policy", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    delay = fields.Integer(
        "Delay (days after due date)",
        required=True,
        help="Number of days after the due date from which this level is reached. "
        "A negative delay makes a courtesy reminder before the due date.",
    )
    channel = fields.Selection(selection="_channel_selection", required=True, default="email")
    tone = fields.Selection(selection="_tone_selection", required=True, default="courteous")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Mail template",
        domain=[("model", "=", "account.relance.event")],
        help="Email sent to the customer for the email channel.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        help="Activity created for the dunning responsible (call, letter to send, "
        "formal notice to validate).",
    )
    color = fields.Integer(default=0, help="Colour of the level on the board.")
    auto_execute = fields.Boolean(
        "Automatic",
        default=True,
        help="Executed by the nightly run by itself. When unticked, the nightly run only "
        "prepares an activity that a person validates.",
    )
    min_amount = fields.Float(
        "Minimum overdue amount",
        help="Invoices whose residual is below this amount wait at the previous level.",
    )
    attach_invoices = fields.Boolean("Attach invoice PDFs")
    mention_penalties = fields.Boolean(
        "Mention late-payment penalties",
        help="The message mentions the late-payment interest and, for businesses, the "
        "40 EUR fixed recovery indemnity.",
    )
    is_courtesy = fields.Boolean(
        "Courtesy reminder",
        readonly=True,
        help="Reminder sent before the due date, managed by the company's setting.",
    )
    payment_deadline_days = fields.Integer(
        "Payment deadline (days)", help="Deadline granted in the message, 0 for none."
    )

    @api.model
    def _channel_selection(self):
        return [
            ("email", self.env._("Email")),
            ("letter", self.env._("Postal letter")),
            ("registered_letter", self.env._("Registered letter")),
            ("phone", self.env._("Phone call")),
            ("formal_notice", self.env._("Formal notice")),
        ]

    @api.model
    def _tone_selection(self):
        return [
            ("courteous", self.env._("Courteous")),
            ("firm", self.env._("Firm")),
            ("formal", self.env._("Formal")),
            ("legal", self.env._("Legal")),
        ]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if self.env["account.move"].sudo().search_count(
            [("relance_level_id", "in", self.ids)], limit=1
        ) or self.env["account.relance.event.line"].sudo().search_count(
            [("level_id", "in", self.ids)], limit=1
        ):
            raise UserError(
                self.env._(
                    "Invoices have reached this dunning level: archive the level instead "
                    "of deleting it."
                )
            )

    def action_preview_template(self):
        """Preview the level's email on a real dunning action (Odoo's template preview)."""
        self.ensure_one()
        if not self.mail_template_id:
            raise UserError(self.env._("This level sends no email."))
        action = self.mail_template_id.action_open_mail_preview()
        action["context"] = {"default_mail_template_id": self.mail_template_id.id}
        return action

    LADDER_FIELDS = ("delay", "sequence", "active", "policy_id")

    @api.model_create_multi
    def create(self, vals_list):
        levels = super().create(vals_list)
        self.env["account.move"]._relance_recompute_next(levels.company_id)
        return levels

    def write(self, vals):
        res = super().write(vals)
        if any(field in vals for field in self.LADDER_FIELDS):
            self.env["account.move"]._relance_recompute_next(self.company_id)
        return res

    def _propose_ending(self, moves):
        """This step performed for ``moves``: when it is the last step of a ladder that ends
        by asking a person, the customer's responsible gets an activity to hand the file to
        a collector, or to prepare an injunction to pay (injonction de payer). Nothing
        silently ends."""
        level = self
        policy = level.policy_id
        if policy.end_mode not in (ladder.END_HANDOFF, ladder.END_INJUNCTION):
            return
        if level != policy.level_ids.sorted(lambda lv: (lv.sequence, lv.id))[-1:]:
            return
        summary = (
            self.env._("Hand the file to a collector")
            if policy.end_mode == ladder.END_HANDOFF
            else self.env._("Prepare an injunction to pay (injonction de payer)")
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        partners = moves.commercial_partner_id
        asked = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("summary", "=", summary),
                ]
            )
            .mapped("res_id")
        )
        company = moves.company_id[:1]
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": todo.id,
                    "summary": summary,
                    "note": self.env._(
                        "The last step of the dunning, %s, was performed: what next?",
                        level.name,
                    ),
                    "user_id": (
                        partner._relance_responsible(company) or company._relance_manager()
                    ).id,
                }
                for partner in partners
                if partner.id not in asked
            ]
        )

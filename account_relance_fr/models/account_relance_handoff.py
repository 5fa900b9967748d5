# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountRelanceHandoff(models.Model):
    """Invoices handed to a collector: a collection agency, a commissaire de justice or a
    lawyer (avocat). They leave the ladder while the collector works on them; the
    collector's news is logged here, the amounts recovered are the payments reconciled on
    the invoices as usual, and the collector's fee is recorded."""

    _name = "account.relance.handoff"
    _description = "Hand-off to a collector"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, domain="[('parent_id', '=', False)]"
    )
    agent_id = fields.Many2one(
        "res.partner",
        "Collector",
        required=True,
        tracking=True,
        domain="[('relance_agent_type', '!=', False)]",
    )
    agent_type = fields.Selection(related="agent_id.relance_agent_type")
    date = fields.Date("Handed on", required=True, default=fields.Date.context_today)
    move_ids = fields.Many2many(
        "account.move",
        "account_relance_handoff_move_rel",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    fee_terms = fields.Char(
        "Fee terms",
        tracking=True,
        help="As agreed with the collector: a percentage, a fixed fee...",
    )
    fee_amount = fields.Monetary("Fee", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "With the collector"), ("closed", "Closed")],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    amount_handed = fields.Monetary("Handed over", readonly=True, copy=False)
    amount_recovered = fields.Monetary(
        "Recovered",
        compute="_compute_amount_recovered",
        store=True,
        help="Paid on the invoices since they were handed over.",
    )

    @api.depends("partner_id", "agent_id", "date")
    def _compute_name(self):
        for record in self:
            record.name = " — ".join(filter(None, [record.partner_id.name, record.agent_id.name]))

    @api.depends("move_ids.amount_residual_signed", "amount_handed", "state")
    def _compute_amount_recovered(self):
        for record in self:
            if record.state == "draft":
                record.amount_recovered = 0.0
                continue
            left = sum(abs(move.amount_residual_signed) for move in record.move_ids)
            record.amount_recovered = max(record.currency_id.round(record.amount_handed - left), 0)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id and self.state == "draft":
            today = fields.Date.context_today(self)
            moves = self.env["account.relance.claim"]._open_invoices(
                self.partner_id, self.company_id
            )
            self.move_ids = moves.filtered(
                lambda m: (
                    m.relance_due_date
                    and m.relance_due_date < today
                    and m.relance_hold not in ("plan", "insolvency", "handoff")
                )
            )

    def action_hand_over(self):
        """The invoices go to the collector and leave the ladder."""
        for record in self:
            if record.state != "draft":
                raise UserError(self.env._("These invoices are already with the collector."))
            if not record.move_ids:
                raise UserError(self.env._("Choose the invoices to hand over."))
            held = record.move_ids.filtered(lambda m: m.relance_hold in ("plan", "insolvency"))
            if held:
                raise UserError(
                    self.env._(
                        "%s: under a payment plan or insolvency proceedings.",
                        ", ".join(held.mapped("name")),
                    )
                )
            record.write(
                {
                    "state": "active",
                    "amount_handed": sum(abs(m.amount_residual_signed) for m in record.move_ids),
                }
            )
            body = Markup("<p>%s</p>") % self.env._(
                "Handed to %(agent)s on %(date)s: the dunning stops while they collect.",
                agent=record.agent_id.name,
                date=self.env["res.lang"]._relance_date_str(record.date),
            )
            self.env["account.relance.pause"]._system_hold(
                record.move_ids, "handoff", record.agent_id.name, body
            )
            record.partner_id._relance_log({record.partner_id.id: body})
        return True

    def action_send_file(self):
        """Email the collector the customer's collection file (summary, open invoices,
        formal notices, as a ZIP), from this hand-off's chatter."""
        for record in self:
            if not record.agent_id.email:
                raise UserError(self.env._("The collector has no email address."))
            Dossier = self.env["account.relance.dossier"].with_company(record.company_id)
            filename, content = Dossier._build_zip(record.partner_id)
            attachment = self.env["ir.attachment"].create(
                {
                    "name": filename,
                    "datas": base64.b64encode(content),
                    "res_model": record._name,
                    "res_id": record.id,
                    "mimetype": "application/zip",
                }
            )
            template = self.env.ref("account_relance_fr.mail_template_relance_handoff")
            lang = record.agent_id.lang or self.env.lang
            template = template.with_context(lang=lang)
            record.message_post(
                subject=template._render_field("subject", record.ids)[record.id],
                body=template._render_field("body_html", record.ids)[record.id],
                partner_ids=record.agent_id.ids,
                attachment_ids=attachment.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_close(self):
        """The collector's mission ends: the invoices still open go back to the ladder."""
        for record in self:
            record.state = "closed"
            body = Markup("<p>%s</p>") % self.env._(
                "Back from %(agent)s: %(recovered)s recovered.",
                agent=record.agent_id.name,
                recovered=record.currency_id._relance_amount_str(record.amount_recovered),
            )
            self.env["account.relance.pause"]._system_release(record.move_ids, "handoff", body)
            record.message_post(body=body, subtype_xmlid="account_relance_fr.mt_relance")
        return True

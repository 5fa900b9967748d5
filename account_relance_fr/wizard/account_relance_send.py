# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command


class _PreviewDone(Exception):
    """Rolls back the savepoint of a preview."""


class AccountRelanceSend(models.TransientModel):
    """Preview and send a reminder now, for one customer's open invoices."""

    _name = "account.relance.send"
    _description = "Send a reminder now"

    invoice_ids = fields.Many2many("account.move", string="Invoices", required=True)
    partner_id = fields.Many2one("res.partner", compute="_compute_partner_id")
    company_id = fields.Many2one("res.company", compute="_compute_partner_id")
    level_id = fields.Many2one(
        "account.relance.level",
        compute="_compute_level_id",
        store=True,
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    channel = fields.Selection(related="level_id.channel")
    contact_id = fields.Many2one(
        "res.partner", "Send to", compute="_compute_contact_id", store=True, readonly=False
    )
    subject = fields.Char(compute="_compute_preview", store=True, readonly=False)
    body = fields.Html(compute="_compute_preview", store=True, readonly=False, sanitize_style=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    warning = fields.Char(compute="_compute_preview", store=True)

    @api.depends("invoice_ids")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.invoice_ids.commercial_partner_id[:1]
            wizard.company_id = wizard.invoice_ids.company_id[:1]

    @api.depends("invoice_ids")
    def _compute_level_id(self):
        for wizard in self:
            moves = wizard.invoice_ids._origin
            level = moves.relance_next_level_id.sorted("sequence")[:1]
            if not level and moves:
                policy = wizard.partner_id._origin._relance_policy(wizard.company_id._origin)
                current = moves.relance_level_id.sorted("sequence")[:1]
                later = policy.level_ids.filtered(
                    lambda lv, current=current: not current or lv.sequence > current.sequence
                )
                level = later[:1] or current
            wizard.level_id = level

    @api.depends("partner_id")
    def _compute_contact_id(self):
        for wizard in self:
            wizard.contact_id = wizard.partner_id and wizard.partner_id._relance_addressee()

    def _eligible_moves(self):
        """The selected open invoices that have not gone through the chosen level yet."""
        self.ensure_one()
        level = self.level_id._origin
        return self.invoice_ids._origin.filtered_domain(
            self.env["account.move"]._relance_base_domain()
        ).filtered(
            lambda m: (
                (m.relance_level_id.sequence or 0) < level.sequence
                and level not in m.relance_event_line_ids.level_id
            )
        )

    def _new_action_values(self):
        """The values of the action this dialog would create, its lines included."""
        self.ensure_one()
        moves = self._eligible_moves()
        today = fields.Date.context_today(self)
        Action = self.env["account.relance.event"]
        key = (self.company_id._origin, self.partner_id._origin, moves.currency_id[:1])
        vals = Action._relance_action_values(self.level_id._origin, moves, today, key)
        vals["contact_id"] = self.contact_id._origin.id
        vals["line_ids"] = [
            Command.create(line_vals)
            for line_vals in Action._relance_line_values(vals, moves, today)
        ]
        return vals

    @api.depends("level_id", "contact_id", "invoice_ids")
    def _compute_preview(self):
        for wizard in self:
            template = wizard.level_id.mail_template_id
            wizard.warning = False
            if not (
                template and wizard.partner_id and wizard.level_id and wizard._eligible_moves()
            ):
                wizard.subject = wizard.level_id.name
                wizard.body = False
                continue
            lang = wizard.contact_id.lang or wizard.partner_id.lang or self.env.lang
            try:
                wizard.subject, wizard.body = wizard._render_preview(
                    template.with_context(lang=lang)
                )
            except UserError as exc:
                wizard.warning = str(exc)

    def _render_preview(self, template):
        """Render the level's template on the action this wizard would create.

        The template is written for ``account.relance.event`` records, so the action is
        created in a savepoint that is rolled back once the preview is rendered."""
        self._eligible_moves()._relance_ensure_tokens()  # kept: the preview's links stay valid
        Action = self.env["account.relance.event"]
        preview = {}
        try:
            with contextlib.suppress(_PreviewDone):
                # not a flushing savepoint: its rollback would clear the cache, and with it
                # the values of this wizard being edited
                self.env.flush_all()
                with self.env.cr.savepoint(flush=False):
                    action = Action.create(self._new_action_values())
                    preview["subject"] = template._render_field("subject", action.ids)[action.id]
                    preview["body"] = template._render_field("body_html", action.ids)[action.id]
                    self.env.flush_all()
                    raise _PreviewDone()
        finally:
            Action.invalidate_model()
            self.env["account.relance.event.line"].invalidate_model()
        return preview["subject"], preview["body"]

    def action_send(self):
        self.ensure_one()
        moves = self._eligible_moves()
        if not moves:
            raise UserError(
                self.env._(
                    "The selected invoices are paid or already went through level %s.",
                    self.level_id.name,
                )
            )
        moves = moves.try_lock_for_update()
        if not moves:
            raise UserError(self.env._("The nightly run is processing these invoices; retry."))
        manual = None
        if self.channel == "email":
            manual = {
                "subject": self.subject,
                "body": self.body,
                "partner_ids": self.contact_id.ids,
                "attachment_ids": self.attachment_ids.ids,
            }
        actions = self.env["account.relance.run"]._perform(
            self.level_id, moves, fields.Date.context_today(self), manual_values=manual
        )
        if len(actions) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.relance.event",
                "res_id": actions.id,
                "view_mode": "form",
            }
        return {"type": "ir.actions.act_window_close"}

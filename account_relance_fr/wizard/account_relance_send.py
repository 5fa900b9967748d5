# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command


class _PreviewDone(Exception):
    """Rolls back the savepoint of a preview."""


class AccountRelanceSend(models.TransientModel):
    """Preview and perform a customer's dunning step now.

    A customer hears one voice: the step proposed is the customer's next one (the step
    after the highest its invoices reached), and it claims every invoice it may claim, not
    only the one the dialog was opened from. Paused invoices are left out and listed with
    their reason; including one is a choice recorded on the action, with its reason."""

    _name = "account.relance.send"
    _description = "Perform a dunning step now"

    invoice_ids = fields.Many2many(
        "account.move", string="Invoices", required=True, help="The invoices it was opened on."
    )
    partner_id = fields.Many2one("res.partner", "Customer", compute="_compute_partner_id")
    company_id = fields.Many2one("res.company", compute="_compute_partner_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_partner_id")
    policy_id = fields.Many2one("account.relance.policy", compute="_compute_partner_id")
    level_id = fields.Many2one(
        "account.relance.level",
        "Step",
        compute="_compute_level_id",
        store=True,
        readonly=False,
        domain="[('policy_id', '=', policy_id)]",
    )
    channel = fields.Selection(related="level_id.channel")
    claim_ids = fields.Many2many(
        "account.move",
        "account_relance_send_claim_rel",
        string="Invoices claimed",
        compute="_compute_claim_ids",
    )
    paused_line_ids = fields.One2many(
        "account.relance.send.paused",
        "wizard_id",
        "Paused invoices",
        compute="_compute_paused_line_ids",
        store=True,
        readonly=False,
    )
    include_reason = fields.Char(
        "Why include them",
        help="Required to claim a paused invoice: recorded on the action with your name.",
    )
    claim_amount = fields.Monetary("Claimed", compute="_compute_claim_ids")
    credit_amount = fields.Monetary(
        "Credit notes and payments",
        compute="_compute_claim_ids",
        help="The customer's open credit notes and unreconciled payments in this company.",
    )
    contact_id = fields.Many2one(
        "res.partner", "Send to", compute="_compute_contact_id", store=True, readonly=False
    )
    subject = fields.Char(compute="_compute_preview", store=True, readonly=False)
    body = fields.Html(compute="_compute_preview", store=True, readonly=False, sanitize_style=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    warning = fields.Html(compute="_compute_warning")

    @api.depends("invoice_ids")
    def _compute_partner_id(self):
        for wizard in self:
            moves = wizard.invoice_ids._origin
            wizard.partner_id = moves.commercial_partner_id[:1]
            wizard.company_id = moves.company_id[:1]
            # the amounts of the dialog in company currency, as the credits are
            wizard.currency_id = moves.company_id[:1].currency_id or self.env.company.currency_id
            wizard.policy_id = (
                wizard.partner_id._relance_policy(wizard.company_id) if moves else False
            )

    @api.depends("invoice_ids")
    def _compute_level_id(self):
        Claim = self.env["account.relance.claim"]
        today = fields.Date.context_today(self)
        # a step chosen by the path that opened the dialog (a card dropped on a column, the
        # formal notice of a customer), when it is one of the customer's policy
        chosen = self.env["account.relance.level"].browse(
            self.env.context.get("relance_send_level_id") or []
        )
        for wizard in self:
            if chosen and chosen.policy_id == wizard.policy_id:
                wizard.level_id = chosen
                continue
            wizard.level_id = (
                Claim._next_step(wizard.partner_id, wizard.company_id, today)
                if wizard.partner_id
                else False
            )

    def _claims(self):
        """The invoices the chosen step claims (``account.relance.claim._step_claims``)."""
        self.ensure_one()
        level = self.level_id._origin
        if not level or not self.partner_id:
            return self.env["account.move"]
        return self.env["account.relance.claim"]._step_claims(
            self.partner_id, self.company_id, level, fields.Date.context_today(self)
        )

    @api.depends("level_id", "invoice_ids")
    def _compute_claim_ids(self):
        for wizard in self:
            moves = wizard._claims() if wizard.partner_id else self.env["account.move"]
            wizard.claim_ids = moves
            today = fields.Date.context_today(wizard)
            wizard.claim_amount = sum(
                p["due_company"] for p in moves._relance_parts(today).values()
            )
            wizard.credit_amount = wizard._credit() if wizard.partner_id else 0.0

    def _credit(self):
        """The customer's open credit notes and unreconciled payments in this company, in
        company currency (``account.relance.claim._credits``)."""
        self.ensure_one()
        credits = self.env["account.relance.claim"]._credits(self.invoice_ids._origin)
        return credits.get((self.company_id.id, self.partner_id.id), 0.0)

    @api.depends("invoice_ids")
    def _compute_paused_line_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            if wizard.partner_id:
                moves = self.env["account.relance.claim"]._open_invoices(
                    wizard.partner_id, wizard.company_id, excluded=True
                )
                reasons = self.env["account.relance.pause"]._reasons(moves)
                today = fields.Date.context_today(self)
                commands += [
                    Command.create({"move_id": move.id, "reason": reasons[move]})
                    for move in moves
                    if move in reasons and move.invoice_date_due < today
                ]
            wizard.paused_line_ids = commands

    @api.depends("partner_id")
    def _compute_contact_id(self):
        for wizard in self:
            wizard.contact_id = wizard.partner_id and wizard.partner_id._relance_addressee()

    @api.depends("claim_ids", "paused_line_ids", "credit_amount", "level_id")
    def _compute_warning(self):
        for wizard in self:
            notes = []
            if wizard.level_id and not wizard.claim_ids:
                notes.append(
                    self.env._(
                        "No invoice of this customer is claimed by %s: none is due yet, or "
                        "they went through this step already.",
                        wizard.level_id.name,
                    )
                )
            if wizard.paused_line_ids:
                notes.append(
                    self.env._(
                        "Left out, paused: %s. Tick one to claim it anyway, and say why.",
                        ", ".join(
                            f"{line.move_id.name} ({line.reason})"
                            for line in wizard.paused_line_ids
                        ),
                    )
                )
            if wizard.credit_amount and wizard.claim_ids:
                amount = wizard.company_id.currency_id._relance_amount_str(wizard.credit_amount)
                if wizard.credit_amount >= wizard.claim_amount:
                    notes.append(
                        self.env._(
                            "The customer's open credit notes and payments (%s) cover what "
                            "this step claims: apply them to the invoices instead of "
                            "reminding.",
                            amount,
                        )
                    )
                else:
                    notes.append(
                        self.env._(
                            "The customer has open credit notes and payments of %s: the "
                            "reminder deducts them.",
                            amount,
                        )
                    )
            wizard.warning = (
                Markup("<br/>").join(Markup("%s") % note for note in notes) if notes else False
            )

    def _included(self):
        """The paused invoices the user chose to claim, checked again."""
        moves = self.paused_line_ids.filtered("include").move_id
        if moves and not (self.include_reason or "").strip():
            raise UserError(self.env._("Say why the paused invoices are claimed anyway."))
        return moves.filtered_domain(self.env["account.move"]._relance_open_domain())

    def _new_action_values(self):
        """The values of the action this dialog would create, its lines included."""
        self.ensure_one()
        moves = self._claims() | self._included()
        today = fields.Date.context_today(self)
        Claim = self.env["account.relance.claim"]
        key = (self.company_id._origin, self.partner_id._origin, moves.currency_id[:1])
        vals = Claim._action_values(self.level_id._origin, moves, today, key, credit=self._credit())
        vals["contact_id"] = self.contact_id._origin.id
        vals["line_ids"] = [
            Command.create(line_vals) for line_vals in Claim._line_values(vals, moves, today)
        ]
        return vals

    @api.depends("level_id", "contact_id", "invoice_ids")
    def _compute_preview(self):
        for wizard in self:
            template = wizard.level_id.mail_template_id
            if not (template and wizard.partner_id and wizard.claim_ids):
                wizard.subject = wizard.level_id.name
                wizard.body = False
                continue
            lang = wizard.contact_id.lang or wizard.partner_id.lang or self.env.lang
            try:
                wizard.subject, wizard.body = wizard._render_preview(
                    template.with_context(lang=lang)
                )
            except UserError as exc:
                wizard.subject, wizard.body = wizard.level_id.name, Markup("<p>%s</p>") % exc

    def _render_preview(self, template):
        """Render the level's template on the action this wizard would create.

        The template is written for ``account.relance.event`` records, so the action is
        created in a savepoint that is rolled back once the preview is rendered."""
        self._claims()._relance_ensure_tokens()  # kept: the preview's links stay valid
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
        """Perform the step now: send the email as edited, or prepare the letter, the call
        or the formal notice (whose dialog opens, to generate it)."""
        self.ensure_one()
        claims, included = self._claims(), self._included()
        moves = claims | included
        if not moves:
            raise UserError(
                self.env._(
                    "No invoice of this customer is claimed by %s: none is due yet, or they "
                    "went through this step already.",
                    self.level_id.name,
                )
            )
        due = moves._relance_parts(fields.Date.context_today(self))
        if self._credit() >= sum(part["due_company"] for part in due.values()):
            raise UserError(
                self.env._(
                    "The customer's open credit notes and payments cover what this step "
                    "claims: apply them to the invoices instead of reminding."
                )
            )
        locked = moves.try_lock_for_update()
        if locked != moves:
            raise UserError(self.env._("The nightly run is processing these invoices; retry."))
        reached = min(moves.mapped(lambda m: m.relance_level_id.sequence or 0))
        manual = None
        if self.channel == "email":
            manual = {
                "subject": self.subject,
                "body": self.body,
                "partner_ids": self.contact_id.ids,
                "attachment_ids": self.attachment_ids.ids,
            }
        actions = self.env["account.relance.step"]._perform(
            self.level_id, moves, fields.Date.context_today(self), manual_values=manual
        )
        if included:
            actions._relance_note_included(included, self.include_reason)
        if self.env.context.get("relance_board_move"):
            skipped = self.level_id.policy_id.level_ids.filtered(
                lambda lv: reached < lv.sequence < self.level_id.sequence
            )
            actions._relance_note_moved(self.level_id, skipped)
        if self.channel == "formal_notice" and len(actions) == 1:
            return actions.action_open_notice()
        if len(actions) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.relance.event",
                "res_id": actions.id,
                "view_mode": "form",
            }
        return {"type": "ir.actions.act_window_close"}


class AccountRelanceSendPaused(models.TransientModel):
    _name = "account.relance.send.paused"
    _description = "Paused invoice of a dunning step"

    wizard_id = fields.Many2one("account.relance.send", required=True, ondelete="cascade")
    move_id = fields.Many2one("account.move", "Invoice", required=True)
    reason = fields.Char("Paused because")
    amount_residual = fields.Monetary(related="move_id.amount_residual")
    currency_id = fields.Many2one(related="move_id.currency_id")
    include = fields.Boolean("Claim it anyway")

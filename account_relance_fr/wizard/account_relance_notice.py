# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

NOTICE_REPORT = "account_relance_fr.action_report_relance_notice"
LETTER_REPORT = "account_relance_fr.action_report_relance_letter"


class AccountRelanceNotice(models.TransientModel):
    """Send a formal notice (mise en demeure) by registered letter, or record its receipt.

    Opened from a formal-notice dunning action, or from a customer (the action is then
    created at the formal-notice level of the customer's policy for the chosen invoices).
    """

    _name = "account.relance.notice"
    _description = "Formal notice"

    mode = fields.Selection(
        [("send", "Send"), ("receipt", "Record receipt")], required=True, default="send"
    )
    event_id = fields.Many2one(
        "account.relance.event",
        "Dunning action",
        domain="[('channel', 'in', ('formal_notice', 'registered_letter'))]",
    )
    channel = fields.Selection(related="event_id.channel")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        domain="[('parent_id', '=', False)]",
    )
    level_id = fields.Many2one(
        "account.relance.level", "Formal notice level", compute="_compute_level_id", store=True
    )
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_invoice_ids",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
        "('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    sent_date = fields.Date("Sending date", required=True, default=fields.Date.context_today)
    registered_number = fields.Char(
        "Registered letter number",
        compute="_compute_from_event",
        store=True,
        readonly=False,
        help="Number of the registered letter with acknowledgment of receipt (LRAR).",
    )
    creditor_warning = fields.Char("Creditor's identity", compute="_compute_creditor_warning")
    receipt_date = fields.Date(
        "Receipt date",
        default=fields.Date.context_today,
        help="Date the customer received the formal notice (acknowledgment of receipt).",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("relance_notice_mode"):
            values["mode"] = context["relance_notice_mode"]
        active_id = context.get("active_id")
        if context.get("active_model") == "account.relance.event" and active_id:
            action = self.env["account.relance.event"].browse(active_id)
            values.update(event_id=action.id, company_id=action.company_id.id)
        elif context.get("active_model") == "res.partner" and active_id:
            partner = self.env["res.partner"].browse(active_id).commercial_partner_id
            values["partner_id"] = partner.id
        return values

    @api.depends("event_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.event_id.partner_id or wizard.partner_id

    @api.depends("event_id", "partner_id", "company_id")
    def _compute_level_id(self):
        for wizard in self:
            if wizard.event_id:
                wizard.level_id = wizard.event_id.level_id
                continue
            policy = (
                wizard.partner_id._relance_policy(wizard.company_id)
                if wizard.partner_id and wizard.company_id
                else False
            )
            wizard.level_id = (
                policy.level_ids.filtered(lambda lv: lv.channel == "formal_notice").sorted(
                    "sequence"
                )[-1:]
                if policy
                else False
            )

    @api.depends("event_id", "partner_id", "company_id")
    def _compute_invoice_ids(self):
        for wizard in self:
            if wizard.event_id:
                wizard.invoice_ids = wizard.event_id.line_ids.move_id
            elif wizard.partner_id and wizard.company_id:
                today = fields.Date.context_today(wizard)
                moves = self.env["account.relance.claim"]._open_invoices(
                    wizard.partner_id, wizard.company_id
                )
                # overdue and not paused: a paused invoice is claimed only through the
                # reminder dialog, which records who chose to and why
                paused = self.env["account.relance.pause"]._reasons(moves)
                wizard.invoice_ids = moves.filtered(
                    lambda m, today=today, paused=paused: (
                        m.relance_due_date < today and m not in paused
                    )
                )
            else:
                wizard.invoice_ids = False

    @api.depends("company_id")
    def _compute_creditor_warning(self):
        for wizard in self:
            missing = wizard.company_id._relance_notice_missing()
            wizard.creditor_warning = bool(missing) and self.env._(
                "The formal notice must name the creditor with its legal form, SIREN and "
                "address (Code civil 1344): fill in %s on the company first.",
                ", ".join(missing),
            )

    @api.depends("event_id")
    def _compute_from_event(self):
        for wizard in self:
            wizard.registered_number = wizard.event_id.registered_number

    # ------------------------------------------------------------------ send
    def _create_actions(self):
        """The formal-notice actions for the chosen invoices (one per currency)."""
        self.ensure_one()
        if not self.level_id:
            raise UserError(
                self.env._("The dunning policy of this customer has no formal notice level.")
            )
        moves = self.invoice_ids._origin.filtered_domain(
            self.env["account.move"]._relance_base_domain()
        )
        if not moves:
            raise UserError(self.env._("There is no open invoice to put on formal notice."))
        done = moves.filtered(lambda m: self.level_id in m.relance_event_line_ids.level_id)
        if done:
            raise UserError(
                self.env._(
                    "A formal notice was already sent for %(invoices)s.",
                    invoices=", ".join(done.mapped("name")),
                )
            )
        locked = moves.try_lock_for_update()
        if locked != moves:
            raise UserError(self.env._("The nightly run is processing these invoices; retry."))
        return self.env["account.relance.step"]._perform(
            self.level_id, moves, fields.Date.context_today(self)
        )

    def action_generate(self):
        """Record the sending, mark the action done, archive the letter in its chatter and
        download it."""
        self.ensure_one()
        done = self.event_id.filtered(lambda a: a.state == "done")
        if done:
            # once: the letter is in the action's chatter, to be printed again from there
            raise UserError(
                self.env._(
                    "This letter was already generated on %(date)s%(number)s: print it again "
                    "from the dunning action.",
                    date=self.env["res.lang"]._relance_date_str(done.sent_date or done.date),
                    number=f" (n° {done.registered_number})" if done.registered_number else "",
                )
            )
        actions = self.event_id or self._create_actions()
        if any(action.state in ("cancel", "failed", "skipped") for action in actions):
            raise UserError(self.env._("This dunning action is cancelled, skipped or failed."))
        self._check_pauses(actions)
        if actions[:1].channel == "formal_notice" and self.creditor_warning:
            raise UserError(self.creditor_warning)
        actions.write({"sent_date": self.sent_date, "registered_number": self.registered_number})
        actions.action_done()
        report_ref = NOTICE_REPORT if actions[:1].channel == "formal_notice" else LETTER_REPORT
        self._archive_letters(actions, report_ref)
        report = self.env["ir.actions.report"]._get_report(report_ref)
        action = report.report_action(actions, config=False)
        # the dialog closes once the letter is downloaded; the action shows it done
        action["close_on_report_download"] = True
        return action

    def _check_pauses(self, actions):
        """A letter never claims an invoice paused since its action was prepared (a dispute,
        a promise, a block), unless a user chose to claim it, recorded on the action."""
        moves = actions.line_ids.move_id
        reasons = self.env["account.relance.pause"]._reasons(moves)
        unchosen = [
            f"{move.name} ({reason})"
            for move, reason in reasons.items()
            if move not in actions.paused_included_ids
        ]
        if unchosen:
            raise UserError(
                self.env._(
                    "Paused since this action was prepared: %s. Resume them, or cancel this "
                    "action and prepare the step again from the reminder dialog, which leaves "
                    "them out (or claims them, with your reason).",
                    ", ".join(unchosen),
                )
            )

    def _archive_letters(self, actions, report_ref):
        """Render the letter of each action and post it in the action's chatter; note the
        sending on each invoice."""
        Report = self.env["ir.actions.report"]
        subtype = "account_relance_fr.mt_relance"
        move_bodies = {}
        for action in actions:
            content, ext = Report._relance_render(report_ref, action)
            filename = Report._relance_filename(report_ref, action, ext)
            body = self._sent_body(action)
            action.message_post(
                body=body,
                attachments=[(filename, content)],
                message_type="comment",
                subtype_xmlid=subtype,
            )
            for move in action.line_ids.move_id:
                move_bodies[move.id] = body
        actions.line_ids.move_id._relance_log(move_bodies)

    def _sent_body(self, action):
        label = (
            self.env._("Formal notice")
            if action.channel == "formal_notice"
            else self.env._("Registered letter")
        )
        if action.registered_number:
            text = self.env._(
                "%(document)s sent on %(date)s by registered letter n° %(number)s.",
                document=label,
                date=format_date(self.env, action.sent_date),
                number=action.registered_number,
            )
        else:
            text = self.env._(
                "%(document)s sent on %(date)s.",
                document=label,
                date=format_date(self.env, action.sent_date),
            )
        return Markup("<p>%s</p>") % text

    # ------------------------------------------------------------------ receipt
    def action_record_receipt(self):
        """Record the receipt date on the action and note it on the action and its invoices."""
        self.ensure_one()
        action = self.event_id
        if not action:
            raise UserError(self.env._("Choose the formal notice whose receipt you record."))
        if not self.receipt_date:
            raise UserError(self.env._("Enter the receipt date."))
        if action.sent_date and self.receipt_date < action.sent_date:
            raise UserError(self.env._("The receipt date cannot be before the sending date."))
        vals = {"receipt_date": self.receipt_date}
        if self.registered_number and not action.registered_number:
            vals["registered_number"] = self.registered_number
        action.write(vals)
        body = Markup("<p>%s</p>") % self.env._(
            "%(document)s received by the customer on %(date)s%(number)s.",
            document=action.level_id.name,
            date=format_date(self.env, self.receipt_date),
            number=f" (n° {action.registered_number})" if action.registered_number else "",
        )
        action._relance_log({action.id: body})
        action.line_ids.move_id._relance_log(dict.fromkeys(action.line_ids.move_id.ids, body))
        return {"type": "ir.actions.act_window_close"}

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import textwrap
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import email_normalize, email_normalize_all, html2plaintext

from .account_move import CLOSED_PAYMENT_STATES

_logger = logging.getLogger(__name__)

# characters of a customer's answer quoted in the customer's chatter
ANSWER_PREVIEW = 300

# the steps sent on paper: their sending date is the day a person marks them done
PAPER_CHANNELS = ("letter", "registered_letter", "formal_notice")


class AccountRelanceEvent(models.Model):
    """One dunning action (email, letter, call, formal notice) for one customer.

    It groups the invoices of the customer that reached the same level on the same day
    (per company and currency). Actions are accounting evidence: never deleted, archived.
    """

    _name = "account.relance.event"
    _description = "Dunning action"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Reference", compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one("res.currency", required=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="restrict"
    )
    contact_id = fields.Many2one(
        "res.partner", "Addressee", help="Contact the reminder is addressed to."
    )
    line_ids = fields.One2many("account.relance.event.line", "event_id", "Invoices")
    invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_invoice_ids",
        search="_search_invoice_ids",
        string="Invoices (list)",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_ids")
    # empty for what is recorded besides the ladder (a call logged by the controller)
    level_id = fields.Many2one("account.relance.level", index=True)
    policy_id = fields.Many2one(related="level_id.policy_id", store=True, index=True)
    channel = fields.Selection(selection="_channel_selection", required=True)
    level_color = fields.Integer(related="level_id.color")
    amount_due = fields.Monetary(
        "Amount due", help="Total residual of the invoices on the date of the action."
    )
    paused_included_ids = fields.Many2many(
        "account.move",
        "account_relance_event_paused_rel",
        string="Paused invoices claimed",
        readonly=True,
        help="Paused invoices that a user chose to claim anyway, with the reason in the note.",
    )
    credit_amount = fields.Monetary(
        "Credits to deduct",
        readonly=True,
        help="The customer's open credit notes and unreconciled payments on the date of the "
        "action, deducted from what it claims (in the company's currency only).",
    )
    state = fields.Selection(
        [
            ("todo", "To do"),
            ("done", "Done"),
            ("skipped", "Skipped"),
            ("failed", "Failed"),
            ("cancel", "Cancelled"),
        ],
        default="todo",
        required=True,
        index=True,
        tracking=True,
    )
    auto = fields.Boolean("By the nightly run", readonly=True)
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, index=True
    )
    mail_id = fields.Many2one("mail.mail", "Email", readonly=True, ondelete="set null")
    mail_pending = fields.Boolean(
        "Email awaiting its PDFs",
        readonly=True,
        copy=False,
        index=True,
        help="The email attaches the invoices in PDF: it is queued right after the nightly "
        "run, which does not render PDFs while it holds the invoices.",
    )
    # the reminder email, in the customer's chatter
    message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null")
    message_body = fields.Html("Reminder email", related="message_id.body")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    error_message = fields.Text(readonly=True)
    registered_number = fields.Char("Registered letter number", tracking=True)
    sent_date = fields.Date("Sending date", tracking=True)
    receipt_date = fields.Date("Receipt date", tracking=True)
    note = fields.Text()

    @api.model
    def _channel_selection(self):
        return self.env["account.relance.level"]._channel_selection()

    @api.depends("date", "partner_id", "level_id")
    def _compute_name(self):
        for action in self:
            action.name = "%s / %s / %s" % (
                action.date or "",
                action.partner_id.display_name or "",
                action.level_id.name or "",
            )

    @api.depends("date", "partner_id", "level_id", "channel")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """ "Customer — step — date", in the user's language and date format (the stored
        reference keeps the date of the database)."""
        Lang = self.env["res.lang"]
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for action in self:
            step = action.level_id.name or channels.get(action.channel) or ""
            parts = [action.partner_id.display_name, step, Lang._relance_date_str(action.date)]
            action.display_name = " — ".join(part for part in parts if part)

    @api.depends("line_ids.move_id")
    def _compute_invoice_ids(self):
        for action in self:
            action.invoice_ids = action.line_ids.move_id
            action.invoice_count = len(action.line_ids)

    def _search_invoice_ids(self, operator, value):
        return [("line_ids.move_id", operator, value)]

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Dunning actions are accounting evidence and are never deleted: archive them."
            )
        )

    def _mail_get_partner_fields(self, introspect_fields=False):
        """The addressee of an action is its contact (the customer's invoicing contact),
        not the customer: the default recipients of its mail templates (*Default
        recipients*, on by default) and of its chatter."""
        return ["contact_id"]

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.line_ids.move_id.ids)]
        action["context"] = {"create": False}
        return action

    def action_done(self):
        """Mark prepared actions (letters, calls) as performed by the current user."""
        self._relance_done()
        return True

    def _relance_done(self, on_date=None):
        """These steps were performed by the current user (on ``on_date``, today by
        default): the actions are done, their activities too."""
        todo = self.filtered(lambda e: e.state == "todo")
        todo._relance_performed(on_date=on_date)
        todo.activity_id.filtered(lambda a: a.active).with_context(
            relance_skip_event=True
        ).action_feedback(feedback=self.env._("Done from the dunning action."))

    def action_open_notice(self):
        """The dialog that generates the formal notice (or sends the registered letter) of
        this action."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance_fr.action_account_relance_notice"
        )
        action["context"] = {"active_model": self._name, "active_id": self.id}
        return action

    def _relance_note_moved(self, level, skipped):
        """These actions were performed from the board, a card dropped on ``level``'s
        column: who did it and the steps skipped, on the actions and in their chatter."""
        note = self.env._(
            "Moved to %(level)s from the board by %(user)s.",
            level=level.name,
            user=self.env.user.name,
        )
        if skipped:
            note += " " + self.env._("Skipped levels: %s.", ", ".join(skipped.mapped("name")))
        for action in self:
            action.note = "\n".join(filter(None, [action.note, note]))
            action.message_post(body=note, subtype_xmlid="account_relance_fr.mt_relance")

    def _relance_note_included(self, moves, reason):
        """Record that the paused invoices ``moves`` were claimed by the current user, and
        why: on the action and in its chatter."""
        note = self.env._(
            "Paused invoices claimed by %(user)s: %(invoices)s. Reason: %(reason)s",
            user=self.env.user.name,
            invoices=", ".join(moves.mapped("name")),
            reason=reason,
        )
        for action in self:
            action.note = "\n".join(filter(None, [action.note, note]))
            action.paused_included_ids = [Command.link(move.id) for move in moves]
        self._relance_log(dict.fromkeys(self.ids, Markup("<p>%s</p>") % note))

    def action_skip(self):
        """Open the dialog that skips these steps, with the reason."""
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.relance.skip",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Skip this step"),
            "context": {"default_action_ids": [Command.set(self.ids)]},
        }

    def _relance_performed(self, state="done", note=False, on_date=None):
        """These steps, which a person performs, are done (or ``skipped``) by the current
        user on ``on_date`` (today by default): the customer's ladder goes on from that day,
        as the next step's spacing counts from the step performed."""
        todo = self.filtered(lambda a: a.state == "todo")
        day = on_date or fields.Date.context_today(self)
        vals = {"state": state, "user_id": self.env.user.id}
        for action in todo:
            values = dict(vals, note=note) if note else dict(vals)
            if state == "done" and action.channel in PAPER_CHANNELS and not action.sent_date:
                # a letter marked done (from its activity too) was sent that day
                values["sent_date"] = day
            action.write(values)
        moves = todo.line_ids.move_id.filtered(lambda m: m.relance_level_id in todo.level_id)
        moves._relance_write({"relance_last_date": day})

    def _relance_skip(self, reason):
        """Skip these steps without performing them, for ``reason``: recorded on the action,
        its activity and the customer's chatter."""
        todo = self.filtered(lambda a: a.state == "todo")
        note = self.env._("Skipped by %(user)s: %(reason)s", user=self.env.user.name, reason=reason)
        todo._relance_performed(state="skipped", note=note)
        todo.activity_id.filtered(lambda a: a.active).with_context(
            relance_skip_event=True
        ).action_feedback(feedback=note)
        todo.partner_id._relance_log(
            {
                action.partner_id.id: Markup("<p>%s — %s</p>") % (action.level_id.name, note)
                for action in todo
            }
        )

    @api.model
    def _relance_supersede(self, actions):
        """A step was performed: the lower steps of the same customers still to do are
        closed, their activities marked done, as it overtakes them (one search)."""
        performed = actions.filtered("level_id")
        pending = self.search(
            [
                ("state", "=", "todo"),
                ("level_id", "!=", False),
                ("partner_id", "in", performed.partner_id.ids),
                ("company_id", "in", performed.company_id.ids),
                ("id", "not in", performed.ids),
            ]
        )
        by_customer = performed.grouped(lambda a: (a.partner_id, a.company_id))
        Lang = self.env["res.lang"]
        for lower in pending:
            higher = by_customer.get((lower.partner_id, lower.company_id), self.browse()).filtered(
                lambda a, lower=lower: a.level_id.sequence > lower.level_id.sequence
            )[:1]
            if not higher:
                continue
            note = self.env._(
                "Overtaken by %(step)s of %(date)s.",
                step=higher.level_id.name,
                date=Lang._relance_date_str(higher.date),
            )
            lower.write({"state": "cancel", "note": note})
            lower.activity_id.filtered(lambda a: a.active).with_context(
                relance_skip_event=True
            ).action_feedback(feedback=note)

    # ------------------------------------------------------------------ mail rendering helpers
    def _relance_invoice_lines(self):
        """Lines sorted for the templates and letters."""
        self.ensure_one()
        return self.line_ids.sorted(lambda line: (line.invoice_date_due or line.date, line.id))

    def _relance_pay_online(self):
        """Whether the email may invite to pay online (``res.company._relance_pay_online``)."""
        self.ensure_one()
        return self.company_id._relance_pay_online()

    def _relance_portal_attachment(self):
        """The PDF of this letter or formal notice, as archived in its chatter when it was
        sent: what the customer received, downloadable from its portal."""
        self.ensure_one()
        return (
            self.sudo()
            .message_ids.attachment_ids.filtered(lambda a: a.mimetype == "application/pdf")
            .sorted("id")[-1:]
        )

    def _relance_mail_rows(self):
        """The invoice table of the emails, formatted in the customer's language."""
        self.ensure_one()
        lang = self._relance_lang()
        base_url = self.get_base_url()
        Lang = self.env["res.lang"]
        return [
            {
                "number": line.invoice_name,
                "penalty": line.move_id.relance_is_penalty,
                "url": base_url + line.move_id.get_portal_url(),
                "date": Lang._relance_date_str(line.invoice_date, lang),
                "due": Lang._relance_date_str(line.invoice_date_due, lang),
                "total": line.currency_id._relance_amount_str(line.amount_total, lang),
                "residual": line.currency_id._relance_amount_str(line.amount_residual, lang),
                "later": line.amount_later
                and line.currency_id._relance_amount_str(line.amount_later, lang),
                # approved on the e-invoicing platform: said to the customer
                "approved": line.move_id.relance_einvoice_status in ("205", "206")
                and Lang._relance_date_str(line.move_id.relance_einvoice_date, lang),
            }
            for line in self._relance_invoice_lines()
        ]

    def _relance_invoice_refs(self, limit=3, capital=False):
        """The invoices of this action as the subject of its email names them: "invoice
        FAC/2026/00123", "invoices FAC/2026/00123, FAC/2026/00124", "invoices FAC/1, FAC/2,
        FAC/3 and 2 others"."""
        self.ensure_one()
        names = self._relance_invoice_lines().mapped("invoice_name")
        shown = ", ".join(names[:limit])
        if len(names) == 1:
            text = self.env._("invoice %s", shown)
        elif len(names) <= limit:
            text = self.env._("invoices %s", shown)
        elif len(names) == limit + 1:
            text = self.env._("invoices %s and 1 other", shown)
        else:
            text = self.env._(
                "invoices %(names)s and %(count)s others", names=shown, count=len(names) - limit
            )
        return text[:1].upper() + text[1:] if capital else text

    def _relance_lang(self):
        """The customer's language, when it is installed; otherwise the language of the
        company's dunning history."""
        self.ensure_one()
        return (self.contact_id or self.partner_id)._relance_doc_lang(self.company_id)

    # ------------------------------------------------------------------ emails
    def _relance_send_manual(self, values):
        """Queue the email edited in the preview (one action)."""
        self.ensure_one()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "model": self.partner_id._name,
                    "res_id": self.partner_id.id,
                    "subject": values["subject"],
                    "body_html": self.level_id.mail_template_id._relance_layout(
                        self, values["body"], self._relance_lang()
                    ),
                    "body": values["body"],
                    "email_from": values.get("email_from") or self.company_id.email_formatted,
                    "recipient_ids": [
                        Command.set(values.get("partner_ids") or self.contact_id.ids)
                    ],
                    "attachment_ids": [Command.set(values.get("attachment_ids") or [])],
                    "auto_delete": False,
                    "subtype_id": self._relance_subtype_id(),
                }
            )
        )
        self._relance_link_mails(mail)

    def _relance_link_mails(self, mails):
        """Link each action of ``self`` to its email (``mails``, in the same order)."""
        attach = self.filtered(lambda e: e.level_id.attach_invoices)
        invoices = attach.line_ids.move_id
        pdfs = self.env["ir.actions.report"]._relance_invoice_pdfs(invoices) if attach else {}
        for action, mail in zip(self, mails, strict=True):
            vals = {
                "mail_id": mail.id,
                "message_id": mail.mail_message_id.id,
                "state": "done",
                "mail_pending": False,
            }
            action.write(vals)
            if action in attach:
                mail.attachment_ids = [
                    Command.link(pdfs[m.id].id) for m in action.line_ids.move_id if m.id in pdfs
                ]

    def _relance_activity_note(self):
        self.ensure_one()
        amount = self.currency_id._relance_amount_str(self.amount_due)
        if len(self.line_ids) == 1:
            text = self.env._("1 invoice, %(amount)s due.", amount=amount)
        else:
            text = self.env._(
                "%(count)s invoices, %(amount)s due.", count=len(self.line_ids), amount=amount
            )
        note = Markup("<p>%s</p>") % text
        if self.error_message:
            note += Markup("<p><b>%s</b></p>") % self.error_message
        return note + self.line_ids.move_id._relance_html_list()

    def _relance_summary(self):
        self.ensure_one()
        channel = dict(self._fields["channel"]._description_selection(self.env))[self.channel]
        if self.mail_id:
            what = self.env._("email queued to %s", self.contact_id.email or "")
        elif self.mail_pending:
            what = self.env._(
                "email to %s with the invoices in PDF, queued after the run",
                self.contact_id.email or "",
            )
        elif self.error_message:
            what = self.error_message
        else:
            what = self.env._("to do by %s", self.user_id.name or "")
        step = self.level_id.name or channel
        # the channel when the step's name does not say it already ("Phone call (Phone call)")
        if channel.casefold() not in step.casefold():
            step = f"{step} ({channel})"
        link = Markup('<a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>') % (
            self._name,
            self.id,
            step,
        )
        # the sentence translated whole (French puts a space before the colon), then its
        # values: the link kept, the texts escaped
        sentence = escape(self.env._("Dunning step %(step)s: %(what)s"))
        return Markup("<p>%s</p>") % (sentence % {"step": link, "what": what})

    @api.model
    def _relance_close_paid(self, settled):
        """The invoices ``settled`` are paid: the actions to do that concern only settled
        invoices are cancelled, their activities marked done, and the invoices that were
        dunned noted so."""
        if not settled:
            return
        actions = self.sudo().search(
            [("line_ids.move_id", "in", settled.ids), ("state", "=", "todo")]
        )
        # an action still concerns a customer as long as one of its invoices is open
        to_close = actions.filtered(
            lambda e: all(m.payment_state in CLOSED_PAYMENT_STATES for m in e.line_ids.move_id)
        )
        for action in to_close:
            action.activity_ids.with_context(relance_skip_event=True).action_feedback(
                feedback=self.env._("Invoice paid: dunning closed.")
            )
        to_close.write({"state": "cancel"})
        dunned = settled.filtered("relance_level_id")
        dunned._relance_log(dict.fromkeys(dunned.ids, self.env._("Invoice paid: dunning closed.")))

    # ------------------------------------------------------------------ user actions
    def action_send_email(self):
        """Send the email of prepared email actions (validation, fixed address)."""
        for action in self.filtered(
            lambda e: e.state in ("todo", "failed") and e.channel == "email"
        ):
            if not action.contact_id._relance_has_email():
                raise UserError(
                    self.env._("%s has no valid email address.", action.contact_id.display_name)
                )
            template = action.level_id.mail_template_id
            if not template:
                raise UserError(self.env._("The dunning level has no mail template."))
            template._relance_send_batch(action)
            action.error_message = False
            action.activity_ids.with_context(relance_skip_event=True).action_feedback(
                feedback=self.env._("Email sent.")
            )
        return True

    # ------------------------------------------------------------------ customer's answers
    def message_update(self, msg_dict, update_vals=None):
        """An email received on a dunning action: an answer to a reminder posted on the
        action itself (a reminder is posted on the customer, where its answers land: see
        ``res.partner.message_update``; a reply may still reach the action's thread)."""
        result = super().message_update(msg_dict, update_vals=update_vals)
        self._relance_answered(msg_dict, on_action=True)
        return result

    def _relance_answered(self, msg_dict, on_action=False):
        """The customer answered the reminder of these actions: a payment announced, a
        question, a dispute. The actions the run creates have no follower, so Odoo would
        notify nobody: the responsible is notified of it, and the action notes it with a
        quote. An answer that landed on the action (``on_action``, reminders of earlier
        versions) makes the responsible a follower of the action instead, and is noted in
        the customer's chatter with a link to the action."""
        author = self.env["res.partner"].sudo().browse(msg_dict.get("author_id")).exists()
        if not self or author.user_ids.filtered(lambda u: not u.share):
            return  # a colleague's answer to a notification, not the customer's
        quote = textwrap.shorten(
            html2plaintext(msg_dict.get("body") or ""), ANSWER_PREVIEW, placeholder=" [...]"
        )
        sender = msg_dict.get("email_from") or ""
        if not on_action:
            for record in self.sudo():
                action = record._relance_company_lang()
                intro = action.env._("Answer of %(sender)s to this reminder:", sender=sender)
                action.message_post(
                    body=Markup("<p>%s</p><blockquote>%s</blockquote>") % (intro, quote),
                    author_id=author.id or None,
                    email_from=sender or None,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    partner_ids=action.user_id._relance_working().partner_id.ids,
                    # the user the incoming mail server runs as may be the responsible
                    notify_author_mention=True,
                )
            return
        responsibles = self.user_id._relance_working()
        if responsibles:
            self.sudo().message_subscribe(partner_ids=responsibles.partner_id.ids)
        bodies = defaultdict(Markup)
        for record in self:
            action = record._relance_company_lang()
            # the translated sentence escaped, then its values: the sender is escaped,
            # the link to the action kept
            intro = escape(action.env._("Answer of %(sender)s to the reminder %(action)s:")) % {
                "sender": sender,
                "action": action._get_html_link(),
            }
            bodies[action.partner_id.id] += Markup("<p>%s</p><blockquote>%s</blockquote>") % (
                intro,
                quote,
            )
        self.partner_id.sudo()._relance_log(bodies)

    def _relance_company_lang(self):
        """These actions (of one company) in the language of their company when the
        context has none: the mail queue and the incoming mail server are scheduled
        actions, which run without a language, and would note a failed or answered
        reminder in English."""
        if not self or self.env.context.get("lang"):
            return self
        return self.with_context(lang=self.company_id[:1]._relance_lang())

    def _relance_rate_label(self):
        """Late-payment rate as stated in reminders, e.g. "ECB rate + 10 points (12.15 %)"."""
        self.ensure_one()
        return self.line_ids.move_id[:1]._relance_rate_label(self.partner_id, self.date)

    def _relance_mail_failed(self, reason):
        """The email of these actions was refused or bounced: record it and ask the
        responsible to remind the customer another way (or to fix the address)."""
        actions = self.filtered(lambda e: e.state != "failed")
        if not actions:
            return
        if not self.env.context.get("lang"):
            for company_actions in actions.grouped("company_id").values():
                company_actions._relance_company_lang()._relance_mail_failed(reason)
            return
        message = self.env._("The email was not delivered: %s", reason)
        actions.write({"state": "failed", "error_message": message})
        act_type = self.env.ref("account_relance_fr.mail_act_relance_missing_email")
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": action.id,
                    "activity_type_id": act_type.id,
                    "summary": self.env._("Reminder not delivered"),
                    "note": message,
                    "user_id": action.user_id.id,
                    "date_deadline": fields.Date.context_today(self),
                }
                for action in actions
            ]
        )
        actions.partner_id._relance_log(
            {action.partner_id.id: Markup("<p>%s</p>") % message for action in actions}
        )

    def _message_receive_bounce(self, email, partner):
        """A bounce routed to the action itself marks the action failed as well (see
        ``mail.thread._routing_handle_bounce`` for the bounces routed to the customer)."""
        result = super()._message_receive_bounce(email, partner)
        bounced = email_normalize(email)
        actions = self.filtered(
            lambda e: e.mail_id and bounced in email_normalize_all(e.contact_id.email or "")
        )
        actions._relance_mail_bounced(email)
        return result

    def _relance_mail_bounced(self, email):
        """The reminder of these actions bounced from ``email``: each company's actions
        failed, with the reason in its language."""
        for company_actions in self.grouped("company_id").values():
            in_lang = company_actions._relance_company_lang()
            in_lang._relance_mail_failed(in_lang.env._("bounced from %s", email))

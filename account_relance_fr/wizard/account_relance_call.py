# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command


class AccountRelanceCall(models.TransientModel):
    """Log a dunning phone call and its outcome, from the board, an invoice or a partner."""

    _name = "account.relance.call"
    _description = "Log a dunning call"

    invoice_ids = fields.Many2many("account.move", string="Invoices", required=True)
    partner_id = fields.Many2one("res.partner", compute="_compute_partner_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_partner_id")
    amount_due = fields.Monetary(compute="_compute_partner_id")
    outcome = fields.Selection(
        [
            ("promise", "Promise to pay"),
            ("dispute", "Dispute"),
            ("wrong_contact", "Wrong contact"),
            ("no_answer", "No answer"),
            ("reached", "Reached, no commitment"),
        ],
        required=True,
        default="promise",
    )
    promise_date = fields.Date(default=lambda self: fields.Date.context_today(self) + timedelta(7))
    promise_amount = fields.Monetary()
    dispute_reason_id = fields.Many2one("account.relance.dispute.reason", "Dispute reason")
    next_call_date = fields.Date(
        "Call again on", default=lambda self: fields.Date.context_today(self) + timedelta(2)
    )
    note = fields.Text()

    @api.depends("invoice_ids")
    def _compute_partner_id(self):
        for wizard in self:
            moves = wizard.invoice_ids._origin
            wizard.partner_id = moves.commercial_partner_id[:1]
            wizard.currency_id = moves.currency_id[:1] or self.env.company.currency_id
            # what is due now: the instalments to come are not
            parts = moves._relance_parts(fields.Date.context_today(wizard))
            wizard.amount_due = sum(part["due"] for part in parts.values())

    @api.onchange("outcome", "amount_due")
    def _onchange_outcome(self):
        if self.outcome == "promise" and not self.promise_amount:
            self.promise_amount = self.amount_due

    def action_log(self):
        self.ensure_one()
        moves = self.invoice_ids
        labels = dict(self._fields["outcome"]._description_selection(self.env))
        summary = self.env._("Dunning call: %s", labels[self.outcome])
        if self.note:
            summary += " — " + self.note
        if self.outcome == "promise":
            if not self.promise_date:
                raise UserError(self.env._("A payment promise needs a date."))
            moves.action_relance_set_hold(
                "promise",
                note=self.note,
                promise_date=self.promise_date,
                promise_amount=self.promise_amount,
            )
        elif self.outcome == "dispute":
            if not self.dispute_reason_id:
                raise UserError(self.env._("Choose the reason of the dispute."))
            moves.action_relance_set_hold(
                "dispute",
                note=self.note or self.dispute_reason_id.name,
                dispute_reason=self.dispute_reason_id.id,
            )
            self.dispute_reason_id._notify_dispute(moves, self.note)
        # the call activities of these invoices are done, with the outcome as feedback
        calls = self.env["account.relance.event"].search(
            [
                ("line_ids.move_id", "in", moves.ids),
                ("state", "=", "todo"),
                ("channel", "=", "phone"),
            ]
        )
        for activity in calls.activity_ids:
            activity.with_context(relance_skip_event=True).action_feedback(feedback=summary)
        calls._relance_performed(note=summary)
        if not calls:
            # a call besides the ladder: in the customer's dunning history too
            self._record_call(moves, summary)
        if self.outcome in ("no_answer", "wrong_contact"):
            self._schedule_callback(moves, summary)
        body = Markup("<p>%s</p>") % summary
        moves._relance_log(dict.fromkeys(moves.ids, body))
        self.partner_id._relance_log({self.partner_id.id: body})
        return {"type": "ir.actions.act_window_close"}

    def _record_call(self, moves, summary):
        """The call as a dunning action of its own, done, outside the ladder (no level):
        the Relances history of the customer and of its invoices lists it."""
        Action = self.env["account.relance.event"]
        today = fields.Date.context_today(self)
        for currency, currency_moves in moves.grouped("currency_id").items():
            vals = {
                "date": today,
                "company_id": currency_moves.company_id[:1].id,
                "partner_id": self.partner_id.id,
                "contact_id": self.partner_id._relance_addressee().id,
                "channel": "phone",
                "currency_id": currency.id,
                "amount_due": sum(
                    part["due"] for part in currency_moves._relance_parts(today).values()
                ),
                "state": "done",
                "user_id": self.env.user.id,
                "note": summary,
            }
            vals["line_ids"] = [
                Command.create(line_vals)
                for line_vals in self.env["account.relance.claim"]._line_values(
                    dict(vals, level_id=False), currency_moves, vals["date"]
                )
            ]
            Action.with_context(mail_create_nolog=True).create(vals)

    def _schedule_callback(self, moves, summary):
        partner = self.partner_id
        # the customer's responsible, else the user who made the call
        user = partner._relance_responsible(moves.company_id[:1], [self.env.user]) or self.env.user
        act_type = self.env.ref("account_relance_fr.mail_act_relance_call")
        partner.activity_schedule(
            act_type_xmlid="account_relance_fr.mail_act_relance_call",
            date_deadline=self.next_call_date or fields.Date.context_today(self),
            summary=(
                self.env._("Call again")
                if self.outcome == "no_answer"
                else self.env._("Find the right contact")
            ),
            note=summary,
            user_id=user.id,
            activity_type_id=act_type.id,
        )

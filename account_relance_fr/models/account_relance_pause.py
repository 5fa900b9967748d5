# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .account_move import HOLD_STATES, SYSTEM_HOLDS


class AccountRelancePause(models.AbstractModel):
    """The pauses of the dunning: what leaves an invoice out of every path that claims
    money (the night, a manual reminder, the board, the wizards, the letters) and why. A
    person pauses an invoice for a promise, a dispute, a block or a litigation; a record of
    its own (a payment plan, insolvency proceedings, a collector, an e-invoicing status)
    holds its invoices, and only that record lifts its pause. Every pause and resumption is
    noted in the invoice's chatter. No table: methods over invoices."""

    _name = "account.relance.pause"
    _description = "Dunning pauses"

    @api.model
    def _reasons(self, moves):
        """Why the dunning leaves each invoice of ``moves`` alone, if it does: ``{invoice:
        reason}`` for an invoice paused (promise, dispute, block, litigation), blocked in
        Odoo, excluded from follow-up, or of a customer whose dunning is blocked."""
        labels = dict(moves._fields["relance_hold"]._description_selection(self.env))
        excluded = set(moves.filtered_domain(moves._relance_open_domain()).ids) - set(
            moves.filtered_domain(moves._relance_base_domain()).ids
        )
        Lang = self.env["res.lang"]
        reasons = {}
        for move in moves:
            partner = move.commercial_partner_id.with_company(move.company_id)
            if move.relance_hold == "promise":
                reason = self.env._(
                    "payment promised for %s", Lang._relance_date_str(move.relance_promise_date)
                )
            elif move.relance_hold:
                reason = labels[move.relance_hold]
                detail = move.relance_dispute_reason_id.name or move.relance_hold_note
                if detail:
                    reason = f"{reason}: {detail}"
            elif move.payment_state == "blocked":
                reason = self.env._("blocked in Odoo")
            elif move.id in excluded:
                reason = self.env._("excluded from follow-up")
            elif partner.relance_blocked:
                reason = self.env._("the customer's dunning is blocked")
                if partner.relance_block_reason:
                    reason = f"{reason}: {partner.relance_block_reason}"
            else:
                continue
            reasons[move] = reason
        return reasons

    @api.model
    def _check_system_hold(self, moves):
        """A payment plan, insolvency proceedings or a collector hold their invoices: the
        pause dialog changes none of them (end the plan, close the proceedings, recall the
        file first)."""
        held = moves.filtered(lambda m: m.relance_hold in dict(SYSTEM_HOLDS))
        if held:
            labels = dict(moves._fields["relance_hold"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(invoices)s: %(reason)s. Change it from there.",
                    invoices=", ".join(held.mapped("name")),
                    reason=", ".join(sorted({labels[h] for h in held.mapped("relance_hold")})),
                )
            )

    @api.model
    def _resume(self, moves):
        """Resume the ladder of ``moves`` where it stood (not a system pause's)."""
        self._check_system_hold(moves)
        moves.write({"relance_hold": False, "relance_hold_note": False})
        self.env["account.relance.forecast"]._refresh_later(moves)
        return True

    @api.model
    def _system_hold(self, moves, hold, note, body):
        """Pause ``moves`` for a record of their own (``hold``: a plan, proceedings, a
        collector; ``False`` lifts it), noted in their chatter; the pause replaces a
        promise or none."""
        moves._relance_write({"relance_hold": hold, "relance_hold_note": note or False})
        moves._relance_log(dict.fromkeys(moves.ids, body))
        self.env["account.relance.forecast"]._refresh_later(moves)
        return moves

    @api.model
    def _system_release(self, moves, hold, body):
        """Resume those of ``moves`` that ``hold`` paused, noted in their chatter;
        the ladder goes on where it stood."""
        held = moves.filtered(lambda m: m.relance_hold == hold)
        return self._system_hold(held, False, False, body)

    @api.model
    def _pause(
        self,
        moves,
        hold,
        *,
        note=False,
        promise_date=False,
        promise_amount=0.0,
        dispute_reason=False,
    ):
        """Pause the ladder of ``moves`` by hand: promise, dispute, block or litigation, noted
        in their chatter. A promise has its date (its amount optional), a dispute its reason
        and date."""
        self._check_system_hold(moves)
        vals = {"relance_hold": hold, "relance_hold_note": note}
        if hold == "promise":
            if not promise_date:
                raise ValidationError(self.env._("A payment promise needs a date."))
            vals.update(relance_promise_date=promise_date, relance_promise_amount=promise_amount)
        if hold == "dispute":
            vals.update(
                relance_dispute_reason_id=dispute_reason,
                relance_dispute_date=fields.Date.context_today(moves),
            )
        moves.write(vals)
        labels = dict(HOLD_STATES)
        moves._relance_log(
            {
                move.id: self.env._(
                    "Dunning paused: %(state)s%(note)s",
                    state=self.env._(labels[hold]),  # pylint: disable=translation-not-lazy
                    note=" (%s)" % note if note else "",
                )
                for move in moves
            },
        )
        self.env["account.relance.forecast"]._refresh_later(moves)
        return True

    @api.model
    def _portal_answer(self, move, answer, reason, author):
        """The customer answered from its portal about the invoice ``move`` (``author``, a
        portal user's partner): ``paid`` pauses the dunning for the days a payment takes to
        arrive (the setting *Payment sent: pause*), ``dispute`` puts the invoice in dispute
        with ``reason``. Posted in the invoice's chatter in the customer's name; its
        responsible gets an activity to check it."""
        today = fields.Date.context_today(move)
        if answer == "paid":
            note = self.env._("Paid, says the customer") + (f": {reason}" if reason else "")
            self._pause(
                move,
                "promise",
                note=note,
                promise_date=today + timedelta(days=move.company_id.relance_einvoice_payment_days),
                promise_amount=move.amount_residual,
            )
            summary = self.env._("Check the payment the customer announced")
            body = self.env._("I have already paid this invoice.")
        else:
            self._pause(move, "dispute", note=reason)
            summary = self.env._("Dispute from the customer: %s", reason)
            body = self.env._("I dispute this invoice: %s", reason)
        move.message_post(
            body=body, author_id=author.id, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        responsible = (
            move.commercial_partner_id._relance_responsible(move.company_id, move.invoice_user_id)
            or move.company_id._relance_manager()
        )
        move.activity_schedule(
            "mail.mail_activity_data_todo", summary=summary, user_id=responsible.id
        )
        return True

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

from ..lib import interest as law_interest
from ..lib import procedure


class AccountRelanceLetter(models.AbstractModel):
    """The values of the reminder letters and of the formal notice (mise en demeure), the
    documents of one dunning action, rendered in the customer's language."""

    _name = "account.relance.letter"
    _description = "Dunning letter"

    @api.model
    def _letter_values(self, action):
        """Values of the letter of ``action``: parties, invoices, claim on the letter's date,
        earlier reminders, deadline, payment details and signature (Code civil 1344 for the
        formal notice)."""
        company = action.company_id
        partner = action.partner_id
        doc_date = action.sent_date or fields.Date.context_today(self)
        consumer = partner.relance_debtor_type == "consumer"
        moves = action.line_ids.move_id
        is_notice = action.channel == "formal_notice"
        # a formal notice claims the interest to date from a business only: a consumer owes
        # interest from its receipt (Code civil 1231-6, 1344-1)
        claim = self._claim(moves, doc_date, with_penalties=not consumer)
        delay = (
            company.relance_notice_delay or 8
            if is_notice
            else action.level_id.payment_deadline_days
        )
        return {
            "company": company,
            "doc_date": doc_date,
            "place": company.partner_id.city or company.city,
            "consumer": consumer,
            "creditor": company.partner_id._relance_party(),
            "debtor": partner._relance_party(with_siren=not consumer),
            "contact": action.contact_id or partner,
            "lines": self._invoice_rows(moves),
            "claim": claim,
            "rate_label": action._relance_rate_label(),
            "history": self._history(partner, moves=moves, before=doc_date, exclude=action),
            "delay": delay,
            "deadline": doc_date + timedelta(days=delay) if delay else False,
            "bank": company._relance_bank(),
            "signature": company._relance_signature(action.user_id or self.env.user),
            # principal and interest, as CPCE R125-1 counts them (the indemnity is a fee)
            "small_claims": procedure.is_small_claim(claim["principal"] + claim["interest"]),
        }

    @api.model
    def _claim(self, moves, on_date, with_penalties=True, notice_date=None):
        """What ``moves`` claim on ``on_date``, in company currency: ``rows`` (one per
        invoice: principal, days, interest, indemnity, total, warning) and their totals.
        ``with_penalties``: the late interest and the indemnity too."""
        company = moves.company_id[:1] or self.env.company
        rows = []
        for move in moves.sorted(lambda m: (m.invoice_date_due or m.date, m.id)):
            result = (
                move.relance_compute_penalties(on_date=on_date, notice_date=notice_date)
                if with_penalties
                else dict(law_interest.no_penalties(), warning=False)
            )
            principal = abs(move.amount_residual_signed)
            days = (on_date - move.invoice_date_due).days if move.invoice_date_due else 0
            rows.append(
                {
                    "move": move,
                    "principal": principal,
                    "days": max(days, 0),
                    "interest": result["interest"],
                    "indemnity": result["indemnity"],
                    "total": principal + result["interest"] + result["indemnity"],
                    "warning": result["warning"],
                }
            )
        principal = sum(row["principal"] for row in rows)
        interest = sum(row["interest"] for row in rows)
        indemnity = sum(row["indemnity"] for row in rows)
        return {
            "rows": rows,
            "currency": company.currency_id,
            "principal": principal,
            "interest": interest,
            "indemnity": indemnity,
            "indemnity_count": len([row for row in rows if row["indemnity"]]),
            "total": principal + interest + indemnity,
            "warnings": sorted({row["warning"] for row in rows if row["warning"]}),
        }

    @api.model
    def _invoice_rows(self, moves):
        """Number, dates, amount incl. VAT, paid and balance of each invoice of ``moves``
        (in its currency), in the order of the due dates: the invoice table of the letters."""
        return [
            {
                "move": move,
                "name": move.name,
                "invoice_date": move.invoice_date,
                "date_due": move.invoice_date_due,
                "amount_total": move.amount_total,
                "paid": move.amount_total - move.amount_residual,
                "residual": move.amount_residual,
                "currency": move.currency_id,
                "url": move.get_base_url() + move.get_portal_url(),
            }
            for move in moves.sorted(lambda m: (m.invoice_date_due or m.date, m.id))
        ]

    @api.model
    def _history(self, partner, moves=None, before=None, exclude=None, performed=True):
        """The dunning actions of ``partner`` as the documents list them, oldest first,
        archived ones too (they are evidence): only those concerning ``moves``, dated up to
        ``before``, other than ``exclude``, and ``performed`` (done)."""
        domain = [("partner_id", "=", partner.commercial_partner_id.id)]
        if moves is not None:
            domain.append(("line_ids.move_id", "in", moves.ids))
        if before:
            domain.append(("date", "<=", before))
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        if performed:
            domain.append(("state", "=", "done"))
        actions = (
            self.env["account.relance.event"]
            .with_context(active_test=False)
            .search(domain, order="date, id")
        )
        steps = self._steps(actions)
        return sorted(steps, key=lambda step: (step["date"], step["event"].id))

    @api.model
    def _steps(self, actions):
        """``actions`` as the documents show them: date (of sending), level, channel,
        invoices, registered number, receipt and state."""
        channels = dict(actions._fields["channel"]._description_selection(self.env))
        states = dict(actions._fields["state"]._description_selection(self.env))
        return [
            {
                "event": action,
                "date": action.sent_date or action.date,
                "level": action.level_id.name,
                "channel": channels.get(action.channel, action.channel),
                "invoices": ", ".join(action.line_ids.mapped("invoice_name")),
                "registered_number": action.registered_number,
                "receipt_date": action.receipt_date,
                "state": states.get(action.state),
            }
            for action in actions
        ]

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
            "lines": self._invoice_rows(moves, doc_date),
            "claim": claim,
            "rate_label": action._relance_rate_label(),
            "history": self._history(partner, moves=moves, before=doc_date, exclude=action),
            "delay": delay,
            "deadline": doc_date + timedelta(days=delay) if delay else False,
            "bank": company._relance_bank(),
            "signature": company._relance_signature(action.user_id or self.env.user),
            # principal and interest, as CPCE R125-1 counts them (the indemnity is a fee)
            "small_claims": procedure.is_small_claim(
                claim["principal"] + claim["penalties_billed"] + claim["interest"]
            ),
        }

    @api.model
    def _claim(self, moves, on_date, with_penalties=True, notice_date=None):
        """What ``moves`` claim on ``on_date``, in company currency: ``rows`` (one per
        invoice: principal, days, interest, indemnity, total, warning) and their totals.
        ``with_penalties``: the late interest and the indemnity too."""
        company = moves.company_id[:1] or self.env.company
        parts = moves._relance_parts(on_date)
        rows = []
        for move in moves.sorted(lambda m: (m.relance_due_date or m.date, m.id)):
            result = (
                move.relance_compute_penalties(on_date=on_date, notice_date=notice_date)
                if with_penalties
                else dict(law_interest.no_penalties(), warning=False)
            )
            # the instalments due: those to come are not claimed (no acceleration clause)
            principal = parts[move]["due_company"]
            days = (on_date - move.relance_due_date).days if move.relance_due_date else 0
            rows.append(
                {
                    "move": move,
                    "penalty": move.relance_is_penalty,
                    "principal": principal,
                    "later": parts[move]["later_company"],
                    "days": max(days, 0),
                    "interest": result["interest"],
                    "indemnity": result["indemnity"],
                    "total": principal + result["interest"] + result["indemnity"],
                    "warning": result["warning"],
                    "segments": result["segments"],
                }
            )
        # the penalty invoices are claimed as penalties billed, apart from the principal
        principal = sum(row["principal"] for row in rows if not row["penalty"])
        billed = sum(row["principal"] for row in rows if row["penalty"])
        interest = sum(row["interest"] for row in rows)
        indemnity = sum(row["indemnity"] for row in rows)
        return {
            "rows": rows,
            # the interest, period by period: which rate applied, and why
            "segments": [
                dict(segment, move=row["move"], basis_label=self._basis_labels()[segment["basis"]])
                for row in rows
                for segment in row["segments"]
            ],
            "currency": company.currency_id,
            "principal": principal,
            "penalties_billed": billed,
            "later": sum(row["later"] for row in rows),
            "interest": interest,
            "indemnity": indemnity,
            # one per invoice paid late, one per late instalment of periodic payments
            "indemnity_count": round(indemnity / float(law_interest.RECOVERY_INDEMNITY)),
            "indemnity_per_instalment": any(
                row["indemnity"] > float(law_interest.RECOVERY_INDEMNITY) for row in rows
            ),
            "total": principal + billed + interest + indemnity,
            "warnings": sorted({row["warning"] for row in rows if row["warning"]}),
        }

    @api.model
    def _basis_labels(self):
        """Why a period of interest bears its rate (``lib.interest.BASIS_*``)."""
        return {
            law_interest.BASIS_CONTRACT: self.env._("contractual rate"),
            law_interest.BASIS_FLOOR: self.env._(
                "3 x the legal interest rate of the semester, the floor of the contractual rate"
            ),
            law_interest.BASIS_ECB: self.env._("ECB main refinancing rate + 10 points"),
            law_interest.BASIS_LEGAL: self.env._("legal interest rate"),
        }

    @api.model
    def _invoice_rows(self, moves, on_date=None):
        """Number, dates, amount incl. VAT, paid and balance due on ``on_date`` of each
        invoice of ``moves`` (in its currency), with its instalments falling due later, in
        the order of the due dates: the invoice table of the letters."""
        on_date = on_date or fields.Date.context_today(self)
        parts = moves._relance_parts(on_date)
        return [
            {
                "move": move,
                "name": move.name,
                "penalty": move.relance_is_penalty,
                "invoice_date": move.invoice_date,
                "date_due": move.relance_due_date,
                "amount_total": move.amount_total,
                "paid": move.amount_total - move.amount_residual,
                "residual": parts[move]["due"],
                "later": parts[move]["later"],
                "later_dates": parts[move]["later_dates"],
                "currency": move.currency_id,
            }
            for move in moves.sorted(lambda m: (m.relance_due_date or m.date, m.id))
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
                "sent_date": action.sent_date,
                "level": action.level_id.name,
                "channel": channels.get(action.channel, action.channel),
                "invoices": ", ".join(action.line_ids.mapped("invoice_name")),
                "registered_number": action.registered_number,
                "receipt_date": action.receipt_date,
                "state": states.get(action.state),
            }
            for action in actions
        ]

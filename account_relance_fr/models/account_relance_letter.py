# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

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
        claim = moves._relance_claim(doc_date, with_penalties=not consumer)
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
            "lines": moves._relance_document_rows(),
            "claim": claim,
            "rate_label": action._relance_rate_label(),
            "history": action._relance_history(
                partner, moves=moves, before=doc_date, exclude=action
            ),
            "delay": delay,
            "deadline": doc_date + timedelta(days=delay) if delay else False,
            "bank": company._relance_bank(),
            "signature": company._relance_signature(action.user_id or self.env.user),
            "small_claims": procedure.is_small_claim(claim["total"]),
        }

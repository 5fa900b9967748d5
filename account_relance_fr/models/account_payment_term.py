# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib import dates as law_dates


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    relance_periodic = fields.Boolean(
        "Periodic payments",
        help="The instalments of this term are periodic payments (a subscription, a lease "
        "paid month by month): each instalment paid late is due its own 40 EUR recovery "
        "indemnity (CJEU C-78/22). Otherwise an invoice paid late is due one indemnity, "
        "whatever the number of its late instalments.",
    )
    relance_legal_warning = fields.Char(
        "Legal cap warning", compute="_compute_relance_legal_warning"
    )

    @api.depends(
        "line_ids.delay_type", "line_ids.nb_days", "line_ids.days_next_month", "example_date"
    )
    def _compute_relance_legal_warning(self):
        for term in self:
            ref = term.example_date or fields.Date.context_today(term)
            late = [
                line
                for line in term.line_ids
                if law_dates.exceeds_legal_cap(ref, line._get_due_date(ref))
            ]
            term.relance_legal_warning = bool(late) and self.env._(
                "With an invoice of %(date)s, this term is due after the legal cap between "
                "businesses (60 days from the invoice date or 45 days end of month, "
                "Code de commerce L441-10): the debtor risks a fine of up to 2 million euros.",
                date=ref,
            )

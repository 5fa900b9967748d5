# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..lib import dates as law_dates


class AccountPaymentTermLine(models.Model):
    _inherit = "account.payment.term.line"

    delay_type = fields.Selection(
        selection_add=[
            ("days_then_end_of_month", "Days after invoice date, then end of month"),
        ],
        ondelete={"days_then_end_of_month": "set default"},
        help="'Days after invoice date, then end of month' is the method A of '45 days end "
        "of month' (invoice date + 45 days, then end of that month); method B is "
        "'Days after end of month' (end of the invoice month, then + 45 days).",
    )

    def _get_due_date(self, date_ref):
        if self.delay_type == "days_then_end_of_month":
            start = fields.Date.from_string(date_ref) or fields.Date.today()
            return law_dates.days_then_end_of_month(start, self.nb_days)
        return super()._get_due_date(date_ref)

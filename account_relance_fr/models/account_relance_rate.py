# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.interest import (
    RatePeriod,
    check_contractual_rate,
    rate_for_day,
    semester_label,
    semester_start,
)


class AccountRelanceRate(models.Model):
    """Official rates of one semester: ECB main refinancing rate and French legal rates.

    The rates are national (not company-bound) and published twice a year; the accounting
    manager records each new semester.
    """

    _name = "account.relance.rate"
    _description = "Late-payment reference rates (per semester)"
    _order = "date_start desc"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name", store=True)
    date_start = fields.Date("Semester start", required=True)
    ecb_rate = fields.Float("ECB main refinancing rate (%)", digits=(5, 2), required=True)
    legal_rate_pro = fields.Float(
        "Legal rate, professional creditor (%)",
        digits=(5, 2),
        required=True,
        help='The legal interest rate "in all other cases" (creditor who is not a private person).',
    )
    legal_rate_private = fields.Float(
        "Legal rate, private creditor (%)", digits=(5, 2), required=True
    )
    default_rate = fields.Float(
        "ECB + 10 points (%)", digits=(5, 2), compute="_compute_derived_rates"
    )
    floor_rate = fields.Float(
        "Contractual floor: 3 x legal rate (%)", digits=(5, 2), compute="_compute_derived_rates"
    )
    note = fields.Char()

    _date_start_uniq = models.Constraint(
        "UNIQUE(date_start)", "A semester can only be recorded once."
    )

    @api.depends("date_start")
    def _compute_name(self):
        for rate in self:
            rate.name = semester_label(rate.date_start) if rate.date_start else False

    @api.depends("ecb_rate", "legal_rate_pro")
    def _compute_derived_rates(self):
        for rate in self:
            rate.default_rate = rate.ecb_rate + 10.0
            rate.floor_rate = 3 * rate.legal_rate_pro

    @api.constrains("date_start")
    def _check_date_start(self):
        for rate in self:
            if rate.date_start != semester_start(rate.date_start):
                raise ValidationError(self.env._("A semester starts on 1 January or on 1 July."))

    @api.model
    def _check_contract_rate(self, rate):
        """A contractual rate may not be lower than 3 x the legal rate (L441-10 II)."""
        periods = self._rate_periods()
        if not periods:
            return
        period, _provisional = rate_for_day(periods, fields.Date.context_today(self))
        if not check_contractual_rate(rate, period.legal_rate_pro):
            raise ValidationError(
                self.env._(
                    "The contractual late-payment rate (%(rate)s %%) may not be lower than "
                    "three times the legal interest rate (3 x %(legal)s %% = %(floor)s %%).",
                    rate=rate,
                    legal=period.legal_rate_pro,
                    floor=round(3 * period.legal_rate_pro, 2),
                )
            )

    @api.model
    def _rate_periods(self):
        """All recorded semesters as :class:`RatePeriod`, oldest first (one query)."""
        rows = self.sudo().search_read(  # pylint: disable=no-search-all
            [],
            ["date_start", "ecb_rate", "legal_rate_pro", "legal_rate_private"],
            order="date_start",
        )
        return [
            RatePeriod(
                date_start=row["date_start"],
                ecb_rate=row["ecb_rate"],
                legal_rate_pro=row["legal_rate_pro"],
                legal_rate_private=row["legal_rate_private"],
            )
            for row in rows
        ]

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import formatLang

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
    def _rate_label(self, company, partner, on_date=None):
        """The late-payment rate of ``partner`` in ``company`` as written in reminders and
        letters: the contractual rate, the legal rate of a consumer, or ECB + 10 points, with
        the figure of the semester of ``on_date``."""

        def pct(value):
            return formatLang(self.env, value, digits=2)

        contract = partner._relance_contract_rate(company)
        if contract:
            return self.env._("%(rate)s %% per year (contractual rate)", rate=pct(contract))
        periods = self._rate_periods()
        if not periods:
            return self.env._("the ECB main refinancing rate plus 10 points")
        period, _provisional = rate_for_day(periods, on_date or fields.Date.context_today(company))
        if partner.relance_debtor_type == "consumer":
            return self.env._(
                "the legal interest rate (%(rate)s %% per year)", rate=pct(period.legal_rate_pro)
            )
        return self.env._(
            "the ECB main refinancing rate plus 10 points (%(rate)s %% per year)",
            rate=pct(period.ecb_rate + 10.0),
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

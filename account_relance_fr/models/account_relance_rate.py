# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import formatLang

from ..lib import ecb
from ..lib.interest import (
    RatePeriod,
    check_contractual_rate,
    rate_for_day,
    semester_label,
    semester_start,
)

_logger = logging.getLogger(__name__)


class AccountRelanceRate(models.Model):
    """Official rates of one semester: ECB main refinancing rate and French legal rates.

    The rates are national (not company-bound) and published twice a year; the accounting
    manager records each new semester.
    """

    _name = "account.relance.rate"
    _description = "Late-payment reference rates (per semester)"
    _order = "date_start desc"
    _rec_name = "name"
    _inherit = ["mail.thread", "mail.activity.mixin"]

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

    def action_fetch_ecb_rate(self):
        """Fill the ECB main refinancing rate of these semesters from the ECB's public data
        service: the rate in force on their first day. The legal rates are typed from the
        arrêté published in the Journal officiel."""
        for rate in self:
            value, changed = self._fetch_ecb_rate(rate.date_start)
            rate.write(
                {
                    "ecb_rate": value,
                    "note": self.env._(
                        "ECB rate fetched from the ECB data service (in force since %s).",
                        self.env["res.lang"]._relance_date_str(changed),
                    ),
                }
            )
        return True

    @api.model
    def _fetch_ecb_rate(self, on_date):
        """``(rate, date of its change)`` of the ECB main refinancing operations in force on
        ``on_date``, from the ECB's data service; a clear error when it cannot be reached
        (the rate is then typed from the Banque de France's publication)."""
        try:
            response = requests.get(ecb.MRO_SERIES_URL, params=ecb.mro_query(on_date), timeout=10)
            response.raise_for_status()
            return ecb.mro_rate_from_csv(response.text, on_date)
        except (requests.RequestException, ValueError) as exc:
            _logger.info("ECB rate of %s not fetched: %s", on_date, exc)
            raise UserError(
                self.env._(
                    "The ECB's data service could not give the rate in force on %(date)s "
                    "(%(error)s). Type the main refinancing rate published by the Banque de "
                    "France.",
                    date=self.env["res.lang"]._relance_date_str(on_date),
                    error=exc,
                )
            ) from exc

    @api.model
    def _cron_remind_semester(self):
        """On 1 January and 1 July: ask the dunning managers to record the rates of the new
        semester, while it is missing (the penalties are computed provisionally meanwhile,
        with the latest semester recorded)."""
        start = semester_start(fields.Date.context_today(self))
        if self.search_count([("date_start", "=", start)]):
            return
        latest = self.search([], order="date_start desc", limit=1)
        if not latest:
            return
        managers = self.env.ref(
            "account_relance_fr.group_relance_manager"
        ).all_user_ids._relance_working()
        summary = self.env._("Record the late-payment rates of %s", semester_label(start))
        asked = latest.activity_ids.filtered(lambda a: a.summary == summary).user_id
        todo = self.env.ref("mail.mail_activity_data_todo")
        for user in managers - asked:
            latest.activity_schedule(
                activity_type_id=todo.id,
                summary=summary,
                note=self.env._(
                    "The ECB main refinancing rate in force on %(date)s (the button Fetch the "
                    "ECB rate reads it) and the legal interest rates of the arrêté of the "
                    "semester.",
                    date=self.env["res.lang"]._relance_date_str(start),
                ),
                user_id=user.id,
                date_deadline=start,
            )

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
        periods = self._rate_periods()
        day = on_date or fields.Date.context_today(company)
        if contract and periods and partner.relance_debtor_type != "consumer":
            period, _provisional = rate_for_day(periods, day)
            if not check_contractual_rate(contract, period.legal_rate_pro):
                # the computation applies the floor of the semester: the letter says so
                return self.env._(
                    "%(rate)s %% per year, three times the legal interest rate, the floor "
                    "of the contractual rate of %(contract)s %% (L441-10)",
                    rate=pct(3 * period.legal_rate_pro),
                    contract=pct(contract),
                )
        if contract:
            return self.env._("%(rate)s %% per year (contractual rate)", rate=pct(contract))
        if not periods:
            return self.env._("the ECB main refinancing rate plus 10 points")
        period, _provisional = rate_for_day(periods, day)
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

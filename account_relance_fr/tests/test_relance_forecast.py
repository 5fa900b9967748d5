# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Seeing the money coming: expected payment dates, the receivables forecast and who to
call first."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import Form, tagged

from ..lib import forecast
from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceForecast(RelanceCommon):
    def pay(self, move, day, amount=None):
        values = {"payment_date": day}
        if amount:
            values["amount"] = amount
        self._register_payment(move, **values)
        self.env.cr.flush()  # the expectations are refreshed before the commit

    def history(self, partner, delays, first_due=date(2025, 9, 1)):
        """Paid invoices of ``partner``, each paid ``delay`` days after its due date."""
        for index, delay in enumerate(delays):
            due = first_due + timedelta(days=20 * index)
            self.pay(self.invoice(partner=partner, amount=500.0, due=due), due + timedelta(delay))

    def test_expected_from_the_customer_history(self):
        self.history(self.customer, [18, 20, 22])
        move = self.invoice(due=date(2026, 3, 1))
        self.env["account.relance.forecast"]._refresh(move, date(2026, 2, 1))
        # not yet due: its due date plus the customer's usual 20 days
        self.assertEqual(move.relance_expected_date, date(2026, 3, 21))
        self.assertEqual(move.relance_expected_basis, "customer")
        self.assertEqual(move.relance_usual_delay, 20)
        line = move.line_ids.filtered(lambda ln: ln.display_type == "payment_term")
        self.assertEqual(line.relance_expected_date, date(2026, 3, 21))
        # 21 days late on 22 March: only its payment at +22 days was that late
        self.env["account.relance.forecast"]._refresh(move, date(2026, 3, 22))
        self.assertEqual(move.relance_expected_date, date(2026, 3, 23))
        # 24 days late: later than it ever paid, expected a week from that day
        self.env["account.relance.forecast"]._refresh(move, date(2026, 3, 25))
        self.assertEqual(move.relance_expected_date, date(2026, 4, 1))

    def test_similar_customers_then_the_company(self):
        # a new business customer: the other businesses' payments (three at +10 days)
        other = self.env["res.partner"].create({"name": "Autre SARL", "is_company": True})
        self.history(other, [10, 10, 10])
        newcomer = self.env["res.partner"].create({"name": "Nouveau SAS", "is_company": True})
        move = self.invoice(partner=newcomer, due=date(2026, 3, 1))
        self.env["account.relance.forecast"]._refresh(move, date(2026, 2, 1))
        self.assertEqual(
            (move.relance_expected_date, move.relance_expected_basis),
            (date(2026, 3, 11), "similar"),
        )
        # an individual: no individual has paid yet, the company's history decides
        person = self.env["res.partner"].create({"name": "Paul Martin"})
        move = self.invoice(partner=person, due=date(2026, 3, 1))
        self.env["account.relance.forecast"]._refresh(move, date(2026, 2, 1))
        self.assertEqual(move.relance_expected_basis, "company")

    def test_partial_payments_and_instalments(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50/50",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        # history: 1,000.00 paid 400.00 at +10 and 600.00 at +30 (+22 on average), twice
        # more at +22
        for index in range(3):
            due = date(2025, 6, 1) + timedelta(days=30 * index)
            move = self.invoice(due=due)
            self.pay(move, due + timedelta(days=10), amount=400.0)
            self.pay(move, due + timedelta(days=30), amount=600.0)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 2, 1),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "x", "quantity": 1, "price_unit": 800.0, "tax_ids": False}
                    )
                ],
            }
        )
        invoice.action_post()
        self.env["account.relance.forecast"]._refresh(invoice, date(2026, 2, 1))
        lines = invoice.line_ids.filtered(lambda ln: ln.display_type == "payment_term").sorted(
            "date_maturity"
        )
        # each instalment 22 days after its own due date; the invoice from its first
        self.assertEqual(
            lines.mapped("relance_expected_date"), [date(2026, 3, 25), date(2026, 4, 24)]
        )
        self.assertEqual(invoice.relance_expected_date, date(2026, 3, 25))
        # the oldest instalment is expected when its invoice is: only the later one stores
        # a date of its own; the receivables forecast reads each instalment's
        self.assertEqual(lines.mapped("relance_expected_later"), [False, date(2026, 4, 24)])
        Inflow = self.env["account.relance.inflow"]
        self.assertEqual(
            sorted(Inflow.search([("move_id", "=", invoice.id)]).mapped("expected_date")),
            [date(2026, 3, 25), date(2026, 4, 24)],
        )
        # the first instalment (due on 3 March) paid at +22 days, as usual: the payment
        # refreshes the invoice, now expected from its second, which is now its oldest
        with freeze_time("2026-03-25"):
            self.pay(invoice, date(2026, 3, 25), amount=400.0)
        self.assertEqual(invoice.relance_expected_date, date(2026, 4, 24))
        self.assertEqual(lines.mapped("relance_expected_date"), [False, date(2026, 4, 24)])
        self.assertFalse(lines[1].relance_expected_later)

    def test_pauses_and_the_night(self):
        self.history(self.customer, [5, 5, 5])
        promised, disputed, planned = (self.invoice(amount=a) for a in (100.0, 200.0, 300.0))
        day = self.day0 + timedelta(days=10)
        with freeze_time(day):
            promised.action_relance_set_hold("promise", promise_date=day + timedelta(days=6))
            disputed.action_relance_set_hold("dispute", note="Qualité")
            plan = self.env["account.relance.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(planned.ids)],
                    "instalment_count": 2,
                    "first_date": day + timedelta(days=15),
                }
            )
            plan.action_compute_schedule()
            plan.action_activate()
            self.env.cr.flush()
        self.assertEqual(promised.relance_expected_date, day + timedelta(days=6))
        self.assertEqual(promised.relance_expected_basis, "promise")
        self.assertFalse(disputed.relance_expected_date)
        self.assertEqual(disputed.relance_expected_basis, "undated")
        self.assertEqual(planned.relance_expected_date, day + timedelta(days=15))
        # the night refreshes the invoices it dunned and those whose expectation passed
        later = self.invoice(amount=50.0)
        later.relance_expected_date = False
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertTrue(later.relance_expected_date)

    def test_receivables_forecast_by_week(self):
        self.history(self.customer, [0, 0, 0])
        today = date(2026, 2, 4)  # a Wednesday
        moves = self.invoice(amount=100.0, due=date(2026, 2, 6)) | self.invoice(
            amount=200.0, due=date(2026, 2, 12)
        )
        disputed = self.invoice(amount=400.0, due=date(2026, 1, 20))
        disputed.action_relance_set_hold("dispute", note="Qualité")
        self.env["account.relance.forecast"]._refresh(moves | disputed, today)
        with freeze_time(today):
            Inflow = self.env["account.relance.inflow"]
            action = self.env.ref("account_relance_fr.action_account_relance_inflow")
            self.assertIn("next_13_weeks", action.context)
            groups = Inflow.formatted_read_group(
                [("partner_id", "=", self.customer.id)],
                ["expected_date:week"],
                ["amount:sum"],
            )
        by_week = {
            g["expected_date:week"][1] if g["expected_date:week"] else None: g["amount:sum"]
            for g in groups
        }
        self.assertEqual(len(by_week), 3)
        self.assertIn(None, by_week, "the dispute has no expected date")
        self.assertEqual(by_week[None], 400.0)
        self.assertEqual(sorted(v for k, v in by_week.items() if k), [100.0, 200.0])

    def test_who_to_call_first(self):
        small = self.invoice(amount=300.0, due=self.day0)
        big = self.invoice(partner=self.customer_fr, amount=9000.0, due=self.day0)
        today = self.day0 + timedelta(days=30)
        with freeze_time(today):
            Board = self.env["account.relance.board"]
            cards = Board.search([("partner_id", "in", (small | big).partner_id.ids)])
            self.assertEqual(cards[0].partner_id, self.customer_fr, "the most at stake first")
            for card in cards:
                self.assertEqual(
                    card.priority,
                    forecast.priority(
                        card.amount_overdue_main,
                        card.oldest_days,
                        card.payer_delay,
                        near_limitation=card.near_prescription,
                        promise_due=card.promise_due,
                        plan_missed=card.plan_missed,
                        paused=card.status == "paused",
                    ),
                )
            self.assertIn("30 days late", cards[0].priority_reasons)
            self.assertNotIn("usually pays", cards[0].priority_reasons, "no payment yet")
            self.assertIn("overdue", cards[0].priority_reasons)
            # a promise due today puts the small one first
            small.action_relance_set_hold("promise", promise_date=today)
            self.env.invalidate_all()  # a new screen
            card = Board.search([("partner_id", "=", self.customer.id)])
            self.assertTrue(card.promise_due)
            self.assertIn("promise due", card.priority_reasons)
            first = Board.search([("partner_id", "in", (small | big).partner_id.ids)], limit=1)
            self.assertEqual(first.partner_id, self.customer)
            # the morning's list opens on them
            action = self.env.ref("account_relance_fr.action_account_relance_today")
            self.assertIn("search_default_today", action.context)
            form_partner = Form(self.customer)  # the customer's tab shows the expectation
            self.assertIn("relance_open_invoice_ids", form_partner._view["fields"])

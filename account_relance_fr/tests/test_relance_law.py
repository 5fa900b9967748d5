# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceLaw(RelanceCommon):
    """The legal layer through the ORM: real invoices, real payments, shipped rates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consumer = cls.env["res.partner"].create(
            {"name": "Sophie Bernard", "email": "sophie@example.com"}
        )

    def test_shipped_rates(self):
        rates = self.env["account.relance.rate"].search([])
        self.assertEqual(
            rates.mapped("name"),
            ["2026-H1", "2025-H2", "2025-H1", "2024-H2", "2024-H1", "2023-H2", "2023-H1"],
        )
        h1 = rates[0]
        self.assertEqual((h1.ecb_rate, h1.default_rate, h1.legal_rate_pro), (2.15, 12.15, 2.62))
        self.assertAlmostEqual(h1.floor_rate, 7.86)
        with self.assertRaises(ValidationError):
            rates.create(
                {
                    "date_start": date(2026, 3, 1),
                    "ecb_rate": 1,
                    "legal_rate_pro": 1,
                    "legal_rate_private": 1,
                }
            )

    def test_debtor_type(self):
        self.assertEqual(self.customer.relance_debtor_type, "business")
        self.assertEqual(self.consumer.relance_debtor_type, "consumer")
        craftsman = self.env["res.partner"].create({"name": "Artisan", "vat": "FR23334175221"})
        self.assertEqual(craftsman.relance_debtor_type, "business")
        self.consumer.relance_debtor_type_override = "business"
        self.assertEqual(self.consumer.relance_debtor_type, "business")
        contact = self.env["res.partner"].create({"name": "Compta", "parent_id": self.customer.id})
        self.assertEqual(contact.relance_debtor_type, "business")

    def test_worked_example_b2b_paid_late(self):
        """1,200.00 incl. VAT due 2026-01-15 paid 2026-03-20: 64 days at 12.15 % = 25.56,
        plus 40 EUR = 65.56."""
        move = self.invoice(amount=1200.0, due=date(2026, 1, 15))
        self._register_payment(move, payment_date=date(2026, 3, 20))
        result = move.relance_compute_penalties(on_date=date(2026, 11, 1))
        self.assertEqual(result["days"], 64)
        self.assertEqual(result["interest"], 25.56)
        self.assertEqual(result["indemnity"], 40.0)
        self.assertEqual(result["total"], 65.56)
        self.assertFalse(result["provisional"])
        self.assertEqual(
            [(s["date_from"], s["date_to"], s["days"], s["rate"]) for s in result["segments"]],
            [(date(2026, 1, 16), date(2026, 3, 20), 64, 12.15)],
        )

    def test_semester_split_and_partial_payment(self):
        """Due 2025-06-15, 1,000.00: 15 days of June at 13.15 %, then 2025-H2 at 12.15 %;
        400 paid on 2025-07-10 reduces the base from the 11th.
        1000 x 13.15 % x 15/365 = 5.404; 1000 x 12.15 % x 10/365 = 3.329;
        600 x 12.15 % x 21/365 (to 2025-07-31) = 4.194 -> 12.93"""
        move = self.invoice(amount=1000.0, due=date(2025, 6, 15))
        self._register_payment(move, payment_date=date(2025, 7, 10), amount=400.0)
        result = move.relance_compute_penalties(on_date=date(2025, 7, 31))
        self.assertEqual(result["days"], 46)
        self.assertEqual(result["interest"], 12.93)
        self.assertEqual(
            [(s["rate"], s["base"], s["days"]) for s in result["segments"]],
            [(13.15, 1000.0, 15), (12.15, 1000.0, 10), (12.15, 600.0, 21)],
        )
        self.assertEqual(result["indemnity"], 40.0)

    def test_consumer_interest_only_after_notice(self):
        """No indemnity; legal rate (professional creditor) from the notice's receipt:
        500 x 2.62 % x 30/365 = 1.08"""
        move = self.invoice(partner=self.consumer, amount=500.0, due=date(2026, 1, 15))
        before = move.relance_compute_penalties(on_date=date(2026, 3, 1))
        self.assertEqual((before["interest"], before["indemnity"], before["total"]), (0, 0, 0))
        after = move.relance_compute_penalties(
            on_date=date(2026, 4, 30), notice_date=date(2026, 3, 31)
        )
        self.assertEqual(after["days"], 30)
        self.assertEqual(after["interest"], 1.08)
        self.assertEqual(after["indemnity"], 0.0)

    def test_missing_semester_is_provisional_with_warning(self):
        move = self.invoice(amount=1000.0, due=date(2026, 6, 30))
        with freeze_time("2026-07-31"):
            result = move.relance_compute_penalties()
            self.assertTrue(result["provisional"])
            self.assertEqual(result["missing_semesters"], ["2026-H2"])
            # 1000 x 12.15 % x 31/365 = 10.32, never a silent zero
            self.assertEqual(result["interest"], 10.32)
            self.assertIn("2026-H2", result["warning"])
            self.assertIn("2026-H2", move.relance_penalty_warning)
            self.assertEqual(move.relance_interest_amount, 10.32)

    def test_contractual_rate_floor(self):
        # floor: 3 x 2.62 = 7.86 % in 2026-H1
        with freeze_time("2026-03-01"):
            with self.assertRaises(ValidationError):
                self.company.write(
                    {"relance_interest_mode": "contractual", "relance_contract_rate": 5.0}
                )
            self.company.write(
                {"relance_interest_mode": "contractual", "relance_contract_rate": 9.0}
            )
        with freeze_time("2026-03-01"), self.assertRaises(ValidationError):
            self.customer.relance_contract_rate = 4.0
        move = self.invoice(amount=1000.0, due=date(2026, 1, 15))
        # 1000 x 9 % x 45/365 = 11.10
        result = move.relance_compute_penalties(on_date=date(2026, 3, 1))
        self.assertEqual(result["interest"], 11.10)
        self.assertEqual(result["segments"][0]["rate"], 9.0)

    def test_prescription(self):
        b2c = self.invoice(partner=self.consumer, amount=300.0, due=date(2026, 1, 15))
        self.assertEqual(b2c.relance_prescription_date, date(2028, 1, 15))
        self._register_payment(b2c, payment_date=date(2026, 6, 1), amount=100.0)
        self.assertEqual(b2c.relance_prescription_date, date(2028, 6, 1))
        b2b = self.invoice(amount=300.0, due=date(2026, 1, 15))
        self.assertEqual(b2b.relance_prescription_date, date(2031, 1, 15))
        b2b.relance_acknowledgment_date = date(2027, 2, 1)
        self.assertEqual(b2b.relance_prescription_date, date(2032, 2, 1))
        with freeze_time("2028-04-15"):
            self.assertTrue(b2c.relance_near_prescription)
            self.assertFalse(b2b.relance_near_prescription)
            found = self.env["account.move"].search(
                [("relance_near_prescription", "=", True), ("id", "in", (b2b | b2c).ids)]
            )
            self.assertEqual(found, b2c)

    def test_rate_label_in_reminders(self):
        move = self.invoice(amount=100.0)
        with freeze_time("2026-03-01"):
            label_en = move.with_context(lang="en_US")._relance_rate_label()
            self.assertIn("12.15", label_en)
            self.assertIn("10 points", label_en)
            label_fr = move.with_context(lang="fr_FR")._relance_rate_label()
            self.assertIn("12,15", label_fr)

    def _due(self, term_xmlid, invoice_date):
        term = self.env.ref(f"account_relance_fr.{term_xmlid}")
        move = self.invoice(post=False, due=date(2030, 1, 1))
        move.write({"invoice_date": invoice_date, "invoice_payment_term_id": term.id})
        return move.invoice_date_due

    def test_payment_terms_45_end_of_month(self):
        # the legal document's example: 2026-01-20 -> A 2026-03-31, B 2026-03-17
        self.assertEqual(
            self._due("payment_term_fr_45_eom_a", date(2026, 1, 20)), date(2026, 3, 31)
        )
        self.assertEqual(
            self._due("payment_term_fr_45_eom_b", date(2026, 1, 20)), date(2026, 3, 17)
        )
        # month ends and leap years: 2028-01-15 + 45 = 2028-02-29 (leap) -> A end of February
        self.assertEqual(
            self._due("payment_term_fr_45_eom_a", date(2028, 1, 15)), date(2028, 2, 29)
        )
        # B: end of January 2028 + 45 days = 2028-03-16 (29 days of February)
        self.assertEqual(
            self._due("payment_term_fr_45_eom_b", date(2028, 1, 31)), date(2028, 3, 16)
        )
        # 2027 is not leap: 2027-01-31 + 45 = 2027-03-17
        self.assertEqual(
            self._due("payment_term_fr_45_eom_b", date(2027, 1, 31)), date(2027, 3, 17)
        )
        self.assertEqual(self._due("payment_term_fr_60", date(2026, 1, 20)), date(2026, 3, 21))
        self.assertEqual(self._due("payment_term_fr_30", date(2026, 12, 15)), date(2027, 1, 14))

    def test_payment_term_legal_cap_warnings(self):
        term_a = self.env.ref("account_relance_fr.payment_term_fr_45_eom_a")
        term_b = self.env.ref("account_relance_fr.payment_term_fr_45_eom_b")
        # A exceeds the 60-day cap for an invoice of 2026-01-20 (03-31 > 03-21)
        self.assertTrue(term_a.with_context(example_date=date(2026, 1, 20)).relance_legal_warning)
        self.assertFalse(term_b.with_context(example_date=date(2026, 1, 20)).relance_legal_warning)
        long_term = self.env["account.payment.term"].create(
            {
                "name": "90 jours",
                "line_ids": [(0, 0, {"value": "percent", "value_amount": 100, "nb_days": 90})],
            }
        )
        self.assertIn("L441-10", long_term.relance_legal_warning)
        move = self.invoice(post=False)
        move.write({"invoice_date": date(2026, 1, 20), "invoice_payment_term_id": long_term.id})
        self.assertIn("legal cap", move.relance_term_warning)

    def test_invoice_pdf_mentions_for_businesses(self):
        b2b = self.invoice(amount=100.0)
        b2c = self.invoice(partner=self.consumer, amount=100.0)
        report = self.env["ir.actions.report"]
        html_b2b = report._render_qweb_html("account.report_invoice", b2b.ids)[0].decode()
        html_b2c = report._render_qweb_html("account.report_invoice", b2c.ids)[0].decode()
        self.assertIn("40 EUR", html_b2b)
        self.assertIn("L441-10", html_b2b)
        self.assertNotIn("40 EUR", html_b2c)

    def _bill(self, moves, day):
        action = moves.action_relance_bill_penalties()
        wizard = (
            self.env[action["res_model"]].with_context(**action["context"]).create({"date": day})
        )
        return wizard

    def test_penalty_invoice_never_bills_twice(self):
        move = self.invoice(amount=1200.0, due=date(2026, 1, 15))
        wizard = self._bill(move, date(2026, 3, 20))
        # 64 days at 12.15 % on 1,200 = 25.56, plus 40 EUR
        self.assertEqual(
            [(line.interest, line.indemnity) for line in wizard.line_ids], [(25.56, 40.0)]
        )
        action = wizard.action_create_invoices()
        penalty = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(penalty.partner_id, self.customer)
        self.assertEqual(penalty.amount_total, 65.56)
        self.assertEqual(penalty.amount_tax, 0.0)
        self.assertEqual(penalty.invoice_line_ids.relance_penalty_origin_id, move)
        self.assertIn(penalty.display_name, move.message_ids[:1].body)
        # same period again: nothing to bill
        with self.assertRaises(UserError):
            self._bill(move, date(2026, 3, 20)).action_create_invoices()
        # a month later: only the new interest, no second indemnity
        # 1200 x 12.15 % x 31/365 (03-21 .. 04-20) = 12.38
        later = self._bill(move, date(2026, 4, 20))
        self.assertEqual(
            [(line.date_from, line.interest, line.indemnity) for line in later.line_ids],
            [(date(2026, 3, 21), 12.38, 0.0)],
        )
        # cancelling the penalty invoice makes its period billable again
        penalty.button_cancel()
        again = self._bill(move, date(2026, 3, 20))
        self.assertEqual(
            [(line.interest, line.indemnity) for line in again.line_ids], [(25.56, 40.0)]
        )

    def test_claiming_penalties_without_invoice_mentions_warns(self):
        """An invoice whose PDF did not carry the mentions (here: the company has no ladder,
        so its invoices are printed without them) is billed with a warning."""
        move = self.invoice(amount=1000.0, due=date(2026, 1, 15))
        self.assertFalse(self._bill(move, date(2026, 3, 20)).warning)
        self.company.relance_policy_id = False
        self.assertFalse(move._relance_show_invoice_mentions())
        self.assertIn("L441-9", self._bill(move, date(2026, 3, 20)).warning)

    def test_level_template_preview(self):
        action = self.levels[0].action_preview_template()
        self.assertEqual(action["res_model"], "mail.template.preview")
        preview = self.env["mail.template.preview"].with_context(**action["context"]).create({})
        self.assertEqual(preview.mail_template_id, self.levels[0].mail_template_id)
        with self.assertRaises(UserError):
            self.levels.filtered(lambda lv: lv.channel == "phone").action_preview_template()

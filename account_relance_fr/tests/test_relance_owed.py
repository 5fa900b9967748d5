# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the dunning claims, by any path, is what the customer owes now: instalments, pauses,
penalty invoices, the contractual floor of each semester, the formal notice, odd data."""

import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import RelanceCommon

NOTICE = "account_relance_fr.action_report_relance_notice"
DOSSIER = "account_relance_fr.action_report_relance_dossier"


@tagged("post_install", "-at_install")
class TestRelanceOwed(RelanceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.half_half = cls._term("50 % at 30 days, 50 % at 60 days", [(50, 30), (50, 60)])

    @classmethod
    def _term(cls, name, lines, periodic=False):
        return cls.env["account.payment.term"].create(
            {
                "name": name,
                "relance_periodic": periodic,
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": percent,
                            "nb_days": days,
                            "delay_type": "days_after",
                        }
                    )
                    for percent, days in lines
                ],
            }
        )

    def instalment_invoice(self, invoice_date, amount=1200.0, term=None, partner=None):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.customer).id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": (term or self.half_half).id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": False}
                    )
                ],
            }
        )
        move.action_post()
        return move

    def html(self, report, records):
        html = self.env["ir.actions.report"]._render_qweb_html(report, records.ids)[0].decode()
        return re.sub(r"\s+", " ", html)

    # ------------------------------------------------------------------ 1. instalments
    def test_instalments_overdue_from_the_first_one_claimed_alone(self):
        """1,200.00 on 2025-12-01, 50 % at 30 days (2025-12-31) and 50 % at 60 days
        (2026-01-30): on 2026-01-15 the first instalment is 15 days overdue; the invoice is
        dunned from it, for its 600.00 only, the second shown apart, never claimed."""
        move = self.instalment_invoice(date(2025, 12, 1))
        self.assertEqual(move.invoice_date_due, date(2026, 1, 30), "Odoo's: the last one")
        self.assertEqual(move.relance_due_date, date(2025, 12, 31))
        with freeze_time("2026-01-15"):
            move.invalidate_recordset(["relance_days_overdue"])
            self.assertEqual(move.relance_days_overdue, 15)
            self.run_relance(date(2026, 1, 15))
            board = self.env["account.relance.board"].search(
                [("partner_id", "=", self.customer.id)]
            )
            self.assertEqual((board.amount_overdue, board.amount_due), (600.0, 1200.0))
            self.assertEqual(board.amount_1_30, 600.0, "aged by the instalment's due date")
        action = self.events_of(move)
        self.assertEqual(action.level_id, self.level(0))
        self.assertEqual(action.amount_due, 600.0)
        self.assertEqual(
            (action.line_ids.amount_residual, action.line_ids.amount_later), (600.0, 600.0)
        )
        self.assertEqual(action.line_ids.invoice_date_due, date(2025, 12, 31))
        body = action.mail_id.body_html
        self.assertIn("falling due later, not claimed now", body)
        self.assertIn("600.00", body)
        self.assertNotIn("1,200.00\xa0€</strong>", body, "the total claimed is the 600.00")

    def test_instalment_interest_worked_out_by_hand(self):
        """Paid at once on 2026-03-20, 12.15 % (2026-H1): the 1st instalment (due 01-31)
        bears 48 days, 600 x 12.15 % x 48 / 365 = 9.5868; the 2nd (due 03-02) 18 days,
        600 x 12.15 % x 18 / 365 = 3.5951; 13.18 in all (the last due date alone: 7.19),
        and one indemnity of 40.00 for the invoice."""
        move = self.instalment_invoice(date(2026, 1, 1))
        self.assertEqual(move.relance_due_date, date(2026, 1, 31))
        self._register_payment(move, payment_date=date(2026, 3, 20))
        result = move.relance_compute_penalties(on_date=date(2026, 6, 1))
        self.assertEqual((result["interest"], result["indemnity"]), (13.18, 40.0))
        self.assertEqual(
            [(s["instalment"], s["days"], s["amount"]) for s in result["segments"]],
            [(date(2026, 1, 31), 48, 9.59), (date(2026, 3, 2), 18, 3.6)],
        )
        # periodic payments: one indemnity per late instalment (CJEU C-78/22)
        monthly = self._term("Monthly rent", [(50, 30), (50, 60)], periodic=True)
        rent = self.instalment_invoice(date(2026, 1, 1), term=monthly)
        self._register_payment(rent, payment_date=date(2026, 3, 20))
        self.assertEqual(
            rent.relance_compute_penalties(on_date=date(2026, 6, 1))["indemnity"], 80.0
        )

    def test_notice_claims_the_instalments_due_and_shows_the_others(self):
        move = self.instalment_invoice(date(2025, 10, 1), amount=2000.0)  # 10-31, 11-30
        self._register_payment(move, amount=300.0, payment_date=date(2025, 11, 10))
        # 1,000 - 300 left on the 1st instalment, 1,000 on the 2nd: both overdue on 01-15;
        # the letter claims 1,700.00
        with freeze_time("2026-01-15"):
            values = self.env["account.relance.letter"]._claim(move, date(2026, 1, 15))
        self.assertEqual((values["principal"], values["later"]), (1700.0, 0.0))
        early = self.instalment_invoice(date(2025, 12, 1), amount=1000.0)  # 12-31, 01-30
        with freeze_time("2026-01-15"):
            values = self.env["account.relance.letter"]._claim(early, date(2026, 1, 15))
            rows = self.env["account.relance.letter"]._invoice_rows(early, date(2026, 1, 15))
        self.assertEqual((values["principal"], values["later"]), (500.0, 500.0))
        self.assertEqual(rows[0]["later_dates"], [(date(2026, 1, 30), 500.0)])

    def test_limitation_of_the_oldest_unpaid_instalment(self):
        consumer = self.env["res.partner"].create({"name": "Marie Curie", "email": "m@c.example"})
        self.assertEqual(consumer.relance_debtor_type, "consumer")
        move = self.instalment_invoice(date(2025, 12, 1), partner=consumer)
        # 2 years from the first instalment's due date (L218-2 Code de la consommation)
        self.assertEqual(move.relance_prescription_date, date(2027, 12, 31))

    # ------------------------------------------------------------------ 2. pauses
    def _disputed_customer(self):
        move = self.invoice(amount=500.0)
        disputed = self.invoice(amount=300.0)
        disputed.action_relance_set_hold("dispute", note="Livraison incomplète")
        return move, disputed

    def test_paused_invoice_left_out_of_every_path(self):
        move, disputed = self._disputed_customer()
        with freeze_time(self.day0 + timedelta(days=10)):
            # "Send a reminder" from the list, both invoices selected (a mass action)
            dialog = Form(
                self.env["account.relance.send"].with_context(
                    **(move | disputed).action_relance_send()["context"]
                )
            )
            self.assertEqual(dialog.claim_ids.ids, move.ids)
            self.assertEqual(dialog.paused_line_ids._records[0]["move_id"], disputed.id)
            self.assertIn("Livraison incomplète", dialog.warning)
            # the board: a card dropped on the registered letter's column opens the same
            # dialog at that step
            card = self.env["account.relance.board"].search([("partner_id", "=", self.customer.id)])
            action = card.action_move_to_level(self.level(3).id)
            dropped = Form(self.env[action["res_model"]].with_context(**action["context"]))
            self.assertEqual(dropped.level_id, self.level(3))
            self.assertEqual(dropped.claim_ids.ids, move.ids)
            self.assertEqual(len(dropped.paused_line_ids), 1)
            result = dropped.save().action_send()
            letter = self.env["account.relance.event"].browse(result["res_id"])
            self.assertEqual(letter.line_ids.move_id, move)
            self.assertIn("Moved to", letter.note)
            # "Run the dunning now" on both
            other = self.invoice(partner=self.customer_fr, amount=100.0)
            frozen = other | self.invoice(partner=self.customer_fr, amount=50.0)
            frozen[1].action_relance_set_hold("promise", promise_date=self.day0 + timedelta(20))
            frozen.action_relance_run()
            self.assertEqual(self.events_of(frozen).line_ids.move_id, other)
            # the penalties are not billed on it
            penalty = Form(
                self.env["account.relance.penalty"].with_context(
                    **disputed.action_relance_bill_penalties()["context"]
                )
            )
            self.assertFalse(penalty.line_ids)
            self.assertIn("paused", penalty.warning)
        self.assertFalse(disputed.relance_event_line_ids)

    def test_formal_notice_never_claims_a_paused_invoice_unless_chosen(self):
        move, disputed = self._disputed_customer()
        with freeze_time(self.day0 + timedelta(days=70)):
            # from the customer: the reminder dialog at its formal-notice step
            action = self.customer.action_relance_formal_notice()
            dialog = Form(self.env[action["res_model"]].with_context(**action["context"]))
            self.assertEqual(dialog.channel, "formal_notice")
            self.assertEqual(dialog.claim_ids.ids, move.ids)
            notice_dialog = dialog.save().action_send()
            notice = self.env["account.relance.event"].browse(notice_dialog["context"]["active_id"])
            self.assertEqual(notice.line_ids.move_id, move)
            # an invoice disputed after the notice was prepared stops its generation
            move.action_relance_set_hold("dispute", note="Contestation tardive")
            generate = Form(
                self.env["account.relance.notice"].with_context(**notice_dialog["context"])
            )
            generate.registered_number = "1A 000 000 0000 9"
            with self.assertRaisesRegex(UserError, "Contestation tardive"):
                generate.save().action_generate()
            # claimed anyway, with the reason: recorded, then generated
            notice._relance_note_included(move, "Litige clos par téléphone")
            self.assertEqual(notice.paused_included_ids, move)
            generate.save().action_generate()
            self.assertEqual(notice.state, "done")

    def test_blocked_customer_is_listed_with_its_reason(self):
        move = self.invoice(amount=500.0)
        self.customer.with_company(self.company).write(
            {"relance_blocked": True, "relance_block_reason": "Redressement judiciaire"}
        )
        with freeze_time(self.day0 + timedelta(days=10)):
            dialog = Form(
                self.env["account.relance.send"].with_context(
                    **move.action_relance_send()["context"]
                )
            )
            self.assertFalse(dialog.claim_ids)
            self.assertIn("Redressement judiciaire", dialog.warning)

    # ------------------------------------------------------------------ 3. penalty invoices
    def _penalty_invoice(self, move, on_date):
        with freeze_time(on_date):
            wizard = Form(
                self.env["account.relance.penalty"].with_context(
                    **move.action_relance_bill_penalties()["context"]
                )
            )
            wizard.date = on_date
            action = wizard.save().action_create_invoices()
        penalty = self.env["account.move"].browse(action["res_id"])
        penalty.action_post()
        return penalty

    def test_penalty_invoice_earns_no_penalties(self):
        move = self.invoice(amount=1200.0)
        penalty = self._penalty_invoice(move, self.day0 + timedelta(days=64))
        self.assertTrue(penalty.relance_is_penalty)
        late = penalty.invoice_date_due + timedelta(days=200)
        result = penalty.relance_compute_penalties(on_date=late)
        self.assertEqual((result["interest"], result["indemnity"]), (0.0, 0.0))
        # billed again: refused, with the reason
        with freeze_time(late):
            wizard = Form(
                self.env["account.relance.penalty"].with_context(
                    **penalty.action_relance_bill_penalties()["context"]
                )
            )
            self.assertFalse(wizard.line_ids)
            self.assertIn("1343-2", wizard.warning)
        # reminded, as penalties billed, apart from the principal
        claim = self.env["account.relance.letter"]._claim(move | penalty, late)
        self.assertEqual(claim["penalties_billed"], penalty.amount_residual)
        self.assertEqual(claim["principal"], 1200.0)
        self.assertEqual(claim["indemnity_count"], 1, "no second indemnity")

    def test_capitalised_interest_after_a_whole_year(self):
        """Capitalisation (1343-2): interest billed for at least a whole year bears
        interest from the penalty invoice's due date; a shorter period does not."""
        self.customer.relance_capitalize = True
        move = self.invoice(amount=10000.0)
        short = self._penalty_invoice(move, self.day0 + timedelta(days=100))
        self.assertEqual(short.relance_compute_penalties(on_date=date(2027, 6, 1))["interest"], 0)
        other = self.invoice(amount=10000.0, due=date(2024, 1, 15))
        yearly = self._penalty_invoice(other, date(2025, 3, 1))
        interest_line = yearly.invoice_line_ids.filtered(
            lambda line: line.relance_penalty_kind == "interest"
        )
        self.assertGreaterEqual(
            (interest_line.relance_penalty_date_to - interest_line.relance_penalty_date_from).days,
            365,
        )
        result = yearly.relance_compute_penalties(on_date=yearly.invoice_date_due + timedelta(30))
        self.assertGreater(result["interest"], 0)
        self.assertEqual(result["indemnity"], 0.0)
        self.assertEqual(result["segments"][0]["base"], interest_line.price_subtotal)

    # ------------------------------------------------------------------ 4. contractual floor
    def test_contractual_rate_below_the_floor_of_2024(self):
        """9 % accepted in 2026 (floor 3 x 2.62 = 7.86 %), on an invoice due 2023-12-31 and
        computed on 2024-07-10: 2024-H1 at its floor 15.21 %, 2024-H2 at 14.76 %."""
        self.customer.with_company(self.company).relance_contract_rate = 9.0
        move = self.invoice(amount=1000.0, due=date(2023, 12, 31))
        result = move.relance_compute_penalties(on_date=date(2024, 7, 10))
        self.assertEqual(
            [(s["rate"], s["basis"]) for s in result["segments"]],
            [(15.21, "floor"), (14.76, "floor")],
        )
        self.assertEqual(result["interest"], 79.89)
        label = move._relance_rate_label(on_date=date(2024, 7, 10))
        self.assertIn("floor", label)
        self.assertRegex(label, r"9[.,]00 %")

    def test_consumer_contract_rate_only_when_agreed(self):
        consumer = self.env["res.partner"].create({"name": "Paul Martin", "email": "p@m.example"})
        consumer.with_company(self.company).relance_contract_rate = 9.0
        self.assertIsNone(consumer._relance_contract_rate(self.company))
        self.assertNotIn(
            "contractual", consumer.env["account.relance.rate"]._rate_label(self.company, consumer)
        )
        consumer.relance_consumer_contract = True
        self.assertEqual(consumer._relance_contract_rate(self.company), 9.0)
        self.assertIn(
            "contractual", self.env["account.relance.rate"]._rate_label(self.company, consumer)
        )

    # ------------------------------------------------------------------ 5. formal notice
    def test_notice_interest_runs_until_payment_in_full(self):
        move = self.invoice(amount=1200.0)
        self.walk((7, 21, 30, 45, 60))
        notice = self.events_of(move).filtered(lambda e: e.channel == "formal_notice")
        html = self.html(NOTICE, notice)
        self.assertIn("until payment in full", html)
        self.assertIn("Detail of the late-payment interest", html)
        self.assertIn("ECB main refinancing rate + 10 points", html)

    def test_notice_refused_without_the_creditor_s_identity(self):
        move = self.invoice(amount=1200.0)
        self.walk((7, 21, 30, 45, 60))
        notice = self.events_of(move).filtered(lambda e: e.channel == "formal_notice")
        self.company.company_registry = False
        dialog = Form(
            self.env["account.relance.notice"].with_context(
                **notice.action_open_notice()["context"]
            )
        )
        self.assertIn("SIREN", dialog.creditor_warning)
        with self.assertRaisesRegex(UserError, "SIREN"):
            dialog.save().action_generate()
        self.assertEqual(notice.state, "todo")

    def test_notice_done_from_its_activity_has_a_sending_date(self):
        move = self.invoice(amount=1200.0)
        self.walk((7, 21, 30, 45, 60))
        notice = self.events_of(move).filtered(lambda e: e.channel == "formal_notice")
        with freeze_time(self.day0 + timedelta(days=62)):
            notice.activity_id.action_feedback(feedback="Envoyée par La Poste")
        self.assertEqual(notice.state, "done")
        self.assertEqual(notice.sent_date, self.day0 + timedelta(days=62))
        html = self.html(DOSSIER, self.customer)
        self.assertIn("Formal notice sent on", html)
        self.assertNotIn("required before any legal action", html)

    # ------------------------------------------------------------------ 6. odd data
    def test_customer_in_a_language_not_installed(self):
        """Imported with German, which is not installed: the reminder is written in the
        company's language, and the customer's chatter says so."""
        self.company.partner_id.lang = "fr_FR"
        self.env.cr.execute(
            "UPDATE res_partner SET lang = 'de_DE' WHERE id = %s", [self.customer.id]
        )
        self.customer.invalidate_recordset(["lang"])
        self.assertFalse(self.env["res.lang"]._lang_get("de_DE").active)
        move = self.invoice(amount=500.0)
        self.run_relance(self.day0 + timedelta(days=7))
        action = self.events_of(move)
        self.assertEqual(action._relance_lang(), "fr_FR")
        self.assertIn("Bonjour", action.mail_id.body_html)
        self.assertIn("de_DE", action.note)
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: "de_DE" in (m.body or "")),
            "said in the customer's chatter",
        )

    def test_invoice_of_a_technical_user_goes_to_somebody_working(self):
        """An invoice created by OdooBot (an import, an automated flow): its salesperson
        is nobody to give a step to; the company's default responsible gets it."""
        controller = self.env["res.users"].create(
            {
                "name": "Contrôleur crédit",
                "login": "controleur",
                "group_ids": [Command.set(self.env.ref("account.group_account_invoice").ids)],
            }
        )
        self.company.relance_user_id = controller
        move = self.invoice(amount=500.0, invoice_user_id=self.env.ref("base.user_root").id)
        cron = self.env["account.relance.run"].with_user(self.env.ref("base.user_root"))
        cron.with_company(self.company)._run(
            companies=self.company, today=self.day0 + timedelta(days=7)
        )
        self.assertEqual(self.events_of(move).user_id, controller)

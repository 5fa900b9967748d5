# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a credit controller meets in the morning, through the dialogs as the browser
submits them (``Form`` on their views)."""

from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import RelanceCommon

RECORDED_ECB = (Path(__file__).parent / "data" / "ecb_mro_2026-07-01.csv").read_text()


class _Answer:
    def __init__(self, text, status=200):
        self.text, self.status_code = text, status

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} error")


@tagged("post_install", "-at_install")
class TestRelanceMorning(RelanceCommon):
    def dialog(self, action):
        return Form(self.env[action["res_model"]].with_context(**action["context"]))

    # ------------------------------------------------------------------ 1. penalties
    def test_penalty_dialog_as_the_browser_submits_it(self):
        move = self.invoice(amount=1200.0)
        with freeze_time(self.day0 + timedelta(days=64)):
            dialog = self.dialog(move.action_relance_bill_penalties())
            self.assertEqual(len(dialog.line_ids), 1)
            action = dialog.save().action_create_invoices()
        penalty = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(
            sorted(penalty.invoice_line_ids.mapped("relance_penalty_kind")),
            ["indemnity", "interest"],
        )
        self.assertEqual(penalty.invoice_line_ids.relance_penalty_origin_id, move)
        # 1200 x 12.15 % x 64 / 365 = 25.56, and 40 EUR
        self.assertEqual(penalty.amount_total, 65.56)

    # ------------------------------------------------------------------ 3. formal notice
    def test_formal_notice_dialog_closes_and_issues_once(self):
        move = self.invoice()
        self.walk((7, 21, 30, 45, 60))
        notice = self.events_of(move).filtered(lambda e: e.channel == "formal_notice")
        with freeze_time(self.day0 + timedelta(days=61)):
            dialog = self.dialog(notice.action_open_notice())
            dialog.registered_number = "1A 000 000 0000 1"
            result = dialog.save().action_generate()
            self.assertTrue(result["close_on_report_download"], "the dialog closes")
            self.assertEqual(notice.state, "done")
            again = self.dialog(notice.action_open_notice()).save()
            with self.assertRaisesRegex(UserError, "already generated"):
                again.action_generate()
        self.assertEqual(len(notice.message_ids.attachment_ids), 1, "one letter archived")

    # ------------------------------------------------------------------ 4. the email
    def test_reminder_email_has_the_company_s_header_and_names_its_invoices(self):
        self.company.write({"name": "Créances Matin SAS", "company_registry": "12345678900011"})
        moves = self.invoice(amount=100.0) | self.invoice(amount=200.0)
        self.run_relance(self.day0 + timedelta(days=7))
        action = self.events_of(moves)
        mail = action.mail_id
        self.assertNotIn("Your Dunning action", mail.body_html)
        self.assertNotIn(action.name, mail.body_html)
        self.assertIn("Créances Matin SAS", mail.body_html)
        self.assertIn("SIRET 12345678900011", mail.body_html)
        names = sorted(moves.mapped("name"))
        self.assertEqual(
            mail.subject,
            f"Créances Matin SAS – Reminder: invoices {names[0]}, {names[1]} awaiting payment",
        )
        self.assertIn("the invoices below", mail.body_html)
        # one invoice, in French: the singular
        single = self.invoice(partner=self.customer_fr, amount=300.0)
        self.run_relance(self.day0 + timedelta(days=7))
        french = self.events_of(single).mail_id
        self.assertEqual(
            french.subject,
            f"Créances Matin SAS – Rappel : facture {single.name} en attente de paiement",
        )
        self.assertIn("la facture ci-dessous", french.body_html)

    def test_subject_shortens_a_long_list(self):
        moves = self.env["account.move"].union(*(self.invoice(amount=10.0) for _i in range(5)))
        self.run_relance(self.day0 + timedelta(days=7))
        action = self.events_of(moves)
        names = sorted(moves.mapped("name"))
        self.assertEqual(
            action._relance_invoice_refs(),
            f"invoices {names[0]}, {names[1]}, {names[2]} and 2 others",
        )

    # ------------------------------------------------------------------ 7. credits, disputes
    def test_reminder_deducts_credits_and_refuses_what_they_cover(self):
        move = self.invoice(amount=500.0)
        self.invoice(amount=200.0, move_type="out_refund")
        disputed = self.invoice(amount=80.0)
        disputed.action_relance_set_hold("dispute", note="Prix contesté")
        with freeze_time(self.day0 + timedelta(days=10)):
            dialog = self.dialog(move.action_relance_send())
            self.assertEqual(dialog.claim_ids[:], move)
            self.assertEqual((dialog.claim_amount, dialog.credit_amount), (500.0, 200.0))
            self.assertIn("deducts them", dialog.warning)
            self.assertIn(disputed.name, dialog.warning)
            self.assertIn("Prix contesté", dialog.warning)
            result = dialog.save().action_send()
        action = self.env["account.relance.event"].browse(result["res_id"])
        self.assertEqual((action.amount_due, action.credit_amount), (500.0, 200.0))
        self.assertNotIn(disputed, action.line_ids.move_id)
        # a credit note covering the claim: refused
        other = self.invoice(partner=self.customer_fr, amount=100.0)
        self.invoice(partner=self.customer_fr, amount=150.0, move_type="out_refund")
        with freeze_time(self.day0 + timedelta(days=10)):
            dialog = self.dialog(other.action_relance_send())
            self.assertIn("cover what this step claims", dialog.warning)
            with self.assertRaisesRegex(UserError, "cover what this step claims"):
                dialog.save().action_send()

    def test_claiming_a_paused_invoice_is_recorded(self):
        move = self.invoice(amount=500.0)
        promised = self.invoice(amount=300.0)
        promised.action_relance_set_hold("promise", promise_date=self.day0 + timedelta(days=30))
        with freeze_time(self.day0 + timedelta(days=10)):
            dialog = self.dialog(move.action_relance_send())
            self.assertEqual(len(dialog.paused_line_ids), 1)
            with dialog.paused_line_ids.edit(0) as line:
                self.assertIn("payment promised", line.reason)
                line.include = True
            with self.assertRaisesRegex(UserError, "Say why"):
                dialog.save().action_send()
            dialog.include_reason = "Promesse non tenue selon la banque"
            result = dialog.save().action_send()
        action = self.env["account.relance.event"].browse(result["res_id"])
        self.assertEqual(action.line_ids.move_id, move | promised)
        self.assertIn("Promesse non tenue", action.note)
        self.assertIn(self.env.user.name, action.note)

    # ------------------------------------------------------------------ 9. companies
    def test_board_columns_by_step_across_companies(self):
        other = self.setup_other_company(name="Filiale Belge")["company"]
        other._relance_ensure_policy()
        self.invoice(amount=100.0)
        self.invoice(amount=200.0, company=other)
        day = self.day0 + timedelta(days=7)
        self.run_relance(day)
        self.run_relance(day, company=other)
        # as the kanban asks: the empty columns of the steps too
        Board = self.env["account.relance.board"].with_context(
            allowed_company_ids=[self.company.id, other.id], read_group_expand=True
        )
        groups = Board.web_read_group([], ["step"], ["__count", "amount_overdue_main:sum"])
        steps = [group["step"] for group in groups["groups"]]
        self.assertEqual(len(steps), len(set(steps)), "one column per step")
        first = self.level(0).name
        column = next(group for group in groups["groups"] if group["step"] == first)
        self.assertEqual(column["__count"], 2, "the cards of both companies")
        self.assertEqual(steps[0], "Not reminded yet")

    # ------------------------------------------------------------------ 10. rates
    def test_ecb_rate_fetched_from_a_recorded_answer(self):
        rate = self.env["account.relance.rate"].create(
            {
                "date_start": date(2026, 7, 1),
                "ecb_rate": 0.0,
                "legal_rate_pro": 2.5,
                "legal_rate_private": 6.5,
            }
        )
        with patch.object(requests, "get", return_value=_Answer(RECORDED_ECB)) as get:
            rate.action_fetch_ecb_rate()
        self.assertEqual(get.call_args.kwargs["params"]["endPeriod"], "2026-07-01")
        self.assertEqual(rate.ecb_rate, 2.15)
        self.assertEqual(rate.default_rate, 12.15)
        offline = requests.ConnectionError("Name or service not known")
        with patch.object(requests, "get", side_effect=offline):
            with self.assertRaisesRegex(UserError, "could not give the rate"):
                rate.action_fetch_ecb_rate()
        with patch.object(requests, "get", return_value=_Answer("busy", status=503)):
            with self.assertRaisesRegex(UserError, "Banque de France"):
                rate.action_fetch_ecb_rate()

    def test_managers_asked_for_the_new_semester(self):
        Rate = self.env["account.relance.rate"]
        manager = new_test_user(
            self.env,
            login="rates.manager",
            name="Responsable comptable",
            groups="account.group_account_manager,account_relance_fr.group_relance_manager",
        )
        with freeze_time("2026-07-01"):
            Rate._cron_remind_semester()
            Rate._cron_remind_semester()  # twice: one activity
        latest = Rate.search([], order="date_start desc", limit=1)
        asked = latest.activity_ids.filtered(lambda a: a.user_id == manager)
        self.assertEqual(len(asked), 1)
        self.assertIn("2026-H2", asked.summary)
        with freeze_time("2026-03-01"):  # its semester is recorded: nothing asked
            latest.activity_ids.unlink()
            Rate._cron_remind_semester()
        self.assertFalse(latest.activity_ids)

    def test_internal_warnings_stay_off_the_collection_file(self):
        self.invoice(amount=1000.0)
        with freeze_time("2026-12-05"):  # 2026-H2 not recorded: provisional in Odoo
            move = self.env["account.move"].search([("partner_id", "=", self.customer.id)])
            self.assertIn("Provisional", move.relance_penalty_warning)
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html("account_relance_fr.report_relance_dossier", self.customer.ids)[
                    0
                ]
                .decode()
            )
        self.assertNotIn("Provisional", html)
        self.assertNotIn("Record the new semester", html)

    # ------------------------------------------------------------------ small things
    def test_words_of_the_history(self):
        move = self.invoice()
        self.walk((7, 21, 30), perform=())
        call = self.events_of(move)[-1]
        note = self.customer.message_ids.filtered(lambda m: call.level_id.name in (m.body or ""))
        self.assertTrue(note)
        self.assertNotIn(f"{call.level_id.name} (", note[0].body, "the channel said once")
        self.assertEqual(
            call.with_context(lang="fr_FR").display_name,
            f"{self.customer.name} — {call.level_id.with_context(lang='fr_FR').name} — 14/02/2026",
        )

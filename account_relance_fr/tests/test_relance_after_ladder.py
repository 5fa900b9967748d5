# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""After the ladder: payment plans, insolvency proceedings, hand-off to a collector, and a
ladder that never just stops."""

import io
import re
import zipfile
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceAfterLadder(RelanceCommon):
    def html(self, report, records, lang="en_US"):
        report_model = self.env["ir.actions.report"].with_context(lang=lang)
        html = report_model._render_qweb_html(report, records.ids)[0].decode()
        return re.sub(r"\s+", " ", html)

    def open_form(self, action):
        return Form(self.env[action["res_model"]].with_context(**action["context"]))

    # ------------------------------------------------------------------ 1. payment plans
    def _plan(self, amounts=(1000.0, 500.0), count=3, first=None, **values):
        moves = self.env["account.move"].union(*(self.invoice(amount=a) for a in amounts))
        with freeze_time(self.day0 + timedelta(days=10)):
            card = self.env["account.relance.board"].search([("partner_id", "=", self.customer.id)])
            form = self.open_form(card.action_payment_plan())
            self.assertEqual(set(form.move_ids.ids), set(moves.ids), "the overdue invoices")
            form.instalment_count = count
            form.first_date = first or self.day0 + timedelta(days=40)
            for field, value in values.items():
                setattr(form, field, value)
            plan = form.save()
            plan.action_compute_schedule()
            plan.action_activate()
        return plan, moves

    def test_plan_made_from_the_board_holds_the_ladder_and_is_kept(self):
        plan, moves = self._plan()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.amount, 1500.0)
        self.assertEqual(plan.line_ids.mapped("amount"), [500.0, 500.0, 500.0])
        self.assertEqual(
            plan.line_ids.mapped("date"),
            [date(2026, 2, 24), date(2026, 3, 24), date(2026, 4, 24)],
            "monthly from the first date",
        )
        self.assertEqual(set(moves.mapped("relance_hold")), {"plan"})
        self.assertTrue(plan.name.startswith("PLAN/"))
        reasons = self.env["account.relance.pause"]._reasons(moves)
        self.assertIn(plan.name, reasons[moves[0]])
        # the ladder leaves them alone while the plan holds
        self.run_relance(self.day0 + timedelta(days=30))
        self.assertFalse(self.events_of(moves))
        # a first payment pays the first instalment (within the tolerance of 1.00)
        self._register_payment(moves[1], amount=499.5, payment_date=date(2026, 2, 20))
        self.assertEqual(plan.line_ids.mapped("paid"), [True, False, False])
        # everything paid: kept at the next night, its invoices leave the dunning
        self._register_payment(moves[0], payment_date=date(2026, 3, 20))
        self._register_payment(moves[1], payment_date=date(2026, 3, 20))
        self.run_relance(date(2026, 3, 21))
        self.assertEqual(plan.state, "done")
        board = self.env["account.relance.plan"].formatted_read_group(
            [("partner_id", "=", self.customer.id)], ["state"], ["__count"]
        )
        self.assertEqual([(g["state"], g["__count"]) for g in board], [("done", 1)])

    def test_missed_instalment_reminded_then_breaks_the_plan(self):
        plan, moves = self._plan(count=2)
        first = plan.line_ids[0].date  # 2026-02-24
        # announced 5 days before it falls due, once
        for day in (first - timedelta(days=5), first - timedelta(days=4)):
            with freeze_time(day):
                self.run_relance(day)
        announced = plan.message_ids.filtered(lambda m: "next instalment" in (m.subject or ""))
        self.assertEqual(len(announced), 1)
        self.assertEqual(
            announced.partner_ids, self.customer, announced.partner_ids.mapped("display_name")
        )
        # an email to the customer, not a reminder of the ladder (no dunning action sends it)
        self.assertEqual(announced.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertTrue(
            self.env["mail.mail"].search_count([("mail_message_id", "=", announced.id)]),
            "queued as an email",
        )
        # missed: reminded the day after, once
        for day in (first + timedelta(days=1), first + timedelta(days=2)):
            with freeze_time(day):
                self.run_relance(day)
        self.assertEqual(plan.state, "active")
        reminded = plan.message_ids.filtered(lambda m: "instalment unpaid" in (m.subject or ""))
        self.assertEqual(len(reminded), 1)
        # unpaid after the 5 grace days: broken, the ladder resumes where it stood
        day = first + timedelta(days=6)
        with freeze_time(day):
            self.run_relance(day)
        self.assertEqual(plan.state, "broken")
        self.assertEqual(set(moves.mapped("relance_hold")), {False})
        self.assertTrue(plan.message_ids.filtered(lambda m: "ended" in (m.subject or "")))
        self.assertTrue(plan.activity_ids.filtered(lambda a: "broken" in a.summary))
        self.assertTrue(self.events_of(moves), "dunned again the same night")

    def test_signed_plan_acknowledges_the_debt(self):
        consumer = self.env["res.partner"].create({"name": "Léa Martin", "email": "l@m.example"})
        move = self.invoice(partner=consumer, amount=600.0)
        self.assertEqual(move.relance_prescription_date, date(2028, 1, 15))
        plan = self.env["account.relance.plan"].create(
            {
                "partner_id": consumer.id,
                "move_ids": [Command.set(move.ids)],
                "instalment_count": 2,
                "first_date": date(2026, 3, 1),
            }
        )
        plan.action_compute_schedule()
        plan.action_activate()
        plan.signature_date = date(2026, 2, 10)
        self.assertEqual(move.relance_acknowledgment_date, date(2026, 2, 10))
        # 2 years from the acknowledgment (Code civil 2240, Code de la consommation L218-2)
        self.assertEqual(move.relance_prescription_date, date(2028, 2, 10))
        html = self.html("account_relance_fr.action_report_relance_plan", plan, lang="fr_FR")
        self.assertIn("2240", html)
        self.assertIn(plan.name, html)

    def test_plan_with_its_penalties(self):
        plan, moves = self._plan(amounts=(1200.0,), count=2, include_penalties=True)
        penalty = plan.move_ids - moves
        self.assertTrue(penalty.relance_is_penalty)
        self.assertEqual(penalty.state, "posted")
        # 10 days at 12.15 % on 1,200.00 (3.99) and the 40.00 indemnity
        self.assertEqual(plan.amount, 1243.99)
        self.assertEqual(sum(plan.line_ids.mapped("amount")), 1243.99)
        self.assertEqual(penalty.relance_hold, "plan")

    # ------------------------------------------------------------------ 2. insolvency
    def test_insolvency_stops_the_claims_before_the_judgment(self):
        before = self.invoice(amount=1000.0)  # invoiced 2025-12-16, due 2026-01-15
        after = self.invoice(amount=300.0, due=date(2026, 3, 15))  # invoiced 2026-02-13
        with freeze_time("2026-02-20"):
            form = self.open_form(self.customer.action_relance_insolvency())
            form.kind = "receivership"
            form.judgment_date = date(2026, 2, 1)
            form.bodacc_date = date(2026, 2, 10)
            form.court = "Tribunal de commerce de Lyon"
            record = form.save()
        # declared within 2 months of the BODACC publication (R622-24)
        self.assertEqual(record.declaration_deadline, date(2026, 4, 10))
        self.assertEqual(record.move_ids, before)
        self.assertEqual(before.relance_hold, "insolvency")
        self.assertFalse(after.relance_hold, "chased as usual")
        self.assertEqual(
            (before.relance_posterior_claim, after.relance_posterior_claim), (False, True)
        )
        activity = record.activity_ids
        self.assertEqual(activity.date_deadline, date(2026, 4, 10))
        # no reminder for the claim before the judgment; the later invoice is dunned
        self.run_relance(date(2026, 3, 25))
        self.assertFalse(self.events_of(before))
        self.assertTrue(self.events_of(after))
        # its interest stops at the judgment (L622-28): 17 days at 12.15 % on 1,000.00
        at_judgment = before.relance_compute_penalties(on_date=date(2026, 2, 1))
        later = before.relance_compute_penalties(on_date=date(2026, 6, 1))
        self.assertEqual(later["interest"], at_judgment["interest"])
        self.assertEqual(at_judgment["interest"], 5.66)
        # a warning when the deadline nears
        with freeze_time("2026-04-01"):
            record.invalidate_recordset(["declaration_warning"])
            self.assertIn("9 days left", record.declaration_warning)
        # 4 months for a creditor outside mainland France
        record.abroad = True
        self.assertEqual(record.declaration_deadline, date(2026, 6, 10))
        # the declaration: amounts due at the judgment, the invoices, the sureties
        html = self.html("account_relance_fr.action_report_relance_declaration", record)
        self.assertIn("DÉCLARATION DE CRÉANCE", html)
        self.assertIn("R622-23", html)
        self.assertIn("Tribunal de commerce de Lyon", html)
        self.assertIn(before.name, html)
        self.assertNotIn(after.name, html)
        record.action_declared()
        self.assertEqual((record.state, record.declared_amount), ("declared", 1045.66))
        self.assertFalse(record.activity_ids)
        record.action_close()
        self.assertFalse(before.relance_hold)

    def test_declaration_lists_the_instalments_not_yet_due_apart(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50/50",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 90}),
                ],
            }
        )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 1, 1),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "x", "quantity": 1, "price_unit": 800.0, "tax_ids": False}
                    )
                ],
            }
        )
        move.action_post()
        record = self.env["account.relance.insolvency"].create(
            {
                "partner_id": self.customer.id,
                "kind": "safeguard",
                "judgment_date": date(2026, 2, 15),
            }
        )
        claim = record._declaration_values()["claim"]
        self.assertEqual((claim["principal"], claim["later"]), (400.0, 400.0))

    # ------------------------------------------------------------------ 3. collectors
    def test_handoff_to_a_collector(self):
        agency = self.env["res.partner"].create(
            {
                "name": "Recouvrement Express",
                "email": "dossiers@recouvrement.example",
                "is_company": True,
                "relance_agent_type": "agency",
            }
        )
        move = self.invoice(amount=2000.0)
        with freeze_time(self.day0 + timedelta(days=70)):
            form = self.open_form(self.customer.action_relance_handoff())
            form.agent_id = agency
            form.fee_terms = "15 % of the amounts recovered"
            handoff = form.save()
            self.assertEqual(handoff.move_ids, move)
            handoff.action_hand_over()
            self.assertEqual(move.relance_hold, "handoff")
            self.run_relance(self.day0 + timedelta(days=80))
            self.assertFalse(self.events_of(move), "left to the collector")
            handoff.action_send_file()
        sent = handoff.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertEqual(sent.partner_ids, agency)
        archive = zipfile.ZipFile(io.BytesIO(sent.attachment_ids.raw))
        self.assertTrue(any(name.startswith("Dossier") for name in archive.namelist()))
        handoff.message_post(body="Le débiteur propose 1 000 EUR", message_type="comment")
        self._register_payment(move, amount=1200.0, payment_date=self.day0 + timedelta(days=90))
        self.assertEqual(handoff.amount_recovered, 1200.0)
        handoff.fee_amount = 180.0
        handoff.action_close()
        self.assertFalse(move.relance_hold, "back to the ladder for the rest")
        groups = self.env["account.relance.handoff"].formatted_read_group(
            [("agent_id", "=", agency.id)], ["agent_id"], ["amount_recovered:sum", "fee_amount:sum"]
        )
        self.assertEqual(
            (groups[0]["amount_recovered:sum"], groups[0]["fee_amount:sum"]), (1200.0, 180.0)
        )

    # ------------------------------------------------------------------ 4. endings
    def _to_the_last_step(self, move):
        self.walk((7, 21, 30, 45, 60))
        notice = self.events_of(move).filtered(lambda e: e.channel == "formal_notice")
        with freeze_time(self.day0 + timedelta(days=60)):
            notice._relance_done()
        return notice

    def test_last_step_repeated_until_paid(self):
        self.policy.write({"end_mode": "repeat", "repeat_days": 14})
        move = self.invoice(amount=700.0)
        self._to_the_last_step(move)
        repeated = self.policy._ending().level_id
        self.assertEqual(self.env["account.relance.level"].browse(repeated).channel, "email")
        self.assertEqual(move.relance_next_date, self.day0 + timedelta(days=74))
        for offset in (73, 74, 74, 88):
            day = self.day0 + timedelta(days=offset)
            with freeze_time(day):
                self.run_relance(day)
        lines = move.relance_event_line_ids.filtered(lambda line: line.repeat)
        self.assertEqual(sorted(lines.mapped("repeat")), [1, 2], "every 14 days, once each")
        self.assertEqual(lines.event_id.mapped("channel"), ["email", "email"])
        self.assertEqual(
            sorted(lines.event_id.mapped("date")),
            [self.day0 + timedelta(days=74), self.day0 + timedelta(days=88)],
        )
        self.assertEqual(move.relance_level_id.channel, "formal_notice", "it stays on its step")
        self.assertTrue(lines.event_id.mail_id)

    def test_last_step_proposes_the_hand_off(self):
        self.policy.end_mode = "handoff"
        move = self.invoice(amount=700.0)
        self._to_the_last_step(move)
        self.assertFalse(move.relance_next_date)
        asked = self.customer.activity_ids.filtered(
            lambda a: a.summary == "Hand the file to a collector"
        )
        self.assertEqual(len(asked), 1)
        self.policy.end_mode = "injunction"
        other = self.invoice(partner=self.customer_fr, amount=900.0)
        self._to_the_last_step(other)
        self.assertTrue(self.customer_fr.activity_ids.filtered(lambda a: "injunction" in a.summary))

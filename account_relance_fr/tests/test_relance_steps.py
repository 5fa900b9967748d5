# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A customer hears one voice, and the ladder waits for the steps a person performs."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceSteps(RelanceCommon):
    def card(self, partner=None):
        return self.env["account.relance.board"].search(
            [
                ("partner_id", "=", (partner or self.customer).id),
                ("company_id", "=", self.company.id),
            ]
        )

    def test_one_voice_for_the_customer(self):
        """A newer invoice is claimed by the customer's next step, never by a ladder of its
        own; one that falls due between two steps joins the current one, silently."""
        a = self.invoice(amount=100.0)
        b = self.invoice(amount=200.0, due=self.day0 + timedelta(days=15))
        c = self.invoice(amount=400.0, due=self.day0 + timedelta(days=31))
        self.walk((7,))
        self.assertEqual(self.events_of(a | b | c).line_ids.move_id, a, "b is not due yet")
        # day 21: the second reminder claims a and b (overdue 6 days), in one email
        self.walk((21, 22))
        second = self.events_of(b)
        self.assertEqual(len(second), 1)
        self.assertEqual((second.level_id, second.line_ids.move_id), (self.level(1), a | b))
        self.assertIn(b.name, second.mail_id.body_html)
        self.assertEqual(b.relance_level_id, self.level(1))
        # day 30 the call (made that day); c, due on day 31, reaches its first step on day
        # 38 while the customer is at the call: it joins the call, without any reminder
        self.walk((30, 38))
        self.assertEqual(c.relance_level_id, self.level(2))
        self.assertTrue(c.relance_joined)
        self.assertFalse(self.events_of(c))
        self.assertIn("joined that step", c.message_ids[:1].body)
        self.assertEqual(c.relance_next_level_id, self.level(3))
        # day 45: the registered letter claims the three invoices
        self.walk((45,))
        letter = self.events_of(c)
        self.assertEqual((letter.level_id, letter.line_ids.move_id), (self.level(3), a | b | c))
        self.assertEqual(letter.amount_due, 700.0)

    def test_manual_step_holds_the_ladder_until_done_or_skipped(self):
        move = self.invoice()
        self.walk((7, 21, 30), perform=())
        call = self.events_of(move)[-1]
        self.assertEqual((call.channel, call.state), ("phone", "todo"))
        self.walk((45, 60, 90), perform=())
        self.assertEqual(self.events_of(move)[-1], call, "the ladder waits for the call")
        self.assertEqual(self.card().next_level_id, self.level(3))
        # skipped, with its reason, through the dialog of the action's button
        with freeze_time(self.day0 + timedelta(days=91)):
            action = call.action_skip()
            dialog = Form(self.env[action["res_model"]].with_context(**action["context"]))
            dialog.reason = "Client injoignable, dossier suivi par courrier"
            dialog.save().action_skip()
        self.assertEqual(call.state, "skipped")
        self.assertIn("Client injoignable", call.note)
        self.assertIn(self.env.user.name, call.note)
        self.assertFalse(call.activity_ids)
        self.assertIn("Client injoignable", self.customer.message_ids[:1].body)
        # the next step keeps the ladder's spacing from the day it was skipped
        self.walk((105,), perform=())
        self.assertEqual(self.events_of(move)[-1], call)
        self.walk((106,), perform=())
        self.assertEqual(self.events_of(move)[-1].level_id, self.level(3))

    def test_higher_step_closes_the_lower_ones(self):
        move = self.invoice()
        self.walk((7, 21, 30), perform=())
        call = self.events_of(move)[-1]
        with freeze_time(self.day0 + timedelta(days=40)):
            self.drop_card(self.card(), self.level(4))
        notice = self.events_of(move)[-1]
        self.assertEqual(notice.level_id, self.level(4))
        self.assertEqual(call.state, "cancel")
        self.assertIn(self.level(4).name, call.note)
        self.assertFalse(call.activity_ids, "its activity is done")

    def test_remind_performs_the_card_s_next_step(self):
        """From a card at the registered letter: the dialog proposes the formal notice, for
        every overdue invoice of the customer, among the levels of its own policy; its
        button prepares the notice and opens its dialog."""
        old = self.invoice(amount=100.0)
        self.walk((7, 21, 30, 45))
        newer = self.invoice(amount=300.0, due=self.day0 + timedelta(days=40))
        not_due = self.invoice(amount=50.0, due=self.day0 + timedelta(days=90))
        card = self.card()
        self.assertEqual(card.level_id, self.level(3))
        with freeze_time(self.day0 + timedelta(days=50)):
            action = card.action_send_reminder()
            dialog = Form(self.env[action["res_model"]].with_context(**action["context"]))
            self.assertEqual(dialog.level_id, self.level(4))
            self.assertEqual(dialog.channel, "formal_notice")
            self.assertEqual(set(dialog.claim_ids.ids), {old.id, newer.id})
            self.assertNotIn(not_due, dialog.claim_ids)
            other_policy = self.env["account.relance.level"].search(
                [("policy_id", "!=", self.policy.id), ("company_id", "=", self.company.id)]
            )
            self.assertTrue(other_policy)
            self.assertEqual(dialog.policy_id, self.policy, "the levels offered are its own")
            result = dialog.save().action_send()
        self.assertEqual(result["res_model"], "account.relance.notice")
        notice = self.events_of(old)[-1]
        self.assertEqual(notice.level_id, self.level(4))
        self.assertEqual(notice.line_ids.move_id, old | newer)
        self.assertEqual(result["context"]["active_id"], notice.id)

    def test_call_logged_in_the_history(self):
        """A call logged from the board, besides the ladder, is a dunning action of its own
        in the customer's and the invoices' history."""
        move = self.invoice()
        self.walk((7,))
        with freeze_time(self.day0 + timedelta(days=12)):
            action = self.card().action_log_call()
            dialog = Form(self.env[action["res_model"]].with_context(**action["context"]))
            dialog.outcome = "reached"
            dialog.note = "Le client vérifie avec sa banque"
            dialog.save().action_log()
        call = self.events_of(move).filtered(lambda e: e.channel == "phone")
        self.assertEqual((call.state, call.level_id.id), ("done", False))
        self.assertIn("Le client vérifie", call.note)
        self.assertIn(call, self.customer.relance_event_ids)
        self.assertIn(call, move.relance_event_line_ids.event_id)
        self.assertEqual(move.relance_level_id, self.level(0), "the ladder is unchanged")

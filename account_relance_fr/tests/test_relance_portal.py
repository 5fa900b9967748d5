# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's own view, in the portal: what it owes, the reminders and letters, its
answers; and nothing of the other customers."""

from datetime import timedelta

from odoo import Command, fields, http
from odoo.tests import HttpCase, tagged

from .common import RelanceCommon
from .pictures import TourPictures


@tagged("post_install", "-at_install")
class TestRelancePortal(TourPictures, RelanceCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.customer_fr
        today = fields.Date.today()
        cls.mine = cls.invoice(amount=1200.0, due=today - timedelta(days=20))
        cls.theirs = cls.invoice(partner=cls.other, amount=800.0, due=today - timedelta(days=20))
        contact = cls.env["res.partner"].create(
            {"name": "Marie Compta", "parent_id": cls.customer.id, "email": "marie@b.example"}
        )
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "Marie Compta",
                "login": "marie_portal",
                "password": "marie_portal",
                "partner_id": contact.id,
                "group_ids": [Command.set([cls.env.ref("base.group_portal").id])],
            }
        )
        cls.letters = {}
        for partner, move in ((cls.customer, cls.mine), (cls.other, cls.theirs)):
            action = cls.env["account.relance.event"].create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "currency_id": cls.company.currency_id.id,
                    "channel": "registered_letter",
                    "level_id": cls.levels.filtered(lambda lv: lv.channel == "registered_letter")[
                        :1
                    ].id,
                    "state": "done",
                    "line_ids": [
                        Command.create({"move_id": move.id, "currency_id": move.currency_id.id})
                    ],
                }
            )
            action.message_post(
                body="Lettre recommandée envoyée",
                attachments=[("Relance.pdf", b"%PDF-1.4 relance " + partner.name.encode())],
            )
            cls.letters[partner] = action

    def test_only_its_own_invoices_and_letters(self):
        self.authenticate("marie_portal", "marie_portal")
        page = self.url_open("/my/relances").text
        self.assertIn(self.mine.name, page)
        self.assertNotIn(self.theirs.name, page)
        self.assertIn(f"/my/relances/letter/{self.letters[self.customer].id}", page)
        self.assertNotIn(f"/my/relances/letter/{self.letters[self.other].id}", page)
        # the letter it received, and not the other customer's
        mine = self.url_open(f"/my/relances/letter/{self.letters[self.customer].id}")
        self.assertEqual(mine.status_code, 200)
        self.assertTrue(mine.content.startswith(b"%PDF"))
        theirs = self.url_open(f"/my/relances/letter/{self.letters[self.other].id}")
        self.assertEqual(theirs.status_code, 404)

    def test_answers_pause_and_reach_the_responsible(self):
        self.authenticate("marie_portal", "marie_portal")
        csrf = http.Request.csrf_token(self)
        # on another customer's invoice: nothing
        response = self.url_open(
            f"/my/relances/{self.theirs.id}/answer",
            data={"answer": "dispute", "reason": "x", "csrf_token": csrf},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.theirs.relance_hold)
        # a dispute needs its reason
        self.url_open(
            f"/my/relances/{self.mine.id}/answer",
            data={"answer": "dispute", "reason": " ", "csrf_token": csrf},
        )
        self.assertFalse(self.mine.relance_hold)
        self.url_open(
            f"/my/relances/{self.mine.id}/answer",
            data={"answer": "dispute", "reason": "Livraison incomplète", "csrf_token": csrf},
        )
        self.mine.invalidate_recordset()
        self.assertEqual(self.mine.relance_hold, "dispute")
        self.assertEqual(self.mine.relance_hold_note, "Livraison incomplète")
        posted = self.mine.message_ids.filtered(lambda m: "Livraison incomplète" in (m.body or ""))
        self.assertIn(self.portal_user.partner_id, posted.author_id)
        activity = self.mine.activity_ids.filtered(lambda a: "Livraison" in (a.summary or ""))
        self.assertTrue(activity.user_id._relance_working())

    def test_already_paid_waits_for_the_payment(self):
        self.authenticate("marie_portal", "marie_portal")
        self.url_open(
            f"/my/relances/{self.mine.id}/answer",
            data={"answer": "paid", "csrf_token": http.Request.csrf_token(self)},
        )
        self.mine.invalidate_recordset()
        self.assertEqual(self.mine.relance_hold, "promise")
        self.assertEqual(
            self.mine.relance_promise_date,
            fields.Date.today() + timedelta(days=self.company.relance_einvoice_payment_days),
        )

    def test_portal_tour(self):
        """The customer opens its portal, finds its unpaid invoice and disputes it."""
        shots = []
        with self._screenshot_at_end("relance_portal_", shots):
            self.start_tour("/my", "relance_portal_tour", login="marie_portal")
        self._keep_picture("relance_portal_", "portal.png")
        self.mine.invalidate_recordset()
        self.assertEqual(self.mine.relance_hold, "dispute")
        self.assertEqual(self.mine.relance_hold_note, "Prix non conforme au devis")

    def test_emails_invite_to_pay_online_only_with_a_provider(self):
        Provider = self.env.get("payment.provider")
        if Provider is not None:  # Odoo's online payment: none enabled for this company
            Provider.search([("company_id", "=", self.company.id)]).state = "disabled"
        self.assertFalse(self.company._relance_pay_online())
        self.run_relance(fields.Date.today(), moves=self.mine)
        email = self.events_of(self.mine).filtered(lambda e: e.channel == "email").mail_id
        self.assertTrue(email)
        self.assertNotIn("online through the link", email.body_html)
        self.assertIn("bank transfer", email.body_html)
        self.authenticate("marie_portal", "marie_portal")
        self.assertNotIn("o_relance_portal_pay", self.url_open("/my/relances").text)
        if Provider is None:
            return
        # a provider enabled: the emails and the portal invite to pay online
        Provider.create(
            {"name": "Test", "code": "none", "state": "test", "company_id": self.company.id}
        )
        self.assertTrue(self.company._relance_pay_online())
        self.assertIn("o_relance_portal_pay", self.url_open("/my/relances").text)

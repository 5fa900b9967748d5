# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Real data is messy: each case gets a clear outcome, the run goes on, nothing is sent
twice or lost."""

from datetime import date, timedelta
from unittest.mock import patch

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_amount, format_date

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceHostileInput(RelanceCommon):
    def test_invalid_email(self):
        partner = self.env["res.partner"].create(
            {"name": "Adresse cassée", "email": "pas-une-adresse@", "is_company": True}
        )
        move = self.invoice(partner=partner)
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        self.assertEqual(event.state, "todo")
        self.assertFalse(event.mail_id)
        self.assertIn("valid email", event.error_message)

    def test_several_addresses_in_the_email_field(self):
        """An email field with several addresses (which Odoo sends to, one by one) is valid:
        the reminder goes to each of them, and a bounce of any of them fails the action."""
        partner = self.env["res.partner"].create(
            {
                "name": "Plusieurs Adresses SAS",
                "email": "compta@plusieurs.example, direction@plusieurs.example",
                "is_company": True,
            }
        )
        move = self.invoice(partner=partner)
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        self.assertFalse(event.error_message)
        self.assertEqual(event.state, "done")
        outgoing = event.mail_id._prepare_outgoing_list()
        self.assertEqual(
            sorted(email for values in outgoing for email in values["email_to_normalized"]),
            ["compta@plusieurs.example", "direction@plusieurs.example"],
        )
        self.bounce(event, "direction@plusieurs.example")
        self.assertEqual(event.state, "failed")

    def test_invoicing_contact_with_or_without_email(self):
        """The reminder goes to the customer's invoicing contact; to the customer itself
        when that contact has no address."""
        partner = self.env["res.partner"].create(
            {"name": "Contacts SARL", "email": "accueil@contacts.example", "is_company": True}
        )
        billing = self.env["res.partner"].create(
            {
                "name": "Service comptable",
                "type": "invoice",
                "parent_id": partner.id,
                "email": "compta@contacts.example",
            }
        )
        first = self.invoice(partner=partner)
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(first)
        self.assertEqual(event.contact_id, billing)
        self.assertEqual(event.mail_id.recipient_ids, billing)
        billing.email = False
        # a new reminder of its own once the first invoice is paid (an invoice falling due
        # while another is dunned joins its step instead)
        self._register_payment(first, payment_date=self.day0 + timedelta(days=7))
        second = self.invoice(partner=partner, due=self.day0 + timedelta(days=1))
        self.run_relance(self.day0 + timedelta(days=8))
        event = self.events_of(second)
        self.assertEqual(event.contact_id, partner)
        self.assertEqual(event.mail_id.recipient_ids, partner)
        self.assertFalse(event.error_message)

    def test_archived_customer_is_still_dunned(self):
        partner = self.env["res.partner"].create(
            {"name": "Client archivé", "email": "archive@example.com", "is_company": True}
        )
        move = self.invoice(partner=partner)
        partner.action_archive()
        result = self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(result["errors"], 0)
        self.assertTrue(self.events_of(move).mail_id, "a debt does not vanish with the contact")

    def test_foreign_currency_amounts(self):
        usd = self.setup_other_currency("USD", rates=[("2025-01-01", 2.0)])
        move = self.invoice(amount=1000.0, currency_id=usd.id, due=date(2026, 1, 15))
        self.run_relance(date(2026, 1, 22))
        event = self.events_of(move)
        self.assertEqual((event.currency_id, event.amount_due), (usd, 1000.0))
        self.assertIn(usd.symbol, event.mail_id.body_html)
        self.assertIn("$\xa01,000.00", event.mail_id.body_html, "in the customer's language")
        # penalties in company currency: 500 EUR x 12.15 % x 64 / 365 = 10.65
        result = move.relance_compute_penalties(on_date=date(2026, 3, 20))
        self.assertEqual(result["interest"], 10.65)

    def test_amounts_as_format_amount(self):
        """The run's amount formatter (read once per currency and language) writes every
        amount exactly as Odoo's ``format_amount``."""
        self.env["res.lang"]._activate_lang("fr_FR")
        usd = self.setup_other_currency("USD", rates=[("2025-01-01", 2.0)])
        jpy = self.setup_other_currency("JPY", rates=[("2025-01-01", 150.0)])
        self.assertEqual((jpy.decimal_places, usd.position), (0, "before"))
        amounts = [0.0, 0.004, 0.005, -0.01, 7.5, 999.995, 1000.0, 1234567.891, -98765.4321]
        for currency in (self.env.company.currency_id, usd, jpy):
            for lang in ("fr_FR", "en_US"):
                for amount in amounts:
                    with self.subTest(currency=currency.name, lang=lang, amount=amount):
                        self.assertEqual(
                            currency._relance_amount_str(amount, lang),
                            format_amount(self.env, amount, currency, lang),
                        )
        self.assertEqual(usd._relance_amount_str(1234.5, "fr_FR"), "$\xa01\xa0234,50")

    def test_dates_as_format_date(self):
        """The run's date formatter (the language's format read once per transaction)
        writes every date exactly as Odoo's ``format_date``, in each language, and follows
        a language's date format changed since an earlier transaction."""
        self.env["res.lang"]._activate_lang("fr_FR")
        Lang = self.env["res.lang"]
        values = [date(2026, 1, 5), date(2026, 12, 31), date(2024, 2, 29), False, None]
        for lang in ("fr_FR", "en_US", None):
            for value in values:
                with self.subTest(lang=lang, value=value):
                    self.assertEqual(
                        Lang._relance_date_str(value, lang),
                        format_date(self.env, value, lang_code=lang),
                    )
        self.assertEqual(Lang._relance_date_str(date(2026, 1, 5), "fr_FR"), "05/01/2026")
        self.assertEqual(Lang._relance_date_str(date(2026, 1, 5), "en_US"), "01/05/2026")
        # a new transaction (the run's next batch) sees the new format
        self.env["res.lang"]._lang_get("fr_FR").date_format = "%d.%m.%Y"
        self.env.cr.cache.clear()
        self.assertEqual(Lang._relance_date_str(date(2026, 1, 5), "fr_FR"), "05.01.2026")

    def test_zero_amount_invoice(self):
        move = self.invoice(amount=0.0)
        self.assertEqual(move.payment_state, "paid")
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertFalse(self.events_of(move))

    def test_credit_note_larger_than_invoices(self):
        move = self.invoice(amount=300.0)
        self.invoice(amount=500.0, move_type="out_refund")  # not reconciled
        result = self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(result["errors"], 0)
        self.assertFalse(self.events_of(move), "the customer owes nothing overall")
        smaller = self.invoice(partner=self.customer_fr, amount=800.0)
        self.invoice(partner=self.customer_fr, amount=100.0, move_type="out_refund")
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertTrue(self.events_of(smaller))

    def test_reset_to_draft_or_cancelled_after_reminder(self):
        draft, cancelled = self.invoice(), self.invoice(partner=self.customer_fr)
        self.run_relance(self.day0 + timedelta(days=7))
        draft.button_draft()
        cancelled.button_draft()
        cancelled.button_cancel()
        self.assertEqual(draft.relance_state, "none")
        result = self.run_relance(self.day0 + timedelta(days=21))
        self.assertEqual(result, {"events": 0, "invoices": 0, "errors": 0})
        draft.action_post()
        self.run_relance(self.day0 + timedelta(days=22))
        self.assertEqual(draft.relance_level_id, self.level(1), "the ladder goes on, no repeat")
        self.assertEqual(len(self.events_of(draft)), 2)

    def test_payment_reversed_after_closing(self):
        move = self.invoice(amount=400.0)
        self.run_relance(self.day0 + timedelta(days=7))
        payment = self._register_payment(move, payment_date=self.day0 + timedelta(days=8))
        self.assertEqual(move.relance_state, "closed")
        payment.action_draft()
        payment.action_cancel()
        self.assertEqual(move.payment_state, "not_paid")
        self.assertEqual(move.relance_state, "in_progress")
        self.run_relance(self.day0 + timedelta(days=21))
        self.assertEqual(move.relance_level_id, self.level(1), "the ladder resumes")

    def test_level_archived_or_deleted_while_used(self):
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        with self.assertRaises(UserError):
            self.level(0).unlink()
        with self.assertRaises(UserError):
            self.policy.unlink()
        self.level(0).action_archive()
        self.assertEqual(move.relance_next_level_id, self.level(1))
        result = self.run_relance(self.day0 + timedelta(days=21))
        self.assertEqual(result["errors"], 0)
        self.assertEqual(move.relance_level_id, self.level(1), "not the first level again")
        self.assertEqual(len(self.events_of(move)), 2)

    def test_dates_far_in_the_past_and_future(self):
        old = self.invoice(due=date(2010, 3, 31))
        future = self.invoice(partner=self.customer_fr, due=date(2031, 1, 1))
        result = self.run_relance(date(2026, 1, 22))
        self.assertEqual(result["errors"], 0)
        self.assertFalse(self.events_of(old), "a prescribed debt is left to a person")
        self.assertFalse(self.events_of(future))
        self.assertEqual(old.relance_prescription_date, date(2015, 3, 31))
        # its penalties still compute, flagged provisional (no 2010 rates recorded)
        penalties = old.relance_compute_penalties(on_date=date(2011, 3, 31))
        self.assertTrue(penalties["provisional"])
        self.assertGreater(penalties["interest"], 0)

    def test_html_quotes_rtl_and_emoji_are_escaped(self):
        partner = self.env["res.partner"].create(
            {
                "name": '<script>alert("x")</script> O\'Brien & فاطمة 😀',
                "email": "hostile@example.com",
                "is_company": True,
            }
        )
        move = self.invoice(partner=partner, ref='<img src=x onerror="alert(1)">')
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        body = event.mail_id.body_html
        self.assertNotIn("<script>", body)
        self.assertIn("&lt;script&gt;", body)
        self.assertIn("فاطمة 😀", body)
        for message in partner.message_ids | move.message_ids:
            self.assertNotIn("<script>", message.body)
            self.assertNotIn("<img src=x", message.body)

    def test_mail_server_refuses_the_reminder(self):
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        MailServer = type(self.env["ir.mail_server"])
        with (
            patch.object(MailServer, "_disable_send", return_value=False),
            patch.object(MailServer, "_connect__", return_value=None),
            patch.object(
                MailServer,
                "send_email",
                side_effect=MailDeliveryException("550 mailbox unavailable"),
            ),
        ):
            event.mail_id.send(raise_exception=False)
        self.assertEqual(event.mail_id.state, "exception")
        self.assertEqual(event.state, "failed")
        self.assertIn("550", event.error_message)
        self.assertTrue(event.activity_ids, "the responsible is asked to act")
        self.assertEqual(move.relance_level_id, self.level(0))
        # once fixed, the same action is sent again: never a second event
        event.action_send_email()
        self.assertEqual(len(self.events_of(move)), 1)
        self.assertEqual(event.state, "done")
        self.assertEqual(event.message_id.message_type, "email_outgoing")
        self.assertEqual(
            (event.message_id.model, event.message_id.res_id), ("res.partner", self.customer.id)
        )

    def bounce(self, event, email, env=None):
        """The bounce of the reminder of ``event`` from ``email``, as Odoo's mail gateway
        hands it over (``message_route`` found the bounced message)."""
        env = env or self.env
        reminder = event.message_id
        env["mail.thread"]._routing_handle_bounce(
            None,
            {
                "bounced_email": email,
                "bounced_partner": env["res.partner"].search([("email", "ilike", email)]),
                "bounced_msg_ids": [reminder.message_id],
                "bounced_message": reminder.with_env(env),
                "email_from": "MAILER-DAEMON@relance.example",
                "to": "bounce@relance.example",
                "message_id": f"<bounce-{event.id}@relance.example>",
                "body": "550 5.1.1 mailbox unavailable",
            },
        )

    def test_bounce_marks_the_action_failed(self):
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        self.assertEqual(event.message_id.model, "res.partner", "posted on the customer")
        # in the language of the context (without one: the company's, see
        # test_failure_and_answer_noted_in_the_company_language)
        self.bounce(event, "compta@boulangerie.example", self.env(context={"lang": "en_US"}))
        self.assertEqual(event.state, "failed")
        self.assertIn("bounced", event.error_message)
        self.assertTrue(event.activity_ids, "the responsible is asked to act")
        # a reminder of an earlier version, posted on the action, bounces on the action
        other = self.invoice(partner=self.customer_fr)
        self.run_relance(self.day0 + timedelta(days=7))
        old = self.events_of(other)
        old.message_id.sudo().write({"model": old._name, "res_id": old.id})
        old.with_context(lang="en_US")._message_receive_bounce(
            "factures@atelier.example", self.customer_fr
        )
        self.assertEqual(old.state, "failed")

    def test_failure_and_answer_noted_in_the_company_language(self):
        """The mail queue and the incoming mail server are scheduled actions, which run
        without a language: a reminder bounced or refused, and a customer's answer, are
        noted in the company's language, not in English."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        self.env["mail.alias.domain"].create({"name": "relance.example"})
        moves = self.invoice() | self.invoice(partner=self.customer_fr)
        self.run_relance(self.day0 + timedelta(days=7))
        bounced, refused = self.events_of(moves).sorted(lambda e: e.partner_id != self.customer)
        cron_env = self.env(context={})  # the environment of a scheduled action
        self.bounce(bounced, "compta@boulangerie.example", cron_env)
        self.assertEqual(
            bounced.error_message,
            "L'e-mail n'a pas été distribué : rejeté par compta@boulangerie.example",
        )
        self.assertEqual(bounced.activity_ids.summary, "Relance non distribuée")
        refused.with_env(cron_env)._relance_mail_failed("550 mailbox unavailable")
        self.assertEqual(
            refused.error_message, "L'e-mail n'a pas été distribué : 550 mailbox unavailable"
        )
        reminder = bounced.message_id
        cron_env["mail.thread"].message_process(
            None,
            "From: Comptabilite <compta@boulangerie.example>\r\n"
            f"To: {reminder.reply_to}\r\n"
            f"Subject: Re: {reminder.subject}\r\n"
            "Message-Id: <answer-lang@boulangerie.example>\r\n"
            f"In-Reply-To: {reminder.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Reglement parti hier.\r\n",
        )
        note = bounced.message_ids.filtered(lambda m: "Reglement parti hier" in m.body)
        self.assertIn("Réponse de", note.body)

    def test_other_mails_of_an_action_do_not_fail_it(self):
        """A failed notification about the action (e.g. its activity) is not the reminder."""
        move = self.invoice()
        for offset in (7, 21, 30):
            self.run_relance(self.day0 + timedelta(days=offset))
        call = self.events_of(move).filtered(lambda e: e.channel == "phone")
        notification = self.env["mail.mail"].create(
            {
                "model": call._name,
                "res_id": call.id,
                "subject": "Activity assigned",
                "body_html": "<p>x</p>",
                "email_to": "user@example.com",
            }
        )
        notification._postprocess_sent_message([], [], failure_type="mail_smtp")
        self.assertEqual(call.state, "todo")

    def test_hostile_names_escaped_in_letters(self):
        partner = self.env["res.partner"].create(
            {
                "name": '<script>alert("x")</script> فاطمة 😀',
                "email": "h2@example.com",
                "is_company": True,
            }
        )
        move = self.invoice(partner=partner)
        self.walk((7, 21, 30, 45, 60))
        notice = self.events_of(move).filtered(lambda e: e.channel == "formal_notice")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_relance_fr.report_relance_notice", notice.ids)[0]
            .decode()
        )
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertIn("فاطمة 😀", html)

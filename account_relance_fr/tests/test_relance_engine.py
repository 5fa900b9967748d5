# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree
from markupsafe import escape

from odoo.addons.base.models.ir_qweb import IrQweb as BaseIrQweb
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, TransactionCase, tagged

from .common import RelanceCommon


class WorkerKilled(BaseException):
    """Stands for kill -9: nothing in the run may catch it."""


@tagged("post_install", "-at_install")
class TestRelanceEngine(RelanceCommon):
    def test_shipped_policies(self):
        """Standard ladder by default; the 5-step ladder follows the reference article."""
        self.assertEqual(
            [(lv.delay, lv.channel) for lv in self.levels],
            [
                (7, "email"),
                (21, "email"),
                (30, "phone"),
                (45, "registered_letter"),
                (60, "formal_notice"),
            ],
        )
        five = self.env["account.relance.policy"].search(
            [("company_id", "=", self.company.id), ("id", "!=", self.policy.id)]
        )
        self.assertEqual(len(five), 1)
        # phone +10; written +30 -> 40; firmer +15 -> 55; registered +30 -> 85; notice +10 -> 95
        self.assertEqual(
            [(lv.delay, lv.channel) for lv in five.level_ids.sorted("sequence")],
            [
                (10, "phone"),
                (40, "email"),
                (55, "email"),
                (85, "registered_letter"),
                (95, "formal_notice"),
            ],
        )
        self.assertEqual(five.with_context(lang="fr_FR").name, "Relance en 5 étapes")
        self.assertEqual(self.policy.with_context(lang="fr_FR").name, "Relance standard")

    def test_ladder_walked_day_by_day(self):
        """The ladder day by day, the call and the registered letter performed the day the
        run prepares them (it waits for them)."""
        move = self.invoice()
        performed = {}
        for offset in range(-3, 75):
            day = self.day0 + timedelta(days=offset)
            with freeze_time(day):
                result = self.run_relance(day)
                self.events_of(move).filtered(
                    lambda e: e.state == "todo" and e.channel in ("phone", "registered_letter")
                ).action_done()
            if result["events"]:
                performed[offset] = move.relance_level_id
        self.assertEqual(
            [(offset, level.delay) for offset, level in performed.items()],
            [(7, 7), (21, 21), (30, 30), (45, 45), (60, 60)],
        )
        events = self.events_of(move)
        self.assertEqual(events.level_id, self.levels)
        emails = events.filtered(lambda e: e.channel == "email")
        self.assertEqual(emails.mapped("state"), ["done", "done"])
        self.assertTrue(all(emails.mail_id))
        self.assertEqual(emails.mail_id.mapped("recipient_ids"), self.customer)
        self.assertIn(move.name, emails[0].mail_id.body_html)
        # the second reminder mentions the penalties and the 40 EUR indemnity of a business
        self.assertIn("L441-10", emails[1].mail_id.body_html)
        self.assertIn("40", emails[1].mail_id.body_html)
        self.assertNotIn("L441-10", emails[0].mail_id.body_html)
        # other channels are prepared as activities for the responsible
        others = events - emails
        self.assertEqual(others.mapped("state"), ["done", "done", "todo"])
        # the call and the letter were done: the formal notice's activity is left
        self.assertEqual(
            others.activity_ids.activity_type_id,
            self.env.ref("account_relance_fr.mail_act_relance_notice"),
        )
        self.assertEqual(move.relance_state, "in_progress")
        self.assertEqual(move.relance_last_date, self.day0 + timedelta(days=60))
        # after the last step, the policy's ending: its last email, repeated until paid
        self.assertEqual(move.relance_next_level_id.id, self.policy._ending().level_id)
        self.assertEqual(move.relance_next_level_id.channel, "email")
        # every action is in the chatter of the customer, with its own subtype (the two
        # emails themselves, a note for the others); the call, the letter and the formal
        # notice in the invoice's chatter too, the two emails only when the company asks
        # for it (the invoice's Dunning tab lists all five)
        subtype = self.env.ref("account_relance_fr.mt_relance")
        notes = move.message_ids.filtered(lambda m: m.subtype_id == subtype)
        self.assertEqual(len(notes), 3)
        self.assertEqual(move.relance_event_line_ids.level_id, self.levels)
        self.assertEqual(set(notes.mapped("message_type")), {"notification"})
        self.assertTrue(all(notes.mapped("is_internal")), "internal notes, never sent")
        self.assertEqual(
            len(self.customer.message_ids.filtered(lambda m: m.subtype_id == subtype)), 5
        )
        # the emails are posted on the customer, as Odoo's follow-up does, with the same
        # subtype, and shown on their actions
        self.assertEqual(emails.message_id, emails.mail_id.mail_message_id)
        self.assertEqual(emails.message_id.subtype_id, subtype)
        self.assertEqual(set(emails.message_id.mapped("model")), {"res.partner"})
        self.assertEqual(set(emails.message_id.mapped("res_id")), {self.customer.id})
        self.assertEqual(emails.message_id, self.customer.message_ids & emails.message_id)
        self.assertFalse(emails.message_ids.filtered(lambda m: m.subtype_id == subtype))
        self.assertIn(move.name, emails[0].message_body)
        # the email is wrapped in the company's layout (its name, its address in the
        # footer), not Odoo's notification header naming the record; the chatter keeps the
        # message itself, invoice table included, as message_post does
        mail = emails[0].mail_id
        self.assertNotIn("Dunning action", mail.body_html)
        self.assertNotIn(emails[0].display_name, mail.body_html)
        self.assertIn(f"<b>{self.company.name}</b>", mail.body_html)
        self.assertNotIn(", ,", mail.body_html, "empty address lines left out")
        self.assertIn('role="presentation"', mail.body_html)
        self.assertNotIn('role="presentation"', mail.mail_message_id.body)
        self.assertIn(move.name, mail.mail_message_id.body)
        self.assertIn("Dear", mail.mail_message_id.body)
        self.assertEqual(mail.mail_message_id.partner_ids, self.customer, "its recipient")
        # the preview line of the layout, read from the beginning of the body only, is the
        # one Odoo computes from the whole message
        preview = mail.mail_message_id.preview
        self.assertTrue(preview.endswith("[...]"), "the body is longer than the preview")
        self.assertIn(str(escape(preview)), mail.body_html)
        # the layout rendered once for the run is the one rendered for each email, in each
        # language (the email's own preview and body put in their places); another layout,
        # or the addon's once edited, is rendered for each email
        template = emails[0].level_id.mail_template_id
        body = mail.mail_message_id.body
        for lang in ("fr_FR", "en_US"):
            self.assertEqual(
                template._relance_layout(emails[0], body, lang, rendered=True, memo={}),
                template._relance_layout(emails[0], body, lang, rendered=True),
            )
        self.env.ref("account_relance_fr.mail_layout_relance").arch_updated = True
        self.assertIsNone(template._relance_layout_frame(self.company, "fr_FR", {}))
        # and link the invoice in the customer portal with its own token
        self.assertTrue(move.access_token)
        self.assertIn(f"access_token={move.access_token}", emails[0].mail_id.body_html)
        # the lines carry their action's date, company, customer, channel and state (as
        # stored: written at creation, not computed afterwards)
        self.env.invalidate_all()
        copied = ["date", "company_id", "partner_id", "channel", "state"]
        self.assertEqual(
            [tuple(e.line_ids[f] for f in copied) for e in events],
            [tuple(e[f] for f in copied) for e in events],
        )
        # the event line keeps the amounts of the day
        line = events[0].line_ids
        self.assertEqual((line.move_id, line.amount_residual, line.days_overdue), (move, 1000.0, 7))
        self.assertEqual(
            (line.invoice_name, line.invoice_date, line.invoice_date_due, line.amount_total),
            (move.name, move.invoice_date, move.invoice_date_due, move.amount_total),
        )
        self.assertEqual((line.level_id, line.currency_id), (self.levels[0], move.currency_id))
        # written in one statement, with the ORM's log columns
        self.assertEqual((line.create_uid, line.write_uid), (self.env.user, self.env.user))
        self.assertTrue(line.create_date and line.write_date)
        # and follows its action when it changes: archived with it
        events[0].write({"date": events[0].date + timedelta(days=1)})
        events[0].action_archive()
        self.env.invalidate_all()
        self.assertEqual((line.date, line.active), (events[0].date, False))
        self.assertFalse(move.relance_event_line_ids & line, "hidden with its action")

    def test_reminder_emails_noted_on_invoices_when_asked(self):
        """A reminder email is in the customer's chatter and in each invoice's Dunning tab;
        in the invoices' chatter only when the company asks for it."""
        subtype = self.env.ref("account_relance_fr.mt_relance")
        moves = self.invoice() | self.invoice(amount=300.0)
        self.assertFalse(self.company.relance_log_invoice_emails, "off by default")
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(moves)
        self.assertTrue(event.mail_id)
        self.assertFalse(moves.message_ids.filtered(lambda m: m.subtype_id == subtype))
        self.assertEqual(moves.relance_event_line_ids.event_id, event)
        # the email itself, posted on the customer, lists the invoices
        email = self.customer.message_ids.filtered(lambda m: m.subtype_id == subtype)
        self.assertEqual(email, event.message_id)
        self.assertTrue(all(name in email.body for name in moves.mapped("name")))

        self.env["res.config.settings"].create({"relance_log_invoice_emails": True}).execute()
        self.assertTrue(self.company.relance_log_invoice_emails)
        self.run_relance(self.day0 + timedelta(days=21))
        second = self.events_of(moves) - event
        self.assertTrue(second.mail_id)
        for move in moves:
            notes = move.message_ids.filtered(lambda m: m.subtype_id == subtype)
            self.assertEqual(len(notes), 1, "the second reminder only")
            self.assertIn(self.level(1).name, notes.body)
            self.assertIn(self.customer.email, notes.body)

    def test_customer_reply_reaches_the_responsible(self):
        """A customer's answer to a reminder lands in the customer's chatter, next to the
        reminder (Odoo routes a reply to the record of the message it answers), and the
        action notes it with a quote, notifying its responsible: the actions the run
        creates have no follower, so Odoo would notify nobody."""
        self.env["mail.alias.domain"].create({"name": "relance.example"})
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        responsible = event.user_id
        self.assertTrue(responsible)
        self.assertNotIn(responsible.partner_id, event.message_partner_ids)
        reminder = event.message_id
        raw = (
            "From: Comptabilite <compta@boulangerie.example>\r\n"
            f"To: {reminder.reply_to}\r\n"
            f"Subject: Re: {reminder.subject}\r\n"
            "Message-Id: <answer-1@boulangerie.example>\r\n"
            f"In-Reply-To: {reminder.message_id}\r\n"
            f"References: {reminder.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Bonjour, la facture a ete reglee par virement le 20 janvier.\r\n"
        )
        thread_id = self.env["mail.thread"].message_process(None, raw)
        self.assertEqual(thread_id, self.customer.id)
        answer = self.customer.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(answer), 1)
        self.assertEqual(answer.author_id, self.customer)
        self.assertEqual(answer.parent_id, reminder)
        note = event.message_ids.filtered(lambda m: "20 janvier" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("compta@boulangerie.example", note.body)
        self.assertIn(responsible.partner_id, note.notification_ids.res_partner_id)
        self.assertNotIn(responsible.partner_id, event.message_partner_ids, "not a follower")
        # a second answer is noted and notified again
        self.env["mail.thread"].message_process(
            None, raw.replace("answer-1@", "answer-2@").replace("20 janvier", "21 janvier")
        )
        note = event.message_ids.filtered(lambda m: "21 janvier" in m.body)
        self.assertIn(responsible.partner_id, note.notification_ids.res_partner_id)
        # a colleague's answer to the reminder is not the customer's
        colleague = self.env["res.users"].create(
            {
                "name": "Colleague",
                "login": "colleague.relance",
                "email": "colleague@relance.example",
                "group_ids": [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        self.env["mail.thread"].message_process(
            None,
            raw.replace("answer-1@", "answer-3@")
            .replace(
                "Comptabilite <compta@boulangerie.example>", "Colleague <colleague@relance.example>"
            )
            .replace("20 janvier", "22 janvier"),
        )
        self.assertTrue(
            self.customer.message_ids.filtered(lambda m: m.author_id == colleague.partner_id)
        )
        self.assertFalse(event.message_ids.filtered(lambda m: "22 janvier" in m.body))

    def test_reply_to_a_reminder_of_an_earlier_version(self):
        """Earlier versions posted the reminders on the actions: an answer to one of them
        lands on the action, makes its responsible a follower and is noted in the
        customer's chatter with a link to the action."""
        self.env["mail.alias.domain"].create({"name": "relance.example"})
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        event.message_id.sudo().write({"model": event._name, "res_id": event.id})
        reminder = event.message_id
        thread_id = self.env["mail.thread"].message_process(
            None,
            "From: Comptabilite <compta@boulangerie.example>\r\n"
            f"To: {reminder.reply_to}\r\n"
            f"Subject: Re: {reminder.subject}\r\n"
            "Message-Id: <answer-old@boulangerie.example>\r\n"
            f"In-Reply-To: {reminder.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Reglement parti le 20 janvier.\r\n",
        )
        self.assertEqual(thread_id, event.id)
        self.assertIn(event.user_id.partner_id, event.message_partner_ids)
        note = self.customer.message_ids.filtered(lambda m: "20 janvier" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn(f'data-oe-id="{event.id}"', note.body)

    def test_next_step_written_by_the_run(self):
        """The run writes each invoice's next step from the ladders it resolved for the
        batch (one per policy, not per customer): the same as the ORM's own computation,
        for customers on different policies, with the new portal token in the same write."""
        five = self.env["account.relance.policy"].search(
            [("company_id", "=", self.company.id), ("id", "!=", self.policy.id)]
        )
        self.customer_fr.with_company(self.company).relance_policy_id = five
        standard = self.invoice() | self.invoice(amount=300.0, due=self.day0 + timedelta(days=3))
        other = self.invoice(self.customer_fr)
        moves = standard | other
        self.assertFalse(any(moves.mapped("access_token")))
        day = self.day0 + timedelta(days=12)
        self.run_relance(day)
        self.assertEqual(standard.relance_level_id, self.level(0))
        self.assertEqual(other.relance_level_id, five.level_ids.sorted("sequence")[0])
        self.env.flush_all()
        written = {m.id: (m.relance_next_level_id, m.relance_next_date) for m in moves}
        self.assertEqual(written[standard[0].id], (self.level(1), day + timedelta(days=14)))
        # five-step ladder: the email at 40 days comes 30 days after the call at 10
        self.assertEqual(
            written[other.id], (five.level_ids.sorted("sequence")[1], day + timedelta(days=30))
        )
        self.env.invalidate_all()
        for fname in ("relance_next_date", "relance_next_level_id"):
            self.env.add_to_compute(moves._fields[fname], moves)
        moves._recompute_recordset(["relance_next_date", "relance_next_level_id"])
        self.assertEqual(
            {m.id: (m.relance_next_level_id, m.relance_next_date) for m in moves}, written
        )
        # the tokens linked from the email are stored; the call (five-step ladder) links none
        mail = self.events_of(standard).mail_id
        self.assertEqual(len(mail), 1)
        for move in standard:
            self.assertTrue(move.access_token)
            self.assertIn(f"access_token={move.access_token}", mail.body_html)
        self.assertFalse(self.events_of(other).mail_id)

    def test_placement_at_installation_writes_the_next_step(self):
        """The invoices placed on the level their age reached at installation get the next
        step of their ladder, written from the ladders the placement resolved: the same as
        the ORM's own computation."""
        move = self.invoice()
        day = self.day0 + timedelta(days=25)
        placed = self.env["account.relance.run"]._place_existing(day)
        self.assertIn(move, placed)
        self.assertEqual(move.relance_level_id, self.level(1))
        self.assertTrue(move.relance_initialized)
        self.env.flush_all()
        written = (move.relance_next_level_id, move.relance_next_date)
        self.assertEqual(written, (self.level(2), day + timedelta(days=9)))
        self.env.invalidate_all()
        for fname in ("relance_next_date", "relance_next_level_id"):
            self.env.add_to_compute(move._fields[fname], move)
        move._recompute_recordset(["relance_next_date", "relance_next_level_id"])
        self.assertEqual((move.relance_next_level_id, move.relance_next_date), written)

    def test_run_writes_no_indexed_column(self):
        """Moving an invoice a level up changes no indexed column of the journal entries,
        so that PostgreSQL updates its row in place (HOT update) instead of adding an entry
        to each of their thirty indexes, for every invoice of the night."""
        written = {
            "relance_level_id",
            "relance_last_date",
            "relance_next_date",
            "relance_next_level_id",
            "relance_state",
            "access_token",
            "write_date",
            "write_uid",
        }
        self.env.cr.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = 'account_move'::regclass"
        )
        indexes = self.env.cr.fetchall()
        self.assertIn("account_move_relance_due_idx", dict(indexes))
        for name, definition in indexes:
            with self.subTest(index=name):
                self.assertFalse({column for column in written if column in definition}, definition)

    def test_next_date_and_catch_up_keeps_spacing(self):
        """An invoice found late climbs one step at a time, keeping the ladder's spacing."""
        move = self.invoice()
        self.assertEqual(move.relance_next_level_id, self.level(0))
        self.assertEqual(move.relance_next_date, self.day0 + timedelta(days=7))
        late = self.day0 + timedelta(days=50)
        self.run_relance(late)
        self.assertEqual(move.relance_level_id, self.level(0))
        self.run_relance(late)
        self.assertEqual(move.relance_level_id, self.level(0), "same day: nothing more")
        # second level 14 days after the first (21 - 7)
        self.assertEqual(move.relance_next_date, late + timedelta(days=14))
        self.run_relance(late + timedelta(days=13))
        self.assertEqual(move.relance_level_id, self.level(0))
        self.run_relance(late + timedelta(days=14))
        self.assertEqual(move.relance_level_id, self.level(1))

    def test_responsible_is_a_user_still_working(self):
        """The actions go to the customer's responsible, else the salesperson of its
        invoices, else its salesperson, else the company's default responsible: the first
        still working in Odoo. A salesperson who left, or OdooBot (the nightly run's user),
        is given nothing, and no reminder is sent in their name."""
        internal = self.env.ref("base.group_user").ids
        left, controller = self.env["res.users"].create(
            [
                {
                    "name": name,
                    "login": login,
                    "email": f"{login}@relance.example",
                    "group_ids": [Command.set(internal)],
                }
                for name, login in (("Gone Salesman", "gone"), ("Credit Controller", "cc"))
            ]
        )
        left.action_archive()
        self.company.write({"relance_user_id": controller.id, "email": "compta@relance-fr.example"})
        odoobot = self.env.ref("base.user_root")
        customer = self.env["res.partner"].create(
            {"name": "Sans Responsable SARL", "is_company": True, "email": "a@sans.example"}
        )
        move = self.invoice(customer, invoice_user_id=left.id)
        day = self.day0 + timedelta(days=7)
        cron_run = self.env["account.relance.run"].with_user(odoobot).with_company(self.company)
        cron_run._run(companies=self.company, today=day)
        event = self.events_of(move)
        self.assertEqual(event.user_id, controller)
        self.assertIn("cc@relance.example", event.mail_id.email_from)
        board = self.env["account.relance.board"].search([("partner_id", "=", customer.id)])
        self.assertEqual(board.user_id, controller)
        # the customer's salesperson comes before the company's default
        customer.user_id = self.env.user
        board.invalidate_recordset()
        self.assertEqual(board.user_id, self.env.user)
        customer.user_id = False
        # nobody else: an accounting manager of the company, said in the customer's chatter;
        # never OdooBot, never nobody
        self.company.relance_user_id = False
        manager = self.company._relance_manager()
        self.assertTrue(manager)
        self.assertTrue(manager.has_group("account.group_account_manager"))
        board.invalidate_recordset()
        self.assertEqual(board.user_id, manager)
        for offset in (21, 30):
            cron_run._run(companies=self.company, today=self.day0 + timedelta(days=offset))
        second, call = self.events_of(move)[1:]
        self.assertEqual(second.user_id, manager)
        self.assertNotIn("odoobot", second.mail_id.email_from.lower())
        self.assertIn("accounting manager", second.note)
        self.assertTrue(
            customer.message_ids.filtered(lambda m: "accounting manager" in (m.body or "")),
            "the customer's chatter says who was given the step",
        )
        self.assertEqual(call.channel, "phone")
        self.assertEqual(call.activity_id.user_id, manager)
        # the customer's own responsible comes first, if still working in Odoo
        customer.with_company(self.company).relance_user_id = left
        self.assertEqual(customer._relance_responsible(self.company, [left]), self.env["res.users"])
        customer.with_company(self.company).relance_user_id = controller
        self.assertEqual(customer._relance_responsible(self.company, [self.env.user]), controller)

    def test_grouping_per_customer(self):
        a1 = self.invoice(amount=100.0)
        a2 = self.invoice(amount=200.0, due=self.day0 - timedelta(days=2))
        a3 = self.invoice(amount=300.0, due=self.day0 - timedelta(days=1))
        b1 = self.invoice(partner=self.customer_fr, amount=400.0)
        result = self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(result, {"events": 2, "invoices": 4, "errors": 0})
        event_a = self.events_of(a1)
        self.assertEqual(len(event_a), 1)
        self.assertEqual(event_a.line_ids.move_id, a1 | a2 | a3)
        self.assertEqual(event_a.amount_due, 600.0)
        self.assertEqual(len(event_a.mail_id), 1)
        for move in a1 | a2 | a3:
            self.assertIn(move.name, event_a.mail_id.body_html)
        self.assertEqual(self.events_of(b1).line_ids.move_id, b1)
        self.assertNotEqual(self.events_of(b1), event_a)

    def test_grouping_per_currency(self):
        usd = self.setup_other_currency("USD")
        eur = self.invoice(amount=100.0)
        dollars = self.invoice(amount=100.0, currency_id=usd.id)
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertNotEqual(self.events_of(eur), self.events_of(dollars))
        self.assertEqual(self.events_of(dollars).currency_id, usd)
        self.assertEqual(self.events_of(dollars).amount_due, 100.0)

    def test_no_duplicate_on_second_run(self):
        move = self.invoice()
        day = self.day0 + timedelta(days=8)
        self.assertEqual(self.run_relance(day)["events"], 1)
        mails = self.env["mail.mail"].search_count([])
        self.assertEqual(self.run_relance(day), {"events": 0, "invoices": 0, "errors": 0})
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        self.assertEqual(len(self.events_of(move)), 1)

    def test_level_performed_once_even_if_forced(self):
        """The database refuses a second event line for the same invoice and level."""
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        move.write({"relance_level_id": False, "relance_last_date": False})
        result = self.run_relance(self.day0 + timedelta(days=8))
        self.assertEqual(result["events"], 0)
        self.assertEqual(len(self.events_of(move)), 1)

    def _customers_with_invoices(self, count):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Client {i}", "email": f"c{i}@example.com", "is_company": True}
                for i in range(count)
            ]
        )
        return self.env["account.move"].union(*(self.invoice(partner=p) for p in partners))

    def test_crash_between_batches_then_rerun(self):
        """The worker dies in the middle of the second batch: what the first batch did is
        kept (committed), the second is rolled back whole, and the rerun sends each level
        exactly once."""
        moves = self._customers_with_invoices(6)
        Template = self.env.registry["mail.template"]
        original = Template._relance_send_batch
        calls = {"n": 0}

        def die_in_second_batch(template, actions):
            calls["n"] += 1
            original(template, actions)  # mails rendered and queued, then the process dies
            if calls["n"] == 2:
                raise WorkerKilled()

        day = self.day0 + timedelta(days=7)
        killed = False
        with patch.object(Template, "_relance_send_batch", die_in_second_batch):
            try:  # not assertRaises: it would roll back the first batch with its savepoint
                self.env["account.relance.run"]._run(
                    companies=self.company, today=day, batch_size=2
                )
            except WorkerKilled:
                killed = True
        self.assertTrue(killed)
        self.env.invalidate_all()
        self.assertEqual(len(moves.filtered("relance_level_id")), 2)
        self.assertEqual(len(self.events_of(moves)), 2)
        self.assertEqual(len(self.events_of(moves).mail_id), 2)
        result = self.run_relance(day)
        self.assertEqual(result["invoices"], 4)
        lines = self.env["account.relance.event.line"].search([("move_id", "in", moves.ids)])
        self.assertEqual(len(lines), 6)
        self.assertEqual(lines.move_id, moves)
        self.assertEqual(set(lines.mapped("level_id")), {self.level(0)})
        self.assertEqual(len(lines.event_id.mail_id), 6)
        self.assertEqual(self.run_relance(day)["events"], 0)

    def test_statistics_refreshed_when_a_table_outgrew_them(self):
        """A table that grew to more than twice its last statistics is analysed (then
        PostgreSQL plans its foreign-key checks again), once; and the run checks after
        every batch."""
        cr, Run = self.env.cr, self.env["account.relance.run"]

        def relpages():
            cr.execute("SELECT relpages FROM pg_class WHERE oid = 'relance_probe'::regclass")
            return cr.fetchone()[0]

        cr.execute("CREATE TEMP TABLE relance_probe (id int PRIMARY KEY, pad text)")
        fill = "INSERT INTO relance_probe SELECT i, repeat('x', 100) FROM generate_series(%s, %s) i"
        cr.execute(fill, (1, 5000))
        self.assertEqual(relpages(), 0, "never analysed")
        tables = ["relance_probe", "relance_no_such_table"]
        self.assertEqual(Run._refresh_statistics(tables), ["relance_probe"])
        analysed = relpages()
        self.assertGreater(analysed, 50)
        self.assertEqual(Run._refresh_statistics(tables), [], "up to date")
        cr.execute(fill, (5001, 9000))  # less than twice
        self.assertEqual(Run._refresh_statistics(tables), [])
        cr.execute(fill, (9001, 20000))
        self.assertEqual(Run._refresh_statistics(tables), ["relance_probe"])
        self.assertGreater(relpages(), 3 * analysed)

        self._customers_with_invoices(5)
        calls = []
        original = type(Run)._refresh_statistics

        def count(model, *args):
            calls.append(args)
            return original(model, *args)

        with patch.object(type(Run), "_refresh_statistics", count):
            Run._run(companies=self.company, today=self.day0 + timedelta(days=7), batch_size=2)
        self.assertEqual(len(calls), 3, "after each of the 3 batches")

    def test_error_in_one_customer_does_not_stop_the_batch(self):
        moves = self._customers_with_invoices(3)
        Step = self.env.registry["account.relance.step"]
        original = Step._execute
        victim = moves[1].commercial_partner_id

        def fail_for_one(step, actions, manual_values=None):
            if victim in actions.partner_id:
                raise RuntimeError("unexpected data")
            return original(step, actions, manual_values=manual_values)

        with patch.object(Step, "_execute", fail_for_one):
            result = self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(result["events"], 2)
        self.assertFalse(moves[1].relance_level_id)
        self.assertIn("unexpected data", victim.message_ids[:1].body)

    def test_full_and_partial_payment(self):
        paid = self.invoice(amount=500.0)
        partial = self.invoice(amount=800.0)
        for offset in (7, 21, 30):  # two emails, then the call, which waits for a person
            self.run_relance(self.day0 + timedelta(days=offset))
        self.assertEqual(paid.relance_level_id, self.level(2))
        call = self.events_of(paid).filtered(lambda e: e.channel == "phone")
        self.assertEqual(call.state, "todo")
        self.assertTrue(call.activity_ids)

        self._register_payment(paid, payment_date=self.day0 + timedelta(days=41))
        self._register_payment(partial, payment_date=self.day0 + timedelta(days=41), amount=300.0)
        self.assertEqual(paid.payment_state, "paid")
        self.assertEqual(paid.relance_state, "closed")
        self.assertFalse(paid.relance_next_date)
        # the call concerned both invoices: still open while one of them is unpaid
        self.assertEqual(call.state, "todo")
        self.assertEqual(partial.payment_state, "partial")
        self.assertEqual(partial.relance_state, "in_progress")
        # the call is made on day 45: the registered letter follows 15 days later
        with freeze_time(self.day0 + timedelta(days=45)):
            call.action_done()
        self.run_relance(self.day0 + timedelta(days=59))
        self.assertEqual(self.events_of(partial)[-1], call, "not before 15 days after the call")

        self.run_relance(self.day0 + timedelta(days=60))
        last = self.events_of(partial)[-1]
        self.assertEqual(last.level_id, self.level(3))
        self.assertEqual(last.line_ids.move_id, partial, "the paid invoice is no longer chased")
        self.assertEqual(last.amount_due, 500.0)

        self._register_payment(partial, payment_date=self.day0 + timedelta(days=61))
        self.assertEqual(partial.relance_state, "closed")
        self.assertFalse(self.events_of(partial).filtered(lambda e: e.state == "todo"))
        self.assertFalse(self.events_of(partial).activity_ids)

    def test_credit_notes_not_dunned(self):
        refund = self.invoice(move_type="out_refund")
        self.run_relance(self.day0 + timedelta(days=10))
        self.assertFalse(self.events_of(refund))
        self.assertEqual(refund.relance_state, "none")

    def test_holds(self):
        disputed, blocked, litigation, promised, normal = (self.invoice() for _i in range(5))
        reason = self.env.ref("account_relance_fr.dispute_reason_price")
        disputed.action_relance_set_hold("dispute", note="Prix contesté", dispute_reason=reason.id)
        blocked.action_relance_set_hold("blocked", note="Accord commercial")
        litigation.action_relance_set_hold("litigation")
        promised.action_relance_set_hold(
            "promise", promise_date=self.day0 + timedelta(days=10), promise_amount=1000.0
        )
        self.assertEqual(disputed.relance_state, "dispute")
        self.assertEqual(disputed.relance_dispute_reason_id, reason)
        self.assertEqual(promised.relance_state, "promise")
        self.run_relance(self.day0 + timedelta(days=8))
        self.assertEqual(
            self.events_of(disputed | blocked | litigation | promised | normal).line_ids.move_id,
            normal,
        )
        # an expired promise resumes the ladder, logged on the invoice
        self.run_relance(self.day0 + timedelta(days=11))
        self.assertEqual(promised.relance_state, "in_progress")
        self.assertEqual(promised.relance_level_id, self.level(0))
        self.assertIn(
            "not kept",
            promised.message_ids[-1:].body + " ".join(promised.message_ids.mapped("body")),
        )
        # resume a disputed invoice
        disputed.action_relance_resume()
        self.run_relance(self.day0 + timedelta(days=12))
        self.assertEqual(disputed.relance_level_id, self.level(0))

    def test_blocked_partner_and_odoo_flags(self):
        blocked_partner = self.env["res.partner"].create(
            {"name": "Bloqué", "email": "b@example.com", "relance_blocked": True}
        )
        blocked = self.invoice(partner=blocked_partner)
        no_followup = self.invoice()
        no_followup.no_followup = True
        in_payment = self.invoice()
        in_payment.payment_state = "in_payment"
        odoo_blocked = self.invoice()
        odoo_blocked.payment_state = "blocked"
        self.run_relance(self.day0 + timedelta(days=8))
        self.assertFalse(self.events_of(blocked | no_followup | in_payment | odoo_blocked))
        self.assertEqual(odoo_blocked.relance_state, "blocked")

    def test_partner_without_email(self):
        nomail = self.env["res.partner"].create({"name": "Sans Email", "is_company": True})
        move = self.invoice(partner=nomail)
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        self.assertEqual(event.state, "todo")
        self.assertFalse(event.mail_id)
        self.assertIn("email", event.error_message)
        self.assertEqual(
            event.activity_ids.activity_type_id,
            self.env.ref("account_relance_fr.mail_act_relance_missing_email"),
        )
        # once the address is known, the responsible sends it from the action
        nomail.email = "enfin@example.com"
        event.action_send_email()
        self.assertEqual(event.state, "done")
        self.assertTrue(event.mail_id)
        self.assertFalse(event.activity_ids)

    def test_failing_template_is_logged_and_run_goes_on(self):
        good = self.invoice()
        other = self.env["res.partner"].create({"name": "Autre", "email": "autre@example.com"})
        bad = self.invoice(partner=other)
        template = self.level(0).mail_template_id
        original = type(template)._render_field

        def render(tmpl, field, res_ids, *args, **kwargs):
            events = self.env["account.relance.event"].browse(res_ids)
            if field == "body_html" and other in events.partner_id:
                raise ValueError("broken expression")
            return original(tmpl, field, res_ids, *args, **kwargs)

        with patch.object(type(template), "_render_field", render):
            result = self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(result["events"], 1)
        self.assertEqual(self.events_of(good).state, "done")
        self.assertFalse(self.events_of(bad), "nothing recorded: it is retried next run")
        self.assertFalse(bad.relance_level_id)
        self.assertIn("broken expression", " ".join(other.message_ids.mapped("body")))
        result = self.run_relance(self.day0 + timedelta(days=8))
        self.assertEqual(self.events_of(bad).state, "done")

    def test_invoice_pdfs_attached_after_the_run(self):
        """A level that attaches the invoices in PDF: the batch records the action and
        leaves its email pending (no PDF rendered while it holds the invoices); the step
        after the run queues it with one PDF per invoice."""
        self.level(0).attach_invoices = True
        moves = self.invoice() | self.invoice(amount=500.0)
        day = self.day0 + timedelta(days=7)
        Run = self.env["account.relance.run"]
        Run._process(moves, day)  # what one batch of the run does
        event = self.events_of(moves)
        self.assertTrue(event.mail_pending)
        self.assertFalse(event.mail_id)
        self.assertFalse(event.activity_id, "no activity: the email goes out by itself")
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "account.move"), ("res_id", "in", moves.ids)]
            ),
            "no PDF rendered in the batch",
        )
        self.assertIn("queued after the run", moves[0].message_ids[:1].body)
        Event = self.env["account.relance.event"]
        self.assertEqual(Run._send_pending(self.company), 1)
        self.assertFalse(event.mail_pending)
        self.assertEqual(event.state, "done")
        attachments = event.mail_id.attachment_ids
        self.assertEqual(len(attachments), 2)
        self.assertEqual(set(attachments.mapped("res_id")), set(moves.ids))
        self.assertEqual(set(attachments.mapped("mimetype")), {"application/pdf"})
        self.assertEqual(Run._send_pending(self.company), 0, "queued once")
        # through the whole run, for another customer
        other = self.invoice(partner=self.customer_fr)
        self.run_relance(day)
        self.assertEqual(len(self.events_of(other).mail_id.attachment_ids), 1)
        self.assertFalse(Event.search([("mail_pending", "=", True)]))

    def test_invoice_pdf_failure_is_recorded(self):
        """The PDFs cannot be rendered: the action is marked failed with the reason and an
        activity, and the run goes on."""
        self.level(0).attach_invoices = True
        controller = self.env["res.users"].create(
            {
                "name": "Contrôleuse PDF",
                "login": "controle.pdf",
                "email": "controle.pdf@example.com",
                "notification_type": "email",
                "group_ids": [Command.link(self.env.ref("account.group_account_invoice").id)],
            }
        )
        self.customer.relance_user_id = controller
        move = self.invoice()

        def broken(report, moves):
            raise OSError("wkhtmltopdf: cannot connect to X server")

        Report = type(self.env["ir.actions.report"])
        with patch.object(Report, "_relance_invoice_pdfs", broken):
            result = self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(result["events"], 1)
        event = self.events_of(move)
        self.assertEqual(event.state, "failed")
        self.assertFalse(event.mail_pending)
        self.assertIn("wkhtmltopdf", event.error_message)
        self.assertEqual(
            event.activity_id.activity_type_id,
            self.env.ref("account_relance_fr.mail_act_relance_validate"),
        )
        # its responsible is notified of it, after the run's batches as during them
        notification = self.env["mail.mail"].search(
            [("recipient_ids", "in", controller.partner_id.id)]
        )
        self.assertEqual(len(notification), 1)
        self.assertIn(event.with_context(lang=controller.lang).display_name, notification.body_html)
        self.assertEqual(move.relance_level_id, self.level(0))

    def test_really_broken_template(self):
        """A template whose expression fails in the real renderer."""
        move = self.invoice()
        self.level(0).mail_template_id = self.level(0).mail_template_id.copy(
            {"body_html": '<p t-out="object.no_such_field.name"/>'}
        )
        result = self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(result["events"], 0)
        self.assertFalse(move.relance_level_id)
        self.assertIn(self.level(0).name, self.customer.message_ids[:1].body)

    def test_languages(self):
        en = self.invoice()
        fr = self.invoice(partner=self.customer_fr)
        self.run_relance(self.day0 + timedelta(days=7))
        mail_en = self.events_of(en).mail_id
        mail_fr = self.events_of(fr).mail_id
        self.assertIn("Dear", mail_en.body_html)
        self.assertIn("Total due", mail_en.body_html)
        self.assertIn("Bonjour", mail_fr.body_html)
        self.assertIn("Total dû", mail_fr.body_html)
        self.assertNotIn("Dear", mail_fr.body_html)
        # the layout around the message names no record, in no language
        self.assertNotIn("Action de relance", mail_fr.body_html)
        self.assertNotIn("Dunning action", mail_en.body_html)
        self.assertIn('<html lang="fr_FR">', mail_fr.body_html)
        self.assertIn("Bonjour", mail_fr.mail_message_id.body)

    def test_body_compiled_once_per_language(self):
        """The body of a level's template is compiled once per language for the batch,
        not once per customer, and each email still holds its own customer's invoices."""
        other = self.customer.copy({"name": "Menuiserie Test", "email": "m@menuiserie.example"})
        moves = self.invoice() | self.invoice(partner=other)
        moves |= self.invoice(partner=self.customer_fr)
        compile_ = BaseIrQweb._compile
        inline = []

        def counting(qweb, template):
            if isinstance(template, etree._Element):
                inline.append(qweb.env.context.get("lang"))
            return compile_(qweb, template)

        with patch.object(BaseIrQweb, "_compile", counting):
            self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(sorted(inline), ["en_US", "fr_FR"])
        for move in moves:
            mail = self.events_of(move).mail_id
            self.assertIn(move.name, mail.body_html)
            self.assertEqual(len(mail), 1)
        self.assertIn("Dear", self.events_of(moves[1]).mail_id.body_html)
        self.assertIn("Bonjour", self.events_of(moves[2]).mail_id.body_html)
        # other names, not one customer's email in another's
        self.assertNotIn(moves[0].name, self.events_of(moves[1]).mail_id.body_html)

    def test_template_reports_attached(self):
        """A report added to a level's template is rendered and attached to each email."""
        move = self.invoice()
        template = self.level(0).mail_template_id
        template.report_template_ids = self.env.ref(
            "account_relance_fr.action_report_relance_letter"
        )
        self.run_relance(self.day0 + timedelta(days=7))
        mail = self.events_of(move).mail_id
        self.assertEqual(len(mail.attachment_ids), 1)
        attachment = mail.attachment_ids
        # (tests render reports in HTML, without wkhtmltopdf)
        self.assertTrue(attachment.name.startswith("Reminder - "), attachment.name)
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("mail.message", mail.mail_message_id.id)
        )

    def test_multi_company_separation(self):
        other_company = self.setup_other_company(name="Société B")["company"]
        other_policy = other_company.sudo().relance_policy_id
        self.assertTrue(other_policy)
        self.assertNotEqual(other_policy, self.policy)
        self.assertEqual(other_policy.company_id, other_company)
        self.assertEqual(len(other_policy.level_ids), 5)
        (self.company | other_company).relance_log_invoice_emails = True
        mine = self.invoice()
        theirs = self.invoice(company=other_company)
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertTrue(self.events_of(mine))
        self.assertFalse(self.events_of(theirs))
        self.run_relance(self.day0 + timedelta(days=7), company=other_company)
        self.assertEqual(self.events_of(theirs).company_id, other_company)
        self.assertEqual(theirs.sudo().relance_level_id.policy_id, other_policy)

    def test_partner_policy_overrides_company(self):
        five = self.env["account.relance.policy"].search(
            [("company_id", "=", self.company.id), ("id", "!=", self.policy.id)]
        )
        self.customer.relance_policy_id = five
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertFalse(self.events_of(move))
        self.run_relance(self.day0 + timedelta(days=10))
        self.assertEqual(self.events_of(move).channel, "phone")

    def test_cron_runs_and_commits_progress(self):
        cron = self.env.ref("account_relance_fr.ir_cron_relance")
        self.assertEqual(cron.code.strip(), "model._cron_nightly()")
        self.assertEqual(cron.model_id.model, "account.relance.run")
        move = self.invoice()
        # a customer without email: an activity for its responsible, who is notified
        controller = self.env["res.users"].create(
            {
                "name": "Contrôleuse crédit",
                "login": "controle.credit",
                "email": "controle@example.com",
                "notification_type": "email",
                "group_ids": [Command.link(self.env.ref("account.group_account_invoice").id)],
            }
        )
        no_email = self.customer.copy({"name": "Sans Email", "email": False})
        no_email.relance_user_id = controller
        other = self.invoice(partner=no_email)
        with (
            freeze_time(self.day0 + timedelta(days=7)),
            patch.object(
                self.env.registry["ir.cron"], "_commit_progress", return_value=100.0
            ) as progress,
            patch.object(
                self.env.registry["mail.mail"], "send_after_commit", autospec=True
            ) as send_after_commit,
        ):
            self.env["account.relance.run"]._cron_nightly()
        self.assertTrue(progress.called)
        self.assertEqual(move.relance_level_id, self.level(0))
        self.assertFalse(send_after_commit.called)
        # the second cron thread is called to share the night
        helper = self.env.ref("account_relance_fr.ir_cron_relance_helper")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", helper.id)]), 1)
        activity = self.events_of(other).activity_id
        self.assertEqual(activity.user_id, controller)
        # its notification is queued for the mail queue, as from any server action, not
        # sent while the run holds its batch
        notification = self.env["mail.mail"].search(
            [("recipient_ids", "=", controller.partner_id.id)]
        )
        self.assertEqual(len(notification), 1)
        self.assertEqual(notification.state, "outgoing")

    def test_responsible_notified_once_per_run(self):
        """Odoo emails the assignee of each activity; the run assigns many at once: its
        responsible gets one notification listing them, in their language, with a link to
        each action, and none per activity."""
        self.env["res.lang"]._activate_lang("fr_FR")
        controller = self.env["res.users"].create(
            {
                "name": "Contrôleuse crédit",
                "login": "controle.digest",
                "email": "controle@example.com",
                "lang": "fr_FR",
                "notification_type": "email",
                "group_ids": [Command.link(self.env.ref("account.group_account_invoice").id)],
            }
        )
        customers = self.env["res.partner"].create(
            [
                {"name": name, "is_company": True, "relance_user_id": controller.id}
                for name in ("Sans Email A", "Sans Email B", "Sans Email C")
            ]
        )
        moves = self.env["account.move"].union(*(self.invoice(partner=c) for c in customers))
        mails_before = self.env["mail.mail"].search([])
        # one customer per batch: the notification is sent at the end of the run
        self.env["account.relance.run"]._run(
            companies=self.company, today=self.day0 + timedelta(days=7), batch_size=1
        )
        events = self.events_of(moves)
        self.assertEqual(len(events.activity_id), 3)
        self.assertEqual(events.activity_id.user_id, controller)
        notification = self.env["mail.mail"].search(
            [("id", "not in", mails_before.ids), ("recipient_ids", "in", controller.partner_id.id)]
        )
        self.assertEqual(len(notification), 1, "one for the run, not one per activity")
        self.assertIn("3 actions de relance vous ont été assignées", notification.body_html)
        for event in events:
            self.assertIn(event.with_context(lang="fr_FR").display_name, notification.body_html)
            self.assertIn(f"res_id={event.id}", notification.body_html)
        # the user who runs it by hand is not notified of what they gave themselves (the
        # first steps, emails that could not be sent, are dealt with first: they hold)
        with freeze_time(self.day0 + timedelta(days=7)):
            events.action_done()
        customers.relance_user_id = self.env.user
        mails_before = self.env["mail.mail"].search([])
        self.run_relance(self.day0 + timedelta(days=21))
        self.assertEqual(len(self.events_of(moves)), 6)
        self.assertFalse(
            self.env["mail.mail"].search(
                [
                    ("id", "not in", mails_before.ids),
                    ("recipient_ids", "in", self.env.user.partner_id.id),
                ]
            )
        )

    def test_cron_writes_in_the_company_language(self):
        """A scheduled action runs with an empty context (``ir.cron``): the nightly run
        writes its notes, activities and messages in the company's language, not in
        English, whatever the language of the user running it."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        self.env.user.lang = "en_US"
        self.company.relance_log_invoice_emails = True
        move = self.invoice()
        no_email = self.customer.copy({"name": "Sans Email", "email": False})
        other = self.invoice(partner=no_email)
        cron_env = self.env(context={})  # the environment of ir.cron._run_job
        with (
            freeze_time(self.day0 + timedelta(days=7)),
            patch.object(self.env.registry["ir.cron"], "_commit_progress", return_value=100.0),
        ):
            result = cron_env["account.relance.run"]._cron_nightly()
        self.assertEqual(result["events"], 2)
        self.assertEqual(move.relance_level_id, self.level(0))
        subtype = self.env.ref("account_relance_fr.mt_relance")
        note = move.message_ids.filtered(lambda m: m.subtype_id == subtype)
        self.assertEqual(len(note), 1)
        self.assertIn("e-mail en file d'attente pour compta@boulangerie.example", note.body)
        self.assertIn("Premier rappel", note.body)
        self.assertNotIn("queued", note.body)
        event = self.events_of(other)
        self.assertEqual(event.error_message, "Le client n'a pas d'adresse e-mail valide.")
        note = no_email.message_ids.filtered(lambda m: m.subtype_id == subtype)
        self.assertIn("Le client n'a pas d'adresse e-mail valide.", note.body)
        self.assertIn("Premier rappel", note.body)
        self.assertIn("1 facture, ", event.activity_id.note)
        self.assertIn("Premier rappel", event.activity_id.summary)

    def test_cron_night_of_each_company(self):
        """Each company's night in its own language; when the time is up after a company,
        the companies left are counted as remaining (the job is rescheduled for them)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        other_company = self.setup_other_company(name="Société B")["company"]
        other_company.partner_id.lang = "en_US"
        (self.company | other_company).relance_log_invoice_emails = True
        mine = self.invoice()
        theirs = self.invoice(company=other_company)
        companies = self.env["res.company"].sudo().search([("relance_auto_run", "=", True)])
        self.assertIn(other_company, companies)
        cron_env = self.env(context={})
        Cron = self.env.registry["ir.cron"]
        with freeze_time(self.day0 + timedelta(days=7)):
            with patch.object(Cron, "_commit_progress", return_value=0.0) as progress:
                cron_env["account.relance.run"]._cron_nightly()
            # time up after the first company: the others wait for the rescheduled job
            self.assertEqual(bool(mine.relance_level_id), companies[0] == self.company)
            self.assertEqual(bool(theirs.sudo().relance_level_id), companies[0] == other_company)
            self.assertEqual(progress.call_args.kwargs, {"remaining": len(companies) - 1})
            with patch.object(Cron, "_commit_progress", return_value=100.0):
                cron_env["account.relance.run"]._cron_nightly()
        subtype = self.env.ref("account_relance_fr.mt_relance")
        for move, words in ((mine, "e-mail en file d'attente"), (theirs, "email queued")):
            event = self.events_of(move).sudo()
            self.assertEqual(len(event), 1)
            note = move.sudo().message_ids.filtered(
                lambda m, event=event: (
                    m.subtype_id == subtype and f'data-oe-id="{event.id}"' in m.body
                )
            )
            self.assertIn(words, note.body)

    def test_cron_helper_shares_the_night(self):
        """The second cron thread runs the same night (it never runs on its own schedule),
        and nothing once the nightly run's scheduled action is archived."""
        helper = self.env.ref("account_relance_fr.ir_cron_relance_helper")
        self.assertEqual(helper.code.strip(), "model._cron_helper()")
        self.assertGreater(helper.nextcall.year, 2900)
        move = self.invoice()
        nightly = self.env.ref("account_relance_fr.ir_cron_relance")
        nightly.active = False
        with (
            freeze_time(self.day0 + timedelta(days=7)),
            patch.object(self.env.registry["ir.cron"], "_commit_progress", return_value=100.0),
        ):
            result = self.env["account.relance.run"]._cron_helper()
            self.assertEqual(result["events"], 0)
            self.assertFalse(move.relance_level_id)
            nightly.active = True
            result = self.env["account.relance.run"]._cron_helper()
        self.assertEqual(result["events"], 1)
        self.assertEqual(move.relance_level_id, self.level(0))

    def test_manual_run_from_selection(self):
        move = self.invoice()
        other = self.invoice(partner=self.customer_fr)
        with freeze_time(self.day0 + timedelta(days=7)):
            action = move.action_relance_run()
        self.assertEqual(action["tag"], "display_notification")
        self.assertTrue(self.events_of(move))
        self.assertFalse(self.events_of(other))

    def test_send_now_with_preview(self):
        move = self.invoice()
        with freeze_time(self.day0 + timedelta(days=3)):
            action = move.action_relance_send()
            wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
            self.assertEqual(wizard.level_id, self.level(0))
            self.assertIn(move.name, wizard.body)
            wizard.body = "<p>Texte revu par la comptable</p>"
            result = wizard.save().action_send()
        event = self.env["account.relance.event"].browse(result["res_id"])
        self.assertEqual(event.line_ids.move_id, move)
        self.assertIn("Texte revu par la comptable", event.mail_id.body_html)
        # sent in the level's layout, like the nightly run's emails; the text in the chatter
        self.assertIn('role="presentation"', event.mail_id.body_html)
        self.assertEqual(event.message_id.body, "<p>Texte revu par la comptable</p>")
        self.assertEqual(move.relance_level_id, self.level(0))
        # the nightly run does not send that level again
        self.assertEqual(self.run_relance(self.day0 + timedelta(days=7))["events"], 0)

    def test_activity_done_records_event(self):
        move = self.invoice()
        for offset in (7, 21, 30):
            self.run_relance(self.day0 + timedelta(days=offset))
        call = self.events_of(move).filtered(lambda e: e.channel == "phone")
        self.assertEqual(call.state, "todo")
        call.activity_ids.action_feedback(feedback="Client joint, paiement en cours")
        self.assertEqual(call.state, "done")

    def test_events_never_deleted(self):
        move = self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        event = self.events_of(move)
        with self.assertRaises(UserError):
            event.unlink()
        event.action_archive()
        self.assertFalse(event.active)

    def test_courtesy_reminder_before_due_date(self):
        """The setting "courtesy reminder 3 days before" adds a first step to the ladder."""
        self.company.relance_courtesy_days = 3
        courtesy = self.policy.level_ids.filtered("is_courtesy")
        self.assertEqual((courtesy.delay, courtesy.channel), (-3, "email"))
        self.assertEqual(self.policy.level_ids.sorted("sequence")[0], courtesy)
        move = self.invoice()
        self.assertEqual(self.run_relance(self.day0 - timedelta(days=4))["events"], 0)
        self.run_relance(self.day0 - timedelta(days=3))
        event = self.events_of(move)
        self.assertEqual(event.level_id, courtesy)
        self.assertIn("soon be due", event.mail_id.body_html)
        # the first reminder keeps its place: 7 days after the due date
        self.run_relance(self.day0 + timedelta(days=6))
        self.assertEqual(move.relance_level_id, courtesy)
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertEqual(move.relance_level_id, self.level(0))
        # switched off: the step is archived, the history stays
        self.company.relance_courtesy_days = 0
        self.assertFalse(courtesy.active)
        self.assertEqual(len(self.events_of(move)), 2)

    def test_ladder_change_moves_next_dates(self):
        """The run reads only the invoices whose next step is due: editing the ladder
        recomputes those dates."""
        move = self.invoice()
        self.assertEqual(move.relance_next_date, self.day0 + timedelta(days=7))
        self.level(0).delay = 3
        self.assertEqual(move.relance_next_date, self.day0 + timedelta(days=3))
        self.assertEqual(self.run_relance(self.day0 + timedelta(days=3))["events"], 1)


@tagged("post_install", "-at_install")
class TestRelanceDemo(TransactionCase):
    def test_demo_history_in_the_company_language(self):
        """The demo replays the last nights as the nightly run writes them: the history of
        the French demo company is in French."""
        company = self.env.ref("base.demo_company_fr", raise_if_not_found=False)
        events = self.env["account.relance.event"].search([("company_id", "in", company.ids)])
        if not events:
            self.skipTest("installed without demo data")
        self.assertEqual(company._relance_lang(), "fr_FR")
        # the notes of the actions other than emails (the emails are in each customer's
        # language)
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", events.partner_id.ids),
                ("subtype_id", "=", self.env.ref("account_relance_fr.mt_relance").id),
                ("message_type", "=", "notification"),
            ]
        )
        self.assertTrue(notes)
        # a customer whose language is not installed (English, in a French-only
        # database) is told apart, in French too
        steps = notes.filtered(lambda m: "Rédigée dans la langue de la société" not in m.body)
        self.assertTrue(steps)
        # the steps, and what happens after the ladder (a payment plan, insolvency
        # proceedings, a file handed to a collector)
        french = (
            "<p>Étape de relance ",
            "<p>Échéancier ",
            "<p>Redressement judiciaire",
            "<p>Confié à ",
        )
        self.assertTrue(all(m.body.startswith(french) for m in steps))
        self.assertTrue(notes.filtered(lambda m: "à faire par" in m.body))
        self.assertFalse(notes.filtered(lambda m: "Dunning" in m.body or "to do by" in m.body))

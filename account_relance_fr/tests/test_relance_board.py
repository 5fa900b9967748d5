# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..lib import analysis
from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceBoard(RelanceCommon):
    """The board's figures on a small known data set (dates relative to the user's day,
    on which the SQL of the board ages the invoices)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["account.move"])

    def card(self, partner):
        return self.env["account.relance.board"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def test_aging_buckets_and_flags(self):
        t = self.today
        for days, amount in ((-3, 10.0), (5, 100.0), (40, 200.0), (70, 400.0), (100, 800.0)):
            self.invoice(amount=amount, due=t - timedelta(days=days))
        disputed = self.invoice(amount=1.0, due=t - timedelta(days=2))
        disputed.action_relance_set_hold("dispute", note="prix")
        card = self.card(self.customer)
        self.assertEqual(len(card), 1)
        self.assertEqual(
            (
                card.amount_not_due,
                card.amount_1_30,
                card.amount_31_60,
                card.amount_61_90,
                card.amount_over_90,
            ),
            (10.0, 101.0, 200.0, 400.0, 800.0),
        )
        # the SQL's buckets are those of lib.analysis
        expected = {key: 0.0 for key, _first, _last in analysis.aging_ranges()}
        for move in self.env["account.move"].search([("partner_id", "=", self.customer.id)]):
            expected[analysis.aging_bucket((t - move.invoice_date_due).days)] += move.amount_total
        self.assertEqual({key: card[f"amount_{key}"] for key in expected}, expected)
        self.assertEqual(card.amount_overdue, 1501.0)
        self.assertEqual(card.amount_due, 1511.0)
        self.assertEqual((card.invoice_count, card.overdue_count, card.oldest_days), (6, 5, 100))
        self.assertTrue(card.has_dispute)
        self.assertFalse(card.has_promise or card.has_litigation or card.is_blocked)
        self.assertEqual(card.next_level_id, self.level(0))

    def test_highest_level_and_grouping(self):
        t = self.today
        old = self.invoice(amount=100.0, due=t - timedelta(days=30))
        self.invoice(amount=100.0, due=t - timedelta(days=8))
        self.run_relance(t - timedelta(days=23))  # old: first reminder
        self.run_relance(t - timedelta(days=9))  # old: second reminder
        self.assertEqual(old.relance_level_id, self.level(1))
        card = self.card(self.customer)
        self.assertEqual(card.level_id, self.level(1))
        groups = self.env["account.relance.board"].read_group(
            [("company_id", "=", self.company.id)], ["amount_overdue:sum"], ["level_id"]
        )
        level_ids = [g["level_id"][0] for g in groups if g["level_id"]]
        # every level of the company's policy is a column, in ladder order
        self.assertEqual(level_ids[: len(self.levels)], self.levels.ids)

    def test_move_card_to_formal_notice_records_who_and_skips(self):
        t = self.today
        move = self.invoice(amount=100.0, due=t - timedelta(days=10))
        card = self.card(self.customer)
        notice = self.levels.filtered(lambda lv: lv.channel == "formal_notice")
        self.drop_card(card, notice)
        self.assertEqual(move.relance_level_id, notice)
        event = self.events_of(move)
        self.assertEqual(event.level_id, notice)
        self.assertIn(self.env.user.name, event.note)
        self.assertIn(self.level(0).name, event.note, "the skipped steps are recorded")
        self.assertIn("Moved to", event.message_ids[:1].body)

    def test_effectiveness_per_level(self):
        t = self.today - timedelta(days=200)
        fast, slow, never = (self.invoice(amount=100.0, due=t) for _i in range(3))
        self.run_relance(t + timedelta(days=7))
        self._register_payment(fast, payment_date=t + timedelta(days=17))  # 10 days after
        self._register_payment(slow, payment_date=t + timedelta(days=32))  # 25 days after
        rows = self.env["account.relance.effectiveness"].read_group(
            [("move_id", "in", (fast | slow | never).ids)],
            ["paid_15:avg", "paid_30:avg", "reminder_count:sum"],
            ["level_id"],
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["reminder_count"], 3)
        self.assertAlmostEqual(rows[0]["paid_15"], 100 / 3)
        self.assertAlmostEqual(rows[0]["paid_30"], 200 / 3)
        # the view's shares are lib.analysis.paid_within_rate of its reminders
        lines = self.env["account.relance.effectiveness"].search(
            [("move_id", "in", (fast | slow | never).ids)]
        )
        pairs = [(line.date, line.paid_date) for line in lines]
        for days, share in ((15, rows[0]["paid_15"]), (30, rows[0]["paid_30"])):
            self.assertAlmostEqual(analysis.paid_within_rate(pairs, days) * 100, share)

    def test_payer_badge(self):
        t = self.today
        good = self.env["res.partner"].create({"name": "Bon payeur", "is_company": True})
        bad = self.env["res.partner"].create({"name": "Mauvais payeur", "is_company": True})
        for i in range(4):
            on_time = self.invoice(partner=good, amount=50.0, due=t - timedelta(days=60 + i))
            self._register_payment(on_time, payment_date=t - timedelta(days=61 + i))
            late = self.invoice(partner=bad, amount=50.0, due=t - timedelta(days=90 + i))
            self._register_payment(late, payment_date=t - timedelta(days=40 + i))
        self.assertEqual(good.relance_payer_badge, "good")
        self.assertEqual(good.relance_paid_count, 4)
        self.assertEqual(good.relance_late_count, 0)
        self.assertEqual(bad.relance_payer_badge, "bad")
        self.assertEqual(bad.relance_late_count, 4)
        self.assertAlmostEqual(bad.relance_avg_days_late, 50.0)
        nobody = self.env["res.partner"].create({"name": "Nouveau"})
        self.assertEqual(nobody.relance_payer_badge, "unknown")

    def test_dso(self):
        """Days sales outstanding by the countback method, on the user's day and at the end
        of the 11 months before, credit notes and payments applied."""
        a = self.invoice(amount=3000.0, due=date(2026, 2, 19))  # invoiced 2026-01-20
        self.invoice(amount=1000.0, due=date(2026, 4, 4))  # invoiced 2026-03-05
        self.invoice(amount=500.0, due=date(2026, 3, 12), move_type="out_refund")  # 02-10
        self._register_payment(a, payment_date=date(2026, 2, 15), amount=1000.0)
        with freeze_time("2026-03-10"):
            rows = self.env["account.relance.dso"].search(
                [("company_id", "=", self.company.id)], order="month_end"
            )
            self.assertEqual(len(rows), 12)
            self.assertEqual(rows[-1].month_end, date(2026, 3, 10), "the current month")
            self.assertEqual(rows[-2].month_end, date(2026, 2, 28))
            figures = {row.month_end: (row.receivable, row.sales, row.dso) for row in rows[-4:]}
        self.assertEqual(
            figures,
            {
                date(2025, 12, 31): (0.0, 0.0, 0.0),
                # 3,000 invoiced in January, all due: its 31 days
                date(2026, 1, 31): (3000.0, 3000.0, 31.0),
                # 1,500 left (credit note and payment applied): February, without sales
                # (the credit note exceeds them), 28 days, then 1,500 / 3,000 of January
                date(2026, 2, 28): (1500.0, -500.0, 43.5),
                # 2,500: March to date (10 days, 1,000), February (28), 15.5 of January
                date(2026, 3, 10): (2500.0, 1000.0, 53.5),
            },
        )
        # the SQL is lib.analysis.dso_countback of the same months
        periods = [(10, 1000.0), (28, -500.0), (31, 3000.0)] + [(30, 0.0)] * 21
        self.assertEqual(analysis.dso_countback(2500.0, periods), 53.5)

    def test_call_with_promise_and_dispute(self):
        move = self.invoice(amount=300.0)
        action = move.action_relance_log_call()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create(
                {
                    "outcome": "promise",
                    "promise_date": self.day0 + timedelta(days=20),
                    "promise_amount": 300.0,
                    "note": "Paiement la semaine prochaine",
                }
            )
        )
        wizard.action_log()
        self.assertEqual(move.relance_state, "promise")
        self.assertIn("Paiement la semaine prochaine", move.message_ids[:1].body)
        salesman = new_test_user(self.env, login="vendeur", groups="account.group_account_invoice")
        other = self.invoice(amount=200.0, invoice_user_id=salesman.id)
        # the customer follows its invoice (as when it was sent by email)
        other.message_subscribe(partner_ids=self.customer.ids)
        action = other.action_relance_log_call()
        self.env[action["res_model"]].with_context(**action["context"]).create(
            {
                "outcome": "dispute",
                "dispute_reason_id": self.env.ref("account_relance_fr.dispute_reason_quality").id,
            }
        ).action_log()
        self.assertEqual(other.relance_state, "dispute")
        notified = other.message_ids.filtered(lambda m: salesman.partner_id in m.partner_ids)
        self.assertTrue(notified)
        # an internal note for the salesperson: never sent to the customer who follows it
        self.assertEqual(notified.subtype_id, self.env.ref("mail.mt_note"))
        self.assertNotIn(self.customer, notified.notification_ids.res_partner_id)
        self.assertIn(salesman.partner_id, notified.notification_ids.res_partner_id)

    def test_call_no_answer_reschedules(self):
        move = self.invoice(amount=300.0)
        action = move.action_relance_log_call()
        self.env[action["res_model"]].with_context(**action["context"]).create(
            {
                "outcome": "no_answer",
                "next_call_date": self.day0 + timedelta(days=3),
            }
        ).action_log()
        activity = self.customer.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("account_relance_fr.mail_act_relance_call")
        )
        self.assertEqual(activity.date_deadline, self.day0 + timedelta(days=3))

    def test_mass_hold_and_resume(self):
        moves = self.invoice() | self.invoice()
        action = moves.action_relance_hold_wizard()
        self.env[action["res_model"]].with_context(**action["context"]).create(
            {"hold": "litigation", "note": "Transmis à l'avocat"}
        ).action_apply()
        self.assertEqual(set(moves.mapped("relance_state")), {"litigation"})
        self.env[action["res_model"]].with_context(**action["context"]).create(
            {"hold": "resume"}
        ).action_apply()
        self.assertEqual(set(moves.mapped("relance_state")), {"none"})


@tagged("post_install", "-at_install")
class TestRelanceViewsAccess(RelanceCommon):
    """Every view of the addon opens for a user of each access group."""

    def test_views_open_for_each_group(self):
        self.invoice()
        self.run_relance(self.day0 + timedelta(days=7))
        users = {
            "user": new_test_user(
                self.env,
                login="relance_user",
                groups="account.group_account_invoice",
                company_id=self.company.id,
                company_ids=self.company.ids,
            ),
            "manager": new_test_user(
                self.env,
                login="relance_manager",
                groups="account.group_account_manager",
                company_id=self.company.id,
                company_ids=self.company.ids,
            ),
        }
        self.assertTrue(users["user"].has_group("account_relance_fr.group_relance_user"))
        self.assertFalse(users["user"].has_group("account_relance_fr.group_relance_manager"))
        self.assertTrue(users["manager"].has_group("account_relance_fr.group_relance_manager"))
        views = self.env["ir.ui.view"].search(
            [
                ("model", "like", "account.relance."),
                ("type", "in", ("list", "form", "kanban", "pivot", "graph", "search")),
            ]
        )
        read_only = {
            "account.relance.policy",
            "account.relance.level",
            "account.relance.rate",
            "account.relance.dispute.reason",
        }
        for name, user in users.items():
            for model in set(views.mapped("model")):
                if model in ("account.relance.penalty", "account.relance.penalty.line") and (
                    name == "user"
                ):
                    continue
                env = self.env(user=user)
                result = env[model].get_views(
                    [
                        (False, t)
                        for t in set(views.filtered(lambda v, m=model: v.model == m).mapped("type"))
                    ]
                )
                self.assertTrue(result["views"], f"{model} for {name}")
                if not env[model]._transient:
                    env[model].web_search_read([], {"display_name": {}}, limit=5)
            # the invoice and partner forms with the dunning tab
            for model in ("account.move", "res.partner"):
                self.env(user=user)[model].get_views([(False, "form")])
        # a plain user cannot configure
        with self.assertRaises(AccessError):
            self.env(user=users["user"])["account.relance.level"].create(
                {"name": "x", "delay": 1, "policy_id": self.policy.id}
            )
        self.assertTrue(read_only)


@tagged("post_install", "-at_install")
class TestRelanceBoardQueries(RelanceCommon):
    """The board's first page (10 cards a column) costs the same number of queries for 15
    or 60 customers."""

    CARD_SPEC = {
        "partner_id": {"fields": {"display_name": {}}},
        "user_id": {"fields": {"display_name": {}}},
        "level_id": {"fields": {"display_name": {}}},
        "next_level_id": {"fields": {"display_name": {}}},
        "level_color": {},
        "amount_overdue": {},
        "currency_id": {"fields": {}},
        "oldest_days": {},
        "overdue_count": {},
        "invoice_count": {},
        "next_date": {},
        "has_dispute": {},
        "has_promise": {},
        "promise_date": {},
        "is_blocked": {},
        "has_litigation": {},
        "near_prescription": {},
        "company_id": {"fields": {}},
    }

    def _customers(self, count):
        today = fields.Date.context_today(self.env["account.move"])
        partners = self.env["res.partner"].create(
            [
                {"name": f"Client {count}-{i}", "email": f"c{i}@example.com", "is_company": True}
                for i in range(count)
            ]
        )
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - timedelta(days=60),
                    "invoice_date_due": today - timedelta(days=10 + i % 50),
                    "invoice_line_ids": [
                        (0, 0, {"name": "x", "quantity": 1, "price_unit": 10.0, "tax_ids": False})
                    ],
                }
                for i, partner in enumerate(partners)
            ]
        )
        moves.action_post()
        self.run_relance(today)

    def _load_board(self):
        Board = self.env["account.relance.board"]
        domain = [("amount_overdue", ">", 0)]
        Board.web_read_group(
            domain,
            ["level_id"],
            ["amount_overdue:sum"],
            auto_unfold=True,
            unfold_read_specification=self.CARD_SPEC,
            unfold_read_default_limit=10,
        )
        Board.web_search_read(domain, self.CARD_SPEC, limit=10)
        Board.formatted_read_group(
            domain, ["level_id"], ["amount_overdue:sum", "amount_over_90:sum"]
        )

    def _count(self):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        self._load_board()
        return self.cr.sql_log_count - before

    def test_board_queries_bounded(self):
        self._customers(15)
        self._load_board()  # warm the caches of views, rules and translations
        small = self._count()
        self._customers(45)
        large = self._count()
        self.assertEqual(small, large, "no query per customer")
        self.env.invalidate_all()
        with self.assertQueryCount(30):
            self._load_board()

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The credit controller's morning in a real browser, on the demo data."""

import unittest
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .pictures import TourPictures


@tagged("post_install", "-at_install")
class TestRelanceTour(TourPictures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr = cls.env.ref("base.demo_company_fr", raise_if_not_found=False)
        events = cls.env["account.relance.event"].search_count(
            [("company_id", "in", cls.fr.ids)], limit=1
        )
        if not events:
            raise unittest.SkipTest("installed without demo data")
        cls.admin = cls.env.ref("base.user_admin")
        cls.env["res.lang"]._activate_lang("fr_FR")

    @contextmanager
    def _calls(self, model, method, calls):
        """Note each call of ``model.method`` made by the server while the browser works:
        ``(args, kwargs, result)``; the method itself runs as always."""
        cls = type(model)
        original = getattr(cls, method)

        def noted(records, *args, **kwargs):
            result = original(records, *args, **kwargs)
            calls.append((args, kwargs, result))
            return result

        with patch.object(cls, method, noted):
            yield

    def _as(self, lang):
        # a French-only database (Odoo's runner) has English installed but not active
        self.env["res.lang"]._activate_lang(lang)
        self.admin.write({"lang": lang, "company_ids": [(4, self.fr.id)], "company_id": self.fr.id})

    def partner(self, name):
        return self.env["res.partner"].search([("name", "=", name)], limit=1)

    def test_morning(self):
        """In French: the board opens on the French company; "Relancer" on the customer at
        the registered letter proposes the formal notice for all its overdue invoices,
        whose dialog closes once it is generated, recorded once; a call records a promise;
        the History button opens the Relances tab, where the statement of account prints."""
        self._as("fr_FR")
        martin = self.partner("Boulangerie Martin SARL")
        Board = self.env["account.relance.board"].with_user(self.admin)
        card = Board.search([("partner_id", "=", martin.id)])
        self.assertEqual(card.company_id, self.fr, "the demo opens on the French company")
        self.assertEqual(card.level_id.channel, "registered_letter")
        overdue = card.overdue_count
        shots, printed = [], []
        # the reports the browser downloaded (HTML under the test runner, which renders no
        # PDF unless forced to)
        with (
            self._screenshot_at_end("relance_board_", shots),
            self._calls(self.env["ir.actions.report"], "_render_qweb_pdf", printed),
        ):
            self.start_tour(
                "/odoo/action-account_relance_fr.action_account_relance_board",
                "relance_board_tour",
                login="admin",
                timeout=240,
            )
        self.assertTrue(shots, "the tour saved a screenshot of the board")
        self._keep_picture("relance_board_", "board.png")
        # the formal notice: one action, done, for every overdue invoice of the customer
        notices = self.env["account.relance.event"].search(
            [("partner_id", "=", martin.id), ("channel", "=", "formal_notice")]
        )
        self.assertEqual(len(notices), 1)
        self.assertEqual(notices.state, "done")
        self.assertEqual(notices.registered_number, "1A 234 567 8901 2")
        self.assertEqual(len(notices.line_ids), overdue)
        self.assertTrue(notices.message_ids.attachment_ids, "the letter archived in its chatter")
        durand = self.partner("Atelier Durand SAS")
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", durand.id),
                ("company_id", "=", self.fr.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        self.assertIn("promise", moves.mapped("relance_state"))
        # the statement of account of the customer whose history was opened, in French
        leroy = self.partner("Transports Leroy")
        statements = [
            ((args[1:] or [kwargs.get("res_ids")])[0], result[0])
            for args, kwargs, result in printed
            if args[0].endswith("report_relance_statement")
        ]
        self.assertEqual([ids for ids, _doc in statements], [[leroy.id]])
        document = statements[0][1].decode()
        self.assertIn("RELEVÉ DE COMPTE", document.upper())
        self.assertIn("Solde d'ouverture", document.replace("&#39;", "'"))

    def test_partner_history(self):
        self._as("fr_FR")
        leroy = self.partner("Transports Leroy")
        self.assertTrue(leroy.with_company(self.fr).relance_event_ids)
        shots, built = [], []
        with (
            self._screenshot_at_end("relance_history_", shots),
            self._calls(self.env["account.relance.dossier"], "_build_zip", built),
        ):
            self.start_tour(
                "/odoo/action-account_relance_fr.action_account_relance_board",
                "relance_partner_history_tour",
                login="admin",
                timeout=120,
            )
        self.assertTrue(shots)
        # the collection file the browser asked for, built by the server for that customer
        self.assertEqual([args[0] for args, _kwargs, _result in built], [leroy])
        filename, content = built[0][2]
        self.assertTrue(filename.endswith(".zip"))
        self.assertEqual(content[:2], b"PK")
        self._keep_picture("relance_history_", "partner_history.png")

    def test_penalties_from_an_invoice(self):
        """The penalty dialog submitted by the browser: the invoice of each line reaches
        the server (it is read-only on screen)."""
        self._as("fr_FR")
        durand = self.partner("Atelier Durand SAS")
        invoice = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", durand.id),
                ("company_id", "=", self.fr.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "=", "not_paid"),
            ],
            order="invoice_date_due",
            limit=1,
        )
        self.assertTrue(invoice.relance_penalty_total)
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
            "relance_penalty_tour",
            login="admin",
            timeout=120,
        )
        lines = self.env["account.move.line"].search(
            [("relance_penalty_origin_id", "=", invoice.id)]
        )
        self.assertEqual(set(lines.mapped("relance_penalty_kind")), {"interest", "indemnity"})

    def test_what_is_owed_now(self):
        """In French, on the board: "Relancer" on the customer of an invoice paid in two
        instalments claims the first one only; on a customer with a disputed invoice, the
        dialog lists it apart with its reason."""
        self._as("fr_FR")
        moreau = self.partner("Garage Moreau SARL")
        invoice = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", moreau.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        self.assertLess(invoice.relance_due_date, invoice.invoice_date_due)
        self.start_tour(
            "/odoo/action-account_relance_fr.action_account_relance_board",
            "relance_owed_tour",
            login="admin",
            timeout=120,
        )

    def test_plan_made_from_the_board(self):
        """In French, on the board: a plan in four instalments for all the overdue invoices
        of a customer, started from its card; its invoices leave the ladder."""
        self._as("fr_FR")
        durand = self.partner("Atelier Durand SAS")
        shots = []
        with self._screenshot_at_end("relance_plan_", shots):
            self.start_tour(
                "/odoo/action-account_relance_fr.action_account_relance_board",
                "relance_plan_tour",
                login="admin",
                timeout=120,
            )
        self._keep_picture("relance_plan_", "payment_plan.png")
        plan = self.env["account.relance.plan"].search([("partner_id", "=", durand.id)])
        self.assertEqual(plan.state, "active")
        self.assertEqual(len(plan.line_ids), 4)
        self.assertEqual(plan.company_id, self.fr)
        self.assertEqual(sum(plan.line_ids.mapped("amount")), plan.amount)
        self.assertEqual(set(plan.move_ids.mapped("relance_hold")), {"plan"})
        self.assertEqual(plan.amount, sum(plan.move_ids.mapped("amount_residual")))
        card = self.env["account.relance.board"].search([("partner_id", "=", durand.id)])
        self.assertTrue(card.has_plan, "the card shows the plan")

    def test_insolvency_recorded_from_the_customer(self):
        """In French, on the customer: a redressement judiciaire of 2 November 2026,
        published on the 12th: the claim is declared by 12 January 2027 (R622-24); the
        invoices dated before the judgment are held, the later ones chased as usual."""
        self._as("fr_FR")
        martin = self.partner("Boulangerie Martin SARL")
        shots = []
        with self._screenshot_at_end("relance_insolvency_", shots):
            self.start_tour(
                f"/odoo/res.partner/{martin.id}",
                "relance_insolvency_tour",
                login="admin",
                timeout=120,
            )
        self._keep_picture("relance_insolvency_", "insolvency.png")
        record = self.env["account.relance.insolvency"].search([("partner_id", "=", martin.id)])
        self.assertEqual(record.kind, "receivership")
        self.assertEqual(record.declaration_deadline, date(2027, 1, 12))
        self.assertEqual(record.company_id, self.fr)
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", martin.id),
                ("company_id", "=", self.fr.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        before = invoices.filtered(lambda m: m.invoice_date < date(2026, 11, 2))
        self.assertEqual(record.move_ids, before)
        self.assertEqual(set(before.mapped("relance_hold")), {"insolvency"})
        self.assertNotIn("insolvency", (invoices - before).mapped("relance_hold"))
        self.assertEqual(
            record.activity_ids.date_deadline, date(2027, 1, 12), "the declaration's activity"
        )

    def test_dso_and_english_board(self):
        self._as("fr_FR")
        self.start_tour(
            "/odoo/action-account_relance_fr.action_account_relance_dso",
            "relance_dso_tour",
            login="admin",
            timeout=120,
        )
        self._as("en_US")
        self.start_tour(
            "/odoo/action-account_relance_fr.action_account_relance_board",
            "relance_board_en_tour",
            login="admin",
            timeout=120,
        )

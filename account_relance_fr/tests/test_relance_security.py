# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who sees what: groups, companies, portal, through the ORM and through JSON-RPC."""

import json
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RelanceCommon

MODELS = (
    "account.relance.event",
    "account.relance.event.line",
    "account.relance.board",
    "account.relance.effectiveness",
    "account.relance.policy",
    "account.relance.level",
)


class RelanceSecurityCommon(RelanceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.setup_other_company(name="Société B")["company"]
        cls.move_a = cls.invoice(partner=cls.customer, amount=100.0)
        cls.move_b = cls.invoice(partner=cls.customer_fr, amount=200.0, company=cls.company_b)
        Run = cls.env["account.relance.run"]
        day = cls.day0 + timedelta(days=7)
        for company in (cls.company_a, cls.company_b):
            Run.with_company(company)._run(companies=company, today=day)
        cls.event_a = cls.env["account.relance.event"].search(
            [("company_id", "=", cls.company_a.id)]
        )
        cls.event_b = (
            cls.env["account.relance.event"].sudo().search([("company_id", "=", cls.company_b.id)])
        )
        groups = "account.group_account_invoice,base.group_allow_export"
        cls.user_a = new_test_user(
            cls.env,
            login="relance_a",
            groups=groups,
            password="relance_a_pwd",
            company_id=cls.company_a.id,
            company_ids=cls.company_a.ids,
        )
        cls.manager_ab = new_test_user(
            cls.env,
            login="relance_ab",
            groups="account.group_account_manager",
            company_id=cls.company_a.id,
            company_ids=(cls.company_a | cls.company_b).ids,
        )
        cls.internal = new_test_user(
            cls.env,
            login="relance_internal",
            groups="base.group_user",
            company_id=cls.company_a.id,
            company_ids=cls.company_a.ids,
        )
        cls.portal = new_test_user(
            cls.env,
            login="relance_portal",
            groups="base.group_portal",
            password="relance_portal_pwd",
            company_id=cls.company_a.id,
            company_ids=cls.company_a.ids,
        )


@tagged("post_install", "-at_install")
class TestRelanceAccess(RelanceSecurityCommon):
    def test_setup(self):
        self.assertEqual(len(self.event_a), 1)
        self.assertEqual(len(self.event_b), 1)

    def test_user_of_company_a_sees_only_a(self):
        env = self.env(user=self.user_a, context={"allowed_company_ids": self.company_a.ids})
        self.assertEqual(env["account.relance.event"].search([]), self.event_a.with_env(env))
        self.assertEqual(env["account.relance.event.line"].search([]).move_id.ids, self.move_a.ids)
        cards = env["account.relance.board"].search([])
        self.assertNotIn(self.company_b, cards.company_id)
        with self.assertRaises(AccessError):
            env["account.relance.event"].browse(self.event_b.id).read(["amount_due"])
        exported = env["account.relance.event"].search([]).export_data(["partner_id", "amount_due"])
        self.assertEqual(len(exported["datas"]), 1)
        with self.assertRaises(AccessError):
            env["ir.actions.report"]._render_qweb_html(
                "account_relance_fr.report_relance_notice", self.event_b.ids
            )
        # and not by forcing the other company into the context either
        env_b = self.env(user=self.user_a, context={"allowed_company_ids": self.company_b.ids})
        with self.assertRaises(AccessError):
            env_b["account.relance.event"].search([]).read(["amount_due"])

    def test_user_switching_companies(self):
        env = self.env(user=self.manager_ab)
        only_a = env(context={"allowed_company_ids": self.company_a.ids})
        only_b = env(context={"allowed_company_ids": self.company_b.ids})
        both = env(context={"allowed_company_ids": (self.company_a | self.company_b).ids})
        self.assertEqual(only_a["account.relance.event"].search([]).ids, self.event_a.ids)
        self.assertEqual(only_b["account.relance.event"].search([]).ids, self.event_b.ids)
        self.assertEqual(
            set(both["account.relance.event"].search([]).ids), {self.event_a.id, self.event_b.id}
        )
        self.assertEqual(only_b["account.relance.policy"].search([]).company_id, self.company_b)

    def test_groups(self):
        user_env = self.env(user=self.user_a)
        self.assertTrue(self.user_a.has_group("account_relance_fr.group_relance_user"))
        self.assertFalse(self.user_a.has_group("account_relance_fr.group_relance_manager"))
        self.assertTrue(self.manager_ab.has_group("account_relance_fr.group_relance_manager"))
        # a user reads the configuration, a manager changes it
        user_env["account.relance.level"].search([]).read(["name"])
        with self.assertRaises(AccessError):
            user_env["account.relance.level"].browse(self.level(0).id).write({"delay": 3})
        with self.assertRaises(AccessError):
            user_env["account.relance.rate"].create(
                {
                    "date_start": "2026-07-01",
                    "ecb_rate": 2,
                    "legal_rate_pro": 3,
                    "legal_rate_private": 6,
                }
            )
        manager_env = self.env(user=self.manager_ab)
        manager_env["account.relance.rate"].create(
            {
                "date_start": "2026-07-01",
                "ecb_rate": 2.15,
                "legal_rate_pro": 2.5,
                "legal_rate_private": 6.5,
            }
        )
        with self.assertRaises(AccessError):
            user_env["account.relance.penalty"].create({"invoice_ids": self.move_a.ids})
        # nobody deletes the evidence
        with self.assertRaises(AccessError):
            manager_env["account.relance.event"].browse(self.event_a.id).unlink()

    def test_no_dunning_data_without_accounting_rights(self):
        for user in (self.internal, self.portal):
            env = self.env(user=user)
            for model in MODELS:
                with self.assertRaises(AccessError, msg=f"{user.login} on {model}"):
                    env[model].search([]).read(["id"])


@tagged("post_install", "-at_install")
class TestRelanceAccessRpc(RelanceSecurityCommon, HttpCase):
    """The same rules through JSON-RPC on a running server."""

    def call_kw(self, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_rpc_reads_searches_exports_and_reports(self):
        self.authenticate("relance_a", "relance_a_pwd")
        found = self.call_kw("account.relance.event", "search_read", [[]], {"fields": ["id"]})
        self.assertEqual([r["id"] for r in found["result"]], self.event_a.ids)
        denied = self.call_kw("account.relance.event", "read", [self.event_b.ids, ["amount_due"]])
        self.assertIn("error", denied)
        exported = self.call_kw(
            "account.relance.event",
            "export_data",
            [self.event_a.ids, ["partner_id/name", "amount_due"]],
        )
        self.assertEqual(len(exported["result"]["datas"]), 1)
        report = self.url_open(
            f"/report/html/account_relance_fr.report_relance_notice/{self.event_b.id}"
        )
        self.assertNotEqual(report.status_code, 200)
        mine = self.url_open(
            f"/report/html/account_relance_fr.report_relance_notice/{self.event_a.id}"
        )
        self.assertEqual(mine.status_code, 200)
        self.assertIn("MISE EN DEMEURE", mine.text)

    def test_rpc_portal_user(self):
        self.authenticate("relance_portal", "relance_portal_pwd")
        for model in ("account.relance.event", "account.relance.board"):
            result = self.call_kw(model, "search_read", [[]], {"fields": ["id"]})
            self.assertIn("error", result, model)
        dossier = self.url_open(f"/account_relance_fr/dossier/{self.customer.id}")
        self.assertNotEqual(dossier.status_code, 200)

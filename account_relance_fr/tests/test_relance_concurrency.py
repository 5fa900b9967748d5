# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two workers at once, with real transactions.

These tests commit: they work in their own company and customers of the throwaway test
database, through cursors of their own (the test transaction would hide their data)."""

import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.fields import Command
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models.account_relance_run import LOCK_NS


@tagged("post_install", "-at_install")
class TestRelanceConcurrency(TransactionCase):
    def worker_cursor(self):
        """A cursor of its own, as a second Odoo worker has. Its transaction is bound to the
        test's registry, not looked up by database name: Odoo's test runner holds the
        registries' lock while the tests run, and a thread looking a registry up would wait
        for it until the end of the tests."""
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        cr.transaction = Transaction(self.registry)
        return cr

    @contextmanager
    def real_env(self):
        """A worker's cursor that commits."""
        cr = self.worker_cursor()
        try:
            yield api.Environment(cr, SUPERUSER_ID, {})
            cr.commit()  # pylint: disable=invalid-commit
        finally:
            cr.close()

    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8]
        with self.real_env() as env:
            company = env["res.company"].create(
                {
                    "name": f"Concurrence {tag}",
                    "country_id": env.ref("base.fr").id,
                    "currency_id": env.ref("base.EUR").id,
                }
            )
            env["account.chart.template"].try_loading("fr", company, install_demo=False)
            env = env(context={"allowed_company_ids": company.ids})  # noqa: PLW2901
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Client {tag} {i}",
                        "email": f"c{i}@{tag}.example",
                        "is_company": True,
                    }
                    for i in range(8)
                ]
            )
            self.day = fields.Date.today() - timedelta(days=40)
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "company_id": company.id,
                        "partner_id": partner.id,
                        "invoice_date": self.day - timedelta(days=30),
                        "invoice_date_due": self.day,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Prestation",
                                    "quantity": 1,
                                    "price_unit": 100.0 * (i + 1),
                                    "tax_ids": False,
                                }
                            )
                        ],
                    }
                    for partner in partners
                    for i in range(2)
                ]
            )
            moves.action_post()
            # an expired promise: both workers will want to resume it
            moves[0].write({"relance_hold": "promise", "relance_promise_date": self.day})
            self.company_id, self.move_ids = company.id, moves.ids

    def run_worker(self, env, day, barrier=None):
        env = env(context={"allowed_company_ids": [self.company_id]})
        if barrier:
            barrier.wait(timeout=30)
        return env["account.relance.run"]._run(
            companies=env["res.company"].browse(self.company_id),
            today=day,
            batch_size=4,
            commit=True,
        )

    def lines(self):
        with self.real_env() as env:
            rows = env.execute_query(
                SQL(
                    "SELECT move_id, level_id, COUNT(*) FROM account_relance_event_line"
                    " WHERE move_id IN %s GROUP BY move_id, level_id",
                    tuple(self.move_ids),
                )
            )
        return rows

    def test_locked_invoices_are_skipped_then_done_once(self):
        """Worker A holds the invoices; worker B skips them; A does them; B finds them done."""
        day = self.day + timedelta(days=7)
        cr_a = self.worker_cursor()
        try:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
            held = env_a["account.move"].browse(self.move_ids).try_lock_for_update()
            self.assertEqual(len(held), len(self.move_ids))
            with self.real_env() as env_b:
                result_b = self.run_worker(env_b, day)
            self.assertEqual(result_b["invoices"], 0, "B skipped what A holds")
            result_a = env_a["account.relance.run"]._run(
                companies=env_a["res.company"].browse(self.company_id),
                today=day,
                commit=False,
            )
            cr_a.commit()  # pylint: disable=invalid-commit
        finally:
            cr_a.close()
        self.assertEqual(result_a["invoices"], len(self.move_ids))
        self.assertEqual(result_a["events"], 8, "one action per customer")
        with self.real_env() as env_b:
            self.assertEqual(self.run_worker(env_b, day)["invoices"], 0)
        rows = self.lines()
        self.assertEqual(len(rows), len(self.move_ids))
        self.assertEqual({count for _m, _l, count in rows}, {1})

    def test_customer_held_by_another_run_is_waited_for(self):
        """A customer another run holds is not split in two reminders: the run does the
        other customers, waits for that run to commit, then does what it left."""
        day = self.day + timedelta(days=7)
        with self.real_env() as env:
            partner_id = env["account.move"].browse(self.move_ids[2]).commercial_partner_id.id
        held, release = threading.Event(), threading.Event()

        def other_run():
            with self.real_env() as env:
                env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_NS, partner_id))
                held.set()
                release.wait(timeout=60)

        Run = self.env.registry["account.relance.run"]
        original, waited = Run._wait_customers, []

        def wait_customers(records, partner_ids):
            waited.append(list(partner_ids))
            release.set()  # the other run ends its transaction now
            return original(records, partner_ids)

        thread = threading.Thread(target=other_run)
        thread.start()
        try:
            self.assertTrue(held.wait(timeout=30))
            with patch.object(Run, "_wait_customers", wait_customers):
                with self.real_env() as env:
                    result = self.run_worker(env, day)
        finally:
            release.set()
            thread.join(timeout=60)
        self.assertEqual(waited, [[partner_id]])
        self.assertEqual(result["invoices"], len(self.move_ids))
        self.assertEqual(result["events"], 8, "one action per customer")
        self.assertEqual({count for _m, _l, count in self.lines()}, {1})

    def test_manual_run_leaves_customers_held_by_the_cron(self):
        """A run from the user interface (no commit) during the nightly run neither resumes
        the expired promise nor dunns the invoices of a customer the nightly run holds:
        that customer gets one reminder, from the run that holds it."""
        day = self.day + timedelta(days=7)
        with self.real_env() as env:
            promised = env["account.move"].browse(self.move_ids[0])
            partner_id = promised.commercial_partner_id.id
        cron_cr = self.worker_cursor()
        try:
            cron_cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_NS, partner_id))
            with self.real_env() as env:
                env = env(context={"allowed_company_ids": [self.company_id]})  # noqa: PLW2901
                result = env["account.relance.run"]._run(
                    companies=env["res.company"].browse(self.company_id), today=day
                )
                moves = env["account.move"].browse(self.move_ids)
                self.assertEqual(moves[0].relance_hold, "promise", "left to the cron")
                self.assertFalse(
                    moves.filtered(
                        lambda m: m.commercial_partner_id.id == partner_id
                    ).relance_level_id
                )
        finally:
            cron_cr.rollback()
            cron_cr.close()
        self.assertEqual(result["invoices"], len(self.move_ids) - 2)
        self.assertEqual(result["events"], 7)
        # the customer's turn comes: both its invoices in one reminder
        with self.real_env() as env:
            result = self.run_worker(env, day)
            self.assertFalse(env["account.move"].browse(self.move_ids[0]).relance_hold)
        self.assertEqual((result["invoices"], result["events"]), (2, 1))
        self.assertEqual({count for _m, _l, count in self.lines()}, {1})
        self.assertEqual(len(self.lines()), len(self.move_ids))

    def test_two_workers_at_the_same_moment(self):
        """Two workers start together on the same due invoices: each level once."""
        for offset in (7, 21):
            day = self.day + timedelta(days=offset)
            barrier = threading.Barrier(2)
            results, errors = [], []

            def work(barrier=barrier, day=day, results=results, errors=errors):  # pylint: disable=dangerous-default-value
                try:
                    with self.real_env() as env:
                        results.append(self.run_worker(env, day, barrier))
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            threads = [threading.Thread(target=work) for _i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertFalse(errors)
            self.assertEqual(sum(r["invoices"] for r in results), len(self.move_ids))
        rows = self.lines()
        self.assertEqual(len(rows), 2 * len(self.move_ids), "two levels for every invoice")
        self.assertEqual({count for _m, _l, count in rows}, {1})
        with self.real_env() as env:
            events = env["account.relance.event"].search([("company_id", "=", self.company_id)])
            # one action per customer and level, the invoice whose promise expired that
            # night included in its customer's reminder
            self.assertEqual(len(events), 16)
            self.assertEqual(len(events.mail_id), len(events), "every action has its email")

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser, get_db_name
from odoo.tools import config


@tagged("post_install", "-at_install")
class TestRelanceBoardTour(HttpCase):
    """The credit controller's day in a real browser, on the demo data."""

    @contextmanager
    def _screenshot_at_end(self, prefix, shots):
        """Take a picture of the page the tour ends on, before the browser closes."""
        original_stop = ChromeBrowser.stop

        def stop_with_screenshot(browser):
            future = browser.take_screenshot(prefix=prefix)
            if future:
                future.result(timeout=20)
                shots.append(prefix)
            return original_stop(browser)

        with patch.object(ChromeBrowser, "stop", stop_with_screenshot):
            yield

    def _keep_picture(self, prefix, name):
        """Copy the latest picture to $RELANCE_SCREENSHOT_TO (the README's images)."""
        folder = Path(config["screenshots"]) / get_db_name() / "screenshots"
        pictures = sorted(folder.glob(f"{prefix}*.png"), key=os.path.getmtime)
        self.assertTrue(pictures)
        if os.environ.get("RELANCE_SCREENSHOT_TO"):
            shutil.copy(pictures[-1], Path(os.environ["RELANCE_SCREENSHOT_TO"]) / name)

    def _use_demo_company(self):
        fr = self.env.ref("base.demo_company_fr")
        self.env.ref("base.user_admin").write({"company_ids": [(4, fr.id)], "company_id": fr.id})
        return fr

    def test_board_tour(self):
        fr = self._use_demo_company()
        self.assertTrue(
            self.env["account.relance.board"]
            .with_company(fr)
            .search_count([("company_id", "=", fr.id)]),
            "the demo data has customers to chase",
        )
        shots = []
        with self._screenshot_at_end("relance_board_", shots):
            self.start_tour(
                "/odoo/action-account_relance_fr.action_account_relance_board",
                "relance_board_tour",
                login="admin",
                timeout=180,
            )
        self.assertTrue(shots, "the tour saved a screenshot of the board")
        self._keep_picture("relance_board_", "board.png")
        # what the tour did is in the database
        durand = self.env["res.partner"].search([("name", "=", "Atelier Durand SAS")])
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", durand.id),
                ("company_id", "=", fr.id),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        self.assertIn("promise", moves.mapped("relance_state"))
        martin = self.env["res.partner"].search([("name", "=", "Boulangerie Martin SARL")])
        self.assertTrue(
            self.env["account.relance.event"].search(
                [("partner_id", "=", martin.id), ("auto", "=", False), ("mail_id", "!=", False)]
            )
        )

    def test_partner_history(self):
        fr = self._use_demo_company()
        leroy = self.env["res.partner"].search([("name", "=", "Transports Leroy")])
        self.assertTrue(leroy.with_company(fr).relance_event_ids)
        shots = []
        with self._screenshot_at_end("relance_history_", shots):
            self.start_tour(
                f"/odoo/res.partner/{leroy.id}",
                "relance_partner_history_tour",
                login="admin",
                timeout=120,
            )
        self.assertTrue(shots)
        self._keep_picture("relance_history_", "partner_history.png")

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import os
import shutil
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser, get_db_name
from odoo.tools import config


@tagged("post_install", "-at_install")
class TestRelanceBoardTour(HttpCase):
    """The credit controller's day in a real browser, on the demo data."""

    def test_board_tour(self):
        fr = self.env.ref("base.demo_company_fr")
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [(4, fr.id)], "company_id": fr.id})
        self.assertTrue(
            self.env["account.relance.board"].with_company(fr).search_count(
                [("company_id", "=", fr.id)]
            ),
            "the demo data has customers to chase",
        )
        original_stop = ChromeBrowser.stop
        shots = []

        def stop_with_screenshot(browser):
            # the tour ends on the board: keep its picture
            future = browser.take_screenshot(prefix="relance_board_")
            if future:
                future.result(timeout=20)
                shots.append(True)
            return original_stop(browser)

        with patch.object(ChromeBrowser, "stop", stop_with_screenshot):
            self.start_tour(
                "/odoo/action-account_relance_fr.action_account_relance_board",
                "relance_board_tour",
                login="admin",
                timeout=180,
            )
        folder = Path(config["screenshots"]) / get_db_name() / "screenshots"
        pictures = sorted(folder.glob("relance_board_*.png"), key=os.path.getmtime)
        self.assertTrue(shots and pictures, "the tour saved a screenshot of the board")
        if os.environ.get("RELANCE_SCREENSHOT_TO"):
            shutil.copy(pictures[-1], os.environ["RELANCE_SCREENSHOT_TO"])
        # what the tour did is in the database
        durand = self.env["res.partner"].search([("name", "=", "Atelier Durand SAS")])
        moves = self.env["account.move"].search(
            [("commercial_partner_id", "=", durand.id), ("company_id", "=", fr.id),
             ("payment_state", "in", ("not_paid", "partial"))]
        )
        self.assertIn("promise", moves.mapped("relance_state"))
        martin = self.env["res.partner"].search([("name", "=", "Boulangerie Martin SARL")])
        self.assertTrue(
            self.env["account.relance.event"].search(
                [("partner_id", "=", martin.id), ("auto", "=", False), ("mail_id", "!=", False)]
            )
        )

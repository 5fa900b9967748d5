# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pictures of the screens the tours end on: checked by the tests, copied for the README."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

from odoo.tests.common import ChromeBrowser, get_db_name
from odoo.tools import config


class TourPictures:
    """Mixin of the ``HttpCase`` classes whose tours leave a picture."""

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

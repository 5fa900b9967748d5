# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.2.4: the dunning action lines read their state from the action instead of
storing a copy (it changed on every line when the action's email was queued); the column
would otherwise stay behind with values that no longer follow the actions."""

import logging

from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if version and column_exists(cr, "account_relance_event_line", "state"):
        cr.execute("ALTER TABLE account_relance_event_line DROP COLUMN state")
        _logger.info("account_relance_fr: dropped the dunning lines' copy of the state")

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.3.1: the dunning lines' index on the invoice alone is dropped; the unique index on
(invoice, level) serves the same searches, and every line the nightly run writes no longer
updates two indexes for one. Odoo keeps an index a field no longer asks for."""

import logging

from odoo.tools.sql import drop_index

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    drop_index(cr, "account_relance_event_line__move_id_index", "account_relance_event_line")
    _logger.info("account_relance_fr: dropped the dunning lines' index on the invoice alone")

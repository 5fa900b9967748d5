# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.3.2: the invoices' indexes on their dunning level and dunning state are dropped.

With them, moving an invoice a level up was an update of all the indexes of the journal
entries instead of a HOT update (the index of the customers' due invoices no longer holds
the next step either; Odoo rebuilds it from its new definition). Odoo keeps an index that
a field no longer asks for: they are dropped here."""

import logging

from odoo.tools.sql import drop_index

_logger = logging.getLogger(__name__)

DROPPED = ("account_move__relance_level_id_index", "account_move__relance_state_index")


def migrate(cr, version):
    if not version:
        return
    for index in DROPPED:
        drop_index(cr, index, "account_move")
    _logger.info("account_relance_fr: dropped the invoices' indexes %s", ", ".join(DROPPED))

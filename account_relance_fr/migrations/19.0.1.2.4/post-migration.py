# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.2.4:

- the dunning action lines read their state from the action instead of storing a copy (it
  changed on every line when the action's email was queued); the column would otherwise
  stay behind with values that no longer follow the actions;
- the reminder emails are noted in the invoices' chatter only when the company asks for
  it (new setting, off by default); the companies that already sent reminder emails keep
  the notes they had."""

import logging

from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    if column_exists(cr, "account_relance_event_line", "state"):
        cr.execute("ALTER TABLE account_relance_event_line DROP COLUMN state")
        _logger.info("account_relance_fr: dropped the dunning lines' copy of the state")
    cr.execute(
        """
        UPDATE res_company SET relance_log_invoice_emails = TRUE
         WHERE id IN (SELECT company_id FROM account_relance_event WHERE mail_id IS NOT NULL)
        """
    )
    _logger.info(
        "account_relance_fr: reminder emails still noted on the invoices of %s companies",
        cr.rowcount,
    )

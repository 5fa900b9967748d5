# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Invoices paid in instalments count from their oldest unpaid instalment: their next step
and limitation date are computed again, and those never dunned, overdue by an earlier
instalment, are placed on the level their age reached, sending nothing, as at installation
(``account.relance.run._place_existing``)."""

import logging

from odoo import SUPERUSER_ID, api, fields

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Move = env["account.move"]
    cr.execute(
        """
        SELECT id FROM account_move
         WHERE move_type = 'out_invoice' AND relance_due_date < invoice_date_due
        """
    )
    moves = Move.browse([row[0] for row in cr.fetchall()])
    if not moves:
        return
    for fname in ("relance_next_date", "relance_next_level_id", "relance_prescription_date"):
        env.add_to_compute(Move._fields[fname], moves)
    env.flush_all()
    Run = env["account.relance.run"]
    for company in moves.company_id:
        today = fields.Date.context_today(Run.with_company(company))
        placed = Run.with_company(company)._place_existing(
            today, [("id", "in", moves.ids), ("company_id", "=", company.id)]
        )
        _logger.info(
            "account_relance_fr: %s invoices paid in instalments placed in %s",
            len(placed),
            company.name,
        )

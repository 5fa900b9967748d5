# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.1.0: dunning action lines store their action's date, company, customer, channel
and archive flag (for the reports and the record rules; 19.0.1.1.0 to 19.0.1.2.3 stored
its state too, read from the action since 19.0.1.2.4).

On a database with years of history the ORM would recompute these related columns row by
row; create and fill them in SQL first, so the upgrade stays fast and the values right."""

import logging

from odoo.tools.sql import column_exists, create_column

_logger = logging.getLogger(__name__)

COLUMNS = {
    "date": ("date", "date"),
    "company_id": ("int4", "company_id"),
    "partner_id": ("int4", "partner_id"),
    "channel": ("varchar", "channel"),
    "active": ("bool", "active"),
}


def migrate(cr, version):
    if not version:
        return
    added = []
    for column, (sql_type, _source) in COLUMNS.items():
        if not column_exists(cr, "account_relance_event_line", column):
            create_column(cr, "account_relance_event_line", column, sql_type)
            added.append(column)
    if not added:
        return
    assignments = ", ".join(f'"{column}" = event."{COLUMNS[column][1]}"' for column in added)
    cr.execute(
        f"""
        UPDATE account_relance_event_line line
           SET {assignments}
          FROM account_relance_event event
         WHERE event.id = line.event_id
        """  # noqa: S608 - column names from the constant above
    )
    _logger.info("account_relance_fr: filled %s on %s dunning lines", added, cr.rowcount)

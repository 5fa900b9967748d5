# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tools.sql import column_exists, rename_column


def migrate(cr, version):
    """The journal items keep the expected payment date of a later instalment only (the
    oldest unpaid one is expected when its invoice is): the stored dates are kept under
    the new column, and the post-migration empties those of the oldest instalments."""
    if not version:
        return
    if column_exists(cr, "account_move_line", "relance_expected_date") and not column_exists(
        cr, "account_move_line", "relance_expected_later"
    ):
        rename_column(cr, "account_move_line", "relance_expected_date", "relance_expected_later")

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Nothing silently ends: the policies now repeat their last email step every 14 days
    after their last step (*After the last step*). The invoices already on the last step
    get their next date from the last action, so that the board shows it; the next night
    reminds each such customer once, then every 14 days, as for the others. Nothing is
    sent by the upgrade itself."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Move = env["account.move"]
    moves = Move.search(
        [
            *Move._relance_base_domain(),
            ("relance_level_id", "!=", False),
            ("relance_next_date", "=", False),
        ]
    )
    for fname in ("relance_next_date", "relance_next_level_id"):
        env.add_to_compute(Move._fields[fname], moves)
    env.flush_all()

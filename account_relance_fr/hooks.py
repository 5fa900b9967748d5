# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields


def post_init_hook(env):
    """Give every company a dunning policy, then place the invoices already overdue on
    the level their age reached, without sending anything retroactively, and expect the
    payment of every open invoice from the payments already received."""
    env["res.company"].search([])._relance_ensure_policy()
    Move = env["account.move"]
    env["account.relance.run"]._place_existing(fields.Date.context_today(Move))
    # invoices posted before the install: compute their next step on the ladder
    moves = Move.search(Move._relance_base_domain())
    env.add_to_compute(Move._fields["relance_next_date"], moves)
    env.add_to_compute(Move._fields["relance_next_level_id"], moves)
    env["account.relance.forecast"]._refresh(Move.search(Move._relance_open_domain()))

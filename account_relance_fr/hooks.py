# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def post_init_hook(env):
    """Give every company a default dunning policy: the shipped ladder for the company
    that received the data, a copy of it for the others."""
    env["res.company"].search([])._relance_ensure_policy()
    # invoices posted before the install: place their next step on the ladder
    moves = env["account.move"].search(env["account.move"]._relance_base_domain())
    env.add_to_compute(moves._fields["relance_next_date"], moves)
    env.add_to_compute(moves._fields["relance_next_level_id"], moves)

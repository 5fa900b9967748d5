# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The expected payment dates written again where they changed: the oldest unpaid
    instalment of each open invoice no longer stores its own (its invoice's is used)."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Move = env["account.move"]
    env["account.relance.forecast"]._refresh(Move.search(Move._relance_open_domain()))

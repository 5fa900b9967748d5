# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Expected payment dates: every open invoice gets the day it is expected to be paid,
    learnt from the payments already received; the nightly run keeps them up to date."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Move = env["account.move"]
    env["account.relance.forecast"]._refresh(Move.search(Move._relance_open_domain()))

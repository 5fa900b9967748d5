# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _relance_working(self):
        """The users still working in Odoo: active internal users. An archived user, OdooBot
        (the nightly run's user) or a portal user is given no dunning action and notified
        of nothing. The board's SQL applies the same condition."""
        return self.filtered(lambda user: user.active and not user.share)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """A payment (or a credit note) matched with customer invoices: their expected
        payment dates follow (what is left of a partly paid invoice keeps an expectation;
        the customer's history changed too, but its other invoices wait for the night)."""
        partials = super().create(vals_list)
        self.env["account.relance.forecast"]._refresh_later(partials._relance_invoices())
        return partials

    def unlink(self):
        """A payment unmatched: its invoices are expected again."""
        moves = self._relance_invoices()
        result = super().unlink()
        self.env["account.relance.forecast"]._refresh_later(moves.exists())
        return result

    def _relance_invoices(self):
        return (self.debit_move_id.move_id | self.credit_move_id.move_id).filtered(
            lambda m: m.move_type == "out_invoice"
        )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    relance_penalty_origin_id = fields.Many2one(
        "account.move",
        "Late invoice",
        index="btree_not_null",
        copy=False,
        help="Overdue invoice whose late-payment penalties this line bills.",
    )
    relance_penalty_kind = fields.Selection(
        [("interest", "Late-payment interest"), ("indemnity", "Recovery indemnity")],
        "Penalty",
        copy=False,
    )
    relance_penalty_date_from = fields.Date("Interest billed from", copy=False)
    relance_penalty_date_to = fields.Date("Interest billed up to", copy=False)
    relance_expected_date = fields.Date(
        "Expected payment",
        compute="_compute_relance_expected_date",
        help="When this instalment is expected to be paid (see the invoice's Dunning tab).",
    )
    # the oldest unpaid instalment is expected when its invoice is (account.move's
    # relance_expected_date): only the later ones store a date of their own, so that a
    # night writes a line of the journal items only for an invoice paid in instalments
    relance_expected_later = fields.Date(
        "Expected payment of a later instalment", copy=False, readonly=True
    )

    # the invoices the dunning chases are those without a receivable line excluded from
    # follow-up (``no_followup``, see ``account.move._relance_base_domain``): without this
    # index, each batch of the nightly run reads every journal item to find the few ones
    _relance_no_followup_idx = models.Index("(move_id) WHERE no_followup IS TRUE")

    @api.depends(
        "display_type", "reconciled", "relance_expected_later", "move_id.relance_expected_date"
    )
    def _compute_relance_expected_date(self):
        for line in self:
            line.relance_expected_date = (
                line.display_type == "payment_term"
                and not line.reconciled
                and (line.relance_expected_later or line.move_id.relance_expected_date)
            )

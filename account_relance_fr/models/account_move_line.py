# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


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
        copy=False,
        readonly=True,
        help="When this instalment is expected to be paid (see the invoice's Dunning tab).",
    )

    # the invoices the dunning chases are those without a receivable line excluded from
    # follow-up (``no_followup``, see ``account.move._relance_base_domain``): without this
    # index, each batch of the nightly run reads every journal item to find the few ones
    _relance_no_followup_idx = models.Index("(move_id) WHERE no_followup IS TRUE")

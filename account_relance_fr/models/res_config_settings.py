# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    relance_policy_id = fields.Many2one(related="company_id.relance_policy_id", readonly=False)
    relance_auto_run = fields.Boolean(related="company_id.relance_auto_run", readonly=False)
    relance_log_invoice_emails = fields.Boolean(
        related="company_id.relance_log_invoice_emails", readonly=False
    )
    relance_interest_mode = fields.Selection(
        related="company_id.relance_interest_mode", readonly=False
    )
    relance_contract_rate = fields.Float(related="company_id.relance_contract_rate", readonly=False)
    relance_freeze_due_semester = fields.Boolean(
        related="company_id.relance_freeze_due_semester", readonly=False
    )
    relance_notice_delay = fields.Integer(related="company_id.relance_notice_delay", readonly=False)
    relance_legal_form = fields.Char(related="company_id.relance_legal_form", readonly=False)
    relance_plan_tolerance = fields.Monetary(
        related="company_id.relance_plan_tolerance", readonly=False
    )
    relance_plan_grace_days = fields.Integer(
        related="company_id.relance_plan_grace_days", readonly=False
    )
    relance_plan_courtesy_days = fields.Integer(
        related="company_id.relance_plan_courtesy_days", readonly=False
    )
    relance_einvoice_payment_days = fields.Integer(
        related="company_id.relance_einvoice_payment_days", readonly=False
    )
    relance_prescription_warning_days = fields.Integer(
        related="company_id.relance_prescription_warning_days", readonly=False
    )
    relance_courtesy_days = fields.Integer(
        related="company_id.relance_courtesy_days", readonly=False
    )
    relance_dispute_user_id = fields.Many2one(
        related="company_id.relance_dispute_user_id", readonly=False
    )
    relance_user_id = fields.Many2one(related="company_id.relance_user_id", readonly=False)
    relance_letter_signature = fields.Html(
        related="company_id.relance_letter_signature", readonly=False
    )
    relance_penalty_journal_id = fields.Many2one(
        related="company_id.relance_penalty_journal_id", readonly=False
    )
    relance_interest_account_id = fields.Many2one(
        related="company_id.relance_interest_account_id", readonly=False
    )
    relance_indemnity_account_id = fields.Many2one(
        related="company_id.relance_indemnity_account_id", readonly=False
    )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AccountRelancePlanLine(models.Model):
    """One instalment of a payment plan. The payments made on the plan's invoices since it
    started pay its instalments in date order; an instalment is paid when what it asks is
    covered, give or take the company's tolerance (a rounding, bank fees)."""

    _name = "account.relance.plan.line"
    _description = "Payment plan instalment"
    _order = "plan_id, date, id"

    plan_id = fields.Many2one("account.relance.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date("Due date", required=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary("Paid", compute="_compute_paid", store=True)
    paid = fields.Boolean("Paid off", compute="_compute_paid", store=True)
    reminded_before = fields.Boolean("Announced", readonly=True, copy=False)
    reminded_late = fields.Boolean("Reminded", readonly=True, copy=False)

    @api.depends(
        "plan_id.amount_paid", "plan_id.line_ids.amount", "plan_id.line_ids.date", "amount"
    )
    def _compute_paid(self):
        allocated = {}
        for plan in self.plan_id:
            left = plan.amount_paid
            for line in plan.line_ids.sorted(lambda line: (line.date, line.id)):
                allocated[line.id] = min(left, line.amount)
                left -= allocated[line.id]
        for line in self:
            line.amount_paid = allocated.get(line.id, 0.0)
            tolerance = line.plan_id.company_id.relance_plan_tolerance
            line.paid = bool(line.plan_id) and line.amount - line.amount_paid <= tolerance

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    relance_policy_id = fields.Many2one(
        "account.relance.policy",
        "Dunning policy",
        company_dependent=True,
        help="Overrides the default dunning policy of the company for this customer.",
    )
    relance_user_id = fields.Many2one(
        "res.users",
        "Dunning responsible",
        company_dependent=True,
        help="Receives the calls, letters and formal notices to prepare for this customer.",
    )
    relance_blocked = fields.Boolean(
        "Dunning blocked", company_dependent=True, tracking=True
    )
    relance_block_reason = fields.Char("Blocking reason", company_dependent=True)
    relance_debtor_type_override = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        "Debtor type (forced)",
        help="Leave empty to deduce it: a company, or a person with a VAT or SIREN number, "
        "is a business; anyone else is a consumer.",
    )
    relance_debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        "Debtor type",
        compute="_compute_relance_debtor_type",
        store=True,
        recursive=True,
    )
    relance_contract_rate = fields.Float(
        "Contractual interest rate (%)",
        digits=(5, 2),
        company_dependent=True,
        help="Overrides the company's contractual late-payment rate for this customer.",
    )
    relance_event_ids = fields.One2many(
        "account.relance.event", "partner_id", "Dunning actions"
    )
    relance_event_count = fields.Integer(compute="_compute_relance_event_count")

    @api.depends(
        "relance_debtor_type_override",
        "is_company",
        "vat",
        "company_registry",
        "parent_id.relance_debtor_type",
    )
    def _compute_relance_debtor_type(self):
        for partner in self:
            if partner.relance_debtor_type_override:
                partner.relance_debtor_type = partner.relance_debtor_type_override
            elif partner.parent_id:
                partner.relance_debtor_type = partner.parent_id.relance_debtor_type
            elif partner.is_company or partner.vat or partner.company_registry:
                partner.relance_debtor_type = "business"
            else:
                partner.relance_debtor_type = "consumer"

    def _compute_relance_event_count(self):
        counts = dict(
            self.env["account.relance.event"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.relance_event_count = counts.get(partner.commercial_partner_id, 0)

    def _relance_policy(self, company):
        """The policy that applies to this (commercial) partner in ``company``."""
        self.ensure_one()
        policy = self.with_company(company).relance_policy_id
        if policy and policy.active and policy.company_id == company:
            return policy
        return company._relance_default_policy()

    def action_relance_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance_fr.action_account_relance_event"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_relance_send(self):
        """Open the preview of the next reminder of this customer."""
        self.ensure_one()
        invoices = self.env["account.move"].search(
            self.env["account.move"]._relance_base_domain()
            + [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        )
        return invoices._relance_action_send_wizard()

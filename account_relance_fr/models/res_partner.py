# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize_all

from ..lib import analysis

#: Legal forms recognised in a company name when no field states it.
LEGAL_FORMS = (
    "SASU",
    "SAS",
    "SARL",
    "EURL",
    "SA",
    "SNC",
    "SCS",
    "SCA",
    "SCI",
    "SCOP",
    "SCP",
    "SELARL",
    "SELAS",
    "SELAFA",
    "EIRL",
    "EI",
    "GIE",
    "GAEC",
    "EARL",
)


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
    relance_blocked = fields.Boolean("Dunning blocked", company_dependent=True, tracking=True)
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
    relance_agent_type = fields.Selection(
        [
            ("agency", "Collection agency"),
            ("bailiff", "Commissaire de justice"),
            ("lawyer", "Lawyer (avocat)"),
            ("mandataire", "Mandataire / liquidateur judiciaire"),
        ],
        "Collection role",
        help="A collector to whom unpaid invoices are handed, or the judicial representative "
        "of insolvency proceedings.",
    )
    relance_plan_ids = fields.One2many("account.relance.plan", "partner_id", "Payment plans")
    relance_insolvency_ids = fields.One2many(
        "account.relance.insolvency", "partner_id", "Insolvency proceedings"
    )
    relance_handoff_ids = fields.One2many(
        "account.relance.handoff", "partner_id", "Hand-offs to a collector"
    )
    relance_consumer_contract = fields.Boolean(
        "Contractual rate agreed",
        help="A consumer owes a contractual late-payment rate only if its contract states "
        "one: without this, the legal rate applies, from the receipt of the formal notice.",
    )
    relance_capitalize = fields.Boolean(
        "Capitalise interest (anatocisme)",
        help="The late-payment interest billed to this customer bears interest in turn, as "
        "a contract or a court decision may provide (Code civil 1343-2): the interest of a "
        "penalty invoice covering at least a whole year bears interest from its due date. "
        "Otherwise a penalty invoice bears neither interest nor indemnity.",
    )
    relance_event_ids = fields.One2many("account.relance.event", "partner_id", "Dunning actions")
    relance_event_count = fields.Integer("Reminders", compute="_compute_relance_event_count")
    relance_open_invoice_ids = fields.Many2many(
        "account.move", compute="_compute_relance_open_invoice_ids", string="Open invoices"
    )
    relance_avg_days_late = fields.Float(
        "Average days late", compute="_compute_relance_payment_behaviour", digits=(16, 1)
    )
    relance_late_count = fields.Integer(
        "Invoices paid late", compute="_compute_relance_payment_behaviour"
    )
    relance_paid_count = fields.Integer(
        "Invoices paid (12 months)", compute="_compute_relance_payment_behaviour"
    )
    relance_payer_badge = fields.Selection(
        [
            ("good", "Good payer"),
            ("normal", "Normal payer"),
            ("bad", "Bad payer"),
            ("unknown", "Not enough history"),
        ],
        "Payment behaviour",
        compute="_compute_relance_payment_behaviour",
    )

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

    @api.constrains("relance_contract_rate")
    def _check_relance_contract_rate(self):
        for partner in self.filtered("relance_contract_rate"):
            self.env["account.relance.rate"]._check_contract_rate(partner.relance_contract_rate)

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

    def _compute_relance_open_invoice_ids(self):
        moves = self.env["account.relance.claim"]._open_invoices(self, self.env.companies)
        by_partner = moves.grouped("commercial_partner_id")
        for partner in self:
            partner.relance_open_invoice_ids = by_partner.get(
                partner.commercial_partner_id, moves.browse()
            )

    def _compute_relance_payment_behaviour(self):
        """Customer invoices paid over the last 12 months: how late, how often (one query)."""
        stats = {}
        commercial = self.commercial_partner_id
        if commercial.ids:
            for model in ("account.move", "account.move.line", "account.partial.reconcile"):
                self.env[model].flush_model()
            rows = self.env.execute_query(
                SQL(
                    """
                SELECT inv.partner_id, COUNT(*),
                       COUNT(*) FILTER (WHERE inv.days_late > 0),
                       COALESCE(AVG(GREATEST(inv.days_late, 0)), 0)
                  FROM (
                    SELECT am.commercial_partner_id AS partner_id,
                           MAX(apr.max_date) - am.invoice_date_due AS days_late
                      FROM account_move am
                      JOIN account_move_line aml
                        ON aml.move_id = am.id AND aml.account_id IN (
                               SELECT id FROM account_account
                                WHERE account_type = 'asset_receivable')
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                     WHERE am.move_type = 'out_invoice'
                       AND am.state = 'posted'
                       AND am.payment_state IN ('paid', 'in_payment')
                       AND am.commercial_partner_id IN %s
                       AND am.company_id IN %s
                  GROUP BY am.id
                    HAVING MAX(apr.max_date) >= %s::date - %s
                  ) inv
              GROUP BY inv.partner_id
                """,
                    tuple(commercial.ids),
                    tuple(self.env.companies.ids),
                    fields.Date.context_today(self),
                    analysis.BEHAVIOUR_DAYS,
                )
            )
            stats = {row[0]: row[1:] for row in rows}
        for partner in self:
            count, late, avg = stats.get(partner.commercial_partner_id.id, (0, 0, 0.0))
            partner.relance_paid_count = count
            partner.relance_late_count = late
            partner.relance_avg_days_late = float(avg)
            partner.relance_payer_badge = analysis.payer_badge(
                float(avg), late / count if count else 0.0, count
            )

    def _relance_contract_rate(self, company):
        """The contractual late-payment rate of this (commercial) partner in ``company``:
        its own, else the company's when the company applies one; None for the legal rate
        (ECB + 10 points; a consumer's legal rate unless its contract states a rate)."""
        self.ensure_one()
        if self.relance_debtor_type == "consumer" and not self.relance_consumer_contract:
            # a consumer owes only what its own contract states
            return None
        rate = self.with_company(company).relance_contract_rate
        if rate:
            return rate
        if company.relance_interest_mode == "contractual" and company.relance_contract_rate:
            return company.relance_contract_rate
        return None

    def _relance_policy(self, company):
        """The policy that applies to this (commercial) partner in ``company``."""
        self.ensure_one()
        policy = self.with_company(company).relance_policy_id
        if policy and policy.active and policy.company_id == company:
            return policy
        return company._relance_default_policy()

    def _relance_responsible(self, company, users=None):
        """The dunning responsible of this (commercial) partner in ``company``: its own,
        else the first of ``users`` (the salespersons of its invoices), else its
        salesperson, else the company's default responsible. Only a user still working in
        Odoo counts (``res.users._relance_working``): an archived user, OdooBot or a portal
        user would be given actions nobody sees. Empty when there is none."""
        self.ensure_one()
        candidates = [
            self.with_company(company).relance_user_id,
            *(users or ()),
            self.user_id,
            company.relance_user_id,
        ]
        return next(
            (user for user in candidates if user._relance_working()),
            self.env["res.users"],
        )

    def _relance_siren(self):
        """SIREN (9 digits) from the SIRET stored in ``company_registry``, or False."""
        self.ensure_one()
        digits = re.sub(r"\D", "", self.company_registry or "")
        return digits[:9] if len(digits) >= 9 else False

    def _relance_legal_form(self):
        """Legal form of a company (SARL, SAS...) as written in its name, or False."""
        self.ensure_one()
        words = set(re.findall(r"[A-Za-z]+", (self.name or "").replace(".", "")))
        return next((form for form in LEGAL_FORMS if form in words), False)

    def _relance_party(self, with_siren=True):
        """The commercial entity as a party of a dunning document: the partner, its legal
        form (a company) and its SIREN (``with_siren``)."""
        partner = self.commercial_partner_id
        # a company's own legal form as set in the dunning settings, first
        company = self.env["res.company"].sudo().search([("partner_id", "=", partner.id)], limit=1)
        legal_form = company.relance_legal_form if company else False
        return {
            "partner": partner,
            "legal_form": legal_form
            or (partner._relance_legal_form() if partner.is_company else False),
            "siren": partner._relance_siren() if with_siren else False,
        }

    def _relance_doc_lang(self, company=None):
        """The language the documents sent to this partner are written in: its own when
        installed, otherwise that of ``company``'s dunning history."""
        self.ensure_one()
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        if self.lang in installed:
            return self.lang
        lang = (company or self.env.company)._relance_lang()
        return lang if lang in installed else "en_US"

    def _relance_has_email(self):
        """At least one address in the email field: Odoo sends a partner's emails to each
        address of it ("compta@client.fr, direction@client.fr"). Empty: no address."""
        # not self[:1]: a slice is browsed anew, without the prefetch of its recordset
        if not self:
            return False
        self.ensure_one()
        return bool(self.email and email_normalize_all(self.email))

    def _relance_addressee(self):
        """The contact the reminders are addressed to: the invoicing contact, or the
        customer itself when that contact has no email address and the customer has."""
        self.ensure_one()
        contact = self.browse(self.address_get(["invoice"])["invoice"])
        if not contact._relance_has_email() and self._relance_has_email():
            return self
        return contact

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
        return self.relance_open_invoice_ids._relance_action_send_wizard()

    def _relance_new_record_action(self, model, name):
        """The form of a new ``model`` record for this customer in the current company,
        its invoices proposed by the record's onchange."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "form",
            "views": [(False, "form")],
            "name": name,
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_company_id": self.env.company.id,
            },
        }

    def action_relance_plan(self):
        return self._relance_new_record_action("account.relance.plan", self.env._("Payment plan"))

    def action_relance_insolvency(self):
        return self._relance_new_record_action(
            "account.relance.insolvency", self.env._("Insolvency proceedings")
        )

    def action_relance_handoff(self):
        return self._relance_new_record_action(
            "account.relance.handoff", self.env._("Hand over to a collector")
        )

    def action_relance_formal_notice(self):
        """The reminder dialog at the formal-notice step of this customer's policy: it
        claims the overdue invoices, leaves the paused ones out (listed with their reason),
        and opens the formal notice's dialog once prepared."""
        self.ensure_one()
        company = self.env.company
        policy = self.commercial_partner_id._relance_policy(company)
        notice = policy.level_ids.filtered(lambda lv: lv.channel == "formal_notice")[-1:]
        if not notice:
            raise UserError(
                self.env._("The dunning policy of this customer has no formal notice level.")
            )
        action = self.relance_open_invoice_ids._relance_action_send_wizard()
        action["context"] = dict(action["context"], relance_send_level_id=notice.id)
        return action

    def _relance_dossier_download(self):
        """The download of the collection file (ZIP) of this customer in the current
        company, with the screen waiting for it while its PDFs are rendered."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "account_relance_fr.download",
            "params": {
                "url": "/account_relance_fr/dossier/%s" % self.commercial_partner_id.id,
                "data": {"company_id": self.env.company.id},
                "message": self.env._("Building the collection file…"),
            },
        }

    def action_relance_log_call(self):
        self.ensure_one()
        return self.relance_open_invoice_ids.action_relance_log_call()

    def message_update(self, msg_dict, update_vals=None):
        """An email answering a reminder (posted on the customer, where Odoo routes the
        replies) is the customer's answer to its dunning action."""
        result = super().message_update(msg_dict, update_vals=update_vals)
        if msg_dict.get("parent_id"):
            self.env["account.relance.event"].sudo().search(
                [("message_id", "=", msg_dict["parent_id"]), ("partner_id", "in", self.ids)]
            )._relance_answered(msg_dict)
        return result

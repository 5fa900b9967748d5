# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib import dates as law_dates
from .ir_qweb import MEMO_KEY


class ResCompany(models.Model):
    _inherit = "res.company"

    relance_policy_id = fields.Many2one(
        "account.relance.policy",
        "Default dunning policy",
        domain="[('company_id', '=', id)]",
    )
    relance_auto_run = fields.Boolean("Automatic nightly dunning", default=True)
    relance_log_invoice_emails = fields.Boolean(
        "Reminder emails in the invoices' chatter",
        help="Each invoice lists its reminders in its Dunning tab, and the customer's chatter "
        "holds every dunning action. Check to also note each reminder email in the chatter of "
        "every invoice it lists (one more message per invoice and reminder). Letters, calls "
        "and formal notices are always noted on the invoices.",
    )
    relance_interest_mode = fields.Selection(
        [("legal", "ECB rate + 10 points"), ("contractual", "Contractual rate")],
        "Late-payment interest",
        default="legal",
        required=True,
    )
    relance_contract_rate = fields.Float("Contractual interest rate (%)", digits=(5, 2))
    relance_freeze_due_semester = fields.Boolean(
        "Rate of the due date's semester",
        help="Apply the rate of the due date's semester to the whole delay instead of "
        "splitting the days by semester.",
    )
    relance_notice_delay = fields.Integer("Formal notice deadline (days)", default=8)
    relance_plan_tolerance = fields.Monetary(
        "Payment plan tolerance",
        default=1.0,
        help="An instalment of a payment plan is paid when what is left of it is at most this "
        "amount (a rounding, bank fees).",
    )
    relance_plan_grace_days = fields.Integer(
        "Payment plan grace days",
        default=5,
        help="An instalment still unpaid this many days after its due date breaks the plan.",
    )
    relance_einvoice_payment_days = fields.Integer(
        "Payment sent: pause (days)",
        default=5,
        help="An invoice whose e-invoicing status becomes Paiement transmis (the customer "
        "says it paid) is not reminded for this many days, as under a promise to pay.",
    )
    relance_plan_courtesy_days = fields.Integer(
        "Payment plan reminder (days before)",
        default=5,
        help="Each instalment of a payment plan is announced this many days before it falls due.",
    )
    relance_legal_form = fields.Char(
        "Legal form",
        help="The company's legal form as its letters name it (SAS, SARL au capital de "
        "10 000 EUR...): the formal notice must state it (the legal reference, section 6). "
        "Empty: read from the company's name when it ends with one.",
    )
    relance_prescription_warning_days = fields.Integer(
        "Limitation warning (days)", default=law_dates.PRESCRIPTION_WARNING_DAYS
    )
    relance_courtesy_days = fields.Integer(
        "Courtesy reminder (days before due date)",
        default=0,
        help="Days before the due date of the courtesy reminder of the policies that have one.",
    )
    relance_dispute_user_id = fields.Many2one(
        "res.users", "Notify disputes to", help="Besides the salesperson of the invoice."
    )
    relance_user_id = fields.Many2one(
        "res.users",
        "Default dunning responsible",
        domain=[("share", "=", False)],
        help="Receives the dunning actions of the customers without a responsible whose "
        "invoices have no salesperson still working in Odoo (archived users, OdooBot).",
    )
    relance_letter_signature = fields.Html("Letter signature", translate=True)
    relance_penalty_journal_id = fields.Many2one(
        "account.journal", "Penalty journal", domain="[('type', '=', 'sale')]"
    )
    relance_interest_account_id = fields.Many2one("account.account", "Late-interest income account")
    relance_indemnity_account_id = fields.Many2one(
        "account.account", "Recovery indemnity income account"
    )

    @api.constrains("relance_interest_mode", "relance_contract_rate")
    def _check_relance_contract_rate(self):
        for company in self.filtered(lambda c: c.relance_interest_mode == "contractual"):
            self.env["account.relance.rate"]._check_contract_rate(company.relance_contract_rate)

    def write(self, vals):
        res = super().write(vals)
        if "relance_courtesy_days" in vals or "relance_policy_id" in vals:
            self._relance_sync_courtesy()
        return res

    def _relance_sync_courtesy(self):
        """The setting "courtesy reminder N days before the due date" is a first step of
        the default ladder (delay -N), created, moved or archived to follow the setting."""
        template = self.env.ref(
            "account_relance_fr.mail_template_relance_courtesy", raise_if_not_found=False
        )
        Level = self.env["account.relance.level"].sudo().with_context(active_test=False)
        for company in self.filtered("relance_policy_id"):
            policy = company.relance_policy_id
            level = Level.search(
                [("policy_id", "=", policy.id), ("is_courtesy", "=", True)], limit=1
            )
            days = company.relance_courtesy_days
            if days > 0:
                vals = {"delay": -days, "active": True}
                if level:
                    level.write(vals)
                else:
                    first = min(policy.level_ids.mapped("sequence"), default=10)
                    Level.create(
                        {
                            **vals,
                            "policy_id": policy.id,
                            "name": self.env._("Courtesy reminder"),
                            "sequence": first - 1,
                            "channel": "email",
                            "tone": "courteous",
                            "mail_template_id": template.id if template else False,
                            "is_courtesy": True,
                            "color": 10,
                        }
                    )
            elif level.active:
                level.active = False

    def _relance_default_policy(self):
        """The company's default policy, or its first active one."""
        self.ensure_one()
        return self.relance_policy_id or self.env["account.relance.policy"].search(
            [("company_id", "=", self.id)], limit=1
        )

    def _relance_manager(self):
        """An accounting manager of this company still working in Odoo (the oldest user):
        the dunning actions of a customer with nobody else responsible go to them."""
        self.ensure_one()
        managers = self.env.ref("account.group_account_manager").sudo().all_user_ids
        return (
            managers.filtered(lambda user: user._relance_working() and self in user.company_ids)
            .sorted("id")[:1]
            .sudo(False)
        )

    def _relance_notice_missing(self):
        """What the formal notice needs and the company lacks to name the creditor (Code
        civil 1344, the legal reference's section 6): the labels of its legal form, SIREN
        and address when missing."""
        self.ensure_one()
        party = self.partner_id._relance_party()
        partner = self.partner_id
        missing = []
        if not (self.relance_legal_form or party["legal_form"]):
            missing.append(self.env._("legal form"))
        if not party["siren"]:
            missing.append(self.env._("SIREN"))
        if not (partner.street and partner.zip and partner.city):
            missing.append(self.env._("address"))
        return missing

    def _relance_bank(self):
        """The bank account the dunning documents ask to pay to."""
        self.ensure_one()
        return self.partner_id.bank_ids[:1]

    def _relance_signature(self, user):
        """The company's letter signature, or the name of ``user`` and the company."""
        self.ensure_one()
        if not fields.Html.is_empty(self.relance_letter_signature):
            return {"html": self.relance_letter_signature, "name": False}
        return {"html": False, "name": user.name or self.name}

    def _relance_lang(self):
        """The language of the company's dunning history (notes, activities, messages) when
        it is written by a scheduled action, which runs without a language: the company's
        own, else the scheduled action's user's."""
        self.ensure_one()
        return self.partner_id.lang or self.env.user.lang or "en_US"

    def _relance_ensure_policy(self):
        """Give the companies without a dunning policy their own copy of the shipped
        ladders (standard by default, 5 steps); the company that received the data keeps
        the originals."""
        shipped = [
            self.env.ref(xmlid, raise_if_not_found=False)
            for xmlid in (
                "account_relance_fr.policy_standard",
                "account_relance_fr.policy_five_steps",
            )
        ]
        shipped = [policy.sudo() for policy in shipped if policy]
        if not shipped:
            return
        for company in self.sudo().filtered(lambda c: not c.relance_policy_id):
            mine = [
                policy
                if policy.company_id == company
                else policy.with_context(relance_keep_name=True).copy({"company_id": company.id})
                for policy in shipped
            ]
            company.relance_policy_id = mine[0]

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._relance_ensure_policy()
        return companies

    def _relance_pay_online(self):
        """Whether this company's customers can pay online from their invoice's link: only
        with Odoo's online payment (``account_payment``) and a payment provider enabled for
        the company; otherwise neither the emails nor the portal mention it."""
        self.ensure_one()
        if "payment.provider" not in self.env:
            return False
        # asked by each reminder email: once per company for a whole run (its memo)
        memo = self.env.context.get(MEMO_KEY)
        key = ("pay_online", self.id)
        if memo is not None and key in memo:
            return memo[key]
        result = bool(
            self.env["payment.provider"]
            .sudo()
            .search_count(
                [("state", "in", ("enabled", "test")), ("company_id", "=", self.id)], limit=1
            )
        )
        if memo is not None:
            memo[key] = result
        return result

    def _relance_install_demo(self):
        """Demo data: customers, invoices at each level, payments, a dispute, a promise,
        and the dunning history of the last 100 nights."""
        from datetime import timedelta

        Command = fields.Command
        for demo_company in self:
            env = self.env(context=dict(self.env.context, allowed_company_ids=demo_company.ids))
            company = demo_company.with_env(env)
            # module translations are loaded after the demo data: load ours now, so that
            # the demo company's copies of the shipped ladders are translated too
            langs = [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]
            if langs:
                env["ir.module.module"]._load_module_terms(["account_relance_fr"], langs)
            company._relance_ensure_policy()
            if not company.relance_legal_form:
                company.relance_legal_form = "SAS"
            if not company.partner_id.bank_ids:
                env["res.partner.bank"].create(
                    {
                        "acc_number": "FR7630006000011234567890189",
                        "partner_id": company.partner_id.id,
                        "allow_out_payment": True,
                    }
                )
            Partner = env["res.partner"]
            fr = env.ref("base.fr")
            customers = Partner.create(
                [
                    {
                        "name": "Boulangerie Martin SARL",
                        "is_company": True,
                        "company_registry": "41234567800012",
                        "email": "compta@boulangerie-martin.example",
                        "city": "Lyon",
                        "zip": "69002",
                        "street": "12 rue Mercière",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Atelier Durand SAS",
                        "is_company": True,
                        "company_registry": "52345678900023",
                        "email": "factures@atelier-durand.example",
                        "city": "Nantes",
                        "zip": "44000",
                        "street": "3 quai de la Fosse",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Transports Leroy",
                        "is_company": True,
                        "company_registry": "63456789000034",
                        "email": "leroy@transports-leroy.example",
                        "city": "Lille",
                        "zip": "59000",
                        "street": "8 rue Nationale",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Northwind Traders Ltd",
                        "is_company": True,
                        "email": "ap@northwind.example",
                        "city": "London",
                        "lang": "en_US",
                        "country_id": env.ref("base.uk").id,
                    },
                    {
                        "name": "Sophie Bernard",
                        "email": "sophie.bernard@example.com",
                        "city": "Paris",
                        "zip": "75011",
                        "street": "21 rue Oberkampf",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Julien Petit",
                        "city": "Bordeaux",
                        "zip": "33000",
                        "street": "5 cours Victor Hugo",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Garage Moreau SARL",
                        "is_company": True,
                        "company_registry": "52345678900014",
                        "email": "comptabilite@garage-moreau.example",
                        "city": "Nantes",
                        "zip": "44000",
                        "street": "3 quai de la Fosse",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Imprimerie Lambert SARL",
                        "is_company": True,
                        "company_registry": "44556677800015",
                        "email": "compta@imprimerie-lambert.example",
                        "city": "Rennes",
                        "zip": "35000",
                        "street": "14 rue de Brest",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Menuiserie Girard SAS",
                        "is_company": True,
                        "company_registry": "55667788900026",
                        "email": "direction@menuiserie-girard.example",
                        "city": "Grenoble",
                        "zip": "38000",
                        "street": "2 avenue Alsace-Lorraine",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                    {
                        "name": "Traiteur Roux SARL",
                        "is_company": True,
                        "company_registry": "66778899000037",
                        "email": "contact@traiteur-roux.example",
                        "city": "Marseille",
                        "zip": "13001",
                        "street": "40 La Canebière",
                        "country_id": fr.id,
                        "lang": "fr_FR",
                    },
                ]
            )
            # who takes over after the ladder: a collection agency, a mandataire judiciaire
            agency, mandataire = Partner.create(
                [
                    {
                        "name": "Cabinet Recouvrement Sud",
                        "is_company": True,
                        "email": "dossiers@recouvrement-sud.example",
                        "city": "Marseille",
                        "country_id": fr.id,
                        "relance_agent_type": "agency",
                    },
                    {
                        "name": "Maître Claire Dubois",
                        "email": "c.dubois@mandataire.example",
                        "city": "Grenoble",
                        "country_id": fr.id,
                        "relance_agent_type": "mandataire",
                    },
                ]
            )
            # the demo's credit controller follows these customers, and the others; they
            # open Odoo on this company
            admin = env.ref("base.user_admin")
            admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
            customers.with_company(company).write({"relance_user_id": admin.id})
            if not company.relance_user_id:
                company.relance_user_id = admin
            product = env["product.product"].create(
                {"name": "Prestation de conseil", "type": "service", "list_price": 100.0}
            )
            today = fields.Date.context_today(self)
            # (customer index, amount excl. VAT, days since due date)
            plan = [
                (0, 1200.0, 3),
                (0, 450.0, 7),
                (1, 2300.0, 12),
                (1, 800.0, 21),
                (2, 3100.0, 30),
                (2, 640.0, 45),
                (3, 1500.0, 26),
                (4, 180.0, 40),
                (5, 95.0, 52),
                (0, 5200.0, 60),
                (1, 990.0, 75),
                (4, 300.0, -5),
                (2, 700.0, 18),
                (3, 420.0, 35),
                (0, 150.0, 15),
                (1, 600.0, 9),
                # after the ladder: a payment plan, insolvency proceedings (one invoice
                # before the judgment, one after), a file with a collector
                (7, 1800.0, 50),
                (7, 900.0, 35),
                (8, 2600.0, 70),
                (8, 450.0, 10),
                (9, 3400.0, 80),
            ]
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "company_id": company.id,
                        "partner_id": customers[index].id,
                        "invoice_date": today - timedelta(days=days + 30),
                        "invoice_date_due": today - timedelta(days=days),
                        "invoice_line_ids": [
                            Command.create(
                                {"product_id": product.id, "quantity": 1, "price_unit": amount}
                            )
                        ],
                    }
                    for index, amount, days in plan
                ]
            )
            # an invoice paid in two instalments: the first overdue, the balance to come
            term = env["account.payment.term"].create(
                {
                    "name": "30 % à 30 jours, solde à 90 jours",
                    "company_id": company.id,
                    "line_ids": [
                        Command.create({"value": "percent", "value_amount": 30, "nb_days": 30}),
                        Command.create({"value": "percent", "value_amount": 70, "nb_days": 90}),
                    ],
                }
            )
            moves |= env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": customers[6].id,
                    "invoice_date": today - timedelta(days=48),
                    "invoice_payment_term_id": term.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": product.id, "quantity": 40, "price_unit": 100.0}
                        )
                    ],
                }
            )
            moves.action_post()
            # a year of invoices paid, each customer at its own pace (days after the due
            # date), from which the expected payment dates are learnt
            pace = [20, 4, 45, 12, -3, 30, 8, 25, 60, 35]
            paid = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "company_id": company.id,
                        "partner_id": customers[index].id,
                        "invoice_date": today - timedelta(days=90 * quarter + 150),
                        "invoice_date_due": today - timedelta(days=90 * quarter + 120),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": 1,
                                    "price_unit": 300.0 + 100 * quarter,
                                }
                            )
                        ],
                    }
                    for index in range(len(customers))
                    for quarter in range(3)
                ]
            )
            paid.action_post()
            register = env["account.payment.register"]
            for move in paid:
                delay = pace[customers.ids.index(move.partner_id.id)] + (move.id % 3) * 2 - 2
                register.with_context(active_model="account.move", active_ids=move.ids).create(
                    {"payment_date": move.invoice_date_due + timedelta(days=delay)}
                )._create_payments()
            # replay the nights that led here, so the history and levels are real, written
            # as the nightly run writes it: in the company's language
            env = env(context=dict(env.context, lang=company._relance_lang()))
            moves = moves.with_env(env)
            Run = env["account.relance.run"].with_context(mail_notrack=True)
            first_due = min(moves.mapped("relance_due_date"))
            day = first_due
            Action = env["account.relance.event"]
            while day < today:
                Run._run(companies=company, today=day)
                # the credit controller makes the calls and posts the letters two days after
                # the night prepared them; the formal notices are left to do
                Action.search(
                    [
                        ("company_id", "=", company.id),
                        ("state", "=", "todo"),
                        ("channel", "in", ("phone", "registered_letter", "letter")),
                        ("date", "<=", day - timedelta(days=2)),
                    ]
                )._relance_done(on_date=day)
                day += timedelta(days=1)
            # payments: one paid, one partly paid; a dispute and a promise
            register = env["account.payment.register"]
            register.with_context(active_model="account.move", active_ids=moves[14].ids).create(
                {"payment_date": today - timedelta(days=2)}
            )._create_payments()
            register.with_context(active_model="account.move", active_ids=moves[9].ids).create(
                {"payment_date": today - timedelta(days=20), "amount": 2000.0}
            )._create_payments()
            reason = env.ref("account_relance_fr.dispute_reason_quality")
            moves[4].action_relance_set_hold(
                "dispute", note="Livraison incomplète", dispute_reason=reason.id
            )
            moves[6].action_relance_set_hold(
                "promise", promise_date=today + timedelta(days=5), promise_amount=1800.0
            )
            # a payment plan agreed 20 days ago over three months, its first instalment paid
            lambert = moves.filtered(lambda m, lambert=customers[7]: m.partner_id == lambert)
            plan = env["account.relance.plan"].create(
                {
                    "partner_id": customers[7].id,
                    "move_ids": [Command.set(lambert.ids)],
                    "date": today - timedelta(days=20),
                    "first_date": today - timedelta(days=10),
                    "instalment_count": 3,
                    "signature_date": today - timedelta(days=18),
                    "user_id": admin.id,
                }
            )
            plan.action_compute_schedule()
            plan.action_activate()
            register.with_context(active_model="account.move", active_ids=lambert[:1].ids).create(
                {"payment_date": today - timedelta(days=11), "amount": plan.line_ids[0].amount}
            )._create_payments()
            # a redressement judiciaire opened 60 days ago, its claim to declare soon
            env["account.relance.insolvency"].create(
                {
                    "partner_id": customers[8].id,
                    "kind": "receivership",
                    "judgment_date": today - timedelta(days=60),
                    "bodacc_date": today - timedelta(days=50),
                    "court": "Tribunal de commerce de Grenoble",
                    "agent_id": mandataire.id,
                }
            )
            # a file handed to a collection agency
            roux = moves.filtered(lambda m, roux=customers[9]: m.partner_id == roux)
            env["account.relance.handoff"].create(
                {
                    "partner_id": customers[9].id,
                    "agent_id": agency.id,
                    "date": today - timedelta(days=5),
                    "move_ids": [Command.set(roux.ids)],
                    "fee_terms": "12 % des sommes recouvrées",
                }
            ).action_hand_over()
            env["account.relance.forecast"]._refresh(moves, today)

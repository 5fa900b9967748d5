# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import interest as law_interest

#: Declaration of the claim: 2 months from the BODACC publication, 4 for a creditor outside
#: mainland France (Code de commerce R622-24).
DECLARATION_MONTHS = 2
DECLARATION_MONTHS_ABROAD = 4
#: A warning shows this many days before the declaration deadline.
DECLARATION_WARNING_DAYS = 15


class AccountRelanceInsolvency(models.Model):
    """Insolvency proceedings (procédure collective) opened against a customer, as one
    creditor company follows them.

    From the judgment, the invoices dated before it are neither reminded nor charged
    penalties (Code de commerce L622-7, L622-21; interest stops, L622-28): the claim is
    declared to the mandataire or liquidateur within two months of the BODACC publication
    (R622-24), for the amounts due at the judgment. The invoices dated after it are chased
    as usual."""

    _name = "account.relance.insolvency"
    _description = "Insolvency proceedings"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "judgment_date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", "Debtor", required=True, index=True, domain="[('parent_id', '=', False)]"
    )
    kind = fields.Selection(
        [
            ("safeguard", "Safeguard (sauvegarde)"),
            ("receivership", "Receivership (redressement judiciaire)"),
            ("liquidation", "Compulsory liquidation (liquidation judiciaire)"),
        ],
        "Proceedings",
        required=True,
        tracking=True,
    )
    judgment_date = fields.Date("Judgment", required=True, tracking=True)
    bodacc_date = fields.Date(
        "BODACC publication",
        tracking=True,
        help="The claim is declared within two months of this publication (four for a "
        "creditor outside mainland France), Code de commerce R622-24.",
    )
    court = fields.Char(tracking=True)
    agent_id = fields.Many2one(
        "res.partner",
        "Mandataire / liquidateur",
        tracking=True,
        help="The judicial representative of the creditors (mandataire judiciaire) or the "
        "liquidator, to whom the claim is declared.",
    )
    abroad = fields.Boolean(
        "Creditor outside mainland France",
        compute="_compute_abroad",
        store=True,
        readonly=False,
    )
    declaration_deadline = fields.Date(compute="_compute_deadline", store=True)
    declaration_warning = fields.Char(compute="_compute_declaration_warning")
    declared_date = fields.Date("Declared on", tracking=True)
    declared_amount = fields.Monetary(tracking=True)
    sureties = fields.Text(help="Sureties and guarantees of the claim, if any.")
    state = fields.Selection(
        [("open", "Claim to declare"), ("declared", "Claim declared"), ("closed", "Closed")],
        default="open",
        required=True,
        tracking=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        compute="_compute_move_ids",
        string="Invoices before the judgment",
    )

    @api.depends("company_id.country_id", "company_id.state_id")
    def _compute_abroad(self):
        for record in self:
            company = record.company_id
            # the overseas departments have their own country codes in Odoo (GP, MQ...)
            record.abroad = bool(company.country_id) and company.country_id.code != "FR"

    @api.depends("bodacc_date", "abroad")
    def _compute_deadline(self):
        for record in self:
            months = DECLARATION_MONTHS_ABROAD if record.abroad else DECLARATION_MONTHS
            record.declaration_deadline = (
                record.bodacc_date + relativedelta(months=months) if record.bodacc_date else False
            )

    @api.depends("declaration_deadline", "state")
    def _compute_declaration_warning(self):
        today = fields.Date.context_today(self)
        for record in self:
            left = (
                (record.declaration_deadline - today).days
                if record.declaration_deadline and record.state == "open"
                else None
            )
            if left is None or left > DECLARATION_WARNING_DAYS:
                record.declaration_warning = False
            elif left < 0:
                record.declaration_warning = self.env._(
                    "The declaration deadline (%s) has passed: the claim is unenforceable "
                    "unless the court lifts the foreclosure (relevé de forclusion, L622-26).",
                    self.env["res.lang"]._relance_date_str(record.declaration_deadline),
                )
            else:
                record.declaration_warning = self.env._(
                    "Declare the claim by %(date)s (%(days)s days left).",
                    date=self.env["res.lang"]._relance_date_str(record.declaration_deadline),
                    days=left,
                )

    @api.depends("partner_id", "company_id", "judgment_date")
    def _compute_move_ids(self):
        for record in self:
            record.move_ids = record._moves_before()

    def _moves_before(self):
        """The open invoices of the debtor dated before the judgment: the claim."""
        self.ensure_one()
        if not (self.partner_id and self.judgment_date):
            return self.env["account.move"]
        return self.env["account.move"].search(
            [
                *self.env["account.move"]._relance_open_domain(),
                ("commercial_partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("invoice_date", "<", self.judgment_date),
            ],
            order="invoice_date, id",
        )

    # ------------------------------------------------------------------ life
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._apply()
        return records

    def write(self, vals):
        result = super().write(vals)
        if {"judgment_date", "bodacc_date", "partner_id"} & set(vals):
            self.filtered(lambda r: r.state != "closed")._apply()
        return result

    def _apply(self):
        """From the judgment: the invoices dated before it leave the ladder; the claim's
        declaration is an activity due on its deadline."""
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for record in self:
            moves = record._moves_before()
            body = Markup("<p>%s</p>") % self.env._(
                "%(kind)s, judgment of %(date)s: no reminder nor penalty for the invoices "
                "dated before it; the claim is to be declared (%(agent)s).",
                kind=labels[record.kind],
                date=self.env["res.lang"]._relance_date_str(record.judgment_date),
                agent=record.agent_id.name or self.env._("mandataire judiciaire"),
            )
            self.env["account.relance.pause"]._system_hold(
                moves.filtered(lambda m: m.relance_hold != "insolvency"),
                "insolvency",
                labels[record.kind],
                body,
            )
            if record.declaration_deadline and record.state == "open":
                record._schedule_declaration()
            record.partner_id._relance_log({record.partner_id.id: body})

    def _schedule_declaration(self):
        self.ensure_one()
        todo = self.env.ref("mail.mail_activity_data_todo")
        summary = self.env._("Declare the claim against %s", self.partner_id.name)
        activity = self.activity_ids.filtered(lambda a: a.summary == summary)
        if activity:
            activity.date_deadline = self.declaration_deadline
            return
        responsible = (
            self.partner_id._relance_responsible(self.company_id)
            or self.env.user._relance_working()
            or self.company_id._relance_manager()
        )
        self.activity_schedule(
            activity_type_id=todo.id,
            summary=summary,
            date_deadline=self.declaration_deadline,
            user_id=responsible.id,
        )

    def action_declared(self):
        """The claim is declared: its amount and date are recorded."""
        for record in self:
            if not record.declared_amount:
                record.declared_amount = record._declaration_values()["claim"]["total"]
            record.write(
                {
                    "state": "declared",
                    "declared_date": record.declared_date or fields.Date.context_today(record),
                }
            )
            record.activity_ids.action_feedback(feedback=self.env._("Claim declared."))
        return True

    def action_close(self):
        """The proceedings are closed (plan adopted, liquidation closed): the invoices held
        go back to the ladder, where they stood."""
        for record in self:
            record.state = "closed"
            body = Markup("<p>%s</p>") % self.env._("Insolvency proceedings closed.")
            held = self.env["account.move"].search(
                [
                    ("commercial_partner_id", "=", record.partner_id.id),
                    ("company_id", "=", record.company_id.id),
                    ("relance_hold", "=", "insolvency"),
                ]
            )
            self.env["account.relance.pause"]._system_release(held, "insolvency", body)
        return True

    @api.model
    def _posterior_claims(self, moves):
        """Those of the invoices ``moves`` born after the judgment opening proceedings
        against their customer in their company: paid when due and chased as usual (Code de
        commerce L622-17), unlike the claims before it, which are declared."""
        invoices = moves.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not invoices:
            return invoices
        groups = self.sudo()._read_group(
            [
                ("partner_id", "in", invoices.commercial_partner_id.ids),
                ("company_id", "in", invoices.company_id.ids),
                ("state", "!=", "closed"),
            ],
            ["partner_id", "company_id"],
            ["judgment_date:min"],
        )
        judgments = {(partner.id, company.id): day for partner, company, day in groups}
        return invoices.filtered(
            lambda move: (
                (move.commercial_partner_id.id, move.company_id.id) in judgments
                and (move.invoice_date or move.date)
                >= judgments[(move.commercial_partner_id.id, move.company_id.id)]
            )
        )

    # ------------------------------------------------------------------ declaration
    def _declaration_values(self):
        """The déclaration de créance: the amounts due at the judgment (principal, interest
        and indemnities to that day, L622-28), the instalments not yet due then listed apart,
        the invoices and the sureties."""
        self.ensure_one()
        Letter = self.env["account.relance.letter"]
        moves = self._moves_before()
        judgment = self.judgment_date
        claim = Letter.with_context(relance_interest_until=judgment)._claim(moves, judgment)
        return {
            "company": self.company_id,
            "doc_date": fields.Date.context_today(self),
            "creditor": self.company_id.partner_id._relance_party(),
            "debtor": self.partner_id._relance_party(),
            "record": self,
            "claim": claim,
            "lines": Letter._invoice_rows(moves, judgment),
            "kind": dict(self._fields["kind"]._description_selection(self.env))[self.kind],
            "signature": self.company_id._relance_signature(self.env.user),
            "place": self.company_id.partner_id.city or self.company_id.city,
            "indemnity": law_interest.RECOVERY_INDEMNITY,
        }

    def action_print_declaration(self):
        self.ensure_one()
        if not self._moves_before():
            raise UserError(self.env._("No invoice is due from before the judgment."))
        return self.env.ref("account_relance_fr.action_report_relance_declaration").report_action(
            self
        )

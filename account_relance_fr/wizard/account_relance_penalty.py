# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date

from ..lib import interest as law_interest


class AccountRelancePenalty(models.TransientModel):
    """Bill the late-payment interest and the recovery indemnity of overdue invoices.

    One customer invoice per customer, without VAT by default (the indemnity and the
    late interest are outside the scope of VAT), linked line by line to the late invoices;
    a period or an indemnity already billed (on a posted or draft penalty invoice) is never
    billed again. A penalty invoice bears none of its own (unless the customer's interest is
    capitalised, Code civil 1343-2): it is left out, with the reason."""

    _name = "account.relance.penalty"
    _description = "Bill late-payment penalties"

    invoice_ids = fields.Many2many("account.move", string="Late invoices", required=True)
    date = fields.Date("Penalties up to", required=True, default=fields.Date.context_today)
    line_ids = fields.One2many(
        "account.relance.penalty.line",
        "wizard_id",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    total = fields.Float(compute="_compute_total")
    warning = fields.Text(compute="_compute_line_ids", store=True)

    @api.depends("invoice_ids", "date")
    def _compute_line_ids(self):
        for wizard in self:
            commands, warnings = [Command.clear()], []
            paused = self.env["account.relance.pause"]._reasons(wizard.invoice_ids._origin)
            for move in wizard.invoice_ids._origin:
                if move in paused:
                    # a dispute, a promise, a block: no penalties are billed meanwhile
                    warnings.append(
                        self.env._(
                            "%(invoice)s: paused (%(reason)s), its penalties are not billed.",
                            invoice=move.name,
                            reason=paused[move],
                        )
                    )
                    continue
                if move.relance_is_penalty and not move.commercial_partner_id.relance_capitalize:
                    warnings.append(
                        self.env._(
                            "%s: a penalty invoice bears no penalties of its own (interest is "
                            "capitalised only when a contract or a court decision provides "
                            "it, Code civil 1343-2).",
                            move.name,
                        )
                    )
                    continue
                values = wizard._to_bill(move, wizard.date)
                if values["warning"]:
                    warnings.append(f"{move.name}: {values['warning']}")
                if values["interest"] or values["indemnity"]:
                    commands.append(
                        Command.create(
                            {
                                "move_id": move.id,
                                "date_from": values["date_from"],
                                "interest": values["interest"],
                                "indemnity": values["indemnity"],
                            }
                        )
                    )
            wizard.line_ids = commands
            wizard.warning = "\n".join(warnings) or False

    @api.model
    def _to_bill(self, move, on_date):
        """What is left to bill of the penalties of ``move`` up to ``on_date``: the interest
        since the last billed date and the indemnity if not billed yet (penalty invoices
        that are not cancelled count)."""
        billed = self.env["account.move.line"].search(
            [
                ("relance_penalty_origin_id", "=", move.id),
                ("parent_state", "!=", "cancel"),
            ]
        )
        billed_to = max((d for d in billed.mapped("relance_penalty_date_to") if d), default=None)
        now = move.relance_compute_penalties(on_date=on_date)
        interest = law_interest.interest_after(now["segments"], billed_to)
        # the indemnities already billed: one per invoice, or one per late instalment of
        # periodic payments, whose number grows as instalments fall late
        indemnity_billed = sum(
            abs(line.balance) for line in billed if line.relance_penalty_kind == "indemnity"
        )
        starts = [segment["date_from"] for segment in now["segments"]]
        if billed_to:
            starts = [max(start, billed_to + timedelta(days=1)) for start in starts]
        return {
            "date_from": min(
                starts, default=(billed_to or move.relance_due_date) + timedelta(days=1)
            ),
            "interest": interest,
            "indemnity": move.company_currency_id.round(
                max(now["indemnity"] - indemnity_billed, 0.0)
            ),
            "warning": now["warning"]
            or (
                not move._relance_show_invoice_mentions()
                and self.env._(
                    "This invoice did not state the late-payment penalties and the 40 EUR "
                    "indemnity (L441-9 Code de commerce): check that your terms of sale did "
                    "before claiming them."
                )
            ),
        }

    @api.depends("line_ids.interest", "line_ids.indemnity")
    def _compute_total(self):
        for wizard in self:
            wizard.total = sum(wizard.line_ids.mapped("interest")) + sum(
                wizard.line_ids.mapped("indemnity")
            )

    def action_create_invoices(self):
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.interest or line.indemnity)
        if not lines:
            raise UserError(self.env._("There is nothing left to bill for these invoices."))
        invoices = self.env["account.move"]
        for (company, partner), group in lines.grouped(
            lambda line: (line.move_id.company_id, line.move_id.commercial_partner_id)
        ).items():
            invoices |= self._create_penalty_invoice(company, partner, group)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(domain=[("id", "in", invoices.ids)], context={"create": False})
        if len(invoices) == 1:
            action.update(res_id=invoices.id, view_mode="form", views=[(False, "form")])
        return action

    @api.model
    def _penalty_line(self, move, kind, name, amount, account):
        """The values of a line of the penalty invoice billing the ``kind`` of ``move``:
        outside the scope of VAT, linked to the late invoice."""
        return {
            "name": name,
            "price_unit": amount,
            "quantity": 1,
            "account_id": account.id,
            "tax_ids": [Command.clear()],
            "relance_penalty_origin_id": move.id,
            "relance_penalty_kind": kind,
        }

    def _create_penalty_invoice(self, company, partner, lines):
        journal = company.relance_penalty_journal_id or self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
            limit=1,
        )
        if not journal:
            raise UserError(self.env._("Set a sales journal for the penalty invoices."))
        default_account = journal.default_account_id
        interest_account = company.relance_interest_account_id or default_account
        indemnity_account = company.relance_indemnity_account_id or default_account
        invoice_lines = []
        for line in lines:
            move = line.move_id
            if line.interest:
                name = self.env._(
                    "Late-payment interest on invoice %(invoice)s from %(start)s to %(end)s",
                    invoice=move.name,
                    start=format_date(self.env, line.date_from),
                    end=format_date(self.env, self.date),
                )
                values = {
                    "relance_penalty_date_from": line.date_from,
                    "relance_penalty_date_to": self.date,
                }
                invoice_lines.append(
                    self._penalty_line(move, "interest", name, line.interest, interest_account)
                    | values
                )
            if line.indemnity:
                name = self.env._(
                    "Fixed indemnity for recovery costs (article D441-5 of the French "
                    "Commercial Code), invoice %s",
                    move.name,
                )
                invoice_lines.append(
                    self._penalty_line(move, "indemnity", name, line.indemnity, indemnity_account)
                )
        invoice = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "journal_id": journal.id,
                    "invoice_date": self.date,
                    "currency_id": company.currency_id.id,
                    "invoice_origin": ", ".join(lines.move_id.mapped("name")),
                    "invoice_line_ids": [Command.create(vals) for vals in invoice_lines],
                }
            )
        )
        body = Markup("%s <a href='#' data-oe-model='account.move' data-oe-id='%s'>%s</a>") % (
            self.env._("Late-payment penalties billed on"),
            invoice.id,
            invoice.display_name,
        )
        lines.move_id._relance_log(dict.fromkeys(lines.move_id.ids, body))
        return invoice


class AccountRelancePenaltyLine(models.TransientModel):
    _name = "account.relance.penalty.line"
    _description = "Late-payment penalties of one invoice"

    wizard_id = fields.Many2one("account.relance.penalty", required=True, ondelete="cascade")
    move_id = fields.Many2one("account.move", "Invoice", required=True)
    date_from = fields.Date("Interest from")
    interest = fields.Float(digits=(16, 2))
    indemnity = fields.Float(digits=(16, 2))

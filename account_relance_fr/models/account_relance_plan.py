# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command


class AccountRelancePlan(models.Model):
    """A payment plan (échéancier, plan d'apurement) agreed with a customer in difficulty.

    It covers chosen overdue invoices (and, if agreed, their penalties, billed on a penalty
    invoice of the plan): their balance is paid by dated instalments. While it holds, the
    ladder leaves those invoices alone; each instalment is announced before it falls due
    and reminded when missed; one missed for longer than the grace days breaks the plan
    and the ladder resumes where it stood. The customer's signature of the plan is an
    acknowledgment of the debt, which restarts the limitation period (Code civil 2240)."""

    _name = "account.relance.plan"
    _description = "Payment plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True
    )
    date = fields.Date("Agreed on", required=True, default=fields.Date.context_today)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Running"),
            ("done", "Kept"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        "account_relance_plan_move_rel",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    include_penalties = fields.Boolean(
        "Include the penalties",
        help="The late interest and the recovery indemnities of the invoices to the day of "
        "the plan are billed on a penalty invoice, paid through the plan too.",
    )
    amount = fields.Monetary(
        "Amount of the plan",
        compute="_compute_amount",
        store=True,
        help="What the invoices covered owe (and their penalties, if included), on the day the "
        "plan starts.",
    )
    down_payment = fields.Monetary(help="Paid at once, on the day the plan is agreed.")
    instalment_count = fields.Integer("Instalments", default=3)
    first_date = fields.Date(
        "First instalment",
        default=lambda self: fields.Date.context_today(self) + relativedelta(months=1),
    )
    period_months = fields.Integer("Every (months)", default=1)
    line_ids = fields.One2many("account.relance.plan.line", "plan_id", "Schedule", copy=True)
    amount_initial = fields.Monetary(
        "Owed at the start",
        readonly=True,
        copy=False,
        help="The invoices' balance when the plan started.",
    )
    amount_paid = fields.Monetary(
        "Paid",
        compute="_compute_amount_paid",
        store=True,
        help="Paid on the invoices since the plan started.",
    )
    next_date = fields.Date("Next instalment", compute="_compute_next", store=True)
    signature_date = fields.Date(
        "Signed on",
        tracking=True,
        copy=False,
        help="The day the customer signed the plan: an acknowledgment of the debt, which "
        "restarts the limitation period of its invoices (Code civil 2240).",
    )
    note = fields.Text()

    @api.depends("move_ids", "include_penalties", "date", "state")
    def _compute_amount(self):
        for plan in self:
            if plan.state != "draft":
                continue
            moves = plan.move_ids._origin
            owed = sum(abs(move.amount_residual_signed) for move in moves)
            if plan.include_penalties:
                owed += sum(
                    move.relance_compute_penalties(on_date=plan.date)["total"]
                    for move in moves.filtered(lambda m: not m.relance_is_penalty)
                )
            plan.amount = plan.currency_id.round(owed)

    @api.depends("move_ids.amount_residual_signed", "amount_initial", "state")
    def _compute_amount_paid(self):
        for plan in self:
            if plan.state == "draft":
                plan.amount_paid = 0.0
                continue
            left = sum(abs(move.amount_residual_signed) for move in plan.move_ids)
            plan.amount_paid = max(plan.currency_id.round(plan.amount_initial - left), 0.0)

    @api.depends("line_ids.paid", "line_ids.date", "state")
    def _compute_next(self):
        for plan in self:
            pending = plan.line_ids.filtered(lambda line: not line.paid).sorted("date")
            plan.next_date = pending[:1].date if plan.state == "active" else False

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        """The customer's overdue invoices that the dunning may claim, by default."""
        if self.partner_id and self.state == "draft":
            moves = self.env["account.relance.claim"]._open_invoices(
                self.partner_id, self.company_id
            )
            reasons = self.env["account.relance.pause"]._reasons(moves)
            today = fields.Date.context_today(self)
            self.move_ids = moves.filtered(
                lambda m: m not in reasons and m.relance_due_date and m.relance_due_date < today
            )

    # ------------------------------------------------------------------ schedule
    def action_compute_schedule(self):
        """Split what the plan covers, less the down payment, into equal instalments (the
        last one takes the rounding), every ``period_months`` from the first date."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only a draft plan can be scheduled again."))
            if plan.instalment_count < 1 or not plan.first_date:
                raise UserError(self.env._("Give the number of instalments and the first date."))
            rest = plan.amount - plan.down_payment
            if rest <= 0:
                raise UserError(self.env._("The down payment covers the whole plan."))
            each = plan.currency_id.round(rest / plan.instalment_count)
            lines = [Command.clear()]
            if plan.down_payment:
                lines.append(Command.create({"date": plan.date, "amount": plan.down_payment}))
            for index in range(plan.instalment_count):
                amount = (
                    each
                    if index < plan.instalment_count - 1
                    else plan.currency_id.round(rest - each * (plan.instalment_count - 1))
                )
                date = plan.first_date + relativedelta(months=index * (plan.period_months or 1))
                lines.append(Command.create({"date": date, "amount": amount}))
            plan.line_ids = lines
        return True

    # ------------------------------------------------------------------ life
    def action_activate(self):
        """Start the plan: its invoices (and the penalty invoice, if included) leave the
        ladder until it is kept or broken."""
        for plan in self:
            plan._check_activable()
            moves = plan.move_ids
            if plan.include_penalties:
                moves |= plan._bill_penalties()
            if plan.name == "/":
                plan.name = self.env["ir.sequence"].next_by_code("account.relance.plan") or "/"
            plan.write(
                {
                    "state": "active",
                    "move_ids": [Command.set(moves.ids)],
                    "amount_initial": sum(abs(m.amount_residual_signed) for m in moves),
                }
            )
            body = Markup("<p>%s</p>") % self.env._(
                "Payment plan %(plan)s agreed: %(count)s instalments; the dunning is paused.",
                plan=plan.name,
                count=len(plan.line_ids),
            )
            self.env["account.relance.pause"]._system_hold(moves, "plan", plan.name, body)
            plan.partner_id._relance_log({plan.partner_id.id: body})
            if plan.signature_date:
                plan._acknowledge()
        return True

    def _check_activable(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("This plan has already started."))
        if not self.move_ids:
            raise UserError(self.env._("Choose the invoices the plan covers."))
        if len(self.move_ids.commercial_partner_id) > 1 or (
            self.move_ids.commercial_partner_id != self.partner_id.commercial_partner_id
        ):
            raise UserError(self.env._("A plan covers invoices of its customer only."))
        reasons = self.env["account.relance.pause"]._reasons(self.move_ids)
        paused = {
            move: reason for move, reason in reasons.items() if move.relance_hold != "promise"
        }
        if paused:
            raise UserError(
                self.env._(
                    "These invoices are paused: %s. Resume them before planning them.",
                    ", ".join(f"{move.name} ({reason})" for move, reason in paused.items()),
                )
            )
        if not self.line_ids:
            raise UserError(self.env._("Compute or enter the schedule first."))
        gap = self.currency_id.round(sum(self.line_ids.mapped("amount")) - self.amount)
        if abs(gap) > self.company_id.relance_plan_tolerance:
            raise UserError(
                self.env._(
                    "The instalments add up to %(scheduled)s, the plan covers %(amount)s.",
                    scheduled=self.currency_id._relance_amount_str(
                        sum(self.line_ids.mapped("amount"))
                    ),
                    amount=self.currency_id._relance_amount_str(self.amount),
                )
            )

    def _bill_penalties(self):
        """The penalty invoice of the plan's invoices to the day of the plan, posted."""
        self.ensure_one()
        Penalty = self.env["account.relance.penalty"]
        wizard = Penalty.create(
            {"invoice_ids": [Command.set(self.move_ids.ids)], "date": self.date}
        )
        lines = wizard.line_ids.filtered(lambda line: line.interest or line.indemnity)
        if not lines:
            return self.env["account.move"]
        invoice = wizard._create_penalty_invoice(self.company_id, self.partner_id, lines)
        invoice.action_post()
        return invoice

    def write(self, vals):
        result = super().write(vals)
        if vals.get("signature_date"):
            self.filtered(lambda plan: plan.state != "draft")._acknowledge()
        return result

    def _acknowledge(self):
        """The signed plan acknowledges the debt: the limitation period of its invoices
        starts again from the signature (Code civil 2240)."""
        for plan in self:
            plan.move_ids.write({"relance_acknowledgment_date": plan.signature_date})

    def action_cancel(self):
        for plan in self:
            if plan.state == "active":
                plan._end("cancel")
            else:
                plan.state = "cancel"
        return True

    def _end(self, state, note=None):
        """End the plan (``done``, ``broken`` or ``cancel``): its invoices still open go
        back to the ladder, where they stood."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        for plan in self:
            plan.state = state
            body = Markup("<p>%s</p>") % self.env._(
                "Payment plan %(plan)s: %(state)s.%(note)s",
                plan=plan.name,
                state=labels[state],
                note=f" {note}" if note else "",
            )
            self.env["account.relance.pause"]._system_release(plan.move_ids, "plan", body)
            plan.message_post(body=body, subtype_xmlid="account_relance_fr.mt_relance")

    # ------------------------------------------------------------------ the night
    @api.model
    def _relance_run_plans(self, companies, today):
        """The night of the running plans of ``companies``: a plan fully paid is kept; an
        instalment due within the courtesy days is announced, a missed one reminded; one
        missed for longer than the grace days breaks its plan (the ladder resumes, the
        responsible gets an activity, the customer a message). Each reminder once."""
        plans = self.search([("state", "=", "active"), ("company_id", "in", companies.ids)])
        if not plans:
            return {}
        kept = plans.filtered(lambda plan: all(plan.line_ids.mapped("paid")))
        kept._end("done")
        soon, missed, broken = self.browse(), self.env["account.relance.plan.line"], self.browse()
        for plan in plans - kept:
            company = plan.company_id
            for line in plan.line_ids.filtered(lambda line: not line.paid).sorted("date"):
                late = (today - line.date).days
                if late > company.relance_plan_grace_days:
                    broken |= plan
                    break
                if late > 0 and not line.reminded_late:
                    missed |= line
                elif (
                    -company.relance_plan_courtesy_days <= late <= 0
                    and not line.reminded_before
                    and line.date > plan.date
                ):
                    soon |= plan
                    line.reminded_before = True
        missed.write({"reminded_late": True})
        self._relance_post(soon, "account_relance_fr.mail_template_relance_plan_soon")
        self._relance_post(
            missed.plan_id - broken, "account_relance_fr.mail_template_relance_plan_missed"
        )
        broken._break()
        return {
            "kept": len(kept),
            "announced": len(soon),
            "missed": len(missed),
            "broken": len(broken),
        }

    @api.model
    def _relance_post(self, plans, template_xmlid):
        """Email the customers of ``plans`` with the template, in the chatter of each plan,
        rendered for all the plans at once as the reminders of the night are, as a comment
        (not a reminder of the ladder: no dunning action sends it). The customer only: the
        plan's responsible follows the plan and sees the message there."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if plans and template:
            template._relance_queue_mails(plans, lambda plan: plan, "mail.mt_comment")

    def _break(self):
        """A missed instalment unpaid after the grace days: the plan is broken."""
        self._relance_post(self, "account_relance_fr.mail_template_relance_plan_broken")
        todo = self.env.ref("mail.mail_activity_data_todo")
        for plan in self:
            plan._end("broken", self.env._("An instalment was missed: the dunning resumes."))
            plan.activity_schedule(
                activity_type_id=todo.id,
                summary=self.env._("Payment plan %s broken", plan.name),
                user_id=(plan.user_id._relance_working() or plan.company_id._relance_manager()).id,
            )

    def _plan_values(self):
        """The values of the plan's document, as the dunning letters share them."""
        self.ensure_one()
        company = self.company_id
        return {
            "company": company,
            "doc_date": self.date,
            "place": company.partner_id.city or company.city,
            "creditor": company.partner_id._relance_party(),
            "debtor": self.partner_id._relance_party(),
            "lines": self.env["account.relance.letter"]._invoice_rows(self.move_ids, self.date),
            "bank": company._relance_bank(),
            "signature": company._relance_signature(self.user_id or self.env.user),
        }

    def _relance_lang(self):
        self.ensure_one()
        return self.partner_id._relance_doc_lang(self.company_id)

    def _relance_amount_str(self, amount):
        return self.currency_id._relance_amount_str(amount, self._relance_lang())

    def _relance_date_str(self, date):
        return self.env["res.lang"]._relance_date_str(date, self._relance_lang())

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import uuid
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

from ..lib import dates as law_dates
from ..lib import ladder
from . import account_relance_einvoice_status as einvoice
from .account_relance_einvoice_status import EINVOICE_STATUSES
from .account_relance_forecast import EXPECTED_BASIS

_logger = logging.getLogger(__name__)

HOLD_STATES = [
    ("promise", "Payment promise"),
    ("dispute", "Disputed"),
    ("blocked", "Blocked"),
    ("litigation", "In litigation"),
]
# pauses that a record of their own holds (a payment plan, insolvency proceedings, a
# collector): set and lifted by that record only, never by the pause dialog
SYSTEM_HOLDS = [
    ("plan", "Payment plan"),
    ("insolvency", "Insolvency proceedings"),
    ("handoff", "With a collector"),
    ("einvoice", "E-invoicing status"),
]
# payment states that are not chased: settled, awaiting the bank, or blocked in Odoo
CLOSED_PAYMENT_STATES = ("paid", "in_payment", "reversed")
# what the nightly run writes on invoices: dunning bookkeeping, never accounting data
RELANCE_BOOKKEEPING = {
    "relance_level_id",
    "relance_last_date",
    "relance_hold",
    "relance_hold_note",
    "relance_initialized",
    "relance_joined",
}


class AccountMove(models.Model):
    _inherit = "account.move"

    # Neither the level nor the state is indexed (nor is the next step, see
    # _relance_due_idx): the nightly run moves thousands of invoices a level up, and an
    # update that changes no indexed column is a HOT update in PostgreSQL, which leaves the
    # thirty indexes of the journal entries as they are. Like the move's own state and
    # payment state, they are few values that a search reads without an index of its own.
    relance_level_id = fields.Many2one(
        "account.relance.level",
        "Dunning level",
        copy=False,
        tracking=True,
        readonly=True,
        help="Last dunning level performed for this invoice.",
    )
    relance_level_color = fields.Integer(related="relance_level_id.color")
    relance_last_date = fields.Date("Last dunning action", copy=False, readonly=True)
    relance_next_date = fields.Date(
        "Next dunning action",
        compute="_compute_relance_next",
        store=True,
        help="Date from which the next level of the ladder is due.",
    )
    relance_next_level_id = fields.Many2one(
        "account.relance.level",
        "Next dunning level",
        compute="_compute_relance_next",
        store=True,
    )
    relance_days_overdue = fields.Integer("Days overdue", compute="_compute_relance_days_overdue")
    relance_hold = fields.Selection(
        HOLD_STATES + SYSTEM_HOLDS, "Dunning paused", copy=False, tracking=True, index=True
    )
    relance_state = fields.Selection(
        [("none", "Not dunned"), ("in_progress", "In progress")]
        + HOLD_STATES
        + SYSTEM_HOLDS
        + [("closed", "Closed (paid)")],
        "Dunning state",
        compute="_compute_relance_state",
        store=True,
    )
    relance_promise_date = fields.Date("Promised payment date", copy=False, tracking=True)
    relance_promise_amount = fields.Monetary("Promised amount", copy=False)
    relance_dispute_reason_id = fields.Many2one(
        "account.relance.dispute.reason", "Dispute reason", copy=False
    )
    relance_dispute_date = fields.Date("Dispute date", copy=False)
    relance_hold_note = fields.Char("Pause reason", copy=False, tracking=True)
    relance_acknowledgment_date = fields.Date(
        "Acknowledgment of debt",
        copy=False,
        tracking=True,
        help="Date of a written acknowledgment of the debt: it restarts the limitation period "
        "(Code civil 2240).",
    )
    relance_expected_date = fields.Date(
        "Expected payment",
        copy=False,
        readonly=True,
        help="When the invoice (its oldest unpaid instalment) is expected to be paid, learnt "
        "from the payments of the customer, of similar customers or of the company; a "
        "promise is its date, a payment plan its next instalment; a dispute, insolvency "
        "proceedings or a collector leave it empty. Refreshed each night and by payments.",
    )
    relance_expected_basis = fields.Selection(
        EXPECTED_BASIS, "Expected from", copy=False, readonly=True
    )
    relance_usual_delay = fields.Integer(
        "Customer's usual delay",
        copy=False,
        readonly=True,
        help="How many days after the due date the customer usually pays, from its own "
        "payments (empty without them).",
    )
    relance_einvoice_status = fields.Selection(
        EINVOICE_STATUSES,
        "E-invoicing status",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The latest lifecycle status of the invoice on the e-invoicing platform.",
    )
    relance_einvoice_date = fields.Date("E-invoicing status date", copy=False, readonly=True)
    relance_einvoice_status_ids = fields.One2many(
        "account.relance.einvoice.status", "move_id", "E-invoicing statuses"
    )
    relance_einvoice_to_cash = fields.Boolean(
        "Encaissée to declare",
        compute="_compute_relance_einvoice_to_cash",
        store=True,
        help="Paid, and known to the e-invoicing platform: its status Encaissée must be "
        "declared (the VAT on services is due on cashing).",
    )
    relance_posterior_claim = fields.Boolean(
        "Claim after the judgment",
        compute="_compute_relance_posterior_claim",
        help="The customer is in insolvency proceedings opened before this invoice: a claim "
        "born after the judgment is paid when due and chased as usual (Code de commerce "
        "L622-17), unlike the claims before it, which are declared.",
    )
    relance_prescription_date = fields.Date(
        "Limitation date",
        compute="_compute_relance_prescription_date",
        store=True,
        help="5 years from the due date for a business, 2 years for a consumer; restarted by "
        "a payment, even partial, or an acknowledgment of debt. A formal notice does not "
        "interrupt it.",
    )
    relance_near_prescription = fields.Boolean(
        "Near limitation",
        compute="_compute_relance_near_prescription",
        search="_search_relance_near_prescription",
    )
    relance_interest_amount = fields.Monetary(
        "Late interest to date",
        compute="_compute_relance_penalties",
        currency_field="company_currency_id",
    )
    relance_indemnity_amount = fields.Monetary(
        "Recovery indemnity",
        compute="_compute_relance_penalties",
        currency_field="company_currency_id",
    )
    relance_penalty_total = fields.Monetary(
        "Penalties to date",
        compute="_compute_relance_penalties",
        currency_field="company_currency_id",
    )
    relance_penalty_warning = fields.Char("Penalty warning", compute="_compute_relance_penalties")
    relance_term_warning = fields.Char(
        "Payment term warning", compute="_compute_relance_term_warning"
    )
    relance_initialized = fields.Boolean(
        "Placed at installation",
        copy=False,
        readonly=True,
        help="The invoice was already overdue when the dunning was installed: it was placed "
        "on the level its age had reached, and nothing was sent for the earlier levels.",
    )
    relance_joined = fields.Boolean(
        "Joined the customer's step",
        copy=False,
        readonly=True,
        help="The invoice fell due while its customer's dunning was already at a later step: "
        "it joined that step without a reminder of its own, and the customer's next step "
        "claims it with the others.",
    )
    relance_event_line_ids = fields.One2many(
        "account.relance.event.line", "move_id", "Dunning history", readonly=True
    )
    relance_amount_due_now = fields.Monetary(
        "Due now",
        compute="_compute_relance_amount_due_now",
        currency_field="company_currency_id",
        help="The residual of the instalments due today; those still to come are not.",
    )
    relance_is_penalty = fields.Boolean(
        "Penalty invoice",
        compute="_compute_relance_is_penalty",
        store=True,
        help="An invoice billing late-payment penalties (the penalty wizard): it is reminded "
        "as penalties billed and bears no penalties of its own, unless the customer's interest "
        "is capitalised (Code civil 1343-2).",
    )
    relance_due_date = fields.Date(
        "Oldest unpaid instalment",
        compute="_compute_relance_due_date",
        store=True,
        copy=False,
        help="The due date of the oldest instalment of the invoice still unpaid (its due date "
        "when it is paid at once): the invoice is overdue, and its dunning counts, from this "
        "date. Each instalment bears late interest from its own due date.",
    )

    # the nightly run reads the due invoices of a batch of customers: without this index
    # PostgreSQL reads the whole journal-entry table for every batch. Only the open customer
    # invoices are in it, by customer; not their next step, which the run changes on every
    # invoice it moves (see relance_level_id)
    _relance_due_idx = models.Index(
        "(commercial_partner_id) WHERE move_type = 'out_invoice' AND state = 'posted'"
        " AND payment_state IN ('not_paid', 'partial')"
    )

    # ------------------------------------------------------------------ computes
    @api.depends("move_type", "state", "payment_state", "relance_hold", "relance_level_id")
    def _compute_relance_state(self):
        for move in self:
            if move.move_type != "out_invoice" or move.state != "posted":
                move.relance_state = "none"
            elif move.payment_state in CLOSED_PAYMENT_STATES:
                move.relance_state = "closed" if move.relance_level_id else "none"
            elif move.relance_hold:
                move.relance_state = move.relance_hold
            elif move.payment_state == "blocked":
                move.relance_state = "blocked"
            else:
                move.relance_state = "in_progress" if move.relance_level_id else "none"

    @api.depends(
        "invoice_date_due",
        "line_ids.date_maturity",
        "line_ids.amount_residual",
        "line_ids.amount_residual_currency",
    )
    def _compute_relance_due_date(self):
        """An invoice paid in instalments (échéances) has one receivable line per
        instalment, each with its due date; Odoo's due date is the last one. The dunning
        counts from the oldest instalment still unpaid: an invoice is overdue as soon as
        one instalment is."""
        Claim = self.env["account.relance.claim"]
        for move in self:
            unpaid = Claim._instalment_lines(move).filtered(
                lambda line: (
                    not line.reconciled
                    and not line.company_currency_id.is_zero(line.amount_residual)
                )
            )
            dates = [line.date_maturity for line in unpaid if line.date_maturity]
            move.relance_due_date = min(dates) if dates else move.invoice_date_due

    @api.depends("relance_due_date", "amount_residual_signed")
    def _compute_relance_amount_due_now(self):
        parts = self._relance_parts(fields.Date.context_today(self))
        for move in self:
            move.relance_amount_due_now = parts[move]["due_company"]

    @api.depends("invoice_line_ids.relance_penalty_kind")
    def _compute_relance_is_penalty(self):
        for move in self:
            move.relance_is_penalty = move.move_type == "out_invoice" and any(
                move.invoice_line_ids.mapped("relance_penalty_kind")
            )

    @api.depends("relance_due_date", "payment_state")
    def _compute_relance_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            if move.relance_due_date and move.payment_state not in CLOSED_PAYMENT_STATES:
                move.relance_days_overdue = max((today - move.relance_due_date).days, 0)
            else:
                move.relance_days_overdue = 0

    @api.depends(
        "relance_state",
        "relance_level_id",
        "relance_last_date",
        "relance_promise_date",
        "relance_due_date",
        "commercial_partner_id.relance_policy_id",
        "company_id.relance_policy_id",
    )
    def _compute_relance_next(self):
        self._relance_compute_next({})

    def _relance_compute_next(self, ladders):
        """``_compute_relance_next`` with the ladders ``ladders`` already resolved (see
        ``account.relance.policy._ladder_of``)."""
        Policy = self.env["account.relance.policy"]
        for move in self:
            nxt = when = None
            if (
                move.move_type == "out_invoice"
                and move.relance_due_date
                and move.relance_state in ("none", "in_progress", "promise")
                and move.payment_state not in CLOSED_PAYMENT_STATES
                and move.state == "posted"
            ):
                specs = Policy._ladder_of(move, ladders)
                current = Policy._position(move, specs)
                nxt, when = ladder.next_level_date(
                    specs,
                    current_level_id=current,
                    due_date=move.relance_due_date,
                    last_action_date=move.relance_last_date,
                )
                if not nxt:
                    # after the last step: the step repeated, when the ladder repeats one
                    ending = Policy._ending_of(move, ladders)
                    when = ladder.repeat_date(
                        specs,
                        ending,
                        current_level_id=current,
                        last_action_date=move.relance_last_date,
                    )
                    nxt = when and ladder.LevelSpec(ending.level_id, 0, 0)
            if nxt and move.relance_state == "promise" and move.relance_promise_date:
                when = max(when, move.relance_promise_date + timedelta(days=1))
            # each field set once (a batch recomputes thousands of invoices)
            move.relance_next_level_id = nxt.id if nxt else False
            move.relance_next_date = when if nxt else False

    @api.depends(
        "relance_due_date",
        "relance_acknowledgment_date",
        "commercial_partner_id.relance_debtor_type",
        "line_ids.matched_credit_ids.max_date",
    )
    def _compute_relance_prescription_date(self):
        """Each instalment is prescribed from its own due date: the first to be is the
        oldest one still unpaid."""
        Claim = self.env["account.relance.claim"]
        for move in self:
            if move.move_type != "out_invoice" or not move.relance_due_date:
                move.relance_prescription_date = False
                continue
            interruptions = [p["date"] for p in Claim._payments(move)]
            if move.relance_acknowledgment_date:
                interruptions.append(move.relance_acknowledgment_date)
            move.relance_prescription_date = law_dates.prescription_date(
                move.relance_due_date, move._relance_debtor(), interruptions
            )

    @api.depends("relance_prescription_date", "payment_state")
    def _compute_relance_near_prescription(self):
        today = fields.Date.context_today(self)
        for move in self:
            move.relance_near_prescription = bool(
                move.relance_prescription_date
                and move.payment_state in ("not_paid", "partial")
                and law_dates.is_near_prescription(
                    move.relance_prescription_date,
                    today,
                    move.company_id.relance_prescription_warning_days,
                )
            )

    def _search_relance_near_prescription(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the limitation flag."))
        positive = (operator == "=") == value
        today = fields.Date.context_today(self)
        # each company's own warning, as the compute reads it
        domain = Domain.OR(
            [
                ("company_id", "=", company.id),
                (
                    "relance_prescription_date",
                    "<=",
                    today + timedelta(days=company.relance_prescription_warning_days),
                ),
            ]
            for company in self.env.companies
        ) & Domain(
            [
                ("payment_state", "in", ("not_paid", "partial")),
                ("relance_prescription_date", "!=", False),
            ]
        )
        return domain if positive else ~domain

    def _compute_relance_penalties(self):
        for move in self:
            move.relance_interest_amount = 0.0
            move.relance_indemnity_amount = 0.0
            move.relance_penalty_total = 0.0
            move.relance_penalty_warning = False
            if move.move_type != "out_invoice" or move.state != "posted" or not move.id:
                continue
            result = move.relance_compute_penalties()
            move.relance_interest_amount = result["interest"]
            move.relance_indemnity_amount = result["indemnity"]
            move.relance_penalty_total = result["total"]
            move.relance_penalty_warning = result["warning"]

    # ------------------------------------------------------------------ payment hook
    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        settled = self.filtered(lambda m: m.payment_state in CLOSED_PAYMENT_STATES)
        self.env["account.relance.event"]._relance_close_paid(settled)
        return res

    # ------------------------------------------------------------------ domains
    @api.model
    def _relance_open_domain(self):
        """Open customer invoices: posted, with a due date, not settled."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "!=", False),
        ]

    @api.model
    def _relance_base_domain(self):
        """Open customer invoices that the dunning may concern: not excluded from
        follow-up on their receivable line (Odoo's *No Follow-Up*)."""
        return self._relance_open_domain() + [
            (
                "line_ids",
                "not any",
                [
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("no_followup", "=", True),
                ],
            ),
        ]

    @api.model
    def _relance_recompute_next(self, companies):
        """The ladder of ``companies`` changed: recompute the next step of their invoices."""
        moves = self.search(self._relance_base_domain() + [("company_id", "in", companies.ids)])
        for fname in ("relance_next_date", "relance_next_level_id"):
            self.env.add_to_compute(self._fields[fname], moves)

    # ------------------------------------------------------------------ dunning run
    def action_relance_run(self):
        """Run the dunning now for the selected invoices (same rules as the nightly run)."""
        return self.env["account.relance.run"]._run_now(self)

    def _relance_write(self, vals, ladders=None):
        """Write the dunning bookkeeping of many invoices at once.

        ``account.move.write`` re-checks and re-synchronises the accounting of every invoice
        it touches, and none of it concerns these fields: they go through the ORM's plain
        write, which still recomputes the dunning state and next step. The chatter gets the
        run's own notes instead of tracking messages."""
        assert set(vals) <= RELANCE_BOOKKEEPING, set(vals) - RELANCE_BOOKKEEPING
        models.Model.write(self, vals)
        if ladders is not None:
            # the next step computed now from the ladders the batch already resolved (see
            # ``account.relance.policy._ladder_of``), not at the flush, which would resolve
            # them again
            next_fields = [self._fields["relance_next_date"], self._fields["relance_next_level_id"]]
            with self.env.protecting(next_fields, self):
                self._relance_compute_next(ladders)
        return True

    def _relance_ensure_tokens(self):
        """Portal access tokens of the invoices linked from the emails: a random UUID each,
        as ``portal.mixin`` does, set in the cache only (``Field.write``), so that the
        flush writes it in the same UPDATE as the invoice's dunning level, not in a second
        one (a new version of every invoice row). Nothing depends on the field."""
        field = self._fields["access_token"]
        for move in self:
            if not move.access_token:
                field.write(move, str(uuid.uuid4()))

    # ------------------------------------------------------------------ user actions
    def _relance_action_send_wizard(self):
        """The dialog of the next dunning step of the customer of these invoices."""
        moves = self.filtered_domain(self._relance_open_domain())
        if not moves:
            raise UserError(self.env._("There is no open customer invoice to remind."))
        if len(moves.commercial_partner_id) > 1 or len(moves.company_id) > 1:
            raise UserError(self.env._("Select the invoices of one customer to send a reminder."))
        return moves._relance_wizard_action(
            "account.relance.send", self.env._("Remind %s", moves.commercial_partner_id.name)
        )

    def _relance_wizard_action(self, model, name):
        """Open the dialog ``model`` on these invoices."""
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "name": name,
            "context": {"default_invoice_ids": [Command.set(self.ids)]},
        }

    def action_relance_send(self):
        return self._relance_action_send_wizard()

    def action_relance_resume(self):
        """Resume the ladder of these invoices (``account.relance.pause._resume``)."""
        return self.env["account.relance.pause"]._resume(self)

    def action_relance_set_hold(
        self, hold, note=False, promise_date=False, promise_amount=0.0, dispute_reason=False
    ):
        """Pause the ladder of these invoices: promise, dispute, block or litigation
        (``account.relance.pause._pause``)."""
        return self.env["account.relance.pause"]._pause(
            self,
            hold,
            note=note,
            promise_date=promise_date,
            promise_amount=promise_amount,
            dispute_reason=dispute_reason,
        )

    def _relance_html_list(self):
        """These invoices as an HTML list for the chatter: number, due date, residual."""
        Lang = self.env["res.lang"]
        items = Markup("").join(
            Markup("<li>%s</li>")
            % (
                "%s — %s — %s"
                % (
                    move.name,
                    Lang._relance_date_str(move.relance_due_date),
                    move.currency_id._relance_amount_str(move.amount_residual),
                )
            )
            for move in self
        )
        return Markup("<ul>%s</ul>") % items if items else escape("")

    # ------------------------------------------------------------------ French late penalties
    def _relance_debtor(self):
        self.ensure_one()
        return self.commercial_partner_id.relance_debtor_type or "business"

    def _relance_rate_label(self, partner=None, on_date=None):
        """The late-payment rate of this invoice's customer as written in reminders and
        letters (``account.relance.rate._rate_label``)."""
        company = self.company_id[:1] or self.env.company
        return self.env["account.relance.rate"]._rate_label(
            company, partner or self.commercial_partner_id, on_date
        )

    def _relance_parts(self, on_date):
        """What each of these invoices owes on ``on_date``, due now and to come
        (``account.relance.claim._parts``)."""
        return self.env["account.relance.claim"]._parts(self, on_date)

    def relance_compute_penalties(self, on_date=None, notice_date=None):
        """French late-payment penalties of this customer invoice (Code de commerce L441-10)
        on ``on_date`` (default today), the interest of each instalment from its own due
        date, with the receipt date of the formal notice ``notice_date`` for a consumer:
        the dict of ``account.relance.claim._penalties``."""
        self.ensure_one()
        return self.env["account.relance.claim"]._penalties(self, on_date, notice_date)

    @api.depends("payment_state", "relance_einvoice_status")
    def _compute_relance_einvoice_to_cash(self):
        for move in self:
            move.relance_einvoice_to_cash = bool(
                move.move_type == "out_invoice"
                and move.relance_einvoice_status
                and move.relance_einvoice_status not in (einvoice.CASHED, *einvoice.STOP)
                and move.payment_state in ("paid", "in_payment")
            )

    def _relance_set_einvoice_status(self, code, date=None, reason=None, source="module"):
        """Record the e-invoicing lifecycle status ``code`` of these customer invoices
        (``account.relance.einvoice.status``: "200" Déposée ... "213" Rejetée) on ``date``
        (today by default), with the platform's ``reason``, and apply it to their dunning:
        Refusée and Rejetée stop it, En litige and Suspendue pause it with the reason, a
        later status resumes it, Paiement transmis pauses it a few days (company setting),
        Approuvée is said on the reminders. For the modules that exchange with a platform:
        ``source`` is "module" (default), "import" or "user"."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        if invoices:
            self.env["account.relance.einvoice.status"]._record(
                invoices, code, date=date, reason=reason, source=source
            )
        return True

    def _compute_relance_posterior_claim(self):
        posterior = self.env["account.relance.insolvency"]._posterior_claims(self)
        for move in self:
            move.relance_posterior_claim = move in posterior

    def _relance_show_invoice_mentions(self):
        """Whether the invoice PDF carries the late-penalty mentions (business customers)."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and bool(self.company_id.relance_policy_id)
            and self._relance_debtor() == "business"
        )

    @api.depends("invoice_date", "invoice_date_due", "move_type")
    def _compute_relance_term_warning(self):
        for move in self:
            move.relance_term_warning = (
                move.move_type == "out_invoice"
                and move.invoice_date
                and move.invoice_date_due
                and move._relance_debtor() == "business"
                and law_dates.exceeds_legal_cap(move.invoice_date, move.invoice_date_due)
                and self.env._(
                    "The due date is later than the legal cap between businesses (60 days "
                    "from the invoice date or 45 days end of month, L441-10)."
                )
            )

    def action_relance_bill_penalties(self):
        moves = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not moves:
            raise UserError(self.env._("Select posted customer invoices."))
        return moves._relance_wizard_action(
            "account.relance.penalty", self.env._("Bill the penalties")
        )

    def action_relance_log_call(self):
        moves = self.filtered_domain(self._relance_base_domain())
        if not moves or len(moves.commercial_partner_id) > 1:
            raise UserError(self.env._("Select the open invoices of one customer."))
        return moves._relance_wizard_action("account.relance.call", self.env._("Log a call"))

    def action_relance_hold_wizard(self):
        return self._relance_wizard_action("account.relance.hold", self.env._("Pause the dunning"))

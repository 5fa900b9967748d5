# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import ast
import logging
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

import babel.dates
from markupsafe import Markup, escape
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.addons.base.models.res_lang import intersperse
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL, email_normalize_all, float_round, format_date, formatLang, get_lang
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.misc import babel_locale_parse, posix_to_ldml

from ..lib import dates as law_dates
from ..lib import interest as law_interest
from ..lib import ladder
from .ir_qweb import MEMO_KEY

_logger = logging.getLogger(__name__)

HOLD_STATES = [
    ("promise", "Payment promise"),
    ("dispute", "Disputed"),
    ("blocked", "Blocked"),
    ("litigation", "In litigation"),
]
# payment states that are not chased: settled, awaiting the bank, or blocked in Odoo
CLOSED_PAYMENT_STATES = ("paid", "in_payment", "reversed")
# advisory-lock namespace of the nightly run: pg_advisory_xact_lock(RELANCE_LOCK_NS, customer id)
RELANCE_LOCK_NS = 0x52454C  # "REL"
# the scheduled actions that help the nightly run on the other cron threads
HELPER_CODE = "model._cron_relance_helper()"
# the tables a night fills, that foreign keys of its new rows point to (see
# _relance_refresh_statistics); a table's statistics are refreshed when it outgrew them
RELANCE_GROWING_TABLES = (
    "account_relance_event",
    "account_relance_event_line",
    "mail_activity",
    "mail_mail",
    "mail_message",
)
RELANCE_STATISTICS_MIN_PAGES = 8
# what the nightly run writes on invoices: dunning bookkeeping, never accounting data
RELANCE_BOOKKEEPING = {
    "relance_level_id",
    "relance_last_date",
    "relance_hold",
    "relance_initialized",
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
        HOLD_STATES, "Dunning paused", copy=False, tracking=True, index=True
    )
    relance_state = fields.Selection(
        [("none", "Not dunned"), ("in_progress", "In progress")]
        + HOLD_STATES
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
    relance_event_line_ids = fields.One2many(
        "account.relance.event.line", "move_id", "Dunning history", readonly=True
    )

    # the nightly run reads the due invoices of a batch of customers: without this index
    # PostgreSQL scans the whole journal-entry table for every batch (150 ms per batch at
    # 160,000 invoices). Only the open customer invoices are in it, by customer: not their
    # next step, which the run changes on every invoice it moves (see relance_level_id)
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

    @api.depends("invoice_date_due", "payment_state")
    def _compute_relance_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            if move.invoice_date_due and move.payment_state not in CLOSED_PAYMENT_STATES:
                move.relance_days_overdue = max((today - move.invoice_date_due).days, 0)
            else:
                move.relance_days_overdue = 0

    @api.depends(
        "relance_state",
        "relance_level_id",
        "relance_last_date",
        "relance_promise_date",
        "invoice_date_due",
        "commercial_partner_id.relance_policy_id",
        "company_id.relance_policy_id",
    )
    def _compute_relance_next(self):
        self._relance_compute_next({})

    def _relance_compute_next(self, ladders):
        """``_compute_relance_next`` with the ladders ``ladders`` already resolved (see
        ``_relance_ladder``)."""
        for move in self:
            nxt = when = None
            if (
                move.move_type == "out_invoice"
                and move.invoice_date_due
                and move.relance_state in ("none", "in_progress", "promise")
                and move.payment_state not in CLOSED_PAYMENT_STATES
                and move.state == "posted"
            ):
                specs = move._relance_ladder(ladders)
                nxt, when = ladder.next_level_date(
                    specs,
                    current_level_id=move._relance_current_spec_id(specs),
                    due_date=move.invoice_date_due,
                    last_action_date=move.relance_last_date,
                )
            if nxt and move.relance_state == "promise" and move.relance_promise_date:
                when = max(when, move.relance_promise_date + timedelta(days=1))
            # each field set once (a batch recomputes thousands of invoices)
            move.relance_next_level_id = nxt.id if nxt else False
            move.relance_next_date = when if nxt else False

    @api.depends(
        "invoice_date_due",
        "relance_acknowledgment_date",
        "commercial_partner_id.relance_debtor_type",
        "line_ids.matched_credit_ids.max_date",
    )
    def _compute_relance_prescription_date(self):
        for move in self:
            if move.move_type != "out_invoice" or not move.invoice_date_due:
                move.relance_prescription_date = False
                continue
            interruptions = [p["date"] for p in move._relance_payments()]
            if move.relance_acknowledgment_date:
                interruptions.append(move.relance_acknowledgment_date)
            move.relance_prescription_date = law_dates.prescription_date(
                move.invoice_date_due, move._relance_debtor(), interruptions
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
        limit = fields.Date.context_today(self) + timedelta(
            days=self.env.company.relance_prescription_warning_days
        )
        domain = [
            ("payment_state", "in", ("not_paid", "partial")),
            ("relance_prescription_date", "!=", False),
            ("relance_prescription_date", "<=", limit),
        ]
        return domain if positive else ["!", "&", "&", *domain]

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
        self._relance_close_activities()
        return res

    def _relance_close_activities(self):
        """Mark the open dunning activities of settled invoices done."""
        settled = self.filtered(lambda m: m.payment_state in CLOSED_PAYMENT_STATES)
        if not settled:
            return
        events = (
            self.env["account.relance.event"]
            .sudo()
            .search([("line_ids.move_id", "in", settled.ids), ("state", "=", "todo")])
        )
        # an action still concerns a customer as long as one of its invoices is open
        to_close = events.filtered(
            lambda e: all(m.payment_state in CLOSED_PAYMENT_STATES for m in e.line_ids.move_id)
        )
        for event in to_close:
            event.activity_ids.with_context(relance_skip_event=True).action_feedback(
                feedback=self.env._("Invoice paid: dunning closed.")
            )
        to_close.write({"state": "cancel"})
        self._relance_log(
            settled.filtered("relance_level_id"),
            {
                move.id: self.env._("Invoice paid: dunning closed.")
                for move in settled.filtered("relance_level_id")
            },
        )

    # ------------------------------------------------------------------ domains
    @api.model
    def _relance_base_domain(self):
        """Open customer invoices that the dunning may concern."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "!=", False),
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
    def _relance_chase_domain(self, today, companies):
        """Invoices the nightly run may move up the ladder on ``today``: those whose next
        step is due (the stored ``relance_next_date``), so that a night reads the invoices
        it acts on, not every open invoice."""
        return self._relance_base_domain() + [
            ("company_id", "in", companies.ids),
            ("relance_next_date", "<=", today),
            ("relance_hold", "=", False),
        ]

    @api.model
    def _relance_recompute_next(self, companies):
        """The ladder of ``companies`` changed: recompute the next step of their invoices."""
        moves = self.search(self._relance_base_domain() + [("company_id", "in", companies.ids)])
        for fname in ("relance_next_date", "relance_next_level_id"):
            self.env.add_to_compute(self._fields[fname], moves)

    # ------------------------------------------------------------------ nightly run
    @api.model
    def _cron_relance(self, batch_size=500):
        """Nightly run: advance every due invoice one level and perform the actions.

        Safe to run twice, on two workers at once and after a crash: each batch locks
        its invoices (``SKIP LOCKED``), re-reads them, writes its events and queued mails
        and commits; an invoice goes through a level once (unique event line).

        It first calls its helpers (``_cron_relance_helper``) to share the night on the
        server's other cron threads.
        """
        self.env["ir.cron"].sudo().search([("code", "=", HELPER_CODE)])._trigger()
        return self._relance_cron_run(batch_size)

    @api.model
    def _cron_relance_helper(self, batch_size=500):
        """The nightly run on another cron thread, triggered by ``_cron_relance`` when it
        starts: the customers are shared through their locks, each goes to one of the runs.
        Nothing when the nightly run's scheduled action is archived (dunning stopped)."""
        nightly = self.env.ref("account_relance_fr.ir_cron_relance", raise_if_not_found=False)
        if not nightly or not nightly.active:
            _logger.info("Dunning helper: the nightly run is archived, nothing to do")
            return {"events": 0, "invoices": 0, "errors": 0}
        return self._relance_cron_run(batch_size)

    @api.model
    def _relance_cron_run(self, batch_size):
        """The night of each company that runs the dunning automatically, in its language.

        A scheduled action runs with an empty context (``ir.cron``): the notes, activities
        and messages of the night would be written in English. Each company's night runs in
        the language of the company (``res.company._relance_lang``), as its accountants
        read the chatter. When the time is up between two companies, the companies left
        are counted as remaining, so that the job is rescheduled for them."""
        companies = self.env["res.company"].search([("relance_auto_run", "=", True)])
        ir_cron = self.env["ir.cron"]
        result = {"events": 0, "invoices": 0, "errors": 0}
        for index, company in enumerate(companies):
            if index and not ir_cron._commit_progress(remaining=len(companies) - index):
                break
            # the notifications of the activities it assigns are queued, as from any server
            # action (mail's ir.actions.server): not sent one by one while the run goes on
            company_result = self.with_context(
                relance_auto=True,
                mail_notify_force_send=False,
                lang=company._relance_lang(),
            )._relance_run(companies=company, batch_size=batch_size, commit=True)
            for key in result:
                result[key] += company_result[key]
        return result

    def action_relance_run(self):
        """Run the dunning now for the selected invoices (same rules as the nightly run)."""
        moves = self.filtered_domain(self._relance_base_domain())
        result = self._relance_run(
            companies=moves.company_id, moves=moves, batch_size=500, commit=False
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if result["events"] else "info",
                "message": self.env._(
                    "%(events)s dunning actions performed for %(invoices)s invoices.",
                    events=result["events"],
                    invoices=result["invoices"],
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _relance_run(self, companies, moves=None, batch_size=500, commit=False, today=None):
        """Process the due invoices of ``companies`` (or only ``moves``), customer batch by
        customer batch.

        A customer's invoices are always handled together, by one worker: each batch takes
        a PostgreSQL advisory lock per customer (``_relance_lock_customers``), so two
        workers never split a customer's invoices into two reminders of the same level.
        Customers another worker holds are waited for at the end, then done if it left
        anything (an invoice it could not see yet).

        The responsibles are notified once of the actions the run gave them, at its end
        (``_relance_notify_responsibles``), not once per activity as Odoo does.

        :param commit: commit after each batch (cron); otherwise each batch runs in a
            savepoint so that a failing batch does not undo the others.
        :return: dict with the number of ``events`` created and ``invoices`` advanced.
        """
        # "activity_event_ids": the actions given an activity, in the batches done
        result = {"events": 0, "invoices": 0, "errors": 0, "activity_event_ids": []}
        # the email templates compiled once for the run, not once per batch (see ir.qweb)
        self.with_context(relance_notify_later=True, **{MEMO_KEY: {}})._relance_run_batches(
            companies, moves, result, batch_size=batch_size, commit=commit, today=today
        )
        events = self.env["account.relance.event"].browse(result.pop("activity_event_ids"))
        events.exists()._relance_notify_responsibles()
        return result

    def _relance_run_batches(self, companies, moves, result, *, batch_size, commit, today):
        """The batches of ``_relance_run``, counted in ``result``."""
        today = today or fields.Date.context_today(self)
        if not companies:
            return result
        self._relance_expire_promises(today, companies, commit=commit)
        domain = self._relance_chase_domain(today, companies)
        if moves is not None:
            domain += [("id", "in", moves.ids)]
        # one row per customer, with its number of due invoices, to size the batches
        groups = self._read_group(domain, ["commercial_partner_id"], ["__count"])
        batches, batch, size = [], [], 0
        for partner, count in groups:
            batch.append(partner.id)
            size += count
            if size >= batch_size:
                batches.append(batch)
                batch, size = [], 0
        if batch:
            batches.append(batch)
        ir_cron = self.env["ir.cron"]
        if commit:
            ir_cron._commit_progress(remaining=len(groups))
        deferred = []
        for partner_ids in batches:
            held_elsewhere = self._relance_run_batch(partner_ids, today, domain, result, commit)
            self._relance_refresh_statistics()
            deferred += held_elsewhere
            if commit and not ir_cron._commit_progress(len(partner_ids) - len(held_elsewhere)):
                return result  # time is up: the cron is rescheduled and resumes where it stopped
        for _round in range(3):
            if not deferred:
                break
            if not commit:
                _logger.info(
                    "Dunning of %s customers left to the run that holds them", len(deferred)
                )
                break
            self._relance_wait_customers(deferred)
            done = len(deferred)
            deferred = self._relance_run_batch(deferred, today, domain, result, commit)
            if not ir_cron._commit_progress(done - len(deferred)):
                return result
        self.env["account.relance.event"]._relance_send_pending(companies, commit=commit)
        return result

    @api.model
    def _relance_refresh_statistics(self, tables=RELANCE_GROWING_TABLES):
        """Refresh PostgreSQL's statistics (``ANALYZE``) of the ``tables`` that grew to more
        than twice the size they had when they were last analysed; return their names.

        A connection plans each foreign-key check once, with the size the referenced table
        had then. Planned on the nearly empty action table of a young database, or where
        autovacuum is off or late, every check of a new action line reads all the actions:
        a night's time would grow with the square of its actions (x5.0 for x4 invoices).
        New statistics make PostgreSQL plan the checks again, with the index. A table that
        another run is analysing is left to it (``NOWAIT``); it is one statement per batch,
        an ``ANALYZE`` now and then (each time a table doubles)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT name FROM unnest(%s::text[]) AS name
                  JOIN pg_class c ON c.oid = to_regclass(name)
                 WHERE pg_relation_size(c.oid) / current_setting('block_size')::int
                       > 2 * c.relpages + %s
                """,
                list(tables),
                RELANCE_STATISTICS_MIN_PAGES,
            )
        )
        analysed = []
        for (name,) in cr.fetchall():
            table = SQL.identifier(name)
            try:
                with cr.savepoint(flush=False):
                    cr.execute(SQL("LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE NOWAIT", table))
                    cr.execute(SQL("ANALYZE %s", table))
                analysed.append(name)
            except (pg_errors.LockNotAvailable, pg_errors.InsufficientPrivilege):
                _logger.info("Dunning: statistics of %s left to another run", name)
        if analysed:
            _logger.info("Dunning: statistics refreshed for %s", ", ".join(analysed))
        return analysed

    @api.model
    def _relance_lock_customers(self, partner_ids):
        """Take the run's advisory lock of each customer that no other run holds (until the
        end of the transaction); return the ids of the customers taken."""
        if not partner_ids:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT id FROM unnest(%s::int[]) AS id WHERE pg_try_advisory_xact_lock(%s, id)",
                sorted(partner_ids),
                RELANCE_LOCK_NS,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _relance_wait_customers(self, partner_ids):
        """Wait until the runs holding these customers have committed (cron mode): take their
        locks in a fixed order, then roll back, which releases them and lets the next
        transaction see what those runs did."""
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::int[]) AS id",
                RELANCE_LOCK_NS,
                sorted(partner_ids),
            )
        )
        self.env.cr.rollback()
        self.env.invalidate_all()

    @api.model
    def _relance_run_batch(self, partner_ids, today, domain, result, commit=False):
        """Perform the due levels of the customers ``partner_ids`` that no other run holds;
        return the ids of those another run holds.

        The invoices are searched again under the customers' locks, then row-locked
        (``SKIP LOCKED``: an invoice an accountant is editing waits for the next night).
        When a concurrent run committed them after this transaction's snapshot, PostgreSQL
        refuses the lock (serialization failure): in cron mode the batch starts again from
        a fresh snapshot, in which they are no longer due."""
        cr = self.env.cr
        for attempt in (1, 2):
            # a clean cache per batch: the run's memory stays that of one batch
            self.env.invalidate_all()
            try:
                with cr.savepoint():
                    held = self._relance_lock_customers(partner_ids)
                    moves = self.browse()
                    if held:
                        moves = self.search(domain + [("commercial_partner_id", "in", held)])
                        moves = moves.try_lock_for_update(allow_referencing=True)
                    stats = moves._relance_process(today)
                result["events"] += stats["events"]
                result["invoices"] += stats["invoices"]
                result["activity_event_ids"] += stats["activity_event_ids"]
                held = set(held)
                return [pid for pid in partner_ids if pid not in held]
            except (pg_errors.SerializationFailure, pg_errors.UniqueViolation) as exc:
                self.env.invalidate_all()
                if commit and attempt == 1:
                    cr.rollback()  # a new transaction, a new snapshot
                    continue
                # another worker committed these invoices after our snapshot: it did the work
                _logger.info("Dunning batch skipped, handled by a concurrent run: %s", exc)
            except Exception:
                result["errors"] += 1
                _logger.exception(
                    "Dunning batch of %s customers failed; it will be retried", len(partner_ids)
                )
                self.env.invalidate_all()
            return []
        return []

    def _relance_expire_promises(self, today, companies, commit=False):
        """A promise whose date has passed resumes the ladder (logged on the invoices).

        Several workers may start together. In cron mode (``commit``) they expire the
        promises one after the other (advisory lock ``(RELANCE_LOCK_NS, 0)``, held until the
        run's first commit): a worker that finds the lock taken waits, then starts a new
        transaction that sees the resumed invoices, so that both put a resumed invoice in
        its customer's reminder. Otherwise (a run from the user interface, one
        transaction), the run takes the customers' locks first and leaves the promises of
        customers another run holds to that run: resumed here, uncommitted, they would be
        missing from that run's reminder to the customer."""
        if commit:
            for _attempt in range(5):
                if self._relance_lock_customers([0]):
                    break
                self._relance_wait_customers([0])
        domain = [
            ("relance_hold", "=", "promise"),
            ("relance_promise_date", "<", today),
            ("company_id", "in", companies.ids),
        ]
        expired = self.search(domain)
        if expired and not commit:
            held = set(self._relance_lock_customers(expired.commercial_partner_id.ids))
            expired = expired.filtered(lambda m: m.commercial_partner_id.id in held)
        if not expired:
            return
        try:
            with self.env.cr.savepoint():
                expired = expired.try_lock_for_update().filtered_domain(domain)
                expired._relance_write({"relance_hold": False})
                self._relance_log(
                    expired,
                    {
                        move.id: self.env._(
                            "Payment promise of %(date)s not kept: the dunning resumes.",
                            date=format_date(self.env, move.relance_promise_date),
                        )
                        for move in expired
                    },
                )
        except pg_errors.SerializationFailure:
            _logger.info("Expired promises handled by a concurrent run")
            self.env.invalidate_all()

    def _relance_next_levels(self, today, ladders=None):
        """Map each invoice of ``self`` to the level it reaches today (or nothing).

        Not dunned: customers blocked, whose receivable is not positive once their
        unreconciled credit notes and payments are counted, and invoices past their
        limitation date (a prescribed debt is left to a person). ``ladders``: the cache of
        ``_relance_ladder``, filled."""
        ladders = {} if ladders is None else ladders
        targets, blocked = {}, {}
        levels = self.env["account.relance.level"]
        balances = self._relance_net_balances()
        skipped = {"credit": 0, "prescribed": 0}
        for move in self:
            specs = move._relance_ladder(ladders)
            key = (move.commercial_partner_id, move.company_id)
            if key not in blocked:
                blocked[key] = key[0].with_company(key[1]).relance_blocked
            if not specs or blocked[key]:
                continue
            if balances.get((move.company_id.id, move.commercial_partner_id.id), 0.0) <= 0.0:
                skipped["credit"] += 1
                continue
            if move.relance_prescription_date and move.relance_prescription_date < today:
                skipped["prescribed"] += 1
                continue
            spec = ladder.next_level(
                specs,
                current_level_id=move._relance_current_spec_id(specs),
                days_overdue=(today - move.invoice_date_due).days,
                last_action_date=move.relance_last_date or None,
                today=today,
                amount=abs(move.amount_residual_signed),
            )
            if spec:
                targets[move] = levels.browse(spec.id)
        if any(skipped.values()):
            _logger.info(
                "Dunning: %(credit)s invoices of customers with a credit balance and "
                "%(prescribed)s prescribed invoices left aside",
                skipped,
            )
        return targets

    @api.model
    def _relance_place_existing(self, today):
        """At installation, put each overdue invoice without dunning history on the level
        its age reached (``lib.ladder.reached_level``), without sending anything; the
        ladder then goes on at its pace. Logged in the invoices' chatter."""
        moves = self.search(
            self._relance_base_domain()
            + [
                ("invoice_date_due", "<", today),
                ("relance_level_id", "=", False),
                ("relance_event_line_ids", "=", False),
            ]
        )
        ladders, by_level = {}, defaultdict(self.browse)
        levels = self.env["account.relance.level"]
        for move in moves:
            spec = ladder.reached_level(
                move._relance_ladder(ladders), (today - move.invoice_date_due).days
            )
            if spec:
                by_level[levels.browse(spec.id)] |= move
        for level, level_moves in by_level.items():
            level_moves._relance_write(
                {
                    "relance_level_id": level.id,
                    "relance_last_date": today,
                    "relance_initialized": True,
                },
                ladders=ladders,
            )
            note = self.env._(
                "Already overdue when the dunning was installed: placed at level %s. "
                "Nothing was sent for this level or the earlier ones.",
                level.name,
            )
            self._relance_log(level_moves, dict.fromkeys(level_moves.ids, note))
        return moves

    def _relance_ladder(self, cache):
        """The active ladder (``LevelSpec`` list) of this invoice's customer in its company,
        kept in ``cache`` so that a batch resolves each customer's policy once."""
        self.ensure_one()
        key = (self.commercial_partner_id.id, self.company_id.id)
        if key not in cache:
            policy = self.commercial_partner_id._relance_policy(self.company_id)
            # most customers follow their company's policy: its ladder is read once
            policy_key = ("policy", policy.id)
            if policy_key not in cache:
                cache[policy_key] = policy._level_specs() if policy else []
            cache[key] = cache[policy_key]
        return cache[key]

    def _relance_current_spec_id(self, specs):
        """The invoice's position on the active ladder ``specs``: its level, or, when that
        level was archived or belongs to another policy, the last active step at or
        before its sequence (so that no step is performed again)."""
        self.ensure_one()
        current = self.relance_level_id
        if not current:
            return None
        if any(spec.id == current.id for spec in specs):
            return current.id
        before = [
            spec for spec in specs if (spec.sequence, spec.id) <= (current.sequence, current.id)
        ]
        return before[-1].id if before else None

    def _relance_net_balances(self):
        """Open receivable per (company, customer), credit notes and unreconciled payments
        included, in company currency (one query)."""
        if not self:
            return {}
        groups = self.env["account.move.line"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ],
            ["company_id", "partner_id"],
            ["amount_residual:sum"],
        )
        return {(company.id, partner.id): amount for company, partner, amount in groups}

    def _relance_process(self, today, manual_values=None):
        """Perform the next level of every invoice of ``self`` (locked and eligible).

        Invoices of one customer reaching the same level are grouped into one action per
        company and currency. Returns counts.
        """
        ladders = {}
        targets = self._relance_next_levels(today, ladders)
        groups = defaultdict(self.browse)
        for move, level in targets.items():
            key = (move.company_id, move.commercial_partner_id, move.currency_id, level)
            groups[key] |= move
        if not groups:
            return {"events": 0, "invoices": 0, "activity_event_ids": []}
        events = self.env["account.relance.event"]._relance_create(
            groups, today, manual_values=manual_values, ladders=ladders
        )
        return {
            "events": len(events),
            "invoices": sum(len(g) for g in groups.values()),
            "activity_event_ids": events.filtered("activity_id").ids,
        }

    def _relance_write(self, vals, ladders=None):
        """Write the dunning bookkeeping of many invoices at once.

        ``account.move.write`` re-checks and re-synchronises the accounting of every invoice
        it touches (a third of the nightly run's time on 400 invoices); none of it concerns
        these fields, so they go through the ORM's plain write, which still recomputes the
        dunning state and next step. The chatter gets the run's own notes instead of
        tracking messages."""
        assert set(vals) <= RELANCE_BOOKKEEPING, set(vals) - RELANCE_BOOKKEEPING
        models.Model.write(self, vals)
        if ladders is not None:
            # the next step computed now from the ladders the batch already resolved (see
            # ``_relance_ladder``), not at the flush, which would resolve them again
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

    # ------------------------------------------------------------------ chatter
    def _relance_log(self, records, bodies):
        """Log notes in batch on ``records`` with the dunning subtype.

        The values are those of ``mail.thread._message_log_batch`` (no notification, one
        insert for the batch) with the dunning subtype set at creation: changing it
        afterwards would re-check the access to every message written."""
        if not records:
            return self.env["mail.message"]
        author_id, email_from = records._message_compute_author()
        base_values = {
            "author_id": author_id,
            "email_from": email_from,
            "model": records._name,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "message_type": "notification",
            "is_internal": True,
            "subtype_id": self.env["account.relance.event"]._relance_subtype_id(),
            "email_add_signature": False,
            "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                default=email_from, author_id=author_id
            )[False],
        }
        return records.sudo()._message_create(
            [
                dict(base_values, res_id=record.id, body=Markup("%s") % bodies.get(record.id, ""))
                for record in records
            ]
        )

    # ------------------------------------------------------------------ user actions
    def _relance_action_send_wizard(self):
        moves = self.filtered_domain(self._relance_base_domain())
        if not moves:
            raise UserError(self.env._("There is no open customer invoice to remind."))
        if len(moves.commercial_partner_id) > 1:
            raise UserError(self.env._("Select the invoices of one customer to send a reminder."))
        return moves._relance_wizard_action("account.relance.send", self.env._("Send a reminder"))

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
        self.write({"relance_hold": False, "relance_hold_note": False})
        return True

    def action_relance_set_hold(
        self, hold, note=False, promise_date=False, promise_amount=0.0, dispute_reason=False
    ):
        """Pause the ladder: promise, dispute, block or litigation (logged)."""
        vals = {"relance_hold": hold, "relance_hold_note": note}
        if hold == "promise":
            if not promise_date:
                raise ValidationError(self.env._("A payment promise needs a date."))
            vals.update(relance_promise_date=promise_date, relance_promise_amount=promise_amount)
        if hold == "dispute":
            vals.update(
                relance_dispute_reason_id=dispute_reason,
                relance_dispute_date=fields.Date.context_today(self),
            )
        self.write(vals)
        labels = dict(HOLD_STATES)
        self._relance_log(
            self,
            {
                move.id: self.env._(
                    "Dunning paused: %(state)s%(note)s",
                    state=self.env._(labels[hold]),  # pylint: disable=translation-not-lazy
                    note=" (%s)" % note if note else "",
                )
                for move in self
            },
        )
        return True

    @api.model
    def _relance_check_contract_rate(self, rate):
        """A contractual rate may not be lower than 3 x the legal rate (L441-10 II)."""
        from ..lib.interest import check_contractual_rate, rate_for_day

        periods = self.env["account.relance.rate"]._rate_periods()
        if not periods:
            return
        period, _provisional = rate_for_day(periods, fields.Date.context_today(self))
        if not check_contractual_rate(rate, period.legal_rate_pro):
            raise ValidationError(
                self.env._(
                    "The contractual late-payment rate (%(rate)s %%) may not be lower than "
                    "three times the legal interest rate (3 x %(legal)s %% = %(floor)s %%).",
                    rate=rate,
                    legal=period.legal_rate_pro,
                    floor=round(3 * period.legal_rate_pro, 2),
                )
            )

    # ------------------------------------------------------------------ helpers for mails
    @api.model
    def _relance_amount_str(self, amount, currency, lang=None):
        """``format_amount(env, amount, currency, lang)``, for the thousands of amounts of a
        night (invoice tables, notes): the currency's and the language's formats are read
        once per cursor instead of once per amount (``test_amounts_as_format_amount``)."""
        cache = self.env.cr.cache.setdefault("account_relance_fr.money", {})
        key = (currency.id, lang or self.env.lang)
        if key not in cache:
            cache[key] = self._relance_money_formatter(currency, key[1])
        return cache[key](amount)

    @api.model
    def _relance_money_formatter(self, currency, lang_code):
        """A function amount -> text that formats as ``odoo.tools.format_amount``."""
        data = get_lang(self.env, lang_code)
        grouping = ast.literal_eval(data.grouping)
        thousands_sep, decimal_point = data.thousands_sep or "", data.decimal_point
        pattern, rounding = f"%.{currency.decimal_places}f", currency.rounding
        if currency.position == "before":
            pre, post = f"{currency.symbol or ''}\N{NO-BREAK SPACE}", ""
        else:
            pre, post = "", f"\N{NO-BREAK SPACE}{currency.symbol or ''}"

        def amount_str(amount):
            parts = (pattern % float_round(amount, precision_rounding=rounding)).split(".")
            parts[0] = intersperse(parts[0], grouping, thousands_sep)[0]
            text = decimal_point.join(parts)
            text = text.replace(" ", "\N{NO-BREAK SPACE}").replace(
                "-", "-\N{ZERO WIDTH NO-BREAK SPACE}"
            )
            return pre + text + post

        return amount_str

    @api.model
    def _relance_valid_email(self, partner):
        """At least one address in the partner's email field: Odoo sends a partner's
        emails to each address of it ("compta@client.fr, direction@client.fr")."""
        return bool(partner.email and email_normalize_all(partner.email))

    @api.model
    def _relance_date_str(self, value, lang=None):
        """``format_date(env, value, lang)``, for the thousands of dates of a night (invoice
        tables, notes): memoised on the transaction, and the language's date format read
        once per transaction instead of once per date. The run commits every batch, which
        empties ``cr.cache``: each batch formats its dates anew, with the format of the
        language as it is then (``test_dates_as_format_date``)."""
        if not isinstance(value, date) or isinstance(value, datetime):
            return format_date(self.env, value, lang_code=lang)  # empty, text or a moment
        code = lang or self.env.lang
        cache = self.env.cr.cache.setdefault("account_relance_fr.dates", {})
        key = (value, code)
        if key not in cache:
            formats = self.env.cr.cache.setdefault("account_relance_fr.date_formats", {})
            if code not in formats:
                data = get_lang(self.env, code)
                locale = babel_locale_parse(data.code)
                formats[code] = (posix_to_ldml(data.date_format, locale=locale), locale)
            pattern, locale = formats[code]
            cache[key] = babel.dates.format_date(value, format=pattern, locale=locale)
        return cache[key]

    @api.model
    def _relance_html_list(self, moves):
        items = Markup("").join(
            Markup("<li>%s</li>")
            % (
                "%s — %s — %s"
                % (
                    move.name,
                    self._relance_date_str(move.invoice_date_due),
                    self._relance_amount_str(move.amount_residual, move.currency_id),
                )
            )
            for move in moves
        )
        return Markup("<ul>%s</ul>") % items if items else escape("")

    def _relance_invoice_pdfs(self):
        """Map invoice id -> PDF attachment: the invoice's own PDF when it was sent or
        printed, otherwise rendered (once per invoice) and kept on the invoice."""
        pdfs = {move.id: move.invoice_pdf_report_id for move in self if move.invoice_pdf_report_id}
        missing = self.filtered(lambda m: m.id not in pdfs)
        if missing:
            report = self.env["ir.actions.report"].sudo()
            # one document per call: splitting a multi-invoice PDF needs a patched wkhtmltopdf
            contents = {
                move.id: report._render_qweb_pdf("account.account_invoices", move.ids)[0]
                for move in missing
            }
            attachments = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    [
                        {
                            "name": move._get_invoice_report_filename(),
                            "raw": contents[move.id],
                            "mimetype": "application/pdf",
                            "res_model": "account.move",
                            "res_id": move.id,
                        }
                        for move in missing
                    ]
                )
            )
            pdfs.update({att.res_id: att for att in attachments})
        return pdfs

    # ------------------------------------------------------------------ French late penalties
    def _relance_debtor(self):
        self.ensure_one()
        return self.commercial_partner_id.relance_debtor_type or "business"

    def _relance_contract_rate(self, partner=None):
        """Contractual rate that applies, or None for the legal ECB + 10 rate."""
        self.ensure_one()
        company = self.company_id
        partner = (partner or self.commercial_partner_id).with_company(company)
        if partner.relance_contract_rate:
            return partner.relance_contract_rate
        if company.relance_interest_mode == "contractual" and company.relance_contract_rate:
            return company.relance_contract_rate
        return None

    def _relance_rate_label(self, partner=None, on_date=None):
        """The late-payment rate as written in reminders and letters."""
        from ..lib.interest import rate_for_day

        company = self.company_id or self.env.company
        partner = partner or self.commercial_partner_id
        contract = self[:1]._relance_contract_rate(partner) if self else None

        def pct(value):
            return formatLang(self.env, value, digits=2)

        if contract:
            return self.env._("%(rate)s %% per year (contractual rate)", rate=pct(contract))
        periods = self.env["account.relance.rate"]._rate_periods()
        if not periods:
            return self.env._("the ECB main refinancing rate plus 10 points")
        period, _provisional = rate_for_day(periods, on_date or fields.Date.context_today(company))
        if partner.relance_debtor_type == "consumer":
            return self.env._(
                "the legal interest rate (%(rate)s %% per year)", rate=pct(period.legal_rate_pro)
            )
        return self.env._(
            "the ECB main refinancing rate plus 10 points (%(rate)s %% per year)",
            rate=pct(period.ecb_rate + 10.0),
        )

    def _relance_payments(self):
        """Payments (and credit notes) applied to the invoice: dicts ``date``, ``amount``
        in company currency, oldest first."""
        self.ensure_one()
        partials = self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).matched_credit_ids
        return sorted(
            ({"date": p.max_date, "amount": p.amount} for p in partials),
            key=lambda p: p["date"],
        )

    def _relance_notice_receipt_date(self):
        """Receipt date of the formal notice recorded for this invoice, if any."""
        self.ensure_one()
        lines = self.relance_event_line_ids.filtered(
            lambda line: line.channel == "formal_notice" and line.event_id.receipt_date
        )
        return min(lines.event_id.mapped("receipt_date")) if lines else None

    def relance_compute_penalties(self, on_date=None, notice_date=None):
        """French late-payment penalties of this customer invoice (Code de commerce L441-10).

        :param on_date: computation date (default today); interest stops at the payment
            that settled the invoice.
        :param notice_date: receipt date of the formal notice (consumers: interest runs
            from it); defaults to the one recorded on the invoice's formal notice.
        :return: dict ``days``, ``interest``, ``indemnity``, ``total`` (company currency,
            rounded to the cent), ``segments`` (``date_from``, ``date_to``, ``days``,
            ``rate``, ``base``, ``amount``), ``provisional`` and ``missing_semesters`` (a rate
            semester is missing: the latest recorded one was used), ``warning`` (text or False).
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        on_date = on_date or today
        payments = self._relance_payments()
        principal = abs(self.amount_total_signed)
        end = on_date
        if self.payment_state in CLOSED_PAYMENT_STATES and payments:
            end = min(end, payments[-1]["date"])
        empty = {
            "days": 0,
            "interest": 0.0,
            "indemnity": 0.0,
            "total": 0.0,
            "segments": [],
            "provisional": False,
            "missing_semesters": [],
            "warning": False,
        }
        if self.move_type != "out_invoice" or not self.invoice_date_due:
            return empty
        rates = self.env["account.relance.rate"]._rate_periods()
        contract = self._relance_contract_rate()
        if not rates and contract is None:
            return dict(
                empty,
                warning=self.env._(
                    "No late-payment rate is recorded: record the rates of the semester."
                ),
            )
        result = law_interest.penalties(
            principal=principal,
            due_date=self.invoice_date_due,
            on_date=end,
            rates=rates,
            debtor=self._relance_debtor(),
            payments=[(p["date"], p["amount"]) for p in payments],
            contractual_rate=contract,
            freeze_due_semester=self.company_id.relance_freeze_due_semester,
            notice_date=notice_date or self._relance_notice_receipt_date(),
        )
        result["warning"] = False
        if result["provisional"]:
            result["warning"] = self.env._(
                "Provisional: no rate is recorded for %(semesters)s; the latest recorded "
                "semester was used. Record the new semester's rates.",
                semesters=", ".join(result["missing_semesters"]),
            )
            _logger.warning(
                "Late-payment rates missing for %s (invoice %s): computed with the latest "
                "recorded semester",
                result["missing_semesters"],
                self.name,
            )
        return result

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

    def _relance_penalties_to_bill(self, on_date):
        """What is left to bill of this invoice's penalties up to ``on_date``: the interest
        since the last billed date and the indemnity if not billed yet (penalty invoices
        that are not cancelled count)."""
        self.ensure_one()
        billed = self.env["account.move.line"].search(
            [
                ("relance_penalty_origin_id", "=", self.id),
                ("parent_state", "!=", "cancel"),
            ]
        )
        billed_to = max((d for d in billed.mapped("relance_penalty_date_to") if d), default=None)
        now = self.relance_compute_penalties(on_date=on_date)
        interest = law_interest.interest_after(now["segments"], billed_to)
        indemnity_billed = any(k == "indemnity" for k in billed.mapped("relance_penalty_kind"))
        return {
            "date_from": (billed_to or self.invoice_date_due) + timedelta(days=1),
            "interest": interest,
            "indemnity": 0.0 if indemnity_billed else now["indemnity"],
            "warning": now["warning"]
            or (
                not self._relance_show_invoice_mentions()
                and self.env._(
                    "This invoice did not state the late-payment penalties and the 40 EUR "
                    "indemnity (L441-9 Code de commerce): check that your terms of sale did "
                    "before claiming them."
                )
            ),
        }

    def action_relance_bill_penalties(self):
        moves = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not moves:
            raise UserError(self.env._("Select posted customer invoices."))
        return moves._relance_wizard_action(
            "account.relance.penalty", self.env._("Bill the penalties")
        )

    def _relance_notify_dispute(self, reason, note=False):
        """Tell the salesperson (and the company's dispute contact) about a dispute, in an
        internal note."""
        for move in self:
            users = (
                move.invoice_user_id | move.company_id.relance_dispute_user_id
            )._relance_working()
            if not users:
                continue
            move.message_post(
                body=self.env._(
                    "Dispute recorded on this invoice: %(reason)s%(note)s. The dunning is paused.",
                    reason=reason.name or "",
                    note=" — %s" % note if note else "",
                ),
                partner_ids=users.partner_id.ids,
                # an internal note that notifies them: the customer may follow the invoice
                subtype_xmlid="mail.mt_note",
            )

    def action_relance_log_call(self):
        moves = self.filtered_domain(self._relance_base_domain())
        if not moves or len(moves.commercial_partner_id) > 1:
            raise UserError(self.env._("Select the open invoices of one customer."))
        return moves._relance_wizard_action("account.relance.call", self.env._("Log a call"))

    def action_relance_hold_wizard(self):
        return self._relance_wizard_action("account.relance.hold", self.env._("Pause the dunning"))

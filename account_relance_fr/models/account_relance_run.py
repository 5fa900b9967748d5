# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import dates as law_dates
from ..lib import ladder
from .ir_qweb import MEMO_KEY

_logger = logging.getLogger(__name__)

# advisory locks of the run: (LOCK_NS, customer id); (LOCK_NS, 0) serialises the promises
LOCK_NS = 0x52454C  # "REL"
# the scheduled actions that help the nightly run on the other cron threads
HELPER_CODE = "model._cron_helper()"
# the tables a night fills, that the foreign keys of its new rows point to
GROWING_TABLES = (
    "account_relance_event",
    "account_relance_event_line",
    "mail_activity",
    "mail_mail",
    "mail_message",
)
STATISTICS_MIN_PAGES = 8
# errors that belong to the whole batch (a concurrent run): never swallowed per customer
CONCURRENCY_ERRORS = (pg_errors.SerializationFailure, pg_errors.UniqueViolation)


class AccountRelanceRun(models.AbstractModel):
    """The dunning run, top to bottom.

    For each company that runs the dunning automatically, in the company's language:

    1. select what is due: the open invoices whose next step has come
       (``account.move._relance_chase_domain``), by customer, in batches;
    2. lock the customers: one PostgreSQL advisory lock per customer, so that two workers
       never split a customer's invoices between two reminders of the same level;
    3. decide the step each invoice reaches today (``lib.ladder``);
    4. act: one dunning action per customer, company, currency and level, with its email
       or its activity and its notes in the chatter (``_perform``, which the manual paths
       call too);
    5. queue the emails that attach the invoices' PDFs, once the invoices are released;
    6. notify each responsible once of the actions given to them.

    Safe to run twice, on two workers at once and after a crash: each batch locks its
    customers and invoices, re-reads them, writes its actions and queued emails and commits;
    an invoice goes through a level once (unique action line per invoice and level).
    """

    _name = "account.relance.run"
    _description = "Dunning run"

    # ------------------------------------------------------------------ scheduled actions
    @api.model
    def _cron_nightly(self, batch_size=500):
        """The nightly run. It first wakes its helpers (``_cron_helper``), which share the
        night on the server's other cron threads."""
        self.env["ir.cron"].sudo().search([("code", "=", HELPER_CODE)])._trigger()
        return self._run_companies(batch_size)

    @api.model
    def _cron_helper(self, batch_size=500):
        """The nightly run on another cron thread: the customers are shared through their
        locks, each goes to one of the runs. Nothing when the nightly run's scheduled action
        is archived (dunning stopped)."""
        nightly = self.env.ref("account_relance_fr.ir_cron_relance", raise_if_not_found=False)
        if not nightly or not nightly.active:
            _logger.info("Dunning helper: the nightly run is archived, nothing to do")
            return {"events": 0, "invoices": 0, "errors": 0}
        return self._run_companies(batch_size)

    @api.model
    def _run_companies(self, batch_size):
        """The night of each company that runs the dunning automatically, as the company:
        in its language (a scheduled action has none: the chatter would be in English) and
        on its day (its time zone). When the time is up between two companies, the job is
        rescheduled for the companies left."""
        companies = self.env["res.company"].search([("relance_auto_run", "=", True)])
        ir_cron = self.env["ir.cron"]
        result = {"events": 0, "invoices": 0, "errors": 0}
        for index, company in enumerate(companies):
            if index and not ir_cron._commit_progress(remaining=len(companies) - index):
                break
            # the notifications of the activities it assigns are queued, as from any server
            # action: not sent one by one while the run goes on
            context = {"relance_auto": True, "mail_notify_force_send": False}
            context["lang"] = company._relance_lang()
            if company.partner_id.tz:
                context["tz"] = company.partner_id.tz
            company_result = self.with_context(**context)._run(
                companies=company, batch_size=batch_size, commit=True
            )
            for key in result:
                result[key] += company_result[key]
        return result

    # ------------------------------------------------------------------ the run
    @api.model
    def _run(self, companies, moves=None, batch_size=500, commit=False, today=None):
        """Perform the due steps of ``companies`` (or of ``moves`` only), customer batch by
        customer batch; the customers another worker holds are waited for at the end.

        :param commit: commit after each batch (cron); otherwise each batch runs in a
            savepoint, so that a failing batch does not undo the others.
        :return: dict with the number of ``events`` (actions) created, of ``invoices``
            moved up and of failed batches (``errors``).
        """
        result = {"events": 0, "invoices": 0, "errors": 0, "activity_event_ids": []}
        # the email templates compiled once for the run, not once per batch (see ir.qweb)
        run = self.with_context(relance_notify_later=True, **{MEMO_KEY: {}})
        run._run_batches(
            companies, moves, result, batch_size=batch_size, commit=commit, today=today
        )
        actions = self.env["account.relance.event"].browse(result.pop("activity_event_ids"))
        actions.exists()._relance_notify_responsibles()
        return result

    def _run_batches(self, companies, moves, result, *, batch_size, commit, today):
        """The batches of ``_run``, counted in ``result``."""
        today = today or fields.Date.context_today(self)
        if not companies:
            return result
        self._expire_promises(today, companies, commit=commit)
        self._run_plans(today, companies, commit=commit)
        # 1. what is due
        domain = self.env["account.move"]._relance_chase_domain(today, companies)
        if moves is not None:
            domain += [("id", "in", moves.ids)]
        batches, customers = self._customer_batches(domain, batch_size)
        # the invoices a customer's step may claim: all its open ones not paused, up to the
        # due dates the courtesy steps reach
        claim_domain = self._claim_domain(today, companies)
        ir_cron = self.env["ir.cron"]
        if commit:
            ir_cron._commit_progress(remaining=customers)
        deferred = []
        for partner_ids in batches:
            held_elsewhere = self._run_batch(partner_ids, today, claim_domain, result, commit)
            self._refresh_statistics()
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
            self._wait_customers(deferred)
            done = len(deferred)
            deferred = self._run_batch(deferred, today, claim_domain, result, commit)
            if not ir_cron._commit_progress(done - len(deferred)):
                return result
        # 5. the emails that attach PDFs
        self._send_pending(companies, commit=commit)
        # 6. when the invoices dunned tonight, and those whose expectation passed, will be paid
        self._refresh_expected(companies, moves, today, commit=commit)
        return result

    @api.model
    def _refresh_expected(self, companies, moves, today, commit=False):
        """The expected payment dates (``account.relance.forecast``) of the invoices dunned
        tonight and of those whose expectation is missing or has passed (or of ``moves``,
        for a run on chosen invoices). In cron mode one worker does it (a session lock held
        across its commits), the others leave it; an invoice another transaction holds or
        changed meanwhile is left to the next night, never waited for."""
        if commit:
            self.env.cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_NS, -2))
            if not self.env.cr.fetchone()[0]:
                return
        try:
            self._refresh_expected_chunks(companies, moves, today, commit)
        finally:
            if commit:
                self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_NS, -2))

    def _refresh_expected_chunks(self, companies, moves, today, commit):
        Forecast = self.env["account.relance.forecast"]
        Move = self.env["account.move"]
        if moves is not None:
            targets = moves
        else:
            targets = Move.search(
                [
                    *Move._relance_open_domain(),
                    ("company_id", "in", companies.ids),
                    "|",
                    ("relance_last_date", "=", today),
                    "|",
                    ("relance_expected_date", "=", False),
                    ("relance_expected_date", "<", today),
                ]
            )
        for start in range(0, len(targets), 10000):
            try:
                with self.env.cr.savepoint():
                    chunk = targets[start : start + 10000].try_lock_for_update()
                    Forecast._refresh(chunk, today)
            except pg_errors.SerializationFailure:
                _logger.info("Expected payment dates: invoices changed meanwhile, left")
                self.env.invalidate_all()
                if commit:
                    self.env.cr.rollback()
                continue
            if commit:
                self.env["ir.cron"]._commit_progress()

    @api.model
    def _claim_domain(self, today, companies):
        """The invoices of the customers of a batch that their step may claim: open, not
        paused, due by ``today`` or by the date the earliest courtesy step reaches."""
        groups = self.env["account.relance.level"]._read_group(
            [("company_id", "in", companies.ids)], [], ["delay:min"]
        )
        horizon = today + timedelta(days=max(-(groups[0][0] or 0), 0))
        return self.env["account.move"]._relance_base_domain() + [
            ("company_id", "in", companies.ids),
            ("relance_hold", "=", False),
            ("relance_due_date", "<=", horizon),
        ]

    @api.model
    def _customer_batches(self, domain, batch_size):
        """The customers of the invoices of ``domain`` in batches of about ``batch_size``
        invoices (a customer is never split): ``(batches of ids, number of customers)``."""
        groups = self.env["account.move"]._read_group(
            domain, ["commercial_partner_id"], ["__count"]
        )
        batches, batch, size = [], [], 0
        for partner, count in groups:
            batch.append(partner.id)
            size += count
            if size >= batch_size:
                batches.append(batch)
                batch, size = [], 0
        if batch:
            batches.append(batch)
        return batches, len(groups)

    @api.model
    def _run_batch(self, partner_ids, today, domain, result, commit=False):
        """Perform the due steps of the customers ``partner_ids`` that no other run holds, on
        their invoices of ``domain``; return the ids of the customers another run holds.

        The invoices are searched again under the customers' locks, then row-locked (``SKIP
        LOCKED``: an invoice an accountant is editing waits for the next night). Invoices a
        concurrent run committed after this snapshot cannot be locked (serialization
        failure): in cron mode the batch starts again from a new snapshot."""
        cr = self.env.cr
        Move = self.env["account.move"]
        for attempt in (1, 2):
            # a clean cache per batch: the run's memory stays that of one batch
            self.env.invalidate_all()
            try:
                with cr.savepoint():
                    # 2. lock the customers, then their invoices
                    held = self._lock_customers(partner_ids)
                    moves = Move
                    if held:
                        moves = Move.search(domain + [("commercial_partner_id", "in", held)])
                        moves = moves.try_lock_for_update(allow_referencing=True)
                    stats = self._process(moves, today)
                for key in ("events", "invoices", "activity_event_ids"):
                    result[key] += stats[key]
                held = set(held)
                return [pid for pid in partner_ids if pid not in held]
            except CONCURRENCY_ERRORS as exc:
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

    # ------------------------------------------------------------------ 2. locks
    @api.model
    def _lock_customers(self, partner_ids):
        """Take the advisory lock of each customer that no other run holds, until the end of
        the transaction; return the ids of the customers taken."""
        if not partner_ids:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT id FROM unnest(%s::int[]) AS id WHERE pg_try_advisory_xact_lock(%s, id)",
                sorted(partner_ids),
                LOCK_NS,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _wait_customers(self, partner_ids):
        """Wait until the runs holding these customers have committed: take their locks in a
        fixed order, then roll back, so that the next transaction sees what they did."""
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::int[]) AS id",
                LOCK_NS,
                sorted(partner_ids),
            )
        )
        self.env.cr.rollback()
        self.env.invalidate_all()

    @api.model
    def _expire_promises(self, today, companies, commit=False):
        """A promise whose date has passed resumes the ladder (noted on the invoices).

        A resumed invoice must be in its customer's reminder whichever worker sends it. In
        cron mode the workers expire the promises one after the other (lock ``(LOCK_NS,
        0)`` until the first commit), the next one seeing the resumed invoices; a run from
        the user interface (one transaction) leaves the customers another run holds to it."""
        if commit:
            for _attempt in range(5):
                if self._lock_customers([0]):
                    break
                self._wait_customers([0])
        domain = [
            ("relance_hold", "=", "promise"),
            ("relance_promise_date", "<", today),
            ("company_id", "in", companies.ids),
        ]
        expired = self.env["account.move"].search(domain)
        if expired and not commit:
            held = set(self._lock_customers(expired.commercial_partner_id.ids))
            expired = expired.filtered(lambda m: m.commercial_partner_id.id in held)
        if not expired:
            return
        try:
            with self.env.cr.savepoint():
                expired = expired.try_lock_for_update().filtered_domain(domain)
                expired._relance_write({"relance_hold": False})
                Lang = self.env["res.lang"]
                expired._relance_log(
                    {
                        move.id: self.env._(
                            "Payment promise of %(date)s not kept: the dunning resumes.",
                            date=Lang._relance_date_str(move.relance_promise_date),
                        )
                        for move in expired
                    }
                )
        except pg_errors.SerializationFailure:
            _logger.info("Expired promises handled by a concurrent run")
            self.env.invalidate_all()

    @api.model
    def _run_plans(self, today, companies, commit=False):
        """The night of the payment plans (``account.relance.plan._relance_run_plans``):
        before the ladder, so that the invoices of a plan broken tonight are dunned tonight.
        In cron mode one worker does it (lock ``(LOCK_NS, -1)``, no customer), the others
        skip it; each reminder is flagged, so that a second pass sends none again."""
        if commit and not self._lock_customers([-1]):
            return
        try:
            with self.env.cr.savepoint():
                result = self.env["account.relance.plan"]._relance_run_plans(companies, today)
            if result:
                _logger.info("Dunning: payment plans %s", result)
        except pg_errors.SerializationFailure:
            _logger.info("Payment plans handled by a concurrent run")
            self.env.invalidate_all()
        if commit:
            self.env["ir.cron"]._commit_progress()

    # ------------------------------------------------------------------ 3. decide
    @api.model
    def _decide(self, moves, today, ladders):
        """The step of each customer of ``moves`` (its claimable invoices, locked) today
        (``lib.ladder.customer_step``): ``(targets, joining)``, the invoices of each level
        to perform and those that join their customer's current step, by (level, date of
        that step). Not dunned: blocked customers, customers whose receivable is not
        positive once their credit notes and unreconciled payments count, prescribed
        invoices (left to a person). A customer with a step still to be performed by a
        person waits for it. ``ladders``: the cache of ``account.move._relance_ladder``."""
        Move, Level = self.env["account.move"], self.env["account.relance.level"]
        targets, joining = defaultdict(Move.browse), defaultdict(Move.browse)
        repeats = defaultdict(Move.browse)
        balances = self._net_balances(moves)
        held = self._customers_holding(moves)
        prescribed = 0
        for (company, partner), customer_moves in moves.grouped(
            lambda m: (m.company_id, m.commercial_partner_id)
        ).items():
            # iterated, not indexed: a record taken by index loses its recordset's prefetch
            specs = next(iter(customer_moves))._relance_ladder(ladders)
            if not specs or partner.with_company(company).relance_blocked:
                continue
            if balances.get((company.id, partner.id), 0.0) <= 0.0:
                continue
            claims = self._claims(customer_moves, specs, today)
            prescribed += len(customer_moves) - len(claims)
            step = ladder.customer_step(
                specs, claims, today=today, held=(company.id, partner.id) in held
            )
            if step.level:
                targets[Level.browse(step.level.id)] |= Move.browse(step.claims)
            elif step.current and (company.id, partner.id) not in held:
                # after the last step: the step repeated every so many days, until paid
                ending = next(iter(customer_moves))._relance_ending(ladders)
                when = ladder.repeat_date(
                    specs,
                    ending,
                    current_level_id=step.current.id,
                    last_action_date=step.last_action_date,
                )
                if when and when <= today:
                    due = [c.id for c in claims if ladder.claimable(c, step.current, today)]
                    repeats[Level.browse(ending.level_id)] |= Move.browse(due)
                    continue
            if step.joining:
                key = (Level.browse(step.current.id), step.last_action_date or today)
                joining[key] |= Move.browse(step.joining)
        if prescribed:
            _logger.info("Dunning: %s prescribed invoices left aside", prescribed)
        return targets, joining, repeats

    @api.model
    def _claims(self, moves, specs, today):
        """``moves``, invoices of one customer, as its ladder ``specs`` sees them
        (``lib.ladder.Claim``): from the oldest unpaid instalment, for what is due now; a
        prescribed invoice is left to a person."""
        parts = moves._relance_parts(today)
        return [
            ladder.Claim(
                id=move.id,
                level_id=move._relance_current_spec_id(specs),
                due_date=move.relance_due_date,
                last_action_date=move.relance_last_date or None,
                amount=parts[move]["due_company"],
            )
            for move in moves
            if not (
                move.relance_prescription_date
                and law_dates.is_prescribed(move.relance_prescription_date, today)
            )
        ]

    @api.model
    def _customer_claims(self, partner, company, today):
        """The ladder of ``partner`` in ``company``, its open invoices that the dunning may
        claim (neither paused nor blocked) and their claims: ``(specs, moves, claims)``."""
        Move = self.env["account.move"]
        policy = partner._relance_policy(company)
        specs = policy._level_specs() if policy else []
        moves = Move._relance_open_invoices(partner, company)
        moves = moves.filtered(lambda m: m not in moves._relance_pause_reasons())
        return specs, moves, self._claims(moves, specs, today)

    @api.model
    def _next_step(self, partner, company, today):
        """The customer's next step, performed by hand: the one after the highest its
        invoices reached (its last one at the end of the ladder)."""
        specs, _moves, claims = self._customer_claims(partner, company, today)
        current = ladder.current_level(specs, claims)
        step = ladder.level_after(specs, current.id if current else None) or current
        return self.env["account.relance.level"].browse(step.id if step else [])

    @api.model
    def _step_claims(self, partner, company, level, today):
        """The invoices that performing ``level`` by hand for ``partner`` claims: those of
        its open invoices, not paused, below the step, that it may claim on that day
        (``lib.ladder.claimed_by_hand``), and that it did not claim yet."""
        specs, moves, claims = self._customer_claims(partner, company, today)
        spec = ladder.LevelSpec(level.id, level.sequence, level.delay, level.min_amount)
        ids = {
            claim.id
            for claim in claims
            if ladder.claimed_by_hand(specs or [spec], claim, spec, today)
        }
        return moves.filtered(
            lambda m: m.id in ids and level not in m.relance_event_line_ids.level_id
        )

    @api.model
    def _customers_holding(self, moves):
        """The (company id, customer id) of ``moves`` that have a dunning action still to be
        performed by a person (a call, a letter, an email to validate or to fix): their
        ladder waits until it is done or skipped. An email waiting for its PDFs is not."""
        if not moves:
            return set()
        groups = self.env["account.relance.event"]._read_group(
            [
                ("state", "=", "todo"),
                ("mail_pending", "=", False),
                ("level_id", "!=", False),
                ("partner_id", "in", moves.commercial_partner_id.ids),
                ("company_id", "in", moves.company_id.ids),
            ],
            ["company_id", "partner_id"],
        )
        return {(company.id, partner.id) for company, partner in groups}

    @api.model
    def _receivable(self, moves, domain=()):
        """The open receivable per (company id, customer id) of ``moves``, in company
        currency: the unreconciled posted lines of the customers' receivable accounts that
        also match ``domain`` (one query)."""
        if not moves:
            return {}
        groups = self.env["account.move.line"]._read_group(
            [
                ("partner_id", "in", moves.commercial_partner_id.ids),
                ("company_id", "in", moves.company_id.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                *domain,
            ],
            ["company_id", "partner_id"],
            ["amount_residual:sum"],
        )
        return {(company.id, partner.id): amount for company, partner, amount in groups}

    @api.model
    def _credits(self, moves):
        """The open credits (credit notes and unreconciled payments) per (company id,
        customer id) of ``moves``, in company currency, as positive amounts."""
        credits = self._receivable(moves, [("amount_residual", "<", 0)])
        return {key: -amount for key, amount in credits.items()}

    @api.model
    def _net_balances(self, moves):
        """Open receivable per (company id, customer id) of ``moves``, credit notes and
        unreconciled payments included, in company currency."""
        return self._receivable(moves)

    # ------------------------------------------------------------------ 4. act
    @api.model
    def _process(self, moves, today):
        """Decide and perform the step of every customer of ``moves`` (locked), level by
        level, and place the invoices that join their customer's step. A level that fails
        is retried customer by customer; a customer whose action fails is noted in its
        chatter and left for the next run."""
        ladders = {}
        targets, joining, repeats = self._decide(moves, today, ladders)
        actions = self.env["account.relance.event"]
        steps = [(level, level_moves, False) for level, level_moves in targets.items()]
        steps += [(level, level_moves, True) for level, level_moves in repeats.items()]
        for level, level_moves, repeat in steps:
            try:
                with self.env.cr.savepoint():
                    actions |= self._perform(
                        level, level_moves, today, ladders=ladders, repeat=repeat
                    )
                continue
            except CONCURRENCY_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - isolated below, customer by customer
                groups = self._groups(level_moves)
                if len(groups) == 1:
                    self._report_failure(level, level_moves, exc)
                    continue
            for group_moves in groups.values():
                try:
                    with self.env.cr.savepoint():
                        actions |= self._perform(
                            level, group_moves, today, ladders=ladders, repeat=repeat
                        )
                except CONCURRENCY_ERRORS:
                    raise
                except Exception as exc:  # noqa: BLE001 - noted, the run goes on
                    self._report_failure(level, group_moves, exc)
        for (level, last_date), join_moves in joining.items():
            self._join(level, last_date, join_moves, ladders)
        return {
            "events": len(actions),
            "invoices": sum(len(level_moves) for _level, level_moves, _repeat in steps),
            "activity_event_ids": actions.filtered("activity_id").ids,
        }

    @api.model
    def _join(self, level, last_date, moves, ladders=None):
        """``moves`` fell due while their customer's dunning was at ``level``, reached on
        ``last_date``: they join that step without a reminder of their own, and the
        customer's next step claims them with the others."""
        moves._relance_write(
            {"relance_level_id": level.id, "relance_last_date": last_date, "relance_joined": True},
            ladders=ladders,
        )
        note = self.env._(
            "Fell due while the customer's dunning was at the step %s: joined that step, "
            "without a reminder of its own; the next step claims it with the others.",
            level.name,
        )
        moves._relance_log(dict.fromkeys(moves.ids, note))

    @api.model
    def _groups(self, moves):
        """The invoices of one dunning action: by company, customer and currency."""
        return moves.grouped(lambda m: (m.company_id, m.commercial_partner_id, m.currency_id))

    @api.model
    def _perform(self, level, moves, today, *, manual_values=None, ladders=None, repeat=False):
        """Perform ``level`` now for ``moves``: one action per company, customer and
        currency, its lines, the invoices moved to the level, the action's email or activity
        and its notes. The nightly run, the board and the dialogs all act through it.

        :param manual_values: the email edited in the preview (subject, body, recipients,
            attachments), sent as it is whatever the level's automation.
        :param ladders: the cache of ``account.move._relance_ladder``, when resolved.
        :param repeat: ``level`` is repeated after the ladder's last step: the invoices stay
            on their step, and each line counts its repeat.
        :return: the actions created.
        """
        Action = self.env["account.relance.event"]
        groups = self._groups(moves)
        credits = self._credits(moves)
        action_vals = [
            Action._relance_action_values(
                level, group_moves, today, key, credit=credits.get((key[0].id, key[1].id), 0.0)
            )
            for key, group_moves in groups.items()
        ]
        # no "created" note nor the running user as follower on every action: the action's
        # own email and notes are its history
        actions = Action.with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create(
            action_vals
        )
        actions = actions.with_env(self.env)
        counts = self._repeat_counts(level, moves) if repeat else None
        self.env["account.relance.event.line"]._relance_insert(
            [
                dict(line_vals, event_id=action.id)
                for action, vals, group_moves in zip(
                    actions, action_vals, groups.values(), strict=True
                )
                for line_vals in Action._relance_line_values(
                    vals, group_moves, today, repeats=counts
                )
            ]
        )
        actions.invalidate_recordset(["line_ids", "invoice_ids", "invoice_count"])
        moves.invalidate_recordset(["relance_event_line_ids"])
        if repeat:
            moves._relance_write({"relance_last_date": today}, ladders=ladders)
        else:
            moves._relance_write(
                {"relance_level_id": level.id, "relance_last_date": today}, ladders=ladders
            )
            self._propose_ending(level, moves)
        Action._relance_supersede(actions)
        self._execute(actions, manual_values=manual_values)
        return actions

    @api.model
    def _repeat_counts(self, level, moves):
        """The number of the next repeat of ``level`` for each of ``moves`` (one query): 1
        for the first repeat after the ladder's last step."""
        groups = self.env["account.relance.event.line"]._read_group(
            [("move_id", "in", moves.ids), ("level_id", "=", level.id)],
            ["move_id"],
            ["repeat:max"],
        )
        done = {move.id: count for move, count in groups}
        return {move.id: done.get(move.id, 0) + 1 for move in moves}

    @api.model
    def _propose_ending(self, level, moves):
        """The last step of a ladder that ends by asking a person: the customer's responsible
        gets an activity to hand the file to a collector, or to prepare an injunction to pay
        (injonction de payer). Nothing silently ends."""
        policy = level.policy_id
        if policy.end_mode not in (ladder.END_HANDOFF, ladder.END_INJUNCTION):
            return
        if level != policy.level_ids.sorted(lambda lv: (lv.sequence, lv.id))[-1:]:
            return
        summary = (
            self.env._("Hand the file to a collector")
            if policy.end_mode == ladder.END_HANDOFF
            else self.env._("Prepare an injunction to pay (injonction de payer)")
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        partners = moves.commercial_partner_id
        asked = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("summary", "=", summary),
                ]
            )
            .mapped("res_id")
        )
        company = moves.company_id[:1]
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": todo.id,
                    "summary": summary,
                    "note": self.env._(
                        "The last step of the dunning, %s, was performed: what next?",
                        level.name,
                    ),
                    "user_id": (
                        partner._relance_responsible(company) or company._relance_manager()
                    ).id,
                }
                for partner in partners
                if partner.id not in asked
            ]
        )

    @api.model
    def _report_failure(self, level, moves, exc):
        """Note on each customer of ``moves`` that ``level`` could not be performed."""
        self.env.invalidate_all()
        for (_company, partner, _currency), group_moves in self._groups(moves).items():
            names = ", ".join(group_moves.mapped("name"))
            _logger.warning(
                "Dunning level %s not performed for %s (%s): %s",
                level.name,
                partner.display_name,
                names,
                exc,
            )
            partner._relance_log(
                {
                    partner.id: self.env._(
                        "Dunning level %(level)s could not be performed for invoices "
                        "%(invoices)s: %(error)s. It will be retried at the next run.",
                        level=level.name,
                        invoices=names,
                        error=str(exc),
                    )
                }
            )

    @api.model
    def _execute(self, actions, manual_values=None):
        """Send the emails of the automatic email levels (or the one edited in the preview),
        give the rest an activity, and note the actions in the chatter. An email attaching
        the invoices' PDFs waits (``mail_pending``): no PDF is rendered while the run holds
        the invoices (``_send_pending``)."""
        manual = manual_values is not None
        email_actions = actions.filtered(
            lambda a: a.channel == "email" and (manual or a.level_id.auto_execute)
        )
        no_email = email_actions.filtered(lambda a: not a.contact_id._relance_has_email())
        no_template = (email_actions - no_email).filtered(
            lambda a: not manual and not a.level_id.mail_template_id
        )
        to_send = email_actions - no_email - no_template
        to_send.line_ids.move_id._relance_ensure_tokens()
        pending = to_send.filtered("level_id.attach_invoices") if not manual else to_send.browse()
        pending.mail_pending = True
        to_send -= pending
        if manual and to_send:
            to_send._relance_send_manual(manual_values)
        else:
            for level, level_actions in to_send.grouped("level_id").items():
                level.mail_template_id._relance_send_batch(level_actions)
        no_email.write({"error_message": self.env._("The customer has no valid email address.")})
        no_template.write({"error_message": self.env._("The dunning level has no mail template.")})
        (actions - to_send - pending)._relance_schedule_activities()
        actions._relance_log_chatter()

    # ------------------------------------------------------------------ 5. pending emails
    @api.model
    def _send_pending(self, companies, commit=False, batch_size=20):
        """Queue the emails that attach the invoices in PDF (``mail_pending``), a few actions
        per transaction, while only these actions are locked: safe on two workers and after
        a crash (an action stays pending until its email is queued). Returns the number of
        emails queued."""
        Action = self.env["account.relance.event"]
        domain = [("mail_pending", "=", True), ("company_id", "in", companies.ids)]
        cr, queued, seen = self.env.cr, 0, []
        while True:
            self.env.invalidate_all()  # memory of one batch
            actions = Action.search(domain + [("id", "not in", seen)], limit=batch_size, order="id")
            if not actions:
                return queued
            seen += actions.ids
            try:
                with cr.savepoint():
                    actions = actions.try_lock_for_update().filtered("mail_pending")
                    for level, level_actions in actions.grouped("level_id").items():
                        level.mail_template_id._relance_send_batch(level_actions)
                    queued += len(actions)
            except pg_errors.SerializationFailure:
                # a concurrent run queued them after our snapshot
                self.env.invalidate_all()
            except Exception as exc:  # noqa: BLE001 - recorded on the actions, the run goes on
                _logger.exception("Dunning emails %s could not be prepared", actions.ids)
                self.env.invalidate_all()
                actions.write(
                    {
                        "mail_pending": False,
                        "state": "failed",
                        "error_message": self.env._(
                            "The email could not be prepared: %s", str(exc) or repr(exc)
                        ),
                    }
                )
                # notified now: the run collects only the activities of its batches
                actions.with_context(relance_notify_later=False)._relance_schedule_activities()
            if commit and not self.env["ir.cron"]._commit_progress():
                return queued  # time is up: the next run queues the rest

    # ------------------------------------------------------------------ upkeep
    @api.model
    def _refresh_statistics(self, tables=GROWING_TABLES):
        """Refresh PostgreSQL's statistics (``ANALYZE``) of the ``tables`` that grew to more
        than twice their size at the last analysis; return their names. A foreign-key check
        planned on a nearly empty table reads all of it: without new statistics the night's
        time would grow with the square of its actions. A table that another run is
        analysing is left to it."""
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
                STATISTICS_MIN_PAGES,
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
    def _place_existing(self, today, domain=()):
        """At installation, put each overdue invoice without dunning history (of ``domain``)
        on the level its age reached, sending nothing; the ladder then goes on at its pace."""
        Move = self.env["account.move"]
        moves = Move.search(
            Move._relance_base_domain()
            + [
                ("relance_due_date", "<", today),
                ("relance_level_id", "=", False),
                ("relance_event_line_ids", "=", False),
                *domain,
            ]
        )
        ladders, by_level = {}, defaultdict(Move.browse)
        levels = self.env["account.relance.level"]
        for move in moves:
            spec = ladder.reached_level(
                move._relance_ladder(ladders), (today - move.relance_due_date).days
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
            level_moves._relance_log(dict.fromkeys(level_moves.ids, note))
        return moves

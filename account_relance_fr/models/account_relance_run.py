# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

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
       (``_due_domain``), by customer, in batches;
    2. lock the customers: one PostgreSQL advisory lock per customer, so that two workers
       never split a customer's invoices between two reminders of the same level;
    3. decide the step each invoice reaches today (``lib.ladder``);
    4. act: one dunning action per customer, company, currency and level, with its email
       or its activity and its notes in the chatter (``_perform``, which the manual paths
       call too, ``account.relance.step``);
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
        self.env["account.relance.step"]._notify_responsibles(actions.exists())
        return result

    def _run_batches(self, companies, moves, result, *, batch_size, commit, today):
        """The batches of ``_run``, counted in ``result``."""
        today = today or fields.Date.context_today(self)
        if not companies:
            return result
        self._expire_promises(today, companies, commit=commit)
        self._run_plans(today, companies, commit=commit)
        # 1. what is due
        domain = self._due_domain(today, companies)
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
        self.env["account.relance.forecast"]._refresh_night(companies, moves, today, commit=commit)
        return result

    @api.model
    def _run_now(self, moves):
        """The dunning run now on the invoices ``moves`` a user selected (the same rules as
        the nightly run), and the notification that says what it did."""
        moves = moves.filtered_domain(moves._relance_base_domain())
        result = self._run(companies=moves.company_id, moves=moves)
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
    def _due_domain(self, today, companies):
        """The invoices of ``companies`` the nightly run may move up the ladder on
        ``today``: those whose next step is due (the stored ``relance_next_date``), so that
        a night reads the invoices it acts on, not every open invoice."""
        return self.env["account.move"]._relance_base_domain() + [
            ("company_id", "in", companies.ids),
            ("relance_next_date", "<=", today),
            ("relance_hold", "=", False),
        ]

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
    def _decide(self, moves, today, ladders, parts):
        """The step of each customer of ``moves`` (its claimable invoices, locked) today
        (``lib.ladder.customer_step``): ``(targets, joining)``, the invoices of each level
        to perform and those that join their customer's current step, by (level, date of
        that step). Not dunned: blocked customers, customers whose receivable is not
        positive once their credit notes and unreconciled payments count, prescribed
        invoices (left to a person). A customer with a step still to be performed by a
        person waits for it. ``ladders``: the cache of ``account.relance.policy._ladder_of``;
        ``parts``: what each of ``moves`` owes (``account.relance.claim._parts``)."""
        Move, Level = self.env["account.move"], self.env["account.relance.level"]
        Claim, Policy = self.env["account.relance.claim"], self.env["account.relance.policy"]
        targets, joining = defaultdict(Move.browse), defaultdict(Move.browse)
        repeats = defaultdict(Move.browse)
        balances = Claim._net_balances(moves)
        held = self._customers_holding(moves)
        prescribed = 0
        for (company, partner), customer_moves in moves.grouped(
            lambda m: (m.company_id, m.commercial_partner_id)
        ).items():
            # iterated, not indexed: a record taken by index loses its recordset's prefetch
            specs = Policy._ladder_of(next(iter(customer_moves)), ladders)
            if not specs or partner.with_company(company).relance_blocked:
                continue
            if balances.get((company.id, partner.id), 0.0) <= 0.0:
                continue
            claims = Claim._claims(customer_moves, specs, today, parts=parts)
            prescribed += len(customer_moves) - len(claims)
            step = ladder.customer_step(
                specs, claims, today=today, held=(company.id, partner.id) in held
            )
            if step.level:
                targets[Level.browse(step.level.id)] |= Move.browse(step.claims)
            elif step.current and (company.id, partner.id) not in held:
                # after the last step: the step repeated every so many days, until paid
                ending = Policy._ending_of(next(iter(customer_moves)), ladders)
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

    # ------------------------------------------------------------------ 4. act
    @api.model
    def _process(self, moves, today):
        """Decide and perform the step of every customer of ``moves`` (locked), level by
        level, and place the invoices that join their customer's step. A level that fails
        is retried customer by customer; a customer whose action fails is noted in its
        chatter and left for the next run."""
        ladders, Step = {}, self.env["account.relance.step"]
        # what each invoice owes, read once for the batch: to decide, then to claim it
        parts = self.env["account.relance.claim"]._parts(moves, today)
        targets, joining, repeats = self._decide(moves, today, ladders, parts)
        actions = self.env["account.relance.event"]
        steps = [(level, level_moves, False) for level, level_moves in targets.items()]
        steps += [(level, level_moves, True) for level, level_moves in repeats.items()]
        for level, level_moves, repeat in steps:
            try:
                with self.env.cr.savepoint():
                    actions |= Step._perform(
                        level, level_moves, today, ladders=ladders, repeat=repeat, parts=parts
                    )
                continue
            except CONCURRENCY_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - isolated below, customer by customer
                groups = Step._groups(level_moves)
                if len(groups) == 1:
                    Step._report_failure(level, level_moves, exc)
                    continue
            for group_moves in groups.values():
                try:
                    with self.env.cr.savepoint():
                        actions |= Step._perform(
                            level, group_moves, today, ladders=ladders, repeat=repeat, parts=parts
                        )
                except CONCURRENCY_ERRORS:
                    raise
                except Exception as exc:  # noqa: BLE001 - noted, the run goes on
                    Step._report_failure(level, group_moves, exc)
        for (level, last_date), join_moves in joining.items():
            Step._join(level, last_date, join_moves, ladders)
        return {
            "events": len(actions),
            "invoices": sum(len(level_moves) for _level, level_moves, _repeat in steps),
            "activity_event_ids": actions.filtered("activity_id").ids,
        }

    # ------------------------------------------------------------------ 5. pending emails
    @api.model
    def _send_pending(self, companies, commit=False, batch_size=20):
        """Queue the emails that attach the invoices in PDF (``mail_pending``), a few actions
        per transaction, while only these actions are locked: safe on two workers and after
        a crash (an action stays pending until its email is queued). Returns the number of
        emails queued."""
        Action, Step = self.env["account.relance.event"], self.env["account.relance.step"]
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
                Step.with_context(relance_notify_later=False)._schedule_activities(actions)
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
        levels, Policy = self.env["account.relance.level"], self.env["account.relance.policy"]
        for move in moves:
            spec = ladder.reached_level(
                Policy._ladder_of(move, ladders), (today - move.relance_due_date).days
            )
            if spec:
                by_level[levels.browse(spec.id)] |= move
        Step = self.env["account.relance.step"]
        for level, level_moves in by_level.items():
            note = self.env._(
                "Already overdue when the dunning was installed: placed at level %s. "
                "Nothing was sent for this level or the earlier ones.",
                level.name,
            )
            Step._place(level, level_moves, today, "relance_initialized", note, ladders=ladders)
        return moves

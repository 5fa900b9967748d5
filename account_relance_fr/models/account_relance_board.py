# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import analysis, forecast
from ..lib import dates as law_dates


class AccountRelanceBoard(models.Model):
    """The credit controller's board: one card per customer and company with open invoices.

    A read-only SQL model over the invoices (nothing is stored beside them): totals, aging,
    the highest level reached, the next action and the pauses."""

    _name = "account.relance.board"
    _description = "Dunning board"
    _auto = False
    _order = "priority desc, level_sequence desc, oldest_days desc, id"
    _rec_name = "partner_id"
    _depends = {
        "account.move": [
            "move_type",
            "state",
            "payment_state",
            "invoice_date_due",
            "relance_due_date",
            "company_id",
            "commercial_partner_id",
            "amount_residual_signed",
            "invoice_user_id",
            "relance_level_id",
            "relance_next_date",
            "relance_next_level_id",
            "relance_hold",
            "relance_promise_date",
            "relance_prescription_date",
            "relance_expected_date",
            "relance_expected_basis",
            "relance_usual_delay",
        ],
        "account.relance.plan": ["state", "partner_id", "company_id"],
        "account.relance.plan.line": ["paid", "date"],
        "account.move.line": ["amount_residual", "date_maturity", "reconciled"],
        "account.relance.level": ["sequence", "name"],
        "account.relance.event": ["state", "partner_id", "company_id", "mail_pending"],
        "res.partner": ["relance_user_id", "relance_blocked", "user_id"],
        "res.company": ["currency_id", "relance_prescription_warning_days", "relance_user_id"],
        "res.users": ["active", "share"],
    }

    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    level_id = fields.Many2one(
        "account.relance.level", "Highest level", readonly=True, group_expand="_group_expand_level"
    )
    level_sequence = fields.Integer(readonly=True)
    level_color = fields.Integer(related="level_id.color")
    user_id = fields.Many2one("res.users", "Responsible", readonly=True)
    invoice_count = fields.Integer("Open invoices", readonly=True)
    overdue_count = fields.Integer("Overdue invoices", readonly=True)
    amount_due = fields.Monetary("Total due", readonly=True)
    amount_overdue = fields.Monetary("Total overdue", readonly=True)
    amount_not_due = fields.Monetary("Not due", readonly=True)
    amount_1_30 = fields.Monetary("1-30 days", readonly=True)
    amount_31_60 = fields.Monetary("31-60 days", readonly=True)
    amount_61_90 = fields.Monetary("61-90 days", readonly=True)
    amount_over_90 = fields.Monetary("Over 90 days", readonly=True)
    oldest_days = fields.Integer("Oldest days overdue", readonly=True)
    oldest_due_date = fields.Date("Oldest due date", readonly=True)
    next_date = fields.Date("Next action", readonly=True)
    next_level_id = fields.Many2one("account.relance.level", "Next level", readonly=True)
    has_dispute = fields.Boolean("Dispute", readonly=True)
    has_promise = fields.Boolean("Promise", readonly=True)
    promise_date = fields.Date("Promised for", readonly=True)
    has_litigation = fields.Boolean("Litigation", readonly=True)
    is_blocked = fields.Boolean("Blocked", readonly=True)
    has_plan = fields.Boolean("Payment plan", readonly=True)
    einvoice_held = fields.Boolean(
        "E-invoice refused or disputed",
        readonly=True,
        help="An invoice refused, rejected, disputed or suspended on the e-invoicing platform.",
    )
    in_insolvency = fields.Boolean("Insolvency proceedings", readonly=True)
    handed_off = fields.Boolean("With a collector", readonly=True)
    near_prescription = fields.Boolean("Near limitation", readonly=True)
    prescription_date = fields.Date("Next limitation date", readonly=True)
    step = fields.Char(
        readonly=True,
        group_expand="_group_expand_step",
        help="The highest step the customer's invoices reached, by name: the columns of the "
        "board, one per step whatever the company.",
    )
    todo_count = fields.Integer(
        "Steps to perform",
        readonly=True,
        help="Steps a person must perform (a call, a letter, an email to validate): the "
        "customer's dunning waits for them.",
    )
    status = fields.Selection(
        [
            ("todo", "Step to perform"),
            ("paused", "Paused"),
            ("due", "Next step due"),
            ("waiting", "Waiting"),
        ],
        readonly=True,
    )
    expected_date = fields.Date(
        "Expected payment",
        readonly=True,
        help="When the customer's overdue invoices are expected to be paid (the earliest).",
    )
    payer_delay = fields.Integer(
        "Usual delay",
        readonly=True,
        help="How many days after the due date this customer usually pays, from its own payments.",
    )
    promise_due = fields.Boolean("Promise due", readonly=True)
    plan_missed = fields.Boolean("Instalment missed", readonly=True)
    priority = fields.Integer(
        readonly=True,
        help="Who to call first: the amount overdue, the days late, how late the customer "
        "usually pays, a limitation date close, a promise due, an instalment missed.",
    )
    priority_reasons = fields.Char("Why", compute="_compute_priority_reasons")
    main_currency_id = fields.Many2one(
        "res.currency", "Currency of the current company", readonly=True
    )
    amount_overdue_main = fields.Monetary(
        "Overdue (current company's currency)",
        readonly=True,
        currency_field="main_currency_id",
        help="The overdue amount converted at today's rate into the currency of the current "
        "company, so that the columns of several companies add up.",
    )

    @api.depends("priority")
    def _compute_priority_reasons(self):
        """The priority in words, on the card: what is at stake, most weighty first."""
        Lang = self.env["res.lang"]
        for card in self:
            reasons = []
            if card.promise_due:
                reasons.append(self.env._("promise due"))
            if card.plan_missed:
                reasons.append(self.env._("instalment of the plan missed"))
            if card.near_prescription:
                reasons.append(
                    self.env._("limitation on %s", Lang._relance_date_str(card.prescription_date))
                )
            if card.amount_overdue:
                reasons.append(
                    self.env._(
                        "%s overdue", card.currency_id._relance_amount_str(card.amount_overdue)
                    )
                )
            if card.oldest_days > 0:
                reasons.append(self.env._("%s days late", card.oldest_days))
            if card.payer_delay and card.payer_delay > 0:
                reasons.append(self.env._("usually pays %s days late", card.payer_delay))
            card.priority_reasons = " · ".join(reasons)

    @property
    def _table_query(self):
        """One row per customer and company over the open invoices of
        ``account.move._relance_base_domain`` (one definition, read by the run too), aged
        on the user's day (``context_today``), as the invoice form shows them, in the
        buckets of ``lib.analysis``."""
        Move = self.env["account.move"].sudo()
        open_ids = Move._search(Move._relance_base_domain()).subselect()
        today = fields.Date.context_today(self)
        main = self.env.company.currency_id
        # each company's currency at today's rate into the current company's, so that the
        # columns of several companies add up
        rates = SQL(", ").join(
            SQL(
                "(%s, %s::numeric)",
                company.id,
                company.currency_id._convert(1.0, main, self.env.company, today, round=False),
            )
            for company in self.env["res.company"].sudo().search([])
        )
        # the last resort of each company's responsible, as res.company._relance_manager
        manager_groups = tuple(
            self.env.ref("account.group_account_manager").sudo().all_implied_by_ids.ids
        )
        lang = self.env.lang or "en_US"
        buckets = [
            SQL.identifier(f"amount_{key}") for key, _first, _last in analysis.aging_ranges()
        ]
        aging = SQL(", ").join(
            SQL(
                "COALESCE(SUM(l.amount) FILTER (WHERE %s), 0) AS %s",
                self._aging_condition(first, last),
                bucket,
            )
            for bucket, (_key, first, last) in zip(buckets, analysis.aging_ranges(), strict=True)
        )
        aging_columns = SQL(", ").join(
            SQL("MIN(ag.%s) AS %s", bucket, bucket) for bucket in buckets
        )
        rows = SQL(
            """
            -- the users still working in Odoo, as res.users._relance_working
            WITH working_users AS (SELECT id FROM res_users WHERE active AND NOT share),
            rates(company_id, factor) AS (VALUES %(rates)s),
            managers AS (
                SELECT rel.cid AS company_id, MIN(u.id) AS user_id
                  FROM working_users u
                  JOIN res_company_users_rel rel ON rel.user_id = u.id
                  JOIN res_groups_users_rel gu ON gu.uid = u.id
                 WHERE gu.gid IN %(manager_groups)s
              GROUP BY rel.cid
            ),
            -- the steps a person must perform, that the customer's dunning waits for (as
            -- account.relance.run._customers_holding)
            todo AS (
                SELECT partner_id, company_id, COUNT(*) AS todo_count
                  FROM account_relance_event
                 WHERE state = 'todo' AND NOT COALESCE(mail_pending, FALSE)
                   AND level_id IS NOT NULL
              GROUP BY partner_id, company_id
            ),
            -- the customers with an instalment of a running payment plan past due and unpaid
            plans_missed AS (
                SELECT plan.partner_id, plan.company_id
                  FROM account_relance_plan plan
                  JOIN account_relance_plan_line line ON line.plan_id = plan.id
                 WHERE plan.state = 'active' AND NOT line.paid AND line.date < %(today)s::date
              GROUP BY plan.partner_id, plan.company_id
            ),
            -- not materialized: each use is planned on the invoices' own statistics (a
            -- materialized result has none, and the planner would then take its filtered
            -- rows for a handful and join them in nested loops)
            open_moves AS NOT MATERIALIZED (
                SELECT am.*,
                       %(today)s::date - am.relance_due_date AS days_late,
                       lvl.sequence AS lvl_sequence,
                       lvl.name AS lvl_name,
                       salesperson.id AS active_salesperson_id
                  FROM account_move am
             LEFT JOIN account_relance_level lvl ON lvl.id = am.relance_level_id
             LEFT JOIN working_users salesperson ON salesperson.id = am.invoice_user_id
                 WHERE am.id IN %(open_ids)s
            ),
            -- what each customer owes by the due date of each instalment (échéance): an
            -- invoice paid at once (or down to its last instalment) in one part, the others
            -- by their unpaid receivable lines; those to come are not overdue
            parts AS (
                SELECT m.commercial_partner_id, m.company_id,
                       CASE WHEN aml.id IS NULL THEN m.days_late
                            ELSE %(today)s::date - COALESCE(aml.date_maturity, m.invoice_date_due)
                       END AS days_late,
                       COALESCE(aml.amount_residual, m.amount_residual_signed) AS amount
                  FROM open_moves m
             LEFT JOIN account_move_line aml
                    ON aml.move_id = m.id
                   AND m.relance_due_date <> m.invoice_date_due
                   AND aml.display_type = 'payment_term'
                   AND NOT aml.reconciled
                   AND aml.amount_residual <> 0
            ),
            aging AS (
                SELECT commercial_partner_id, company_id,
                       COALESCE(SUM(l.amount) FILTER (WHERE l.days_late > 0), 0) AS overdue,
                       %(aging)s
                  FROM parts l
              GROUP BY commercial_partner_id, company_id
            )
            SELECT MIN(m.id) AS id,
                   m.commercial_partner_id AS partner_id,
                   m.company_id AS company_id,
                   MIN(c.currency_id) AS currency_id,
                   (ARRAY_AGG(m.relance_level_id ORDER BY m.lvl_sequence DESC NULLS LAST))[1]
                       AS level_id,
                   COALESCE(MAX(m.lvl_sequence), 0) AS level_sequence,
                   COALESCE(
                       (ARRAY_AGG(COALESCE(lvl_name ->> %(lang)s, lvl_name ->> 'en_US')
                                  ORDER BY m.lvl_sequence DESC NULLS LAST))[1],
                       %(not_reminded)s
                   ) AS step,
                   COALESCE(MIN(todo.todo_count), 0) AS todo_count,
                   %(main)s AS main_currency_id,
                   MIN(ag.overdue) * MIN(rates.factor) AS amount_overdue_main,
                   -- as res.partner._relance_responsible: the first still working
                   COALESCE(
                       own.id,
                       (ARRAY_AGG(m.active_salesperson_id ORDER BY m.relance_due_date)
                           FILTER (WHERE m.active_salesperson_id IS NOT NULL))[1],
                       partner_salesperson.id,
                       company_default.id,
                       MIN(managers.user_id)
                   ) AS user_id,
                   COUNT(*) AS invoice_count,
                   COUNT(*) FILTER (WHERE m.days_late > 0) AS overdue_count,
                   SUM(m.amount_residual_signed) AS amount_due,
                   MIN(ag.overdue) AS amount_overdue,
                   %(aging_columns)s,
                   GREATEST(MAX(m.days_late), 0) AS oldest_days,
                   MIN(m.relance_due_date) AS oldest_due_date,
                   -- the customer's next step: that of its invoices at the highest step
                   (ARRAY_AGG(m.relance_next_date
                              ORDER BY m.lvl_sequence DESC NULLS LAST, m.relance_next_date)
                       FILTER (WHERE m.relance_hold IS NULL
                               AND m.relance_next_level_id IS NOT NULL))[1] AS next_date,
                   (ARRAY_AGG(m.relance_next_level_id
                              ORDER BY m.lvl_sequence DESC NULLS LAST, m.relance_next_date)
                       FILTER (WHERE m.relance_hold IS NULL
                               AND m.relance_next_level_id IS NOT NULL))[1] AS next_level_id,
                   CASE WHEN COALESCE(MIN(todo.todo_count), 0) > 0 THEN 'todo'
                        WHEN BOOL_AND(m.relance_hold IS NOT NULL)
                             OR COALESCE((p.relance_blocked ->> m.company_id::text)::boolean,
                                         FALSE) THEN 'paused'
                        WHEN MIN(m.relance_next_date) FILTER (WHERE m.relance_hold IS NULL)
                             <= %(today)s::date THEN 'due'
                        ELSE 'waiting' END AS status,
                   BOOL_OR(m.relance_hold = 'dispute') AS has_dispute,
                   BOOL_OR(m.relance_hold = 'promise') AS has_promise,
                   MIN(m.relance_promise_date) FILTER (WHERE m.relance_hold = 'promise')
                       AS promise_date,
                   BOOL_OR(m.relance_hold = 'litigation') AS has_litigation,
                   BOOL_OR(m.relance_hold = 'plan') AS has_plan,
                   BOOL_OR(m.relance_hold = 'einvoice') AS einvoice_held,
                   BOOL_OR(m.relance_hold = 'insolvency') AS in_insolvency,
                   BOOL_OR(m.relance_hold = 'handoff') AS handed_off,
                   BOOL_OR(m.relance_hold = 'blocked')
                       OR COALESCE((p.relance_blocked ->> m.company_id::text)::boolean, FALSE)
                       AS is_blocked,
                   MIN(m.relance_prescription_date) AS prescription_date,
                   COALESCE(MIN(m.relance_expected_date) FILTER (WHERE m.days_late > 0),
                            MIN(m.relance_expected_date)) AS expected_date,
                   -- how late the customer usually pays, from its own history
                   MAX(m.relance_usual_delay) AS payer_delay,
                   COALESCE(BOOL_OR(m.relance_hold = 'promise'
                                    AND m.relance_promise_date <= %(today)s::date), FALSE)
                       AS promise_due,
                   BOOL_OR(pm.partner_id IS NOT NULL) AS plan_missed,
                   COALESCE(MIN(m.relance_prescription_date)
                       <= %(today)s::date
                          + COALESCE(MIN(c.relance_prescription_warning_days), %(warning)s),
                       FALSE) AS near_prescription
              FROM open_moves m
              JOIN res_partner p ON p.id = m.commercial_partner_id
              JOIN res_company c ON c.id = m.company_id
              JOIN aging ag ON ag.commercial_partner_id = m.commercial_partner_id
                           AND ag.company_id = m.company_id
         LEFT JOIN plans_missed pm ON pm.partner_id = m.commercial_partner_id
                                  AND pm.company_id = m.company_id
         LEFT JOIN rates ON rates.company_id = m.company_id
         LEFT JOIN managers ON managers.company_id = m.company_id
         LEFT JOIN todo ON todo.partner_id = m.commercial_partner_id
                       AND todo.company_id = m.company_id
         LEFT JOIN working_users own
                ON own.id = (p.relance_user_id ->> m.company_id::text)::int
         LEFT JOIN working_users partner_salesperson ON partner_salesperson.id = p.user_id
         LEFT JOIN working_users company_default ON company_default.id = c.relance_user_id
          GROUP BY m.commercial_partner_id, m.company_id, p.relance_blocked,
                   own.id, partner_salesperson.id, company_default.id
            """,
            today=today,
            open_ids=open_ids,
            aging=aging,
            aging_columns=aging_columns,
            warning=law_dates.PRESCRIPTION_WARNING_DAYS,
            rates=rates,
            manager_groups=manager_groups,
            lang=lang,
            main=main.id,
            not_reminded=self.env._("Not reminded yet"),
        )
        return SQL("SELECT b.*, %s AS priority FROM (%s) AS b", self._priority_sql(), rows)

    @api.model
    def _priority_sql(self):
        """Who to call first: the points of what is at stake (``lib.forecast.PRIORITY``):
        the amount overdue, the days late, how late the customer usually pays, a limitation
        date close, a promise due today or past, an instalment of a plan missed. A customer
        whose invoices are all paused scores only for a promise due or a plan missed: there
        is nobody else to call."""
        w = forecast.PRIORITY
        return SQL(
            """ROUND(
                CASE WHEN b.status = 'paused' AND NOT b.promise_due AND NOT b.plan_missed
                     THEN 0
                     ELSE LEAST(COALESCE(b.amount_overdue_main, 0) / %(per_amount)s,
                                %(max_amount)s)
                          + LEAST(GREATEST(b.oldest_days, 0)::numeric / %(per_day)s,
                                  %(max_days)s)
                          + LEAST(GREATEST(COALESCE(b.payer_delay, 0), 0)::numeric
                                  / %(per_delay)s, %(max_delay)s)
                END
                + CASE WHEN b.near_prescription THEN %(limitation)s ELSE 0 END
                + CASE WHEN b.promise_due THEN %(promise)s ELSE 0 END
                + CASE WHEN b.plan_missed THEN %(plan)s ELSE 0 END
            )::int""",
            **w,
        )

    @api.model
    def _aging_condition(self, first, last):
        """The SQL condition of an aging bucket from its first to its last day overdue
        (``None``: no bound), on the parts of the invoices (``l``, one per instalment)."""
        if first is None:
            return SQL("l.days_late <= %s", last)
        if last is None:
            return SQL("l.days_late >= %s", first)
        return SQL("l.days_late BETWEEN %s AND %s", first, last)

    @api.model
    def _group_expand_step(self, steps, domain):
        """The board's columns: customers not reminded yet, then the steps of the policies
        of the companies shown, in ladder order, one per name whatever the company."""
        companies = self.env.companies
        levels = self.env["account.relance.level"].search(
            [
                ("company_id", "in", companies.ids),
                ("policy_id", "in", companies.relance_policy_id.ids),
            ],
            order="sequence, id",
        )
        names = [self.env._("Not reminded yet"), *levels.mapped("name"), *steps]
        return list(dict.fromkeys(names))

    @api.model
    def _group_expand_level(self, levels, domain):
        """Show every level of the company's policies as a column, in ladder order."""
        companies = self.env.companies
        return (
            self.env["account.relance.level"].search(
                [
                    ("company_id", "in", companies.ids),
                    ("policy_id", "in", companies.relance_policy_id.ids),
                ],
                order="sequence, id",
            )
            | levels
        )

    # ------------------------------------------------------------------ actions on a card
    def _open_invoices(self):
        self.ensure_one()
        return self.env["account.relance.claim"]._open_invoices(self.partner_id, self.company_id)

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("account_relance_fr.view_partner_form_relance_tab").id, "form")
            ],
        }

    def action_send_reminder(self):
        """The customer's next step, now: the preview of the step after the highest its
        invoices reached, claiming all that it may claim."""
        self.ensure_one()
        moves = self.env["account.relance.claim"]._open_invoices(
            self.partner_id, self.company_id, excluded=True
        )
        return moves._relance_action_send_wizard()

    def action_payment_plan(self):
        """A new payment plan for the customer, over its overdue invoices not paused."""
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_relance_plan()

    def action_log_call(self):
        self.ensure_one()
        return self._open_invoices().action_relance_log_call()

    def action_move_to_step(self, step):
        """Drag and drop of a card on a column: the dialog of the step of that name of the
        customer's own ladder (the columns are steps by name, whatever the company)."""
        self.ensure_one()
        policy = self.partner_id._relance_policy(self.company_id)
        level = policy.level_ids.filtered(lambda lv: lv.name == step)[:1]
        if not level:
            raise UserError(
                self.env._(
                    "The dunning policy of %(customer)s has no step %(step)s.",
                    customer=self.partner_id.display_name,
                    step=step,
                )
            )
        return self.action_move_to_level(level.id)

    def action_move_to_level(self, level_id):
        """Drag and drop of a card on a level column: the reminder dialog at that level,
        as "Relancer" opens it at the next step. Never silent: the dialog previews what it
        claims, lists the paused invoices left out, and records who performed it and the
        steps skipped."""
        self.ensure_one()
        level = self.env["account.relance.level"].browse(level_id).exists()
        if not level:
            raise UserError(self.env._("This dunning level no longer exists."))
        action = self.action_send_reminder()
        action["context"] = dict(
            action["context"], relance_send_level_id=level.id, relance_board_move=True
        )
        return action

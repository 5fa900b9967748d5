# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import analysis


class AccountRelanceBoard(models.Model):
    """The credit controller's board: one card per customer and company with open invoices.

    A read-only SQL model over the invoices (nothing is stored beside them): totals, aging,
    the highest level reached, the next action and the pauses."""

    _name = "account.relance.board"
    _description = "Dunning board"
    _auto = False
    _order = "level_sequence desc, oldest_days desc, id"
    _rec_name = "partner_id"
    _depends = {
        "account.move": [
            "move_type",
            "state",
            "payment_state",
            "invoice_date_due",
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
        ],
        "account.relance.level": ["sequence"],
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
    near_prescription = fields.Boolean("Near limitation", readonly=True)
    prescription_date = fields.Date("Next limitation date", readonly=True)

    @property
    def _table_query(self):
        """One row per customer and company over the open invoices of
        ``account.move._relance_base_domain`` (one definition, read by the run too), aged
        on the user's day (``context_today``), as the invoice form shows them, in the
        buckets of ``lib.analysis``."""
        Move = self.env["account.move"].sudo()
        open_ids = Move._search(Move._relance_base_domain()).subselect()
        today = fields.Date.context_today(self)
        aging = SQL(", ").join(
            SQL(
                "COALESCE(SUM(m.amount_residual_signed) FILTER (WHERE %s), 0) AS %s",
                self._aging_condition(first, last),
                SQL.identifier(f"amount_{key}"),
            )
            for key, first, last in analysis.aging_ranges()
        )
        return SQL(
            """
            -- the users still working in Odoo, as res.users._relance_working
            WITH working_users AS (SELECT id FROM res_users WHERE active AND NOT share),
            open_moves AS (
                SELECT am.*,
                       %(today)s::date - am.invoice_date_due AS days_late,
                       lvl.sequence AS lvl_sequence,
                       salesperson.id AS active_salesperson_id
                  FROM account_move am
             LEFT JOIN account_relance_level lvl ON lvl.id = am.relance_level_id
             LEFT JOIN working_users salesperson ON salesperson.id = am.invoice_user_id
                 WHERE am.id IN %(open_ids)s
            )
            SELECT MIN(m.id) AS id,
                   m.commercial_partner_id AS partner_id,
                   m.company_id AS company_id,
                   MIN(c.currency_id) AS currency_id,
                   (ARRAY_AGG(m.relance_level_id ORDER BY m.lvl_sequence DESC NULLS LAST))[1]
                       AS level_id,
                   COALESCE(MAX(m.lvl_sequence), 0) AS level_sequence,
                   -- as res.partner._relance_responsible: the first still working
                   COALESCE(
                       own.id,
                       (ARRAY_AGG(m.active_salesperson_id ORDER BY m.invoice_date_due)
                           FILTER (WHERE m.active_salesperson_id IS NOT NULL))[1],
                       partner_salesperson.id,
                       company_default.id
                   ) AS user_id,
                   COUNT(*) AS invoice_count,
                   COUNT(*) FILTER (WHERE m.days_late > 0) AS overdue_count,
                   SUM(m.amount_residual_signed) AS amount_due,
                   COALESCE(SUM(m.amount_residual_signed) FILTER (WHERE m.days_late > 0), 0)
                       AS amount_overdue,
                   %(aging)s,
                   GREATEST(MAX(m.days_late), 0) AS oldest_days,
                   MIN(m.invoice_date_due) AS oldest_due_date,
                   MIN(m.relance_next_date) FILTER (WHERE m.relance_hold IS NULL)
                       AS next_date,
                   (ARRAY_AGG(m.relance_next_level_id ORDER BY m.relance_next_date)
                       FILTER (WHERE m.relance_hold IS NULL
                               AND m.relance_next_level_id IS NOT NULL))[1] AS next_level_id,
                   BOOL_OR(m.relance_hold = 'dispute') AS has_dispute,
                   BOOL_OR(m.relance_hold = 'promise') AS has_promise,
                   MIN(m.relance_promise_date) FILTER (WHERE m.relance_hold = 'promise')
                       AS promise_date,
                   BOOL_OR(m.relance_hold = 'litigation') AS has_litigation,
                   BOOL_OR(m.relance_hold = 'blocked')
                       OR COALESCE((p.relance_blocked ->> m.company_id::text)::boolean, FALSE)
                       AS is_blocked,
                   MIN(m.relance_prescription_date) AS prescription_date,
                   COALESCE(MIN(m.relance_prescription_date)
                       <= %(today)s::date
                          + COALESCE(MIN(c.relance_prescription_warning_days), 90),
                       FALSE) AS near_prescription
              FROM open_moves m
              JOIN res_partner p ON p.id = m.commercial_partner_id
              JOIN res_company c ON c.id = m.company_id
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
        )

    @api.model
    def _aging_condition(self, first, last):
        """The SQL condition of an aging bucket from its first to its last day overdue
        (``None``: no bound)."""
        if first is None:
            return SQL("m.days_late <= %s", last)
        if last is None:
            return SQL("m.days_late >= %s", first)
        return SQL("m.days_late BETWEEN %s AND %s", first, last)

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
        return self.env["account.move"]._relance_open_invoices(self.partner_id, self.company_id)

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {"relance_open_tab": True},
        }

    def action_send_reminder(self):
        self.ensure_one()
        overdue = self._open_invoices().filtered(
            lambda m: m.invoice_date_due < fields.Date.context_today(self)
        )
        return (overdue or self._open_invoices())._relance_action_send_wizard()

    def action_log_call(self):
        self.ensure_one()
        return self._open_invoices().action_relance_log_call()

    def action_move_to_level(self, level_id):
        """Drag and drop of a card on a level column: perform that level now for the
        customer's overdue invoices that have not reached it, recorded in their history
        with the user who did it. Never silent: the board asks for a confirmation first."""
        level = self.env["account.relance.level"].browse(level_id).exists()
        if not level:
            raise UserError(self.env._("This dunning level no longer exists."))
        for card in self:
            moves = card._open_invoices().filtered(
                lambda m: (
                    m.invoice_date_due < fields.Date.context_today(self)
                    and (m.relance_level_id.sequence or 0) < level.sequence
                    and not m.relance_event_line_ids.filtered(lambda line: line.level_id == level)
                )
            )
            if not moves:
                continue
            moves = moves.try_lock_for_update()
            reached = min(moves.mapped(lambda m: m.relance_level_id.sequence or 0))
            skipped = level.policy_id.level_ids.filtered(
                lambda lv, reached=reached: reached < lv.sequence < level.sequence
            )
            actions = self.env["account.relance.run"]._perform(
                level, moves, fields.Date.context_today(self)
            )
            note = self.env._(
                "Moved to %(level)s from the board by %(user)s.",
                level=level.name,
                user=self.env.user.name,
            )
            if skipped:
                note += " " + self.env._("Skipped levels: %s.", ", ".join(skipped.mapped("name")))
            actions.write({"note": note})
            for action in actions:
                action.message_post(body=note, subtype_xmlid="account_relance_fr.mt_relance")
        return True

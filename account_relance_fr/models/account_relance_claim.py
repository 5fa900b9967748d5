# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict

from odoo import api, fields, models

from ..lib import dates as law_dates
from ..lib import interest as law_interest
from ..lib import ladder

_logger = logging.getLogger(__name__)


class AccountRelanceClaim(models.AbstractModel):
    """What the dunning claims from a customer: of each invoice, the instalments due now
    and those to come, the payments applied, the French late penalties (Code de commerce
    L441-10, capitalisation Code civil 1343-2, interest stopped by insolvency proceedings
    L622-28); of each customer, the invoices a step claims and the balance that decides
    whether there is anything to claim at all. The nightly run, the send wizard, the
    letters and the penalty invoices all read it, so that every path claims the same
    amount. No table: methods over invoices and customers."""

    _name = "account.relance.claim"
    _description = "Dunning claim"

    # ------------------------------------------------------------------ one invoice
    @api.model
    def _parts(self, moves, on_date):
        """What each invoice of ``moves`` owes on ``on_date``: ``{invoice: {"due", "later",
        "due_company", "later_company", "later_dates"}}``, in the invoice's currency (and
        the company's). Due: the instalments due by then (the one about to fall due for a
        reminder before the due date); later: those still to come, never claimed as due,
        with their dates. The instalments of all the invoices are read at once."""
        lines_of = self._unpaid_instalments(
            moves.filtered(lambda m: m.relance_due_date != m.invoice_date_due)
        )
        parts = {}
        for move in moves:
            part = dict.fromkeys(("due", "later", "due_company", "later_company"), 0.0)
            part["later_dates"] = []
            parts[move] = part
            if move.relance_due_date == move.invoice_date_due:
                # paid at once, or only its last instalment left (Odoo's due date is the
                # last one): all of it is due; its lines need not be read
                part["due"] = move.amount_residual
                part["due_company"] = abs(move.amount_residual_signed)
                continue
            cutoff = max(on_date, move.relance_due_date or on_date)
            for line in lines_of[move.id]:
                residual, company = line.amount_residual_currency, line.amount_residual
                if line.company_currency_id.is_zero(company):
                    continue
                if line.date_maturity and line.date_maturity > cutoff:
                    part["later"] += residual
                    part["later_company"] += company
                    part["later_dates"].append((line.date_maturity, residual))
                else:
                    part["due"] += residual
                    part["due_company"] += company
            for key, currency in (
                ("due", move.currency_id),
                ("later", move.currency_id),
                ("due_company", move.company_currency_id),
                ("later_company", move.company_currency_id),
            ):
                part[key] = currency.round(part[key])
        return parts

    @api.model
    def _instalment_lines(self, move):
        """The receivable lines of the invoice ``move``, one per instalment, oldest first."""
        if move.move_type != "out_invoice":
            return self.env["account.move.line"]
        return move.line_ids.filtered(
            lambda line: (
                line.display_type == "payment_term" and line.account_type == "asset_receivable"
            )
        ).sorted(lambda line: (line.date_maturity or line.date, line.id))

    @api.model
    def _unpaid_instalments(self, moves):
        """The unpaid instalments (receivable lines) of the customer invoices ``moves``, by
        invoice id, oldest first: one query, reading only what ``_parts`` needs."""
        lines_of = defaultdict(list)
        invoices = moves.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            return lines_of
        lines = self.env["account.move.line"].search_fetch(
            [
                ("move_id", "in", invoices.ids),
                ("display_type", "=", "payment_term"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
            ],
            [
                "move_id",
                "date_maturity",
                "amount_residual",
                "amount_residual_currency",
                "company_currency_id",
            ],
            order="date_maturity, id",
        )
        for line in lines:
            lines_of[line.move_id.id].append(line)
        return lines_of

    @api.model
    def _instalments(self, move):
        """The instalments of the invoice ``move`` for ``lib.interest.instalment_penalties``: due
        date, amount and the payments Odoo applied to each (company currency)."""
        return [
            law_interest.Instalment(
                due_date=line.date_maturity or move.relance_due_date,
                amount=abs(line.balance),
                payments=tuple((p.max_date, p.amount) for p in line.matched_credit_ids),
                settled=line.reconciled or line.company_currency_id.is_zero(line.amount_residual),
            )
            for line in self._instalment_lines(move)
        ]

    @api.model
    def _payments(self, move):
        """Payments (and credit notes) applied to the invoice: dicts ``date``, ``amount``
        in company currency, oldest first."""
        partials = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).matched_credit_ids
        return sorted(
            ({"date": p.max_date, "amount": p.amount} for p in partials),
            key=lambda p: p["date"],
        )

    @api.model
    def _notice_receipt_date(self, move):
        """Receipt date of the formal notice recorded for the invoice ``move``, if any."""
        lines = move.relance_event_line_ids.filtered(
            lambda line: line.channel == "formal_notice" and line.event_id.receipt_date
        )
        return min(lines.event_id.mapped("receipt_date")) if lines else None

    @api.model
    def _penalties(self, move, on_date=None, notice_date=None):
        """French late-payment penalties of the customer invoice ``move`` (Code de
        commerce L441-10).

        :param on_date: computation date (default today); the interest of each instalment
            runs from its own due date and stops at the payment that settled it.
        :param notice_date: receipt date of the formal notice (consumers: interest runs
            from it); defaults to the one recorded on the invoice's formal notice.
        :return: dict ``days``, ``interest``, ``indemnity``, ``total`` (company currency,
            rounded to the cent), ``segments`` (``date_from``, ``date_to``, ``days``,
            ``rate``, ``base``, ``amount``), ``provisional`` and ``missing_semesters`` (a rate
            semester is missing: the latest recorded one was used), ``late_instalments``,
            ``warning`` (text or False).
        """
        today = fields.Date.context_today(move)
        on_date = on_date or today
        if move.relance_hold == "insolvency":
            # the judgment stops the interest of the claims before it (L622-28)
            judgment = self._judgment_date(move)
            if judgment:
                on_date = min(on_date, judgment)
        empty = dict(law_interest.no_penalties(), warning=False, late_instalments=0)
        if move.move_type != "out_invoice" or not move.relance_due_date:
            return empty
        if move.relance_is_penalty:
            # penalties are never charged on penalties, unless capitalised (1343-2)
            return (
                self._capitalised_interest(move, on_date)
                if move.commercial_partner_id.relance_capitalize
                else empty
            )
        rates = self.env["account.relance.rate"]._rate_periods()
        contract = move.commercial_partner_id._relance_contract_rate(move.company_id)
        if not rates and contract is None:
            return dict(
                empty,
                warning=self.env._(
                    "No late-payment rate is recorded: record the rates of the semester."
                ),
            )
        # each instalment from its own due date, on its own balance (C-78/22 for the
        # indemnity of periodic payments, see lib.interest.instalment_penalties)
        result = law_interest.instalment_penalties(
            self._instalments(move),
            on_date=on_date,
            periodic=move.invoice_payment_term_id.relance_periodic,
            rates=rates,
            debtor=move._relance_debtor(),
            contractual_rate=contract,
            freeze_due_semester=move.company_id.relance_freeze_due_semester,
            notice_date=notice_date or self._notice_receipt_date(move),
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
                move.name,
            )
        return result

    @api.model
    def _judgment_date(self, move):
        """The judgment opening insolvency proceedings against this invoice's customer, in
        its company, when the invoice ``move`` is dated before it."""
        record = self.env["account.relance.insolvency"].search(
            [
                ("partner_id", "=", move.commercial_partner_id.id),
                ("company_id", "=", move.company_id.id),
                ("state", "!=", "closed"),
                ("judgment_date", ">", move.invoice_date or move.date),
            ],
            order="judgment_date",
            limit=1,
        )
        return record.judgment_date

    @api.model
    def _capitalised_interest(self, move, on_date):
        """The interest that the penalty invoice ``move`` bears when its customer's interest is
        capitalised (anatocisme, Code civil 1343-2): only interest due for at least a whole
        year produces interest. The interest lines billing a period of 365 days or more bear
        interest from the penalty invoice's due date, at the customer's rate, on what is left
        of them after the payments; the indemnity never bears any, and no second indemnity is
        due."""
        year = [
            line
            for line in move.invoice_line_ids
            if line.relance_penalty_kind == "interest"
            and line.relance_penalty_date_from
            and line.relance_penalty_date_to
            and (line.relance_penalty_date_to - line.relance_penalty_date_from).days + 1 >= 365
        ]
        base = sum(abs(line.balance) for line in year)
        empty = dict(law_interest.no_penalties(), warning=False, late_instalments=0)
        if not base or not move.relance_due_date:
            return empty
        rates = self.env["account.relance.rate"]._rate_periods()
        contract = move.commercial_partner_id._relance_contract_rate(move.company_id)
        if not rates and contract is None:
            return empty
        result = law_interest.late_interest(
            principal=base,
            due_date=move.relance_due_date,
            on_date=on_date,
            rates=rates,
            debtor=move._relance_debtor(),
            payments=[(p["date"], p["amount"]) for p in self._payments(move)],
            contractual_rate=contract,
        )
        days_late = max((on_date - move.relance_due_date).days, 0)
        return dict(
            result,
            days_late=days_late,
            indemnity=0.0,
            total=result["interest"],
            warning=False,
            late_instalments=0,
        )

    # ------------------------------------------------------------------ one customer
    @api.model
    def _open_invoices(self, partners, companies, order="relance_due_date, id", excluded=False):
        """The open invoices of the customers ``partners`` in ``companies`` that the dunning
        may concern (``account.move._relance_base_domain``), or all open ones (``excluded``)."""
        Move = self.env["account.move"]
        domain = Move._relance_open_domain() if excluded else Move._relance_base_domain()
        return Move.search(
            domain
            + [
                ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                ("company_id", "in", companies.ids),
            ],
            order=order,
        )

    @api.model
    def _claims(self, moves, specs, today, parts=None):
        """``moves``, invoices of one customer, as its ladder ``specs`` sees them
        (``lib.ladder.Claim``): from the oldest unpaid instalment, for what is due now; a
        prescribed invoice is left to a person. ``parts``: ``_parts`` of ``moves`` (or
        more) on ``today``, when already read."""
        Policy = self.env["account.relance.policy"]
        parts = parts if parts is not None else self._parts(moves, today)
        return [
            ladder.Claim(
                id=move.id,
                level_id=Policy._position(move, specs),
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
        policy = partner._relance_policy(company)
        specs = policy._level_specs() if policy else []
        moves = self._open_invoices(partner, company)
        paused = self.env["account.relance.pause"]._reasons(moves)
        moves = moves.filtered(lambda m: m not in paused)
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

    # ------------------------------------------------------------------ one step
    @api.model
    def _action_values(self, level, moves, today, key, *, credit=0.0, parts=None):
        """The values of the dunning action (``account.relance.event``) of ``level`` for
        ``moves``, the invoices of one customer in one company and currency (``key``:
        ``(company, customer, currency)``), without its lines (``_line_values``);
        ``credit``: the customer's open credits in the company's currency, deducted when
        the invoices are in that currency; ``parts``: ``_parts`` of ``moves`` (or more) on
        ``today``, when already read."""
        parts = parts if parts is not None else self._parts(moves, today)
        # the records of the key, not moves.commercial_partner_id[:1]: a slice is browsed
        # anew, without the prefetch of the batch (a query per customer)
        company, partner, currency = key
        contact = partner._relance_addressee()
        notes = []
        # the user who runs it by hand, when the customer has nobody; never OdooBot (the
        # nightly run's user); failing both, an accounting manager of the company: an
        # action always belongs to somebody
        responsible = (
            partner._relance_responsible(company, [*moves.invoice_user_id])
            or self.env.user._relance_working()
        )
        if not responsible:
            responsible = company._relance_manager()
            if responsible:
                notes.append(
                    self.env._(
                        "Assigned to %s, accounting manager: nobody else still working is "
                        "responsible for this customer.",
                        responsible.name,
                    )
                )
        lang = contact.lang or partner.lang
        if lang and lang != contact._relance_doc_lang(company):
            notes.append(
                self.env._(
                    "Written in the company's language: the customer's (%s) is not installed.",
                    lang,
                )
            )
        return {
            "date": today,
            "company_id": company.id,
            "partner_id": partner.id,
            "channel": level.channel,
            "currency_id": currency.id,
            "contact_id": contact.id,
            "level_id": level.id,
            # what is due now: the instalments still to come are not claimed
            "amount_due": sum(parts[move]["due"] for move in moves),
            "credit_amount": credit if currency == company.currency_id else 0.0,
            "auto": bool(self.env.context.get("relance_auto")),
            "user_id": responsible.id,
            "note": "\n".join(notes) or False,
        }

    @api.model
    def _line_values(self, action_values, moves, today, repeats=None, parts=None):
        """One line per invoice, in the order of the due dates, with its copies of the
        action's fields (so that they are not computed); ``repeats``: the number of each
        invoice's repeat of a step after the ladder's last one; ``parts``: ``_parts`` of
        ``moves`` (or more) on ``today``, when already read."""
        shared = {
            key: action_values[key] for key in ("date", "company_id", "partner_id", "channel")
        }
        parts = parts if parts is not None else self._parts(moves, today)
        return [
            {
                **shared,
                "active": True,
                "move_id": move.id,
                "level_id": action_values["level_id"],
                "currency_id": move.currency_id.id,
                "invoice_name": move.name,
                "invoice_date": move.invoice_date,
                # the oldest unpaid instalment's, from which the invoice is overdue
                "invoice_date_due": move.relance_due_date,
                "amount_total": move.amount_total,
                "amount_residual": parts[move]["due"],
                "amount_later": parts[move]["later"],
                "days_overdue": (today - move.relance_due_date).days,
                "repeat": (repeats or {}).get(move.id, 0),
            }
            for move in moves.sorted(lambda m: (m.relance_due_date, m.id))
        ]

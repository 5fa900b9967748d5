# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib import analysis


class AccountRelanceStatement(models.AbstractModel):
    """The values of the statement of account (relevé de compte) of a customer: the
    movements of its receivable (invoices, credit notes, payments) with a running balance,
    from its oldest open item, and the aging of what it owes."""

    _name = "account.relance.statement"
    _description = "Statement of account"

    @api.model
    def _statement_values(self, partner, on_date=None):
        """The statement of ``partner`` in the current company on ``on_date``, in company
        currency: ``rows`` (date, document, kind, due date, debit, credit, running
        balance, open amount, days overdue), the opening balance, the total due and its
        aging in the buckets of ``lib.analysis``."""
        on_date = fields.Date.to_date(
            on_date or self.env.context.get("relance_statement_date")
        ) or fields.Date.context_today(self)
        company = self.env.company
        partner = partner.commercial_partner_id
        Line = self.env["account.move.line"]
        domain = [
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("date", "<=", on_date),
        ]
        open_items = Line.search(domain + [("amount_residual", "!=", 0)], order="date", limit=1)
        start = min(open_items.date or on_date, on_date)
        opening = sum(Line.search(domain + [("date", "<", start)]).mapped("balance"))
        lines = Line.search(domain + [("date", ">=", start)], order="date, move_name, id")
        rows, balance = [], opening
        buckets = {key: 0.0 for key, _first, _last in analysis.aging_ranges()}
        kinds = self._kinds()
        for line in lines:
            balance += line.balance
            due = line.date_maturity or line.date
            overdue = (on_date - due).days if line.balance > 0 else 0
            if line.amount_residual:
                buckets[analysis.aging_bucket(overdue)] += line.amount_residual
            rows.append(
                {
                    "line": line,
                    "date": line.date,
                    "document": line.move_id.name,
                    "kind": kinds.get(line.move_id.move_type, kinds["entry"])
                    if not line.move_id.origin_payment_id
                    else kinds["payment"],
                    "ref": line.move_id.ref if line.move_id.origin_payment_id else False,
                    "date_due": due if line.balance > 0 else False,
                    "debit": line.debit,
                    "credit": line.credit,
                    "balance": balance,
                    "open": line.amount_residual,
                    "days_overdue": max(overdue, 0) if line.amount_residual > 0 else 0,
                }
            )
        total = sum(buckets.values())
        return {
            "company": company,
            "doc_date": on_date,
            "partner": partner,
            "start": start,
            "opening": opening,
            "rows": rows,
            "currency": company.currency_id,
            "total": total,
            "overdue": sum(
                row["open"] for row in rows if row["days_overdue"] > 0 and row["open"] > 0
            ),
            "buckets": buckets,
            "aging": self._aging_columns(buckets),
            "bank": company._relance_bank(),
        }

    @api.model
    def _kinds(self):
        return {
            "out_invoice": self.env._("Invoice"),
            "out_refund": self.env._("Credit note"),
            "payment": self.env._("Payment"),
            "entry": self.env._("Entry"),
        }

    @api.model
    def _aging_columns(self, buckets):
        """The aging table's columns: label and amount of each bucket, in order."""
        columns = []
        for key, first, last in analysis.aging_ranges():
            if first is None:
                label = self.env._("Not due")
            elif last is None:
                label = self.env._("Over %s days", first - 1)
            else:
                label = self.env._("%(first)s-%(last)s days", first=first, last=last)
            columns.append({"key": key, "label": label, "amount": buckets[key]})
        return columns

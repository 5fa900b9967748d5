# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..lib import analysis


class AccountRelanceStatement(models.AbstractModel):
    """The values of the statement of account (relevé de compte) of a customer."""

    _name = "account.relance.statement"
    _description = "Statement of account"

    @api.model
    def _statement_values(self, partner, on_date=None):
        """Open customer invoices and credit notes of ``partner`` in the current company on
        ``on_date``, with their aging in the buckets of ``lib.analysis``."""
        on_date = fields.Date.to_date(
            on_date or self.env.context.get("relance_statement_date")
        ) or fields.Date.context_today(self)
        company = self.env.company
        partner = partner.commercial_partner_id
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date", "<=", on_date),
            ],
            order="invoice_date_due, invoice_date, id",
        )
        rows = []
        buckets = {key: 0.0 for key, _first, _last in analysis.aging_ranges()}
        for move in moves:
            due = move.invoice_date_due or move.invoice_date
            overdue = (on_date - due).days if move.move_type == "out_invoice" else 0
            residual = move.amount_residual_signed
            rows.append(
                {
                    "move": move,
                    "refund": move.move_type == "out_refund",
                    "invoice_date": move.invoice_date,
                    "date_due": move.invoice_date_due,
                    "amount": move.amount_total_signed,
                    "residual": residual,
                    "days_overdue": max(overdue, 0),
                }
            )
            buckets[analysis.aging_bucket(overdue)] += residual
        return {
            "company": company,
            "doc_date": on_date,
            "partner": partner,
            "rows": rows,
            "currency": company.currency_id,
            "total": sum(row["residual"] for row in rows),
            "overdue": sum(row["residual"] for row in rows if row["days_overdue"] > 0),
            "buckets": buckets,
            "aging": self._aging_columns(buckets),
            "bank": company._relance_bank(),
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

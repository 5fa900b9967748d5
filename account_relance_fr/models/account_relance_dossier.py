# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Figures of the dunning documents (letters, formal notice, statement of account, collection
file) and the collection file ZIP. The QWeb reports call these methods on the records of the
report, rendered in the customer's language."""

import io
import re
import zipfile
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import float_compare
from odoo.tools.safe_eval import safe_eval, time

#: Simplified procedure for small claims (CPCE L125-1, R125-1): principal and interest up to.
SMALL_CLAIMS_LIMIT = 5000.0
#: Legal forms recognised in a company name when no field states it.
LEGAL_FORMS = (
    "SASU",
    "SAS",
    "SARL",
    "EURL",
    "SA",
    "SNC",
    "SCS",
    "SCA",
    "SCI",
    "SCOP",
    "SCP",
    "SELARL",
    "SELAS",
    "SELAFA",
    "EIRL",
    "EI",
    "GIE",
    "GAEC",
    "EARL",
)
#: Aging buckets of the statement: key, first and last day overdue (None: no bound).
AGING_BUCKETS = (
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
)
#: Event states that count as a reminder actually sent or made.
PERFORMED_STATES = ("done",)


class AccountRelanceDossier(models.AbstractModel):
    _name = "account.relance.dossier"
    _description = "Dunning documents and collection file"

    # ------------------------------------------------------------------ parties
    @api.model
    def _siren(self, partner):
        """SIREN (9 digits) from the SIRET stored in ``company_registry``, or False."""
        digits = re.sub(r"\D", "", partner.company_registry or "")
        return digits[:9] if len(digits) >= 9 else False

    @api.model
    def _legal_form(self, partner):
        """Legal form of a company (SARL, SAS...) as written in its name, or False."""
        words = set(re.findall(r"[A-Za-z]+", (partner.name or "").replace(".", "")))
        return next((form for form in LEGAL_FORMS if form in words), False)

    @api.model
    def _party(self, partner, with_siren=True):
        partner = partner.commercial_partner_id
        return {
            "partner": partner,
            "legal_form": self._legal_form(partner) if partner.is_company else False,
            "siren": self._siren(partner) if with_siren else False,
        }

    @api.model
    def _bank(self, company):
        return company.partner_id.bank_ids[:1]

    @api.model
    def _signature(self, company, user):
        """The company's letter signature, or the name of the user and the company."""
        if not fields.Html.is_empty(company.relance_letter_signature):
            return {"html": company.relance_letter_signature, "name": False}
        return {"html": False, "name": user.name or company.name}

    @api.model
    def _doc_date(self, value=None):
        return fields.Date.to_date(value) or fields.Date.context_today(self)

    @api.model
    def _channel_labels(self):
        return dict(self.env["account.relance.level"]._channel_selection())

    # ------------------------------------------------------------------ amounts
    @api.model
    def _invoice_rows(self, moves):
        """Number, dates, amount incl. VAT, paid and balance of each invoice (its currency)."""
        rows = []
        for move in moves.sorted(lambda m: (m.invoice_date_due or m.date, m.id)):
            rows.append(
                {
                    "move": move,
                    "name": move.name,
                    "invoice_date": move.invoice_date,
                    "date_due": move.invoice_date_due,
                    "amount_total": move.amount_total,
                    "paid": move.amount_total - move.amount_residual,
                    "residual": move.amount_residual,
                    "currency": move.currency_id,
                    "url": move.get_base_url() + move.get_portal_url(),
                }
            )
        return rows

    @api.model
    def _claim(self, moves, on_date, with_penalties=True, notice_date=None):
        """Principal, late interest and recovery indemnity of ``moves`` on ``on_date``,
        in company currency: ``rows`` (one per invoice) and the totals."""
        company = moves.company_id[:1] or self.env.company
        rows = []
        for move in moves.sorted(lambda m: (m.invoice_date_due or m.date, m.id)):
            result = (
                move.relance_compute_penalties(on_date=on_date, notice_date=notice_date)
                if with_penalties
                else {"interest": 0.0, "indemnity": 0.0, "warning": False}
            )
            principal = abs(move.amount_residual_signed)
            days = (on_date - move.invoice_date_due).days if move.invoice_date_due else 0
            rows.append(
                {
                    "move": move,
                    "principal": principal,
                    "days": max(days, 0),
                    "interest": result["interest"],
                    "indemnity": result["indemnity"],
                    "total": principal + result["interest"] + result["indemnity"],
                    "warning": result["warning"],
                }
            )
        principal = sum(row["principal"] for row in rows)
        interest = sum(row["interest"] for row in rows)
        indemnity = sum(row["indemnity"] for row in rows)
        return {
            "rows": rows,
            "currency": company.currency_id,
            "principal": principal,
            "interest": interest,
            "indemnity": indemnity,
            "indemnity_count": len([row for row in rows if row["indemnity"]]),
            "total": principal + interest + indemnity,
            "warnings": sorted({row["warning"] for row in rows if row["warning"]}),
        }

    # ------------------------------------------------------------------ history
    @api.model
    def _event_info(self, event, labels=None):
        labels = labels or self._channel_labels()
        return {
            "event": event,
            "date": event.sent_date or event.date,
            "level": event.level_id.name,
            "channel": labels.get(event.channel, event.channel),
            "invoices": ", ".join(event.line_ids.mapped("invoice_name")),
            "registered_number": event.registered_number,
            "receipt_date": event.receipt_date,
            "state": dict(event._fields["state"]._description_selection(event.env)).get(
                event.state
            ),
        }

    @api.model
    def _history(self, partner, moves=None, before=None, exclude=None, performed_only=True):
        """Dunning actions of ``partner`` (archived ones too: they are evidence), oldest
        first; only those concerning ``moves``, dated up to ``before``, performed."""
        domain = [("partner_id", "=", partner.commercial_partner_id.id)]
        if moves is not None:
            domain.append(("line_ids.move_id", "in", moves.ids))
        if before:
            domain.append(("date", "<=", before))
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        if performed_only:
            domain.append(("state", "in", PERFORMED_STATES))
        events = (
            self.env["account.relance.event"]
            .with_context(active_test=False)
            .search(domain, order="date, id")
        )
        labels = self._channel_labels()
        steps = [self._event_info(event, labels) for event in events]
        return sorted(steps, key=lambda step: (step["date"], step["event"].id))

    # ------------------------------------------------------------------ documents
    @api.model
    def _letter_values(self, event):
        """Values of the reminder letter and of the formal notice of ``event``."""
        company = event.company_id
        partner = event.partner_id
        doc_date = event.sent_date or fields.Date.context_today(self)
        consumer = partner.relance_debtor_type == "consumer"
        moves = event.line_ids.move_id
        is_notice = event.channel == "formal_notice"
        # a formal notice claims the interest to date from a business only: a consumer owes
        # interest from its receipt (Code civil 1231-6, 1344-1)
        claim = self._claim(moves, doc_date, with_penalties=not consumer)
        delay = (
            company.relance_notice_delay or 8 if is_notice else event.level_id.payment_deadline_days
        )
        return {
            "company": company,
            "doc_date": doc_date,
            "place": company.partner_id.city or company.city,
            "consumer": consumer,
            "creditor": self._party(company.partner_id),
            "debtor": self._party(partner, with_siren=not consumer),
            "contact": event.contact_id or partner,
            "lines": self._invoice_rows(moves),
            "claim": claim,
            "rate_label": event._relance_rate_label(),
            "history": self._history(partner, moves=moves, before=doc_date, exclude=event),
            "delay": delay,
            "deadline": doc_date + timedelta(days=delay) if delay else False,
            "bank": self._bank(company),
            "signature": self._signature(company, event.user_id or self.env.user),
            "small_claims": float_compare(claim["total"], SMALL_CLAIMS_LIMIT, precision_digits=2)
            <= 0,
        }

    @api.model
    def _statement_values(self, partner, on_date=None):
        """Open customer invoices and credit notes of ``partner`` in the current company."""
        on_date = self._doc_date(on_date or self.env.context.get("relance_statement_date"))
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
        rows, buckets = [], dict.fromkeys((key for key, _first, _last in AGING_BUCKETS), 0.0)
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
            buckets[self._aging_bucket(overdue)] += residual
        return {
            "company": company,
            "doc_date": on_date,
            "partner": partner,
            "rows": rows,
            "currency": company.currency_id,
            "total": sum(row["residual"] for row in rows),
            "overdue": sum(row["residual"] for row in rows if row["days_overdue"] > 0),
            "buckets": buckets,
            "bank": self._bank(company),
        }

    @api.model
    def _aging_bucket(self, days_overdue):
        for key, first, last in AGING_BUCKETS:
            if (first is None or days_overdue >= first) and (last is None or days_overdue <= last):
                return key
        return AGING_BUCKETS[-1][0]

    @api.model
    def _open_invoices(self, partner):
        return self.env["account.move"].search(
            self.env["account.move"]._relance_base_domain()
            + [
                ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
            ],
            order="invoice_date_due, id",
        )

    @api.model
    def _notices(self, partner):
        """Formal notices sent to ``partner`` in the current company, oldest first."""
        return (
            self.env["account.relance.event"]
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", self.env.company.id),
                    ("channel", "=", "formal_notice"),
                    ("state", "=", "done"),
                ],
                order="date, id",
            )
        )

    @api.model
    def _dossier_values(self, partner, on_date=None):
        """Summary of the collection file: parties, claim, history, formal notices and the
        procedure the claim qualifies for."""
        on_date = self._doc_date(on_date)
        company = self.env.company
        partner = partner.commercial_partner_id
        consumer = partner.relance_debtor_type == "consumer"
        moves = self._open_invoices(partner)
        # consumers: interest from the receipt of the formal notice recorded on each invoice
        claim = self._claim(moves, on_date)
        labels = self._channel_labels()
        principal_interest = claim["principal"] + claim["interest"]
        return {
            "company": company,
            "doc_date": on_date,
            "consumer": consumer,
            "creditor": self._party(company.partner_id),
            "debtor": self._party(partner, with_siren=not consumer),
            "claim": claim,
            "rate_label": moves[:1]._relance_rate_label(partner, on_date),
            "history": self._history(partner, performed_only=False),
            "notices": [self._event_info(event, labels) for event in self._notices(partner)],
            "principal_interest": principal_interest,
            "small_claims_limit": SMALL_CLAIMS_LIMIT,
            "small_claims": float_compare(
                principal_interest, SMALL_CLAIMS_LIMIT, precision_digits=2
            )
            <= 0,
        }

    # ------------------------------------------------------------------ files
    @api.model
    def _report_filename(self, report_ref, record, extension="pdf"):
        report = self.env["ir.actions.report"]._get_report(report_ref)
        name = False
        if report.print_report_name:
            name = safe_eval(report.print_report_name, {"object": record, "time": time})
        return f"{self._safe_filename(name or report.name)}.{extension}"

    @api.model
    def _safe_filename(self, name):
        return re.sub(r'[\\/:*?"<>|\r\n]+', "-", name).strip() or "document"

    @api.model
    def _render(self, report_ref, records, data=None):
        """Render ``report_ref`` for ``records``: ``(content, extension)``; the extension is
        ``html`` only where Odoo renders reports as HTML (test mode)."""
        content, report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            report_ref, records.ids, data=data
        )
        return content, "pdf" if report_type == "pdf" else "html"

    @api.model
    def _notice_attachment(self, event):
        """The formal notice PDF archived on ``event`` when it was generated, if any."""
        return self.env["ir.attachment"].search(
            [
                ("res_model", "=", event._name),
                ("res_id", "=", event.id),
                ("mimetype", "=", "application/pdf"),
            ],
            order="id desc",
            limit=1,
        )

    @api.model
    def _build_zip(self, partner):
        """The collection file of ``partner``: ``(filename, zip bytes)`` with the summary,
        each open invoice and the formal notice(s)."""
        partner = partner.commercial_partner_id
        files = []
        content, ext = self._render("account_relance_fr.action_report_relance_dossier", partner)
        files.append(
            self._report_filename("account_relance_fr.action_report_relance_dossier", partner, ext)
        )
        contents = [content]
        for move in self._open_invoices(partner):
            # one rendering per invoice: wkhtmltopdf without patched Qt cannot split several
            attachment = move._relance_invoice_pdfs().get(move.id)
            if attachment:
                files.append(f"Factures/{self._safe_filename(attachment.name)}")
                contents.append(attachment.raw)
        for event in self._notices(partner):
            attachment = self._notice_attachment(event)
            if attachment:
                name, raw = attachment.name, attachment.raw
            else:
                raw, ext = self._render("account_relance_fr.action_report_relance_notice", event)
                name = self._report_filename(
                    "account_relance_fr.action_report_relance_notice", event, ext
                )
            files.append(f"Mises en demeure/{self._safe_filename(name)}")
            contents.append(raw)
        buffer = io.BytesIO()
        seen = defaultdict(int)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, raw in zip(files, contents, strict=True):
                seen[name] += 1
                entry = name
                if seen[name] > 1:
                    stem, dot, ext = name.rpartition(".")
                    entry = f"{stem} ({seen[name]}){dot}{ext}"
                archive.writestr(entry, raw)
        today = fields.Date.to_string(fields.Date.context_today(self))
        filename = self._safe_filename(f"Dossier de recouvrement - {partner.name} - {today}")
        filename = f"{filename}.zip"
        return filename, buffer.getvalue()

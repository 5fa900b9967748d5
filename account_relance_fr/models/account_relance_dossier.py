# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import zipfile
from collections import defaultdict

from odoo import api, fields, models

from ..lib import procedure
from .ir_actions_report import safe_filename

DOSSIER_REPORT = "account_relance_fr.action_report_relance_dossier"
NOTICE_REPORT = "account_relance_fr.action_report_relance_notice"


class AccountRelanceDossier(models.AbstractModel):
    """The collection file (dossier de recouvrement) of a customer, for a lawyer, a
    commissaire de justice or a court: its summary and the ZIP of its documents."""

    _name = "account.relance.dossier"
    _description = "Collection file"

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
        on_date = fields.Date.to_date(on_date) or fields.Date.context_today(self)
        company = self.env.company
        partner = partner.commercial_partner_id
        consumer = partner.relance_debtor_type == "consumer"
        moves = self.env["account.relance.claim"]._open_invoices(partner, company)
        # consumers: interest from the receipt of the formal notice recorded on each invoice
        Letter = self.env["account.relance.letter"]
        claim = Letter._claim(moves, on_date)
        principal_interest = claim["principal"] + claim["penalties_billed"] + claim["interest"]
        return {
            "company": company,
            "doc_date": on_date,
            "consumer": consumer,
            "creditor": company.partner_id._relance_party(),
            "debtor": partner._relance_party(with_siren=not consumer),
            "claim": claim,
            "rate_label": moves[:1]._relance_rate_label(partner, on_date),
            "history": Letter._history(partner, performed=False),
            "notices": Letter._steps(self._notices(partner)),
            "principal_interest": principal_interest,
            "small_claims_limit": float(procedure.SMALL_CLAIMS_LIMIT),
            "small_claims": procedure.is_small_claim(principal_interest),
        }

    @api.model
    def _notice_attachment(self, action):
        """The formal notice PDF archived on ``action`` when it was generated, if any."""
        return self.env["ir.attachment"].search(
            [
                ("res_model", "=", action._name),
                ("res_id", "=", action.id),
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
        Report = self.env["ir.actions.report"]
        content, ext = Report._relance_render(DOSSIER_REPORT, partner)
        files = [Report._relance_filename(DOSSIER_REPORT, partner, ext)]
        contents = [content]
        moves = self.env["account.relance.claim"]._open_invoices(partner, self.env.company)
        pdfs = Report._relance_invoice_pdfs(moves)
        for move in moves:
            attachment = pdfs.get(move.id)
            if attachment:
                files.append(f"Factures/{safe_filename(attachment.name)}")
                contents.append(attachment.raw)
        for action in self._notices(partner):
            attachment = self._notice_attachment(action)
            if attachment:
                name, raw = attachment.name, attachment.raw
            else:
                raw, ext = Report._relance_render(NOTICE_REPORT, action)
                name = Report._relance_filename(NOTICE_REPORT, action, ext)
            files.append(f"Mises en demeure/{safe_filename(name)}")
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
        filename = safe_filename(f"Dossier de recouvrement - {partner.name} - {today}")
        return f"{filename}.zip", buffer.getvalue()

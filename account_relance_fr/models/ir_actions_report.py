# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import api, models
from odoo.tools.safe_eval import safe_eval, time


def safe_filename(name):
    """``name`` without the characters a file name may not hold."""
    return re.sub(r'[\\/:*?"<>|\r\n]+', "-", name).strip() or "document"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _relance_render(self, report_ref, records, data=None):
        """Render ``report_ref`` for ``records``: ``(content, extension)``; the extension is
        ``html`` where Odoo renders reports as HTML (its test mode)."""
        content, report_type = self._render_qweb_pdf(report_ref, records.ids, data=data)
        return content, "pdf" if report_type == "pdf" else "html"

    @api.model
    def _relance_invoice_pdfs(self, moves):
        """Map invoice id -> PDF attachment: the invoice's own PDF when it was sent or
        printed, otherwise rendered (one document per call: splitting a multi-invoice PDF
        needs a patched wkhtmltopdf) and kept on the invoice."""
        pdfs = {move.id: move.invoice_pdf_report_id for move in moves if move.invoice_pdf_report_id}
        missing = moves.filtered(lambda m: m.id not in pdfs)
        if not missing:
            return pdfs
        report = self.sudo()
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": move._get_invoice_report_filename(),
                        "raw": report._render_qweb_pdf("account.account_invoices", move.ids)[0],
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

    @api.model
    def _relance_filename(self, report_ref, record, extension="pdf"):
        """The file name of ``report_ref`` printed for ``record``, as the print menu names it."""
        report = self._get_report(report_ref)
        name = False
        if report.print_report_name:
            name = safe_eval(report.print_report_name, {"object": record, "time": time})
        return f"{safe_filename(name or report.name)}.{extension}"

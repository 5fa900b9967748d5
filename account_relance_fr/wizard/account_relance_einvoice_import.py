# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import csv
import io
import unicodedata
from datetime import datetime

from lxml import etree

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.account_relance_einvoice_status import EINVOICE_STATUSES


def _plain(text):
    """Lower case without accents: "Refusée", "refusee" and "REFUSEE" are one status."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).strip().lower()


# the reform's French name of each status, as the platforms' files write it, to its code
STATUS_BY_NAME = {_plain(label.split(" (")[0]): code for code, label in EINVOICE_STATUSES}

# the lifecycle messages of the reform (CDV, "compte rendu de vie"): UN/CEFACT Cross Domain
# Acknowledgement and Response (CDAR, D22B), as the platforms exchange them (AFNOR XP
# Z12-012); ram, udt and qdt are the modules of the CII invoice
CDAR_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}


class AccountRelanceEinvoiceImport(models.TransientModel):
    """Import the lifecycle statuses a platform sends, either as it sends them, a CDAR
    lifecycle message (XML, one status per referenced invoice: ``IssuerAssignedID``,
    ``ProcessConditionCode``, the acknowledgement's date, the ``Reason`` of its
    ``SpecifiedDocumentStatus``), or as its export, a CSV file: one line per status, with
    the columns ``invoice`` (the invoice number), ``status`` (the code, 200 to 213, or the
    French name: Déposée, Refusée...), ``date`` (YYYY-MM-DD or DD/MM/YYYY) and ``reason``
    (optional); comma or semicolon separated. Every status is applied or reported, none is
    lost: the summary lists those that were not (an unknown invoice or status, a wrong
    date), by line of the file."""

    _name = "account.relance.einvoice.import"
    _description = "Import e-invoicing statuses"

    file = fields.Binary("Status file", required=True)
    filename = fields.Char()
    result = fields.Text(readonly=True)
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")

    def _rows(self):
        """``(line number, {"invoice", "status", "date", "reason"})`` of each status of the
        file, CDAR or CSV."""
        data = base64.b64decode(self.file or b"")
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            yield from self._cdar_rows(data)
            return
        text = data.decode("utf-8-sig", errors="replace")
        try:
            dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", ",;")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        if not reader.fieldnames or not {"invoice", "status"} <= {
            _plain(f) for f in reader.fieldnames
        }:
            raise UserError(
                self.env._("The file needs the columns invoice, status, date and reason.")
            )
        for number, row in enumerate(reader, start=2):
            yield number, {_plain(k): (v or "").strip() for k, v in row.items() if k}

    def _cdar_rows(self, data):
        """The statuses of a CDAR lifecycle message: one per ``ReferenceReferencedDocument``
        of each ``AcknowledgementDocument``, dated by that acknowledgement. External
        entities and the network are never read (a file from outside)."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            root = etree.fromstring(data, parser=parser)
        except etree.XMLSyntaxError as exc:
            raise UserError(self.env._("The file is not a valid XML file: %s", exc)) from exc
        if etree.QName(root).localname != "CrossDomainAcknowledgementAndResponse":
            raise UserError(
                self.env._("The XML file is not a lifecycle message (CDAR) of a platform.")
            )

        def text(node, path):
            return (node.xpath(f"string({path})", namespaces=CDAR_NS) or "").strip()

        for ack in root.xpath("rsm:AcknowledgementDocument", namespaces=CDAR_NS):
            stamp = text(ack, "ram:IssueDateTime/udt:DateTimeString")
            for ref in ack.xpath("ram:ReferenceReferencedDocument", namespaces=CDAR_NS):
                status = text(ref, "ram:ProcessConditionCode") or text(
                    ref, "ram:SpecifiedDocumentStatus/ram:ProcessConditionCode"
                )
                reasons = [
                    text(ref, "ram:SpecifiedDocumentStatus/ram:ReasonCode"),
                    text(ref, "ram:SpecifiedDocumentStatus/ram:Reason"),
                ]
                yield (
                    ref.sourceline,
                    {
                        "invoice": text(ref, "ram:IssuerAssignedID"),
                        "status": status,
                        # format 102 (YYYYMMDD) or 204 (YYYYMMDDHHMMSS): the day
                        "date": stamp[:8],
                        "reason": " — ".join(r for r in reasons if r),
                    },
                )

    def _status_code(self, value):
        value = _plain(value)
        return value if value in dict(EINVOICE_STATUSES) else STATUS_BY_NAME.get(value)

    def _date(self, value):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
            try:
                return datetime.strptime(value, fmt).date()
            except (ValueError, TypeError):
                continue
        return None

    def action_import(self):
        self.ensure_one()
        rows = list(self._rows())
        names = {row.get("invoice") for _n, row in rows}
        moves = self.env["account.move"].search(
            [
                ("name", "in", list(names)),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        by_name = {move.name: move for move in moves}
        done, errors = 0, []
        for number, row in rows:
            move = by_name.get(row.get("invoice"))
            code = self._status_code(row.get("status"))
            day = (
                self._date(row.get("date")) if row.get("date") else fields.Date.context_today(self)
            )
            if not move:
                errors.append(
                    self.env._(
                        "line %(line)s: no invoice %(name)s", line=number, name=row.get("invoice")
                    )
                )
            elif not code:
                errors.append(
                    self.env._(
                        "line %(line)s: unknown status %(status)s",
                        line=number,
                        status=row.get("status"),
                    )
                )
            elif not day:
                errors.append(
                    self.env._(
                        "line %(line)s: wrong date %(date)s", line=number, date=row.get("date")
                    )
                )
            else:
                move._relance_set_einvoice_status(
                    code, date=day, reason=row.get("reason"), source="import"
                )
                done += 1
        summary = [self.env._("%s statuses imported.", done)]
        if errors:
            summary.append(self.env._("Not imported:"))
            summary += errors
        self.write({"result": "\n".join(summary), "state": "done"})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

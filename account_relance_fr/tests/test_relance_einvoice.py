# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The lifecycle statuses of the French e-invoicing reform and the dunning."""

import base64
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceEinvoice(RelanceCommon):
    def set_status(self, moves, code, reason=None, day=None):
        """Through the dialog, as a user records a status read on the platform."""
        context = {"active_model": "account.move", "active_ids": moves.ids}
        with Form(self.env["account.relance.einvoice.set"].with_context(**context)) as form:
            form.code = code
            if day:
                form.date = day
            if reason:
                form.reason = reason
        form.record.action_set()

    def test_refused_stops_then_a_new_status_resumes(self):
        move = self.invoice()
        self.set_status(move, "210", reason="Mauvais SIRET", day=self.day0)
        self.assertEqual(move.relance_einvoice_status, "210")
        self.assertEqual(move.relance_hold, "einvoice")
        self.assertIn("Mauvais SIRET", move.relance_hold_note)
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertFalse(self.events_of(move), "a refused invoice is not chased")
        with freeze_time(self.day0 + timedelta(days=8)):
            card = self.env["account.relance.board"].search([("partner_id", "=", self.customer.id)])
            self.assertTrue(card.einvoice_held)
        self.assertFalse(move.relance_expected_date, "no expected date")
        # the pause dialog cannot lift it: the platform's status decides
        with self.assertRaises(UserError):
            move.action_relance_resume()
        # corrected and completed on the platform: the dunning resumes
        self.set_status(move, "209", day=self.day0 + timedelta(days=8))
        self.assertFalse(move.relance_hold)
        self.run_relance(self.day0 + timedelta(days=9))
        self.assertTrue(self.events_of(move))
        self.assertEqual(
            move.relance_einvoice_status_ids.mapped("code"), ["209", "210"], "the history"
        )

    def test_disputed_pauses_with_its_reason(self):
        move = self.invoice()
        move._relance_set_einvoice_status("207", date=self.day0, reason="Quantité erronée")
        self.assertEqual(move.relance_hold, "einvoice")
        self.assertEqual(move.relance_state, "einvoice")
        self.assertEqual(move.relance_hold_note, "En litige: Quantité erronée")
        self.assertEqual(move.relance_einvoice_status_ids.source, "module")

    def test_payment_sent_pauses_a_few_days(self):
        move = self.invoice()
        move._relance_set_einvoice_status("211", date=self.day0 + timedelta(days=6))
        self.assertEqual(move.relance_hold, "promise")
        self.assertEqual(move.relance_promise_date, self.day0 + timedelta(days=11))
        self.run_relance(self.day0 + timedelta(days=7))
        self.assertFalse(self.events_of(move))
        # no payment came: the promise expired, the dunning resumes
        self.run_relance(self.day0 + timedelta(days=12))
        self.assertFalse(move.relance_hold)
        self.assertTrue(self.events_of(move))

    def test_approved_is_said_on_the_reminder(self):
        move = self.invoice()
        move._relance_set_einvoice_status("205", date=date(2026, 1, 10))
        self.assertFalse(move.relance_hold)
        self.run_relance(self.day0 + timedelta(days=7))
        email = self.events_of(move).mail_id
        self.assertIn("approved by you on", email.body_html)

    def test_paid_invoice_must_be_declared_cashed(self):
        move = self.invoice()
        move._relance_set_einvoice_status("200", date=date(2025, 12, 16))
        self.assertFalse(move.relance_einvoice_to_cash)
        self._register_payment(move, payment_date=self.day0)
        self.assertTrue(move.relance_einvoice_to_cash)
        self.assertIn(
            move,
            self.env["account.move"].search([("relance_einvoice_to_cash", "=", True)]),
        )
        move._relance_set_einvoice_status("212", date=self.day0)
        self.assertFalse(move.relance_einvoice_to_cash)
        # an invoice that never went through a platform has nothing to declare
        other = self.invoice()
        self._register_payment(other, payment_date=self.day0)
        self.assertFalse(other.relance_einvoice_to_cash)

    def test_import_of_the_platform_statuses(self):
        refused, approved = self.invoice(), self.invoice(amount=300.0)
        content = "\n".join(
            [
                "invoice;status;date;reason",
                f"{refused.name};Refusée;15/01/2026;Commande inconnue",
                f"{approved.name};205;2026-01-12;",
                "FAC/1999/99999;200;2026-01-12;",
                f"{approved.name};Perdue;2026-01-12;",
                # older than the status already known: kept in the history only
                f"{approved.name};200;2026-01-02;",
            ]
        )
        wizard = self.env["account.relance.einvoice.import"].create(
            {"file": base64.b64encode(content.encode()), "filename": "statuts.csv"}
        )
        wizard.action_import()
        self.assertEqual(
            (refused.relance_einvoice_status, refused.relance_hold), ("210", "einvoice")
        )
        self.assertEqual(refused.relance_einvoice_status_ids.source, "import")
        self.assertEqual(approved.relance_einvoice_status, "205")
        self.assertEqual(approved.relance_einvoice_status_ids.mapped("code"), ["205", "200"])
        self.assertIn("3 statuses imported", wizard.result)
        self.assertIn("line 4: no invoice FAC/1999/99999", wizard.result)
        self.assertIn("line 5: unknown status Perdue", wizard.result)

    def test_import_of_a_platform_lifecycle_message(self):
        """The platform's own message (CDAR): a status per referenced invoice, dated by its
        acknowledgement, with the reason code and text of the refusal."""
        refused, approved = self.invoice(), self.invoice(amount=300.0)
        ack = """
  <rsm:AcknowledgementDocument>
    <ram:MultipleReferencesIndicator><udt:Indicator>false</udt:Indicator>
    </ram:MultipleReferencesIndicator>
    <ram:TypeCode>23</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="{fmt}">{stamp}</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:ReferenceReferencedDocument>
      <ram:IssuerAssignedID>{number}</ram:IssuerAssignedID>
      <ram:TypeCode>380</ram:TypeCode>
      <ram:ProcessConditionCode>{code}</ram:ProcessConditionCode>
      {status}
    </ram:ReferenceReferencedDocument>
  </rsm:AcknowledgementDocument>"""
        refusal = (
            "<ram:SpecifiedDocumentStatus><ram:ReasonCode>DOUBLON</ram:ReasonCode>"
            "<ram:Reason>Facture en double</ram:Reason>"
            "<ram:ProcessConditionCode>210</ram:ProcessConditionCode>"
            "</ram:SpecifiedDocumentStatus>"
        )
        acks = [
            ack.format(
                fmt="204", stamp="20260115093000", number=refused.name, code="210", status=refusal
            ),
            ack.format(fmt="102", stamp="20260112", number=approved.name, code="205", status=""),
            ack.format(fmt="102", stamp="20260112", number="FAC/1999/99999", code="200", status=""),
        ]
        content = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            "<rsm:CrossDomainAcknowledgementAndResponse"
            ' xmlns:rsm="urn:un:unece:uncefact:data:standard:'
            'CrossDomainAcknowledgementAndResponse:100"'
            ' xmlns:ram="urn:un:unece:uncefact:data:standard:'
            'ReusableAggregateBusinessInformationEntity:100"'
            ' xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">\n'
            "  <rsm:ExchangedDocument><ram:ID>CDV-0001</ram:ID></rsm:ExchangedDocument>"
            + "".join(acks)
            + "\n</rsm:CrossDomainAcknowledgementAndResponse>\n"
        )
        form = Form(self.env["account.relance.einvoice.import"])
        form.file = base64.b64encode(content.encode())
        wizard = form.save()
        wizard.action_import()
        status = refused.relance_einvoice_status_ids
        self.assertEqual(
            (status.code, status.date, status.source), ("210", date(2026, 1, 15), "import")
        )
        self.assertEqual(status.reason, "DOUBLON — Facture en double")
        self.assertEqual(refused.relance_hold, "einvoice")
        self.assertEqual(
            (approved.relance_einvoice_status, approved.relance_einvoice_date),
            ("205", date(2026, 1, 12)),
        )
        self.assertIn("2 statuses imported", wizard.result)
        # the line of the file where the unknown invoice is referenced
        line = content.splitlines().index(
            next(x for x in content.splitlines() if "FAC/1999/99999" in x)
        )
        self.assertIn(f"line {line}: no invoice FAC/1999/99999", wizard.result)

    def test_import_refuses_what_is_not_a_lifecycle_message(self):
        for content in (b"<invoice/>", b"<rsm:broken"):
            wizard = self.env["account.relance.einvoice.import"].create(
                {"file": base64.b64encode(content), "filename": "x.xml"}
            )
            with self.assertRaises(UserError):
                wizard.action_import()

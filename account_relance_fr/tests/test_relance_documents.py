# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import re
import zipfile
from datetime import timedelta

import lxml.html
from freezegun import freeze_time
from werkzeug.exceptions import Forbidden

from odoo.addons.http_routing.tests.common import MockRequest
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import formatLang

from ..controllers.main import RelanceDossierController
from .common import RelanceCommon

NOTICE = "account_relance_fr.action_report_relance_notice"
LETTER = "account_relance_fr.action_report_relance_letter"
STATEMENT = "account_relance_fr.action_report_relance_statement"
DOSSIER = "account_relance_fr.action_report_relance_dossier"
IBAN = "FR76 3000 6000 0112 3456 7890 189"  # as base_iban formats it
NUMBER = "1A 234 567 8901 2"
# French wording of the formal notice, from i18n/fr.po
FRENCH_NOTICE = [
    "Madame, Monsieur,",
    "Créancier",
    "Débiteur",
    "nous vous mettons en demeure",
    "Code civil",
    "Nos précédentes relances pour ces factures",
    "Total réclamé",
    "Nous vous mettons en demeure de nous régler la somme de",
    "jours à compter de la réception de la présente",
    "Par virement bancaire sur le compte IBAN",
    "une requête en <i>injonction de payer</i>",
    "la <i>saisine du tribunal</i> compétent",
]
FRENCH_INDEMNITY = "Indemnité forfaitaire pour frais de recouvrement"


class RelanceDocumentsCommon(RelanceCommon):
    """A company with its legal details, two consumers, and the helpers of the documents'
    tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.relance_letter_signature = False
        Partner = cls.env["res.partner"]
        cls.consumer = Partner.create(
            {
                "name": "Jean Dupont",
                "email": "jean.dupont@example.com",
                "lang": "en_US",
                "street": "21 rue Oberkampf",
                "zip": "75011",
                "city": "Paris",
            }
        )
        cls.consumer_fr = Partner.create(
            {
                "name": "Marie Durand",
                "email": "marie.durand@example.com",
                "lang": "fr_FR",
                "street": "5 cours Victor Hugo",
                "zip": "33000",
                "city": "Bordeaux",
            }
        )
        cls.notice_day = cls.day0 + timedelta(days=60)  # 2026-03-16

    # ------------------------------------------------------------------ helpers
    def html(self, report, records, data=None, lang="en_US"):
        """The HTML of a report; ``lang`` is the user's (the customer documents are in the
        customer's language whatever it is)."""
        report_model = self.env["ir.actions.report"].with_context(lang=lang)
        html = report_model._render_qweb_html(report, records.ids, data=data)[0].decode()
        return re.sub(r"[ \t\n]+", " ", html)

    def money(self, amount, lang="en_US"):
        """Amount as the monetary widget prints it (without the currency symbol)."""
        return formatLang(self.env(context={"lang": lang}), amount)

    def walk_ladder(self, partner, amounts=(1200.0, 300.0)):
        """Invoices due on day0 taken up the standard ladder to the formal notice; the call
        and the registered letter are performed. Returns (invoices, formal notice event)."""
        moves = self.env["account.move"].union(
            *(self.invoice(partner=partner, amount=amount) for amount in amounts)
        )
        for offset in (7, 21, 30, 45, 60):
            day = self.day0 + timedelta(days=offset)
            with freeze_time(day):
                self.run_relance(day, moves=moves)
                events = self.events_of(moves).filtered(
                    lambda e: e.state == "todo" and e.channel in ("phone", "registered_letter")
                )
                events.action_done()
        events = self.events_of(moves)
        self.assertEqual(events.level_id, self.levels)
        notice = events.filtered(lambda e: e.channel == "formal_notice")
        self.assertEqual(notice.state, "todo")
        return moves, notice

    def send_notice(self, notice, number=NUMBER):
        with freeze_time(self.notice_day):
            wizard = Form(
                self.env["account.relance.notice"].with_context(
                    active_model=notice._name, active_id=notice.id
                )
            )
            wizard.registered_number = number
            action = wizard.save().action_generate()
        return action

    def notice_for(self, partner, amounts=(1200.0, 300.0)):
        moves, notice = self.walk_ladder(partner, amounts)
        self.send_notice(notice)
        return moves, notice

    def assert_in_all(self, html, needles):
        missing = [needle for needle in needles if needle not in html]
        self.assertFalse(missing, "missing from the document")

    def assert_common_notice_items(self, html, moves, notice, lang):
        """Section 6 items that do not depend on the debtor type."""
        history = self.events_of(moves) - notice
        self.assert_in_all(
            html,
            [
                # 1. title, place and date, registered letter number
                "MISE EN DEMEURE",
                "Lettre recommandée avec accusé de réception n°",
                NUMBER,
                "Lyon",
                # 2. creditor: name, legal form, SIREN, address; debtor name and address
                "Créances Test SAS",
                "SAS",
                "123456789",
                "1 place Bellecour",
                notice.partner_id.name,
                # 3. each invoice with its amounts
                *moves.mapped("name"),
                self.money(1200.0, lang),
                self.money(300.0, lang),
                # 4. dates of the earlier reminders
                *history.level_id.with_context(lang=lang).mapped("name"),
                # 6. how to pay
                IBAN,
                # 7. consequences
                "injonction de payer",
                "petites créances",
                "commissaire de justice",
                "1405",
                "L125-1",
                # Code civil 1344
                "1344",
                # 8. signature
                notice.user_id.name,
            ],
        )
        self.assertIn(f'data-oe-lang="{lang}"', html)
        # a step named after its channel is not said twice ("Relance téléphonique
        # (Relance téléphonique)")
        for name in history.level_id.with_context(lang=lang).mapped("name"):
            self.assertNotIn(f"{name} ({name})", html)
        # paper carries no link: a portal URL with its access token is a key to the invoice
        self.assertNotIn("/my/invoices/", html)
        self.assertNotIn("access_token", html)
        for event in history:
            self.assertIn(
                self.env["ir.qweb.field.date"]
                .with_context(lang=lang)
                .value_to_html(event.date, {}),
                html,
            )
        # the principal (balance of the invoices)
        self.assertIn(self.money(1500.0, lang), html)


@tagged("post_install", "-at_install")
class TestRelanceDocuments(RelanceDocumentsCommon):
    """The letters, the formal notice (Code civil 1344), the statement and the collection file."""

    # ------------------------------------------------------------------ formal notice
    def test_notice_business_en(self):
        moves, notice = self.notice_for(self.customer)
        html = self.html(NOTICE, notice)
        self.assert_common_notice_items(html, moves, notice, "en_US")
        interest = sum(
            move.relance_compute_penalties(on_date=self.notice_day)["interest"] for move in moves
        )
        self.assertGreater(interest, 0)
        self.assert_in_all(
            html,
            [
                "FORMAL NOTICE",
                "16 March 2026",
                # debtor SIREN (business)
                "412345678",
                # 5. interest at the stated rate to date, 40 EUR x late invoices, total
                "Late-payment interest",
                "12.15",
                self.money(interest),
                "40 EUR x <span>2</span>",
                self.money(80.0),
                self.money(1500.0 + interest + 80.0),
                "L441-10",
                "D441-5",
                # 6. final deadline
                "within <span>8</span> days",
            ],
        )
        self.assertNotIn("1231-6", html)
        # in the customer's language whatever the language of the user who prints it
        html_by_fr_user = self.html(NOTICE, notice, lang="fr_FR")
        self.assert_in_all(html_by_fr_user, ["FORMAL NOTICE", "16 March 2026", 'lang="en_US"'])

    def test_notice_business_fr(self):
        moves, notice = self.notice_for(self.customer_fr)
        html = self.html(NOTICE, notice)
        self.assert_common_notice_items(html, moves, notice, "fr_FR")
        interest = sum(
            move.relance_compute_penalties(on_date=self.notice_day)["interest"] for move in moves
        )
        self.assert_in_all(
            html,
            [
                "16 mars 2026",
                self.money(interest, "fr_FR"),
                self.money(80.0, "fr_FR"),
                self.money(1500.0 + interest + 80.0, "fr_FR"),
                "L441-10",
                "D441-5",
            ],
        )
        # the title is French: no English subtitle
        self.assertNotIn("FORMAL NOTICE", html)
        # the letter itself in French (i18n/fr.po)
        self.assert_in_all(html, [*FRENCH_NOTICE, "Intérêts de retard au", FRENCH_INDEMNITY])

    def test_notice_above_the_small_claims_limit(self):
        """6,454 EUR of principal: the simplified procedure for small claims (5,000 EUR of
        principal and interest at most, CPCE L125-1 and R125-1) is not offered; the
        injonction de payer still is."""
        moves, notice = self.notice_for(self.customer_fr, amounts=(4454.0, 2000.0))
        html = self.html(NOTICE, notice)
        self.assertIn(self.money(6454.0, "fr_FR"), html)
        self.assertIn("injonction de payer", html)
        self.assertNotIn("petites créances", html)
        self.assertNotIn("L125-1", html)

    def test_notice_keeps_the_demand_and_the_close_on_one_page(self):
        """The demand (the sum, the deadline, how to pay) and the close with the signature
        are blocks that a page break never splits (wkhtmltopdf honours
        ``page-break-inside: avoid``; its PDF draws the text as shapes, unreadable to
        pdftotext)."""
        _moves, notice = self.notice_for(self.customer, amounts=(100.0,) * 4)
        html = self.env["ir.actions.report"]._render_qweb_html(NOTICE, notice.ids)[0]
        root = lxml.html.fromstring(html)
        for name, parts in (
            ("relance_demand", ("relance_deadline", "relance_payment")),
            ("relance_close", ("relance_signature",)),
        ):
            (block,) = root.xpath(f"//div[@name='{name}']")
            self.assertIn("page-break-inside: avoid", block.get("style"))
            for part in parts:
                self.assertTrue(block.xpath(f".//*[@name='{part}']"), part)

    def test_notice_consumer_en(self):
        self.assertEqual(self.consumer.relance_debtor_type, "consumer")
        moves, notice = self.notice_for(self.consumer)
        html = self.html(NOTICE, notice)
        self.assert_common_notice_items(html, moves, notice, "en_US")
        self.assert_in_all(
            html,
            [
                "FORMAL NOTICE",
                "No fee is charged to you",
                "interest at the legal rate runs on these sums from the receipt of this formal "
                "notice",
                "1231-6",
                "1344-1",
                "within <span>8</span> days",
            ],
        )
        # no recovery indemnity nor interest claimed from a consumer, no SIREN for a person
        for needle in ("40 EUR", "D441-5", "Late-payment interest"):
            self.assertNotIn(needle, html)
        self.assertEqual(html.count("SIREN"), 1)  # the creditor's only

    def test_notice_consumer_fr(self):
        moves, notice = self.notice_for(self.consumer_fr)
        html = self.html(NOTICE, notice)
        self.assert_common_notice_items(html, moves, notice, "fr_FR")
        self.assert_in_all(
            html,
            [
                "16 mars 2026",
                "1231-6",
                "1344-1",
                *FRENCH_NOTICE,
                "Aucuns frais ne vous sont facturés",
                "au taux légal à compter de la réception de la présente mise en demeure",
            ],
        )
        self.assertNotIn("Intérêts de retard", html)
        self.assertNotIn(FRENCH_INDEMNITY, html)
        for needle in ("40 EUR", "D441-5", self.money(80.0, "fr_FR")):
            self.assertNotIn(needle, html)
        self.assertEqual(html.count("SIREN"), 1)

    def test_notice_deadline_setting(self):
        self.company.relance_notice_delay = 15
        _moves, notice = self.notice_for(self.customer)
        self.assertIn("within <span>15</span> days", self.html(NOTICE, notice))

    # ------------------------------------------------------------------ wizard
    def test_wizard_records_sending_and_receipt(self):
        moves, notice = self.walk_ladder(self.customer)
        action = self.send_notice(notice)
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "account_relance_fr.report_relance_notice")
        self.assertEqual(notice.state, "done")
        self.assertEqual(notice.sent_date, self.notice_day)
        self.assertEqual(notice.registered_number, NUMBER)
        self.assertFalse(notice.activity_ids)
        # the letter is archived in the chatter of the action, the sending noted on the invoices
        message = notice.message_ids.filtered("attachment_ids")
        self.assertEqual(len(message), 1)
        self.assertIn(NUMBER, message.body)
        self.assertTrue(message.attachment_ids.name.startswith("Mise en demeure - "))
        self.assertIn(b"MISE EN DEMEURE", message.attachment_ids.raw)
        subtype = self.env.ref("account_relance_fr.mt_relance")
        for move in moves:
            self.assertTrue(
                move.message_ids.filtered(lambda m: m.subtype_id == subtype and NUMBER in m.body)
            )
        # receipt
        receipt_day = self.notice_day + timedelta(days=2)
        with freeze_time(receipt_day):
            wizard = Form(
                self.env["account.relance.notice"].with_context(
                    active_model=notice._name, active_id=notice.id, relance_notice_mode="receipt"
                )
            )
            self.assertEqual(wizard.receipt_date, receipt_day)
            wizard.save().action_record_receipt()
        self.assertEqual(notice.receipt_date, receipt_day)
        self.assertIn("18/03/2026", notice.message_ids[0].body + notice.message_ids[1].body)
        for move in moves:
            self.assertEqual(
                self.env["account.relance.claim"]._notice_receipt_date(move), receipt_day
            )
            self.assertIn("received by the customer", move.message_ids[0].body)
        # a receipt before the sending is refused
        wizard = self.env["account.relance.notice"].create(
            {
                "mode": "receipt",
                "event_id": notice.id,
                "receipt_date": self.notice_day - timedelta(days=1),
            }
        )
        with self.assertRaises(UserError):
            wizard.action_record_receipt()

    def test_wizard_from_partner(self):
        """From the customer: the action is created at the policy's formal notice level."""
        moves = self.invoice(amount=500.0) | self.invoice(amount=700.0)
        with freeze_time(self.notice_day):
            wizard = Form(
                self.env["account.relance.notice"].with_context(
                    active_model="res.partner", active_id=self.customer.id
                )
            )
            self.assertEqual(wizard.level_id, self.levels[-1])
            self.assertEqual(set(wizard.invoice_ids.ids), set(moves.ids))
            wizard.registered_number = NUMBER
            record = wizard.save()
            record.action_generate()
            event = self.events_of(moves)
            self.assertEqual(len(event), 1)
            self.assertEqual(
                (event.channel, event.state, event.sent_date, event.registered_number),
                ("formal_notice", "done", self.notice_day, NUMBER),
            )
            self.assertEqual(event.line_ids.move_id, moves)
            self.assertTrue(event.message_ids.attachment_ids)
            self.assertEqual(moves.relance_level_id, self.levels[-1])
            # twice for the same invoices: refused
            again = (
                self.env["account.relance.notice"]
                .with_context(active_model="res.partner", active_id=self.customer.id)
                .create({"invoice_ids": [(6, 0, moves.ids)]})
            )
            with self.assertRaises(UserError):
                again.action_generate()

    # ------------------------------------------------------------------ letters
    def test_letter(self):
        moves, _notice = self.walk_ladder(self.customer)
        letter = self.events_of(moves).filtered(lambda e: e.channel == "registered_letter")
        letter.write({"sent_date": self.day0 + timedelta(days=45), "registered_number": NUMBER})
        html = self.html(LETTER, letter)
        interest = sum(
            move.relance_compute_penalties(on_date=letter.sent_date)["interest"] for move in moves
        )
        self.assert_in_all(
            html,
            [
                "Registered letter with acknowledgment of receipt",
                NUMBER,
                "Lyon",
                "1 March 2026",
                *moves.mapped("name"),
                self.money(1500.0),
                # formal tone
                "we will be obliged to send you a formal notice",
                "within <span>8</span> days",
                # penalties of a business: rate and 40 EUR
                "L441-10",
                "12.15",
                "40 EUR per invoice",
                self.money(interest),
                self.money(80.0),
                IBAN,
                letter.user_id.name,
            ],
        )
        self.assertNotIn("MISE EN DEMEURE", html)
        letter.level_id.tone = "courteous"
        self.assertIn("It is surely an oversight", self.html(LETTER, letter))
        letter.level_id.mention_penalties = False
        self.assertNotIn("L441-10", self.html(LETTER, letter))

    def test_letter_consumer_and_signature(self):
        moves, _notice = self.walk_ladder(self.consumer_fr)
        letter = self.events_of(moves).filtered(lambda e: e.channel == "registered_letter")
        self.company.relance_letter_signature = "<p>Service recouvrement — Paul Martin</p>"
        html = self.html(LETTER, letter)
        self.assertIn('data-oe-lang="fr_FR"', html)
        self.assert_in_all(
            html,
            [
                "1231-6",
                "Service recouvrement — Paul Martin",
                "Lettre recommandée avec accusé de réception",
                "Madame, Monsieur,",
                "dernière relance avant mise en demeure",
                "nous vous adresserons une mise en demeure",
            ],
        )
        self.assertNotIn("40 EUR", html)
        self.assertNotIn("L441-10", html)

    # ------------------------------------------------------------------ statement
    def test_statement(self):
        """The statement lists the movements of the customer's receivable (invoices, credit
        notes, payments) from its oldest open item, with a running balance, and ages what
        it owes."""
        on_date = self.day0 + timedelta(days=40)
        late = self.invoice(amount=1000.0)  # 40 days overdue
        older = self.invoice(amount=250.0, due=self.day0 - timedelta(days=60))  # 100 days
        not_due = self.invoice(amount=400.0, due=on_date + timedelta(days=10))
        refund = self.invoice(amount=100.0, move_type="out_refund")
        payment = self._register_payment(
            late, payment_date=self.day0 + timedelta(days=10), amount=200.0
        )
        # issued after the statement date: not on it
        later = self.invoice(amount=999.0, due=on_date + timedelta(days=60))
        values = self.env["account.relance.statement"]._statement_values(self.customer, on_date)
        rows = values["rows"]
        self.assertEqual(
            [(row["line"].move_id, row["debit"], row["credit"]) for row in rows],
            [
                (older, 250.0, 0.0),
                (late, 1000.0, 0.0),
                (refund, 0.0, 100.0),
                (payment.move_id, 0.0, 200.0),
                (not_due, 400.0, 0.0),
            ],
        )
        self.assertEqual([row["balance"] for row in rows], [250.0, 1250.0, 1150.0, 950.0, 1350.0])
        self.assertEqual([row["open"] for row in rows], [250.0, 800.0, -100.0, 0.0, 400.0])
        self.assertEqual([row["days_overdue"] for row in rows], [100, 40, 0, 0, 0])
        self.assertEqual(
            [row["kind"] for row in rows],
            ["Invoice", "Invoice", "Credit note", "Payment", "Invoice"],
        )
        self.assertEqual(values["opening"], 0.0)
        self.assertEqual(
            values["buckets"],
            {"not_due": 300.0, "1_30": 0.0, "31_60": 800.0, "61_90": 0.0, "over_90": 250.0},
        )
        self.assertEqual(values["total"], 1350.0)
        self.assertEqual(values["overdue"], 1050.0)
        for data, context in (
            ({"relance_statement_date": str(on_date)}, {}),
            ({}, {"relance_statement_date": on_date}),
        ):
            html = (
                self.env["ir.actions.report"]
                .with_context(**context)
                ._render_qweb_html(STATEMENT, self.customer.ids, data=data)[0]
                .decode()
            )
            self.assert_in_all(
                html,
                [
                    "Statement of account",
                    "02/24/2026",
                    late.name,
                    older.name,
                    not_due.name,
                    refund.name,
                    payment.move_id.name,
                    "Credit note",
                    "Payment",
                    "Opening balance",
                    self.money(1350.0),
                    self.money(1050.0),  # overdue
                    "Over 90 days",
                    IBAN,
                ],
            )
            self.assertNotIn(later.name, html)
        html_fr = self.html(STATEMENT, self.customer_fr)
        self.assert_in_all(
            html_fr, ['data-oe-lang="fr_FR"', "Relevé de compte", "Non échu", "Solde d'ouverture"]
        )

    # ------------------------------------------------------------------ collection file
    def test_dossier_summary(self):
        moves, notice = self.notice_for(self.customer)
        notice.receipt_date = self.notice_day + timedelta(days=2)
        on_date = self.notice_day + timedelta(days=10)
        with freeze_time(on_date):
            html = self.html(DOSSIER, self.customer)
            claim = self.env["account.relance.letter"]._claim(moves, on_date)
        self.assert_in_all(
            html,
            [
                "Collection file",
                "Créances Test SAS",
                "123456789",
                self.customer.name,
                "412345678",
                *moves.mapped("name"),
                self.money(claim["principal"]),
                self.money(claim["interest"]),
                self.money(claim["indemnity"]),
                self.money(claim["total"]),
                # the history: every level with its channel
                *self.levels.mapped("name"),
                "Email",
                "Phone call",
                "Registered letter",
                "Formal notice",
                # the formal notice and its receipt
                NUMBER,
                "03/18/2026",
                # eligible to the simplified procedure
                "eligible for the simplified",
                "L125-1",
            ],
        )
        self.assertNotIn("1405", html)
        big = self.invoice(amount=6000.0)
        with freeze_time(on_date):
            html = self.html(DOSSIER, self.customer)
        self.assertIn(big.name, html)
        self.assert_in_all(html, ["exceeds 5,000 EUR", "injonction de payer", "1405"])

    def test_dossier_route(self):
        self.notice_for(self.customer, amounts=(1200.0,))
        endpoint = RelanceDossierController.relance_dossier.original_endpoint
        with MockRequest(self.env) as request:
            endpoint(RelanceDossierController(), self.customer.id, company_id=str(self.company.id))
            content = request.make_response.call_args.args[0]
            headers = dict(request.make_response.call_args.kwargs["headers"])
        self.assertEqual(headers["Content-Type"], "application/zip")
        self.assertIn("Dossier%20de%20recouvrement", headers["Content-Disposition"])
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        self.assertEqual(len(names), 3)
        self.assertTrue(names[0].startswith("Dossier de recouvrement - Boulangerie Test SARL."))
        # a user outside the dunning group is refused
        outsider = new_test_user(self.env, login="relance_outsider", groups="base.group_user")
        with MockRequest(self.env(user=outsider)), self.assertRaises(Forbidden):
            endpoint(RelanceDossierController(), self.customer.id)


@tagged("post_install", "-at_install")
class TestRelancePdf(RelanceDocumentsCommon, HttpCase):
    """The documents rendered by wkhtmltopdf, which loads their style sheets from the
    server: with the server of an ``HttpCase``, which serves them inside the test's
    transaction (a plain test holding its cursor would wait for its own server)."""

    def test_dossier_zip(self):
        invoice, notice = self.notice_for(self.customer, amounts=(1200.0,))
        dossier = self.env["account.relance.dossier"].with_context(force_report_rendering=True)
        filename, content = dossier._build_zip(self.customer)
        self.assertTrue(filename.startswith("Dossier de recouvrement - Boulangerie Test SARL"))
        self.assertTrue(filename.endswith(".zip"))
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        self.assertEqual(
            names,
            [
                "Dossier de recouvrement - Boulangerie Test SARL.pdf",
                f"Factures/{invoice._get_invoice_report_filename()}",
                # the notice archived by the wizard (an HTML rendering in tests) is replaced by
                # a real PDF rendering
                "Mises en demeure/Mise en demeure - Boulangerie Test SARL - 2026-03-16.pdf",
            ],
        )
        for name in names:
            self.assertTrue(archive.read(name).startswith(b"%PDF"), name)
        self.assertEqual(notice.partner_id, self.customer)

    def test_real_pdf_rendering(self):
        """One wkhtmltopdf rendering of each document."""
        moves, notice = self.notice_for(self.consumer_fr, amounts=(1200.0,))
        letter = self.events_of(moves).filtered(lambda e: e.channel == "registered_letter")
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for ref, records in (
            (NOTICE, notice),
            (LETTER, letter),
            (STATEMENT, self.consumer_fr),
            (DOSSIER, self.consumer_fr),
        ):
            content, report_type = report._render_qweb_pdf(ref, records.ids)
            self.assertEqual(report_type, "pdf", ref)
            self.assertTrue(content.startswith(b"%PDF"), ref)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.fields import Command
from odoo.tests import Form


class RelanceCommon(AccountTestInvoicingCommon):
    """A French company (fr chart) with the shipped standard ladder, two customers."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("fr")
    def setUpClass(cls):
        super().setUpClass()
        # the customers below speak English and French: both languages installed, whatever
        # the database was created with
        for code in ("en_US", "fr_FR"):
            cls.env["res.lang"]._activate_lang(code)
        cls.company = cls.env.company
        # a creditor as a formal notice names it: legal form, SIREN, address (Code civil 1344)
        cls.company.write(
            {
                "name": "Créances Test SAS",
                "street": "1 place Bellecour",
                "zip": "69002",
                "city": "Lyon",
                "company_registry": "12345678900011",
            }
        )
        cls.policy = cls.company.relance_policy_id
        cls.levels = cls.policy.level_ids.sorted("sequence")
        cls.env["res.partner.bank"].create(
            {"acc_number": "FR7630006000011234567890189", "partner_id": cls.company.partner_id.id}
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Boulangerie Test SARL",
                "is_company": True,
                "company_registry": "41234567800012",
                "email": "compta@boulangerie.example",
                "lang": "en_US",
            }
        )
        cls.customer_fr = cls.env["res.partner"].create(
            {
                "name": "Atelier Français SAS",
                "is_company": True,
                "email": "factures@atelier.example",
                "lang": "fr_FR",
            }
        )
        cls.day0 = date(2026, 1, 15)

    @classmethod
    def invoice(cls, partner=None, amount=1000.0, due=None, post=True, company=None, **kwargs):
        due = due or cls.day0
        if company:  # an invoice of another company, in its sales journal
            kwargs["company_id"] = company.id
            kwargs["journal_id"] = (
                cls.env["account.journal"]
                .search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
                .id
            )
        move = cls.env["account.move"].create(
            {
                "move_type": kwargs.pop("move_type", "out_invoice"),
                "partner_id": (partner or cls.customer).id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": False}
                    )
                ],
                **kwargs,
            }
        )
        if post:
            move.action_post()
        return move

    def run_relance(self, day, moves=None, company=None):
        company = company or self.company
        return (
            self.env["account.relance.run"]
            .with_company(company)
            ._run(companies=company, moves=moves, today=day)
        )

    def walk(self, offsets, moves=None, perform=("phone", "letter", "registered_letter")):
        """Run the nightly run ``offsets`` days after ``day0``; on each day, the steps of
        the ``perform`` channels that the run prepared are performed by a person, that day
        (the ladder waits for them)."""
        for offset in offsets:
            day = self.day0 + timedelta(days=offset)
            with freeze_time(day):
                self.run_relance(day, moves=moves)
                todo = self.env["account.relance.event"].search(
                    [("state", "=", "todo"), ("channel", "in", list(perform))]
                )
                todo.action_done()

    def events_of(self, moves):
        return self.env["account.relance.event"].search(
            [("line_ids.move_id", "in", moves.ids)], order="date, id"
        )

    def level(self, index):
        return self.levels[index]

    def submit(self, action, edit=None):
        """Submit the dialog ``action`` opens as the browser does: ``Form`` on its view,
        ``edit(form)`` to fill it, then its primary button's method, whose result is
        returned."""
        form = Form(self.env[action["res_model"]].with_context(**action.get("context", {})))
        if edit:
            edit(form)
        wizard = form.save()
        method = {"account.relance.send": "action_send"}[action["res_model"]]
        return getattr(wizard, method)()

    def drop_card(self, card, level):
        """A card dropped on ``level``'s column of the board, its dialog confirmed."""
        return self.submit(card.action_move_to_level(level.id))

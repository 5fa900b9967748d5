# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The cost, in Odoo's own mail layer, of what a nightly run must write; prints one JSON line.

    python bench/floor.py DB DATE

On a fresh copy of a template (nothing is committed: the transaction is rolled back), for
the invoices that the run of DATE would dun and their customers:

* ``notes``: one chatter note per customer (the action in its chatter) and, when the
  company notes the reminder emails on the invoices (``relance_log_invoice_emails``), one
  per invoice, through ``mail.thread._message_log_batch``, Odoo's fastest way of logging
  notes (one ``create`` per 500 records), with a one-line body;
* ``emails``: one queued ``mail.mail`` per customer, created 85 at a time (the emails of a
  batch of the run), with an already rendered body the size of a dunning email (a table of
  six invoices), i.e. without any template rendering.

Neither is our engine's code: it is the floor under any engine that leaves the same
history through the ORM. ``run_bench.py`` compares it with a tenth of the peer's time (the
``ratio >= 10`` target).
"""
import json
import os
import sys
import time

from markupsafe import Markup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ROW = Markup(
    '<tr><td><a href="https://example.com/my/invoices/{id}?access_token=0f0e8c2c-1d3b">'
    "FAC/2026/{id:05d}</a></td><td>12/06/2026</td><td>12/07/2026</td>"
    '<td style="text-align: right;">1 234,56 €</td>'
    '<td style="text-align: right;">1 234,56 €</td></tr>'
)


def email_body(customer_id):
    rows = Markup("").join(ROW.format(id=customer_id * 10 + i) for i in range(6))
    return (
        Markup("<div><p>Madame, Monsieur,</p><p>Sauf erreur de notre part, les factures "
               "ci-dessous restent impayées.</p>"
               '<table style="border-collapse: collapse; width: 100%; margin: 12px 0;" '
               'border="1" cellpadding="4"><thead><tr style="background-color: #f2f2f2;">'
               '<th style="text-align: left;">Facture</th><th style="text-align: left;">Date'
               '</th><th style="text-align: left;">Échéance</th><th style="text-align: '
               'right;">Montant</th><th style="text-align: right;">Reste dû</th></tr>'
               "</thead><tbody>")
        + rows
        + Markup("</tbody></table><p><strong>Modalités de paiement :</strong> virement "
                 "(IBAN FR76 3000 6000 0112 3456 7890 189).</p><p>Pénalités de retard "
                 "(article L441-10 du Code de commerce) et indemnité forfaitaire de 40 EUR "
                 "(article D441-5).</p><p>Cordialement,</p></div>")
    )


def main():
    db, date = sys.argv[1], sys.argv[2]
    odoo, registry = common.bootstrap(db)
    from odoo import fields
    from odoo.tools import split_every

    today = fields.Date.to_date(date)
    out = {"db": db, "date": date}
    with registry.cursor() as cr:
        env = common.env_for(odoo, cr)
        company = common.bench_company(env)
        Move = env["account.move"].with_company(company)
        moves = Move.search(env["account.relance.run"]._due_domain(today, company), order="id")
        customers = moves.commercial_partner_id
        noted = [customers]
        if company.relance_log_invoice_emails:
            noted.append(moves)
        out.update(invoices=len(moves), customers=len(customers),
                   notes=sum(len(records) for records in noted))

        t0 = time.perf_counter()
        for records in noted:
            for chunk in split_every(500, records.ids):
                env.invalidate_all()
                records.browse(chunk)._message_log_batch(
                    {rid: Markup("<p>Relance <b>Premier rappel</b> (e-mail) : e-mail envoyé."
                                 "</p>") for rid in chunk}
                )
                env.flush_all()
        out["notes_seconds"] = round(time.perf_counter() - t0, 2)

        bodies = {pid: email_body(pid) for pid in customers.ids}  # rendered before timing
        t0 = time.perf_counter()
        for chunk in split_every(85, customers.ids):
            env.invalidate_all()
            env["mail.mail"].sudo().create([
                {
                    "model": "res.partner",
                    "res_id": pid,
                    "subject": "Relance : factures en attente de règlement",
                    "email_from": company.email_formatted or "compta@example.com",
                    "reply_to": company.email_formatted or "compta@example.com",
                    "recipient_ids": [(4, pid)],
                    "body_html": bodies[pid],
                    "body": bodies[pid],
                    "auto_delete": False,
                }
                for pid in chunk
            ])
            env.flush_all()
        out["emails_seconds"] = round(time.perf_counter() - t0, 2)
        out["floor_seconds"] = round(out["notes_seconds"] + out["emails_seconds"], 2)
        cr.rollback()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Cost of the invoice PDFs the second reminder attaches: python bench/pdf_probe.py DB DATE [N]

On a database where the first night ran (level 1 done on DATE), counts the invoices that
reach the second level (``attach_invoices``) 14 days later, and times
``account.move._relance_invoice_pdfs()`` on N of them (rolled back). Prints one JSON line
with the seconds per invoice and the extrapolated time of that night's PDFs.
"""
import json
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    db, day = sys.argv[1:3]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    odoo, registry = common.bootstrap(db)
    from odoo import fields

    today = fields.Date.to_date(day) + timedelta(days=14)
    with registry.cursor() as cr:
        env = common.env_for(odoo, cr)
        company = common.bench_company(env)
        env = common.env_for(odoo, cr, company.id)
        Move = env["account.move"]
        moves = Move.search(Move._relance_chase_domain(today, company))
        targets = moves._relance_next_levels(today)
        attach = [m for m, level in targets.items() if level.attach_invoices]
        sample = Move.union(*attach[:n]).filtered(lambda m: not m.invoice_pdf_report_id)
        start = time.perf_counter()
        sample._relance_invoice_pdfs()
        seconds = time.perf_counter() - start
        cr.rollback()
    per = seconds / len(sample) if sample else 0.0
    print(json.dumps({
        "night": str(today), "invoices_reaching_a_pdf_level": len(attach),
        "sample": len(sample), "seconds": round(seconds, 2),
        "seconds_per_invoice": round(per, 3),
        "extrapolated_pdf_seconds": round(per * len(attach), 0),
    }))


if __name__ == "__main__":
    main()

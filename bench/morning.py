# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a credit controller opens every morning, timed on the server; prints one JSON line.

    python bench/morning.py DB

On a database where the night ran, as the administrator of the bench company (record rules
applied): each screen is the model method the web client calls to show it, with the fields
of the shipped views (read from the views, their lists of one2many fields included):

* ``board_kanban``: the dunning board grouped by level, with the default filter (overdue),
  the cards of every column read (``web_read_group`` with ``unfold_read_specification``);
* ``board_list``: the board as a list, 80 customers (``web_search_read``);
* ``aging_pivot``: the aged balance, by level (``formatted_read_group`` of the measures);
* ``today_list``: the morning's list "To do today", whom to call first (80 customers);
* ``forecast_pivot``: the receivables forecast, the next 13 weeks by week and dunning step
  (``formatted_read_group`` over the expected payment dates);
* ``customer_tab``: the customer form, its Relances tab included, of the customer with the
  most open invoices (``web_read``);
* ``invoice_form``: the form of an open invoice that the night dunned (``web_read``).

Each screen is called once to warm the caches, as a server has them in the morning, then
three times, in a new transaction each: the median wall time and the queries of one call.
"""
import json
import os
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ROUNDS = 3


def specification(env, model, arch):
    """The ``web_read`` specification of the fields of ``arch`` (an lxml view node) of
    ``model``, as the web client builds it: a relational field reads its display name, an
    x2many the fields of its inner list."""
    spec = {}
    fields = env[model]._fields
    for node in arch.iter("field"):
        if any(parent.tag == "field" for parent in node.iterancestors()):
            continue  # a field of an x2many's inner view
        name = node.get("name")
        field = fields.get(name)
        if field is None:
            continue
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            inner = next(iter(node.iterchildren("list", "kanban")), None)
            sub = specification(env, field.comodel_name, inner) if inner is not None else {}
            spec[name] = {"fields": sub or {"display_name": {}}, "limit": 40}
        else:
            spec[name] = {}
    return spec


def view_arch(env, model, view_type, xmlid=None):
    from lxml import etree

    view_id = env.ref(xmlid).id if xmlid else False
    arch = env[model].get_view(view_id, view_type)["arch"]
    return etree.fromstring(arch)


def screens(env):
    """name -> (function of an environment, what it reads)."""
    Board = "account.relance.board"
    company = env.company
    domain = [("amount_overdue", ">", 0)]
    kanban = specification(env, Board, view_arch(env, Board, "kanban"))
    lst = specification(env, Board, view_arch(env, Board, "list"))
    pivot_fields = [
        node.get("name")
        for node in view_arch(env, Board, "pivot").iter("field")
        if node.get("type") == "measure"
    ]
    # the customer with the most open invoices, and an invoice the night dunned
    Move = env["account.move"]
    rows = Move._read_group(
        Move._relance_base_domain() + [("company_id", "=", company.id)],
        ["commercial_partner_id"],
        ["__count"],
        order="__count desc",
        limit=1,
    )
    partner = rows[0][0]
    invoice = Move.search(
        Move._relance_base_domain()
        + [("company_id", "=", company.id), ("relance_level_id", "!=", False)],
        limit=1,
        order="relance_last_date desc, id",
    )
    partner_form = specification(env, "res.partner", view_arch(env, "res.partner", "form"))
    # the filters the two screens open with (their actions' defaults)
    from odoo import fields  # noqa: PLC0415 - importable once Odoo is bootstrapped

    today = fields.Date.context_today(env["account.move"])
    today_domain = [
        ("amount_overdue", ">", 0),
        "|",
        "|",
        ("next_date", "<=", today),
        ("promise_due", "=", True),
        ("plan_missed", "=", True),
    ]
    monday = today - timedelta(days=today.weekday())
    forecast_domain = [
        "|",
        ("expected_date", "=", False),
        ("expected_date", "<", monday + timedelta(weeks=13)),
    ]
    invoice_form = specification(
        env, "account.move", view_arch(env, "account.move", "form", "account.view_move_form")
    )
    return {
        "board_kanban": lambda e: e[Board].web_read_group(
            domain,
            ["level_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification=kanban,
            unfold_read_default_limit=40,
        ),
        "board_list": lambda e: e[Board].web_search_read(
            domain, lst, limit=80, count_limit=10001
        ),
        "aging_pivot": lambda e: e[Board].formatted_read_group(
            domain, ["level_id"], [f"{name}:sum" for name in pivot_fields]
        ),
        "today_list": lambda e: e[Board].web_search_read(
            today_domain, lst, limit=80, count_limit=10001
        ),
        "forecast_pivot": lambda e: e["account.relance.inflow"].formatted_read_group(
            forecast_domain, ["expected_date:week", "level_id"], ["amount:sum"]
        ),
        "customer_tab": lambda e: e["res.partner"].browse(partner.id).web_read(partner_form),
        "invoice_form": lambda e: e["account.move"].browse(invoice.id).web_read(invoice_form),
    }, {"customer_open_invoices": rows[0][1], "invoice": invoice.name}


def main():
    db = sys.argv[1]
    odoo, registry = common.bootstrap(db)
    with registry.cursor() as cr:
        root = common.env_for(odoo, cr)
        # the bench company, or the company of the demo data elsewhere
        company = common.bench_company(root) or root["res.company"].search(
            [("name", "ilike", os.environ.get("MORNING_COMPANY", "FR"))], limit=1
        )
        admin = root.ref("base.user_admin")
        admin.write({"company_ids": [(4, company.id)]})
        cr.commit()
    context = {"allowed_company_ids": [company.id], "lang": "fr_FR", "tz": "Europe/Paris"}
    out = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, admin.id, context)
        calls, facts = screens(env)
        out["facts"] = facts
    for name, call in calls.items():
        seconds, queries = [], []
        for round_ in range(ROUNDS + 1):
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, admin.id, context)
                q0, t0 = common.sql_count(), time.perf_counter()
                call(env)
                elapsed, count = time.perf_counter() - t0, common.sql_count() - q0
                cr.rollback()
            if round_:  # the first call warms the caches
                seconds.append(elapsed)
                queries.append(count)
        out[name] = {"seconds": round(statistics.median(seconds), 3), "queries": queries[-1]}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

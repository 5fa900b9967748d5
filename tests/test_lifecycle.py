# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Install on a database with history, upgrade from the previous version, uninstall.

Each step runs a real Odoo process on a throwaway database of its own."""

import ast
import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ODOO = ROOT / "tools" / "odoo.sh"


def odoo(*args, stdin=None, timeout=600):
    env = dict(os.environ)
    env.setdefault("ODOO_DATA_DIR", str(ROOT / "var" / "lifecycle"))
    result = subprocess.run(
        ["bash", str(ODOO), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def shell(db, code):
    """Run ``code`` in an Odoo shell; it prints one JSON line prefixed with RESULT."""
    out = odoo("shell", "-d", db, "--no-http", "--log-level=warn", stdin=code)
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


@pytest.fixture(scope="module")
def database():
    name = f"relance_life_{uuid.uuid4().hex[:8]}"
    env = dict(os.environ)
    if not env.get("PGUSER") and os.geteuid() == 0:
        env["PGUSER"] = "root"
    odoo(
        "-d",
        name,
        "-i",
        "account,l10n_fr_account",
        "--without-demo",
        "--load-language=fr_FR,en_US",
        "--stop-after-init",
        "--log-level=warn",
    )
    yield name
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=False)


HISTORY = r"""
import json
from datetime import date, timedelta
from odoo.fields import Command
company = env["res.company"].create({"name": "Historique SAS", "country_id": env.ref("base.fr").id,
                                     "currency_id": env.ref("base.EUR").id})
env["account.chart.template"].try_loading("fr", company, install_demo=False)
env = env(context={"allowed_company_ids": company.ids})
today = date.today()
partner = env["res.partner"].create({"name": "Client historique", "email": "h@example.com",
                                     "is_company": True})
ages = [400, 100, 50, 25, 10, 3]
moves = env["account.move"].create([{
    "move_type": "out_invoice", "company_id": company.id, "partner_id": partner.id,
    "invoice_date": today - timedelta(days=age + 30),
    "invoice_date_due": today - timedelta(days=age),
    "invoice_line_ids": [Command.create({"name": "x", "quantity": 1, "price_unit": 100.0,
                                         "tax_ids": False})],
} for age in ages])
moves.action_post()
messages = env["mail.message"].search_count([("model", "=", "account.move"),
                                             ("res_id", "in", moves.ids)])
env.cr.commit()
print("RESULT " + json.dumps({"moves": moves.ids, "messages": messages, "company": company.id}))
"""

AFTER_INSTALL = r"""
import json
moves = env["account.move"].browse(%(moves)s)
print("RESULT " + json.dumps({
    "levels": [m.relance_level_id.delay if m.relance_level_id else None for m in moves],
    "initialized": moves.mapped("relance_initialized"),
    "events": env["account.relance.event"].search_count([]),
    "mails": env["mail.mail"].search_count([("model", "=", "account.relance.event")]),
    "policies": env["account.relance.policy"].search_count(
        [("company_id", "=", %(company)s)]),
    "notes": sum(1 for m in moves
                 if any("installed" in (b or "") for b in m.message_ids.mapped("body"))),
}))
"""


def test_install_upgrade_uninstall(database):
    history = shell(database, HISTORY)
    # 1. install on years of invoices: placed from their age, nothing sent retroactively
    odoo("-d", database, "-i", "account_relance_fr", "--stop-after-init", "--log-level=warn")
    state = shell(database, AFTER_INSTALL % history)
    # standard ladder: 7, 21, 30, 45, 60 days -> 400 and 100 days at 60, 50 at 45, 25 at 21,
    # 10 at 7, 3 days not reached
    assert state["levels"] == [60, 60, 45, 21, 7, None]
    assert state["initialized"] == [True, True, True, True, True, False]
    assert state["events"] == 0 and state["mails"] == 0
    assert state["policies"] == 2
    assert state["notes"] == 5

    # the next nightly run goes on at the ladder's pace: only the 3-day-old invoice's first
    # reminder once it is due, nothing for the others today
    run = shell(
        database,
        r"""
import json
env.ref("account_relance_fr.ir_cron_relance").method_direct_trigger()
env.cr.commit()
print("RESULT " + json.dumps({"events": env["account.relance.event"].search_count([])}))
""",
    )
    assert run["events"] == 0

    # 2. upgrade from 19.0.1.0.0: the event lines' stored columns are created and filled by
    # the migration script before the ORM sees them; the obsolete state column is dropped
    shell(
        database,
        r"""
import json
from datetime import date, timedelta
from odoo.fields import Command
moves = env["account.move"].browse(%(moves)s)
company = env["res.company"].browse(%(company)s)
env = env(context={"allowed_company_ids": company.ids})
moves[-1].with_env(env).action_relance_send()
wizard = env["account.relance.send"].with_context(
    default_invoice_ids=[(6, 0, moves[-1].ids)]).create({})
# the customer's next step is past the emails (its older invoices reached the formal
# notice): the first reminder, chosen by hand, claims the newest invoice alone
wizard.level_id = env["account.relance.level"].search(
    [("policy_id", "=", wizard.policy_id.id), ("channel", "=", "email")], limit=1)
assert wizard.claim_ids == moves[-1], wizard.claim_ids
wizard.action_send()
env.flush_all()
env.cr.execute("ALTER TABLE account_relance_event_line DROP COLUMN channel, "
               "DROP COLUMN partner_id")
# and the copy of the action's state that 19.0.1.1.0 to 19.0.1.2.3 stored on the lines
env.cr.execute("ALTER TABLE account_relance_event_line ADD COLUMN state varchar")
# the scheduled actions of the versions before 19.0.1.4.0, one of them given an argument
move_model = env.ref("account.model_account_move").id
env.ref("account_relance_fr.ir_cron_relance").write(
    {"model_id": move_model, "code": "model._cron_relance(batch_size=250)"})
env.ref("account_relance_fr.ir_cron_relance_helper").write(
    {"model_id": move_model, "code": "model._cron_relance_helper()"})
# the reminder templates of the versions before 19.0.1.5.0: one as shipped, one edited
shipped = env.ref("account_relance_fr.mail_template_relance_standard_1")
env.cr.execute(
    "UPDATE mail_template SET subject = %%s, email_layout_xmlid = 'mail.mail_notification_light'"
    " WHERE id = %%s",
    [json.dumps({"en_US": "{{ object.company_id.name }}: reminder of invoice(s) awaiting payment",
                 "fr_FR": "{{ object.company_id.name }} : rappel de facture(s)"}), shipped.id])
edited = env.ref("account_relance_fr.mail_template_relance_standard_2")
env.cr.execute("UPDATE mail_template SET subject = %%s WHERE id = %%s",
               [json.dumps({"en_US": "Our own subject", "fr_FR": "Notre objet"}), edited.id])
# an invoice in two instalments, the first 40 days overdue, the second due in 20 days, as
# the versions before 19.0.1.6.0 saw it: not overdue (Odoo's due date is the last one)
term = env["account.payment.term"].create({"name": "50/50", "line_ids": [
    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
    Command.create({"value": "percent", "value_amount": 50, "nb_days": 90})]})
instalments = env["account.move"].create({
    "move_type": "out_invoice", "company_id": company.id,
    "partner_id": env["res.partner"].create({"name": "Client en deux fois"}).id,
    "invoice_date": date.today() - timedelta(days=70), "invoice_payment_term_id": term.id,
    "invoice_line_ids": [Command.create({"name": "x", "quantity": 1, "price_unit": 100.0,
                                         "tax_ids": False})]})
instalments.action_post()
env.flush_all()
env.cr.execute("UPDATE account_move SET relance_due_date = invoice_date_due, "
               "relance_level_id = NULL, relance_next_date = NULL WHERE id = %%s",
               [instalments.id])
env.cr.execute("DELETE FROM ir_config_parameter WHERE key = 'relance.test.instalments'")
env["ir.config_parameter"].set_param("relance.test.instalments", instalments.id)
# a French word of the board as the versions before 19.0.1.5.0 translated it
board = env.ref("account_relance_fr.account_relance_board_view_kanban")
env.cr.execute("UPDATE ir_ui_view SET arch_db = jsonb_set(arch_db, '{fr_FR}', "
               "to_jsonb(replace(arch_db->>'fr_FR', '> ouvertes<', '> ouverte(s)<'))) "
               "WHERE id = %%s RETURNING arch_db->>'fr_FR' LIKE '%%%%ouverte(s)%%%%'", [board.id])
assert env.cr.fetchone()[0]
env.cr.execute("UPDATE ir_module_module SET latest_version = '19.0.1.0.0' "
               "WHERE name = 'account_relance_fr'")
env.cr.commit()
print("RESULT {}")
"""
        % history,
    )
    odoo("-d", database, "-u", "account_relance_fr", "--stop-after-init", "--log-level=warn")
    upgraded = shell(
        database,
        r"""
import json
from datetime import date, timedelta
lines = env["account.relance.event.line"].search([])
instalments = env["account.move"].browse(
    int(env["ir.config_parameter"].get_param("relance.test.instalments")))
placed = [str(instalments.relance_due_date), instalments.relance_level_id.delay,
          instalments.relance_initialized, bool(instalments.relance_event_line_ids),
          str(instalments.relance_next_date) if instalments.relance_next_date else None,
          str(date.today() - timedelta(days=40))]
env.cr.execute("SELECT latest_version FROM ir_module_module WHERE name = 'account_relance_fr'")
version = env.cr.fetchone()[0]
env.cr.execute("SELECT count(*) FROM information_schema.columns"
               " WHERE table_name = 'account_relance_event_line' AND column_name = 'state'")
state_column = env.cr.fetchone()[0]
company = env["res.company"].browse(%(company)s)
crons = [env.ref("account_relance_fr." + xmlid) for xmlid in ("ir_cron_relance",
                                                              "ir_cron_relance_helper")]
crons[0].method_direct_trigger()
shipped = env.ref("account_relance_fr.mail_template_relance_standard_1")
board = env.ref("account_relance_fr.account_relance_board_view_kanban")
print("RESULT " + json.dumps({
    "placed": placed,
    "board_fr": board.with_context(lang="fr_FR").arch_db,
    "shipped": [shipped.subject, shipped.with_context(lang="fr_FR").subject,
                shipped.email_layout_xmlid],
    "edited": [env.ref("account_relance_fr.mail_template_relance_standard_2")
               .with_context(lang=lang).subject for lang in ("en_US", "fr_FR")],
    "crons": [(cron.model_id.model, cron.code.strip()) for cron in crons],
    "notes_kept": company.relance_log_invoice_emails,
    "notes_other_company": env["res.company"].search([("id", "!=", company.id)], limit=1)
                           .relance_log_invoice_emails,
    "version": version,
    "lines": [(l.state, l.channel, l.partner_id.id == l.event_id.partner_id.id) for l in lines],
    "state_column": state_column,
}))
"""
        % history,
    )
    manifest = ast.literal_eval((ROOT / "account_relance_fr" / "__manifest__.py").read_text())
    assert upgraded["version"] == manifest["version"]
    assert upgraded["lines"] == [["done", "email", True]]
    # the shipped template brought up to date, in French too; the edited one kept
    assert "_relance_invoice_refs" in upgraded["shipped"][0]
    assert "Rappel" in upgraded["shipped"][1] and "invoice(s)" not in upgraded["shipped"][1]
    assert upgraded["shipped"][2] == "account_relance_fr.mail_layout_relance"
    assert upgraded["edited"] == ["Our own subject", "Notre objet"]
    # the invoice in instalments counts from its first one, placed on the level its 40 days
    # reached (30 days: the call), sending nothing; its next step is scheduled
    due, level, initialized, dunned, next_date, first_due = upgraded["placed"]
    assert (due, level, initialized, dunned) == (first_due, 30, True, False)
    assert next_date is not None
    # the French words of the views loaded again over the old ones
    assert "ouverte(s)" not in upgraded["board_fr"] and "ouvertes" in upgraded["board_fr"]
    # the scheduled actions moved to the run's model, their argument kept
    assert upgraded["crons"] == [
        ["account.relance.run", "model._cron_nightly(batch_size=250)"],
        ["account.relance.run", "model._cron_helper()"],
    ]
    assert upgraded["state_column"] == 0, "read from the action since 19.0.1.2.4"
    # it sent a reminder email: its invoices keep noting them; the other company sent none
    assert upgraded["notes_kept"] is True
    assert upgraded["notes_other_company"] is False

    # 3. uninstall: invoices, payments and chatter stay
    shell(
        database,
        r"""
import json
env["ir.module.module"].search([("name", "=", "account_relance_fr")]).button_immediate_uninstall()
print("RESULT {}")
""",
    )
    after = shell(
        database,
        r"""
import json
moves = env["account.move"].browse(%(moves)s).exists()
env.cr.execute("SELECT to_regclass('account_relance_event')")
table = env.cr.fetchone()[0]
print("RESULT " + json.dumps({
    "moves": len(moves),
    "posted": moves.mapped("state"),
    "messages": env["mail.message"].search_count([("model", "=", "account.move"),
                                                  ("res_id", "in", moves.ids)]),
    "table": table,
    "field": "relance_level_id" in env["account.move"]._fields,
}))
"""
        % history,
    )
    assert after["moves"] == len(history["moves"])
    assert set(after["posted"]) == {"posted"}
    assert after["messages"] >= history["messages"]
    assert after["table"] is None
    assert after["field"] is False

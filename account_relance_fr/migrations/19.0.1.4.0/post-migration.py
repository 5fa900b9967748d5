# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The scheduled actions of the dunning call the run's model (``account.relance.run``).

They are ``noupdate``: the nightly run, its helper and the copies of the helper an
administrator made for more cron threads are moved to the run's model and its methods here,
keeping their schedule, their user and any argument they were given."""

from odoo import SUPERUSER_ID, api

RENAMED = (
    ("model._cron_relance_helper(", "model._cron_helper("),
    ("model._cron_relance(", "model._cron_nightly("),
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    run_model = env["ir.model"]._get("account.relance.run")
    crons = env["ir.cron"].search(
        [("model_id.model", "=", "account.move"), ("code", "like", "model._cron_relance")]
    )
    for cron in crons:
        code = cron.code
        for old, new in RENAMED:
            code = code.replace(old, new)
        cron.write({"model_id": run_model.id, "code": code})

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Runtime patches of the engine, applied in a measured process only (``measure.py
--whatif NAME[,NAME]``), to measure what a proposed change of the addon would gain before
the change is made. The addon itself is never modified by the bench.

The three patches below were measured at the small scale (12,280 -> 1,272 queries, about 3x
faster) and then adopted in the addon (commit 4c5efb2: ``_relance_write``,
``_relance_ensure_tokens``; since 19.0.1.2.1 the addon sets the tokens in one statement, as
``tokens`` does); on the current addon they change nothing and are kept to measure the next
proposals the same way.

* ``notrack``: the level written on the invoices by ``_relance_create_level`` without field
  tracking (``mail_notrack``): the event's note already tells the level in each invoice's
  chatter, the tracking message per invoice is a second message created one by one.
* ``nosync``: the same write of the dunning fields (``relance_level_id``,
  ``relance_last_date``) without the invoice synchronisation and balance check of
  ``account.move.write`` (``skip_invoice_sync``, ``check_move_validity=False``): these
  fields touch no journal item, yet ``write`` resyncs the dynamic lines of all 500 invoices
  of the batch.
* ``tokens``: the invoices' portal tokens (``access_token``) assigned in one statement
  before the templates render ``get_portal_url()``; otherwise ``_portal_ensure_token``
  writes each invoice separately (a full ``account.move.write``: dynamic lines sync,
  balance check, tracking) from inside the QWeb rendering.
"""
import uuid


def apply(names):
    from odoo.addons.account_relance_fr.models.account_relance_event import (
        AccountRelanceEvent,
    )

    names = {n for n in names.split(",") if n}
    apply_upper_bounds(names)
    ctx = {}
    if "notrack" in names:
        ctx["mail_notrack"] = True
    if "nosync" in names:
        ctx.update(skip_invoice_sync=True, check_move_validity=False)
    if ctx:
        original = AccountRelanceEvent._relance_create_level

        def _relance_create_level(self, level, groups, today, manual_values=None):
            return original(self.with_context(**ctx), level, groups, today, manual_values)

        # mail_notrack in the context also covers the events' creation (no tracking of
        # their initial state), which is what the change would do as well.
        AccountRelanceEvent._relance_create_level = _relance_create_level
    if "tokens" in names:
        original_send = AccountRelanceEvent._relance_send_template

        def _relance_send_template(self, template):
            ensure_tokens(self.line_ids.move_id)
            return original_send(self, template)

        AccountRelanceEvent._relance_send_template = _relance_send_template


def ensure_tokens(moves):
    """Give the invoices without a portal token one, in a single UPDATE (the column has no
    dependent stored field)."""
    from psycopg2.extras import execute_values

    missing = moves.sudo().filtered(lambda m: not m.access_token)
    if not missing:
        return
    missing.flush_recordset(["access_token"])
    execute_values(
        missing.env.cr._obj,
        "UPDATE account_move SET access_token = v.token FROM (VALUES %s) AS v(id, token)"
        " WHERE account_move.id = v.id",
        [(move.id, str(uuid.uuid4())) for move in missing],
    )
    missing.invalidate_recordset(["access_token"])


def apply_upper_bounds(names):
    """``nochatter``: no note in the invoices' chatter; ``nosend``: no email rendered.
    Not proposals: they tell how much of the run each part costs."""
    from odoo.addons.account_relance_fr.models.account_move import AccountMove
    from odoo.addons.account_relance_fr.models.account_relance_event import (
        AccountRelanceEvent,
    )

    if "nochatter" in names:
        original_log = AccountMove._relance_log

        def _relance_log(self, records, bodies):
            if records._name == "account.move":
                return self.env["mail.message"]
            return original_log(self, records, bodies)

        AccountMove._relance_log = _relance_log
    if "nosend" in names:
        AccountRelanceEvent._relance_send_template = lambda self, template: None

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

# The lifecycle statuses of an electronic invoice in the French reform (generalised
# e-invoicing from September 2026, norm XP Z12-012): the code the platforms exchange and
# its name. Déposée, Rejetée, Refusée and Encaissée are mandatory; the others optional.
EINVOICE_STATUSES = [
    ("200", "Déposée (filed)"),
    ("201", "Émise par la plateforme (issued)"),
    ("202", "Reçue par la plateforme (received)"),
    ("203", "Mise à disposition (made available)"),
    ("204", "Prise en charge (taken in charge)"),
    ("205", "Approuvée (approved)"),
    ("206", "Approuvée partiellement (partly approved)"),
    ("207", "En litige (disputed)"),
    ("208", "Suspendue (suspended)"),
    ("209", "Complétée (completed)"),
    ("210", "Refusée (refused)"),
    ("211", "Paiement transmis (payment sent)"),
    ("212", "Encaissée (cashed)"),
    ("213", "Rejetée (rejected)"),
]
# the invoice must be corrected or credited: the dunning stops
STOP = {"210", "213"}
# the customer contests or suspends it: the dunning pauses, with the reason
PAUSE = {"207", "208"}
PAYMENT_SENT = "211"
APPROVED = {"205", "206"}
CASHED = "212"


class AccountRelanceEinvoiceStatus(models.Model):
    """One lifecycle status of a customer invoice on the e-invoicing platform, as it came:
    set by a person, imported from the platform's status messages or written by another
    module (``account.move._relance_set_einvoice_status``). The invoice shows the latest;
    the history stays.

    Their effect on the dunning: Refusée and Rejetée stop it (the invoice is wrong: it must
    be corrected or credited, not chased), En litige and Suspendue pause it with their
    reason, a later status (Complétée, Approuvée...) resumes it; Paiement transmis pauses it
    a few days, as a promise to pay; Approuvée is said on the reminders. A paid invoice that
    went through the platform must be declared Encaissée: it is listed until it is."""

    _name = "account.relance.einvoice.status"
    _description = "E-invoicing lifecycle status"
    _order = "date desc, id desc"

    move_id = fields.Many2one(
        "account.move", "Invoice", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    code = fields.Selection(EINVOICE_STATUSES, "Status", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Char()
    source = fields.Selection(
        [("user", "Set by a user"), ("import", "Imported"), ("module", "Another module")],
        required=True,
        default="user",
    )
    user_id = fields.Many2one("res.users", "By", default=lambda self: self.env.user)

    @api.model
    def _record(self, moves, code, date=None, reason=None, source="module"):
        """Record the status ``code`` of ``moves`` and apply it to their dunning. The
        documented entry point is ``account.move._relance_set_einvoice_status``."""
        date = date or fields.Date.context_today(self)
        self.create(
            [
                {
                    "move_id": move.id,
                    "code": code,
                    "date": date,
                    "reason": reason or False,
                    "source": source,
                }
                for move in moves
            ]
        )
        # the latest by date: an older status imported late does not override it
        latest = moves.filtered(
            lambda m: not m.relance_einvoice_date or m.relance_einvoice_date <= date
        )
        models.Model.write(latest, {"relance_einvoice_status": code, "relance_einvoice_date": date})
        self._apply(latest, code, date, reason)

    @api.model
    def _apply(self, moves, code, date, reason):
        labels = dict(EINVOICE_STATUSES)
        label = labels[code].split(" (")[0]
        note = f"{label}: {reason}" if reason else label
        if code in STOP | PAUSE:
            if code in STOP:
                text = self.env._(
                    "E-invoice %(status)s: the dunning stops; correct or credit the invoice.",
                    status=note,
                )
            else:
                text = self.env._("E-invoice %(status)s: the dunning is paused.", status=note)
            body = Markup("<p>%s</p>") % text
            targets = moves.filtered(lambda m: m.relance_hold in (False, "promise", "einvoice"))
            self.env["account.relance.pause"]._system_hold(targets, "einvoice", note, body)
            return
        held = moves.filtered(lambda m: m.relance_hold == "einvoice")
        if held:
            body = Markup("<p>%s</p>") % self.env._(
                "E-invoice %(status)s: the dunning resumes.", status=note
            )
            self.env["account.relance.pause"]._system_release(held, "einvoice", body)
        if code == PAYMENT_SENT:
            for move in moves.filtered(
                lambda m: m.payment_state in ("not_paid", "partial") and not m.relance_hold
            ):
                move.action_relance_set_hold(
                    "promise",
                    note=label,
                    promise_date=date
                    + timedelta(days=move.company_id.relance_einvoice_payment_days),
                    promise_amount=move.amount_residual,
                )

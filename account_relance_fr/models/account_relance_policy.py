# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import ladder
from ..lib.ladder import LevelSpec


class AccountRelancePolicy(models.Model):
    _name = "account.relance.policy"
    _description = "Dunning policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    level_ids = fields.One2many("account.relance.level", "policy_id", string="Levels")
    level_count = fields.Integer(compute="_compute_level_count")
    note = fields.Html(translate=True)
    end_mode = fields.Selection(
        [
            (ladder.END_REPEAT, "Repeat a step until paid"),
            (ladder.END_HANDOFF, "Propose to hand the file to a collector"),
            (ladder.END_INJUNCTION, "Propose an injunction to pay"),
        ],
        "After the last step",
        default=ladder.END_REPEAT,
        required=True,
        help="Nothing silently ends: after its last step, a customer still owing is reminded "
        "again every so many days, or its responsible is asked to hand the file to a collector "
        "or to prepare an injunction to pay (injonction de payer).",
    )
    repeat_level_id = fields.Many2one(
        "account.relance.level",
        "Step repeated",
        domain="[('policy_id', '=', id)]",
        help="Empty: the last email step of the ladder.",
    )
    repeat_days = fields.Integer("Every (days)", default=14)

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    def write(self, vals):
        result = super().write(vals)
        if {"end_mode", "repeat_level_id", "repeat_days"} & set(vals):
            # the next step of the customers on the last step follows the new ending
            self.env["account.move"]._relance_recompute_next(self.company_id)
        return result

    def _ending(self):
        """What the ladder does after its last step, as plain values for ``lib.ladder``."""
        self.ensure_one()
        level = (
            self.repeat_level_id
            or self.level_ids.filtered(lambda lv: lv.channel == "email").sorted(
                lambda lv: (lv.sequence, lv.id)
            )[-1:]
        )
        return ladder.Ending(self.end_mode, level_id=level.id or None, every_days=self.repeat_days)

    def _level_specs(self):
        """The ladder as plain values for :mod:`..lib.ladder`, ordered."""
        self.ensure_one()
        return [
            LevelSpec(
                id=level.id,
                sequence=level.sequence,
                delay=level.delay,
                min_amount=level.min_amount,
            )
            for level in self.level_ids.sorted(lambda lv: (lv.sequence, lv.id))
        ]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.env["account.move"].sudo().search_count(
            [("relance_level_id.policy_id", "in", self.ids)], limit=1
        ) or self.env["account.relance.event"].sudo().with_context(active_test=False).search_count(
            [("policy_id", "in", self.ids)], limit=1
        )
        if used:
            raise UserError(
                self.env._(
                    "This dunning policy has been used for invoices: archive it instead "
                    "of deleting it, so that the dunning history stays complete."
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if not self.env.context.get("relance_keep_name"):
            for policy, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%s (copy)", policy.name)
        return vals_list

    def copy(self, default=None):
        """Copy the ladder too; each level is copied with its translations."""
        new_policies = super().copy(default=default)
        for old, new in zip(self, new_policies, strict=True):
            old.level_ids.copy({"policy_id": new.id})
        return new_policies

    # ------------------------------------------------------------------ an invoice's ladder
    @api.model
    def _ladder_of(self, move, cache):
        """The active ladder (``LevelSpec`` list) of the customer of the invoice ``move`` in
        its company, kept in ``cache`` so that a batch resolves each customer's policy
        once."""
        key = (move.commercial_partner_id.id, move.company_id.id)
        if key not in cache:
            policy = move.commercial_partner_id._relance_policy(move.company_id)
            # most customers follow their company's policy: its ladder is read once
            policy_key = ("policy", policy.id)
            if policy_key not in cache:
                cache[policy_key] = policy._level_specs() if policy else []
            cache[key] = cache[policy_key]
        return cache[key]

    @api.model
    def _ending_of(self, move, cache):
        """What the ladder of the customer of the invoice ``move`` does after its last step
        (``lib.ladder.Ending``), kept in ``cache`` as ``_ladder_of`` keeps the ladder."""
        key = ("ending", move.commercial_partner_id.id, move.company_id.id)
        if key not in cache:
            policy = move.commercial_partner_id._relance_policy(move.company_id)
            policy_key = ("ending", "policy", policy.id)
            if policy_key not in cache:
                cache[policy_key] = policy._ending() if policy else None
            cache[key] = cache[policy_key]
        return cache[key]

    @api.model
    def _position(self, move, specs):
        """The position of the invoice ``move`` on the active ladder ``specs``: its level,
        or, when that level was archived or belongs to another policy, the last active step
        at or before its sequence (so that no step is performed again)."""
        current = move.relance_level_id
        if not current:
            return None
        if any(spec.id == current.id for spec in specs):
            return current.id
        before = [
            spec for spec in specs if (spec.sequence, spec.id) <= (current.sequence, current.id)
        ]
        return before[-1].id if before else None

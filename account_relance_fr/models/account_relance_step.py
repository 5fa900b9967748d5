# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from markupsafe import Markup

from odoo import api, models

_logger = logging.getLogger(__name__)

# activity type of each channel when the level names none
CHANNEL_ACTIVITY = {
    "email": "account_relance_fr.mail_act_relance_validate",
    "letter": "account_relance_fr.mail_act_relance_letter",
    "registered_letter": "account_relance_fr.mail_act_relance_registered",
    "phone": "account_relance_fr.mail_act_relance_call",
    "formal_notice": "account_relance_fr.mail_act_relance_notice",
}


class AccountRelanceStep(models.AbstractModel):
    """Performing a dunning step for invoices, whoever performs it: the nightly run, or a
    person from the board, the send dialog or the formal-notice dialog. One action per
    company, customer and currency, its lines, the invoices moved to the step, the action's
    email or activity, the notes in the chatter, and one notification per responsible. No
    table: methods over invoices and actions."""

    _name = "account.relance.step"
    _description = "Dunning step"

    @api.model
    def _place(self, level, moves, day, mark, note, *, ladders=None):
        """Put ``moves`` on ``level`` as of ``day`` without performing it (no action,
        nothing sent): ``mark`` is the flag that says why (``relance_joined``,
        ``relance_initialized``), ``note`` is logged in their chatter."""
        moves._relance_write(
            {"relance_level_id": level.id, "relance_last_date": day, mark: True},
            ladders=ladders,
        )
        moves._relance_log(dict.fromkeys(moves.ids, note))

    @api.model
    def _join(self, level, last_date, moves, ladders=None):
        """``moves`` fell due while their customer's dunning was at ``level``, reached on
        ``last_date``: they join that step without a reminder of their own, and the
        customer's next step claims them with the others."""
        note = self.env._(
            "Fell due while the customer's dunning was at the step %s: joined that step, "
            "without a reminder of its own; the next step claims it with the others.",
            level.name,
        )
        self._place(level, moves, last_date, "relance_joined", note, ladders=ladders)

    @api.model
    def _groups(self, moves):
        """The invoices of one dunning action: by company, customer and currency."""
        return moves.grouped(lambda m: (m.company_id, m.commercial_partner_id, m.currency_id))

    @api.model
    def _perform(
        self, level, moves, today, *, manual_values=None, ladders=None, repeat=False, parts=None
    ):
        """Perform ``level`` now for ``moves``: one action per company, customer and
        currency, its lines, the invoices moved to the level, the action's email or activity
        and its notes. The nightly run, the board and the dialogs all act through it.

        :param manual_values: the email edited in the preview (subject, body, recipients,
            attachments), sent as it is whatever the level's automation.
        :param ladders: the cache of ``account.relance.policy._ladder_of``, when resolved.
        :param repeat: ``level`` is repeated after the ladder's last step: the invoices stay
            on their step, and each line counts its repeat.
        :param parts: what each of ``moves`` owes on ``today``
            (``account.relance.claim._parts``), when already read.
        :return: the actions created.
        """
        Action, Claim = self.env["account.relance.event"], self.env["account.relance.claim"]
        groups = self._groups(moves)
        credits = Claim._credits(moves)
        if parts is None:  # what each owes, read once for all the groups
            parts = Claim._parts(moves, today)
        action_vals = [
            Claim._action_values(
                level,
                group_moves,
                today,
                key,
                credit=credits.get((key[0].id, key[1].id), 0.0),
                parts=parts,
            )
            for key, group_moves in groups.items()
        ]
        # no "created" note nor the running user as follower on every action: the action's
        # own email and notes are its history
        actions = Action.with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create(
            action_vals
        )
        actions = actions.with_env(self.env)
        counts = self._repeat_counts(level, moves) if repeat else None
        self.env["account.relance.event.line"]._relance_insert(
            [
                dict(line_vals, event_id=action.id)
                for action, vals, group_moves in zip(
                    actions, action_vals, groups.values(), strict=True
                )
                for line_vals in Claim._line_values(
                    vals, group_moves, today, repeats=counts, parts=parts
                )
            ]
        )
        actions.invalidate_recordset(["line_ids", "invoice_ids", "invoice_count"])
        moves.invalidate_recordset(["relance_event_line_ids"])
        if repeat:
            moves._relance_write({"relance_last_date": today}, ladders=ladders)
        else:
            moves._relance_write(
                {"relance_level_id": level.id, "relance_last_date": today}, ladders=ladders
            )
            level._propose_ending(moves)
        Action._relance_supersede(actions)
        self._execute(actions, manual_values=manual_values)
        return actions

    @api.model
    def _repeat_counts(self, level, moves):
        """The number of the next repeat of ``level`` for each of ``moves`` (one query): 1
        for the first repeat after the ladder's last step."""
        groups = self.env["account.relance.event.line"]._read_group(
            [("move_id", "in", moves.ids), ("level_id", "=", level.id)],
            ["move_id"],
            ["repeat:max"],
        )
        done = {move.id: count for move, count in groups}
        return {move.id: done.get(move.id, 0) + 1 for move in moves}

    @api.model
    def _report_failure(self, level, moves, exc):
        """Note on each customer of ``moves`` that ``level`` could not be performed."""
        self.env.invalidate_all()
        for (_company, partner, _currency), group_moves in self._groups(moves).items():
            names = ", ".join(group_moves.mapped("name"))
            _logger.warning(
                "Dunning level %s not performed for %s (%s): %s",
                level.name,
                partner.display_name,
                names,
                exc,
            )
            partner._relance_log(
                {
                    partner.id: self.env._(
                        "Dunning level %(level)s could not be performed for invoices "
                        "%(invoices)s: %(error)s. It will be retried at the next run.",
                        level=level.name,
                        invoices=names,
                        error=str(exc),
                    )
                }
            )

    @api.model
    def _execute(self, actions, manual_values=None):
        """Send the emails of the automatic email levels (or the one edited in the preview),
        give the rest an activity, and note the actions in the chatter. An email attaching
        the invoices' PDFs waits (``mail_pending``): no PDF is rendered while the run holds
        the invoices (``account.relance.run._send_pending``)."""
        manual = manual_values is not None
        email_actions = actions.filtered(
            lambda a: a.channel == "email" and (manual or a.level_id.auto_execute)
        )
        no_email = email_actions.filtered(lambda a: not a.contact_id._relance_has_email())
        no_template = (email_actions - no_email).filtered(
            lambda a: not manual and not a.level_id.mail_template_id
        )
        to_send = email_actions - no_email - no_template
        to_send.line_ids.move_id._relance_ensure_tokens()
        pending = to_send.filtered("level_id.attach_invoices") if not manual else to_send.browse()
        pending.mail_pending = True
        to_send -= pending
        if manual and to_send:
            to_send._relance_send_manual(manual_values)
        else:
            for level, level_actions in to_send.grouped("level_id").items():
                level.mail_template_id._relance_send_batch(level_actions)
        no_email.write({"error_message": self.env._("The customer has no valid email address.")})
        no_template.write({"error_message": self.env._("The dunning level has no mail template.")})
        self._schedule_activities(actions - to_send - pending)
        self._log_chatter(actions)

    @api.model
    def _schedule_activities(self, actions):
        """One activity per action of ``actions`` for its responsible (one insert): the
        level's type, the channel's, or "missing email" for an email without an address."""
        if not actions:
            return
        model_id = self.env["ir.model"]._get_id(actions._name)
        missing_email = self.env.ref("account_relance_fr.mail_act_relance_missing_email")
        vals_list = []
        for action in actions:
            act_type = action.level_id.activity_type_id
            if (
                action.error_message
                and action.channel == "email"
                and not action.contact_id._relance_has_email()
            ):
                act_type = missing_email
            if not act_type:
                act_type = self.env.ref(CHANNEL_ACTIVITY[action.channel])
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": action.id,
                    "activity_type_id": act_type.id,
                    "summary": "%s — %s" % (action.level_id.name, action.partner_id.display_name),
                    "note": action._relance_activity_note(),
                    "user_id": action.user_id.id,
                    "date_deadline": action.date,
                }
            )
        # Odoo notifies the assignee of each activity; a night assigns tens of them to each
        # responsible: one notification each, listing them, instead
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        for action, activity in zip(actions, activities, strict=True):
            action.activity_id = activity
        if not self.env.context.get("relance_notify_later"):
            self._notify_responsibles(actions)  # otherwise at the end of the run

    @api.model
    def _notify_responsibles(self, actions):
        """Notify each responsible once of the ``actions`` given to them, in their language
        and as they chose (inbox or email): Odoo's assignment notification, for all at once."""
        by_user = actions.filtered(
            lambda a: a.activity_id and a.user_id != self.env.user and a.user_id._relance_working()
        ).grouped("user_id")
        for user, user_actions in by_user.items():
            user_actions = user_actions.with_context(lang=user.lang or self.env.lang)  # noqa: PLW2901
            env = user_actions.env
            items = Markup("").join(
                Markup('<li><a href="%s">%s</a> (%s)</li>')
                % (
                    action._notify_get_action_link("view"),
                    action.display_name,
                    action.activity_id.activity_type_id.name,
                )
                for action in user_actions
            )
            count = len(user_actions)
            if count == 1:
                subject = env._("Dunning: 1 action to do")
                intro = env._("A dunning action was assigned to you:")
            else:
                subject = env._("Dunning: %s actions to do", count)
                intro = env._("%s dunning actions were assigned to you:", count)
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=subject,
                body=Markup("<p>%s</p><ul>%s</ul>") % (intro, items),
                email_layout_xmlid="mail.mail_notification_light",
            )

    @api.model
    def _log_chatter(self, actions):
        """Note the ``actions`` in the chatter of their customers and invoices (one insert each).
        A reminder email is posted on the customer already: the customer gets a note for
        the other actions only. An email is noted on its invoices only when the company asks
        for it (``relance_log_invoice_emails``): each invoice lists its reminders in its
        Dunning tab."""
        move_bodies, partner_bodies = {}, {}
        for action in actions:
            summary = action._relance_summary()
            moves = action.line_ids.move_id
            if not action.mail_id or action.company_id.relance_log_invoice_emails:
                for move in moves:
                    move_bodies[move.id] = summary
            partner_id = action.partner_id.id
            if action.message_id:
                # the email is in the customer's chatter; what the run decided for it (the
                # language, the responsible) is noted beside it
                if action.note:
                    partner_bodies[partner_id] = partner_bodies.get(partner_id, Markup("")) + (
                        Markup("<p>%s — %s</p>") % (action.level_id.name, action.note)
                    )
                continue
            partner_bodies[partner_id] = (
                partner_bodies.get(partner_id, Markup("")) + summary + moves._relance_html_list()
            )
        self.env["account.move"].browse(list(move_bodies))._relance_log(move_bodies)
        self.env["res.partner"].browse(list(partner_bodies))._relance_log(partner_bodies)

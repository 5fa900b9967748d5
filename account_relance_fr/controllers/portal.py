# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import content_disposition, request

from ..models.account_relance_event import PAPER_CHANNELS


class RelancePortal(CustomerPortal):
    """The customer's own view of what it owes: its open invoices with their reminders and
    the amounts claimed, the letters it received, the payment online when Odoo takes it,
    and two answers, "already paid" and "I dispute this invoice", which pause the invoice
    and reach its responsible.

    What a customer sees is what the portal's record rules let it read (Odoo's rule on
    invoices: those of its own commercial entity); the dunning data of those invoices is
    then read as superuser, never beyond them."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "relance_count" in counters:
            values["relance_count"] = len(self._relance_moves())
        return values

    def _relance_partner(self):
        return request.env.user.partner_id.commercial_partner_id

    def _relance_moves(self):
        """The open customer invoices the portal user may read, of its commercial entity."""
        Move = request.env["account.move"]
        if not Move.has_access("read"):
            return Move
        return Move.search(
            [
                *Move.sudo()._relance_open_domain(),
                ("commercial_partner_id", "=", self._relance_partner().id),
            ],
            order="invoice_date_due, id",
        )

    def _relance_move(self, move_id):
        """An invoice of the portal user's entity, checked against the portal's rules."""
        move = request.env["account.move"].browse(move_id)
        try:
            move.check_access("read")
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if move.commercial_partner_id != self._relance_partner():
            raise NotFound()
        return move

    def _relance_letters(self, moves):
        """The letters and formal notices sent to the customer about ``moves``, with the PDF
        archived in their chatter."""
        actions = (
            request.env["account.relance.event"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self._relance_partner().id),
                    ("channel", "in", PAPER_CHANNELS),
                    ("state", "=", "done"),
                    ("line_ids.move_id", "in", moves.ids),
                ],
                order="date desc, id desc",
            )
        )
        return actions.filtered(lambda a: a._relance_portal_attachment())

    @http.route(["/my/relances"], type="http", auth="user", website=True)
    def portal_my_relances(self, **kw):
        moves = self._relance_moves()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "relances",
                "moves": moves.sudo(),
                "letters": self._relance_letters(moves),
                "pay_online": request.env.company.sudo()._relance_pay_online(),
                "message": kw.get("message"),
                "error": kw.get("error"),
                "today": fields.Date.context_today(request.env.user),
            }
        )
        return request.render("account_relance_fr.portal_my_relances", values)

    @http.route(["/my/relances/letter/<int:action_id>"], type="http", auth="user")
    def portal_relance_letter(self, action_id, **kw):
        action = request.env["account.relance.event"].sudo().browse(action_id).exists()
        if not action or action.partner_id != self._relance_partner():
            raise NotFound()
        if action.channel not in PAPER_CHANNELS or action.state != "done":
            raise NotFound()
        attachment = action._relance_portal_attachment()
        if not attachment:
            raise NotFound()
        return request.make_response(
            attachment.raw,
            headers=[
                ("Content-Type", attachment.mimetype or "application/pdf"),
                ("Content-Disposition", content_disposition(attachment.name)),
            ],
        )

    @http.route(
        ["/my/relances/<int:move_id>/answer"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_relance_answer(self, move_id, answer=None, reason=None, **kw):
        """The customer's answer on an invoice: "paid" (it says it paid: the dunning waits a
        few days for the payment) or "dispute" (with its reason: the invoice is disputed).
        Either pauses the invoice, is posted in its chatter in the customer's name and gives
        its responsible an activity."""
        move = self._relance_move(move_id)
        reason = (reason or "").strip()
        if answer not in ("paid", "dispute") or (answer == "dispute" and not reason):
            return request.redirect("/my/relances?error=reason")
        try:
            request.env["account.relance.pause"].sudo()._portal_answer(
                move.sudo(), answer, reason, request.env.user.partner_id
            )
        except UserError:
            return request.redirect("/my/relances?error=held")
        return request.redirect(f"/my/relances?message={answer}")

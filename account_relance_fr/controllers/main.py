# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import content_disposition, request


class RelanceDossierController(http.Controller):
    @http.route(
        "/account_relance_fr/dossier/<int:partner_id>",
        type="http",
        auth="user",
        methods=["GET", "POST"],
    )
    def relance_dossier(self, partner_id, company_id=None, **kwargs):
        """The collection file of a customer as a ZIP: summary, open invoices, formal notices."""
        env = request.env
        if not env.user.has_group("account_relance_fr.group_relance_user"):
            raise Forbidden()
        if company_id and str(company_id).isdigit():
            if int(company_id) not in env.user.company_ids.ids:
                raise Forbidden()
            env = env(context=dict(env.context, allowed_company_ids=[int(company_id)]))
        partner = env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise NotFound()
        partner.check_access("read")
        filename, content = env["account.relance.dossier"]._build_zip(partner)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/zip"),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

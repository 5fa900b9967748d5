# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import models
from odoo.fields import Command
from odoo.tools.mail import html_to_inner_content

from ..lib import text
from .ir_qweb import MEMO_KEY

# the fields of a mail template rendered for a queued email (as mail.template.send_mail_batch)
MAIL_RENDER_FIELDS = (
    "attachment_ids",
    "auto_delete",
    "body_html",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "model",
    "partner_to",
    "reply_to",
    "report_template_ids",
    "res_id",
    "scheduled_date",
    "subject",
)


# the addon's layout of the dunning emails: it shows the company, the language, the email's
# preview and body, nothing of the record
SHARED_LAYOUT = "account_relance_fr.mail_layout_relance"
# where each email's preview and body go in that layout rendered once (private-use
# characters: neither QWeb's escaping nor a company's data produce them)
BODY_MARK = "\ue000relance-body\ue000"
PREVIEW_MARK = "\ue000relance-preview\ue000"


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _render_lang(self, res_ids, engine="inline_template"):
        """A reminder is written in a language installed in the database: a customer whose
        language is not (a contact imported with "de_DE") is written to in the language of
        the company's dunning history, not in the templates' English source."""
        langs = super()._render_lang(res_ids, engine=engine)
        if self.render_model not in ("account.relance.event", "account.relance.plan"):
            return langs
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        for record in self.env[self.render_model].browse(res_ids):
            if langs.get(record.id) not in installed:
                langs[record.id] = record._relance_lang()
        return langs

    def _relance_send_batch(self, actions):
        """Render this template for all the dunning ``actions`` at once and queue their
        emails (one insert), as ``send_mail_batch`` does, except that:

        * the email is posted on the customer, as Odoo's own follow-up does: the customer's
          chatter is the history of what was sent to them, and their answers land there;
          the action links its email (``message_id``) and shows it;
        * only the email is wrapped in the template's layout: the chatter keeps the
          message itself, as ``message_post`` does, not a laid-out copy."""
        mails = self._relance_queue_mails(actions, lambda action: action.partner_id)
        actions._relance_link_mails(mails)

    def _relance_queue_mails(self, records, thread_of, subtype_xmlid=None):
        """Render this template for ``records`` at once and queue one email each, posted in
        the chatter of ``thread_of(record)`` with the subtype ``subtype_xmlid`` (default:
        the reminders' own): the ``mail.mail`` in the order of ``records``. The recipients
        are the template's only (``partner_to``): the followers of the thread are not
        notified of a message meant for the customer."""
        self._send_check_access(records.ids)
        # the body compiled once for the batch (or the whole run, which gives its memo),
        # not once per customer (see ir.qweb), and the language of each customer rendered
        # once: given to _generate_template, which would otherwise render it again
        memo = self.env.context.get(MEMO_KEY)
        memo = {} if memo is None else memo
        values, langs = {}, {}
        for lang, (lang_template, res_ids) in self._classify_per_lang(records.ids).items():
            langs.update(dict.fromkeys(res_ids, lang))
            context = {MEMO_KEY: memo}
            if lang:
                context["template_preview_lang"] = lang
            values.update(
                lang_template.with_context(**context)._generate_template(
                    res_ids, MAIL_RENDER_FIELDS
                )
            )
        subtype_id = (
            self.env["ir.model.data"]._xmlid_to_res_id(subtype_xmlid)
            if subtype_xmlid
            else self.env["mail.thread"]._relance_subtype_id()
        )
        vals_list, attachments_list = [], []
        for record in records:
            vals = values[record.id]
            thread = thread_of(record)
            attachments_list.append(vals.pop("attachments", []))
            if not vals.get("email_from"):
                vals.pop("email_from", None)
            vals.update(
                model=thread._name,
                res_id=thread.id,
                recipient_ids=[Command.link(pid) for pid in vals.get("partner_ids") or []],
                attachment_ids=[Command.link(aid) for aid in vals.get("attachment_ids") or []],
                subtype_id=subtype_id,
                body=vals["body_html"],
                body_html=self._relance_layout(
                    record,
                    vals["body_html"],
                    langs.get(record.id) or self.env.lang,
                    rendered=True,
                    memo=memo,
                ),
            )
            vals_list.append(vals)
        mails = self.env["mail.mail"].sudo().create(vals_list)
        for mail, attachments in zip(mails, attachments_list, strict=True):
            if attachments:  # the reports of the template, rendered by _generate_template
                mail.with_context(default_type=None).write(
                    {
                        "attachment_ids": [
                            Command.create(
                                {
                                    "name": name,
                                    "datas": datas,
                                    "type": "binary",
                                    "res_model": "mail.message",
                                    "res_id": mail.mail_message_id.id,
                                }
                            )
                            for name, datas in attachments
                        ]
                    }
                )
        return mails

    def _relance_layout(self, record, body, lang, rendered=False, memo=None):
        """``body`` of the email of ``record`` wrapped in this template's layout (header,
        company footer), in ``lang``, as ``send_mail_batch`` wraps the emails; ``body`` alone
        without one. ``rendered``: ``body`` comes from the QWeb renderer, which escapes every
        ``<`` of the text and the attributes (not a body edited by the user). ``memo``: a
        dict kept for a batch or a run, where the addon's own layout is rendered once per
        company and language (``_relance_layout_frame``)."""
        if not self or not self.email_layout_xmlid:
            return body
        # the message of the layout, as _render_encapsulate makes it, with its preview (the
        # line a mail client shows below the subject); of a rendered body, computed from
        # its beginning only (see lib.text.email_preview_of_html)
        inner_content = lambda html: html_to_inner_content(Markup(html))  # noqa: E731
        if rendered:
            preview = text.email_preview_of_html(Markup(body), inner_content)
        else:
            preview = text.email_preview(inner_content(body))
        frame = self._relance_layout_frame(record.company_id, lang, memo)
        if frame is not None:
            return Markup(
                frame.replace(PREVIEW_MARK, escape(preview)).replace(
                    BODY_MARK, self._replace_local_links(Markup(body))
                )
            )
        message = (
            self.env["mail.message"]
            .sudo()
            .new(
                {
                    "body": body,
                    "model": record._name,
                    "res_id": record.id,
                    "preview": preview,
                }
            )
        )
        return self.with_context(lang=lang)._render_encapsulate(
            self.email_layout_xmlid,
            body,
            add_context={
                "message": message,
                "company": record.company_id,
                "model_description": self.env["ir.model"]
                .with_context(lang=lang)
                ._get(record._name)
                .display_name,
            },
            context_record=record.with_context(lang=lang),
        )

    def _relance_layout_frame(self, company, lang, memo):
        """The addon's layout rendered once for ``company`` in ``lang``, with marks where
        each email's preview and body go, kept in ``memo``: what ``_relance_layout`` would
        render for every email, since that layout shows nothing of the record. ``None``
        (each email rendered on its own) for another layout, or for the addon's once edited
        or inherited, which may show more."""
        if memo is None or self.email_layout_xmlid != SHARED_LAYOUT:
            return None
        key = ("layout", company.id, lang)
        if key not in memo:
            view = self.env.ref(SHARED_LAYOUT, raise_if_not_found=False)
            frame = None
            if view and not view.arch_updated and not view.inherit_children_ids:
                message = (
                    self.env["mail.message"]
                    .sudo()
                    .new({"body": Markup(BODY_MARK), "preview": PREVIEW_MARK})
                )
                frame = str(
                    self.with_context(lang=lang)._render_encapsulate(
                        SHARED_LAYOUT,
                        Markup(BODY_MARK),
                        add_context={"message": message, "company": company},
                    )
                )
                if frame.count(BODY_MARK) != 1 or frame.count(PREVIEW_MARK) != 1:
                    frame = None
            memo[key] = frame
        return memo[key]

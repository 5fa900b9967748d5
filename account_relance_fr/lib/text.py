# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Text of the emails."""

import textwrap

# the preview of an email (the text its mail client shows below its subject) as Odoo's
# mail.message computes it: the text of the body shortened to 190 characters
PREVIEW_WIDTH = 190
PREVIEW_PLACEHOLDER = " [...]"


def email_preview(text, width=PREVIEW_WIDTH):
    """``textwrap.shorten(text, width)``, from the beginning of ``text`` only.

    ``shorten`` joins the words of the whole text, then wraps all of it to keep its first
    line: for a reminder listing its invoices, that is most of the time of its layout. The
    line depends only on the words of its first ``width`` characters and on whether more
    follows, so twice ``width`` characters of the text (its blanks collapsed), cut anywhere
    after them, give the same line."""
    collapsed = " ".join(text.split())
    if len(collapsed) > 2 * width:
        collapsed = collapsed[: 2 * width]
    return textwrap.shorten(collapsed, width, placeholder=PREVIEW_PLACEHOLDER)

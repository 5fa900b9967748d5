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
    line, whatever the length of the text (a reminder lists all its invoices). The line
    depends only on the words of its first ``width`` characters and on whether more
    follows, so twice ``width`` characters of the text (its blanks collapsed), cut anywhere
    after them, give the same line."""
    collapsed = " ".join(text.split())
    if len(collapsed) > 2 * width:
        collapsed = collapsed[: 2 * width]
    return textwrap.shorten(collapsed, width, placeholder=PREVIEW_PLACEHOLDER)


def email_preview_of_html(html, inner_content, width=PREVIEW_WIDTH):
    """``email_preview(inner_content(html))``, reading only the beginning of ``html``.

    ``html``: rendered by QWeb, which escapes every ``<`` of the text and of the attribute
    values, so that ``<`` opens a tag or a comment, nothing else. ``inner_content`` is
    Odoo's ``html_to_inner_content`` (tags removed, entities decoded, blanks reduced), run
    on the whole reminder, invoice table included, for a line of ``width`` characters. Cut
    just before a tag, the beginning of the HTML gives the beginning of that text (its tags
    and entities are whole), and ``email_preview`` needs only its first twice ``width``
    characters, blanks collapsed. A comment could hold a ``<``: the whole text is then
    read."""
    # a reminder's HTML is mostly indentation and tags: start with 8 times the width
    end = 8 * width
    while end < len(html):
        cut = html.find("<", end)
        if cut < 0:
            break
        head = html[:cut]
        if "<!--" in head:
            break
        text = inner_content(head)
        if len(" ".join(text.split())) > 2 * width:
            return email_preview(text, width)
        end *= 2
    return email_preview(inner_content(html), width)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The preview of the emails (plain pytest, no database)."""

import random
import textwrap

import pytest
from markupsafe import Markup

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

text = load("text")


def odoo_preview(value):
    """mail.message's preview of a body whose text is ``value``."""
    return textwrap.shorten(value, 190)


def test_preview_of_a_reminder():
    body = (
        "Dear Boulangerie Test SARL, unless we are mistaken, the following invoices are "
        "still unpaid. Invoice Date Due date Amount Residual "
        + " ".join(f"FAC/2026/{n:05d} 01/01/2026 31/01/2026 1 200,00 €" for n in range(9))
    )
    assert text.email_preview(body) == odoo_preview(body)
    assert text.email_preview(body).endswith(" [...]")
    assert len(text.email_preview(body)) <= 190


def test_preview_of_short_and_empty_texts():
    for value in ("", "   ", "Bonjour", "Bonjour,\n\n  madame\tla comptable", "x" * 190):
        assert text.email_preview(value) == odoo_preview(value)


def test_preview_same_as_odoo_on_random_texts():
    """Words of any length (longer than the line too), blanks of any kind, texts around
    the cut."""
    rng = random.Random(1344)
    alphabet = "abcdefghijklmnopqrstuvwxyzéàç€0123456789,.;:/-"
    blanks = [" ", "  ", "\n", "\t", " \n "]
    for _ in range(3000):
        words = []
        for _ in range(rng.randint(0, 120)):
            size = rng.choice([1, 2, 5, 8, 13, 40, 189, 190, 191, 250, 400])
            words.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, size))))
        value = "".join(word + rng.choice(blanks) for word in words)
        assert text.email_preview(value) == odoo_preview(value), value


def inner_content():
    """Odoo's ``html_to_inner_content`` on rendered (trusted) HTML, as the layout calls it."""
    mail = pytest.importorskip("odoo.tools.mail", reason="compared with Odoo's own function")
    return lambda value: mail.html_to_inner_content(Markup(value))


def reminder_html(rng, rows):
    cells = "".join(
        f'<tr><td><a href="https://x.example/my/invoices/{n}?access_token=t{n}">FAC/2026/{n:05d}'
        f'</a></td><td>0{n % 9 + 1}/01/2026</td><td style="text-align: right;">1&nbsp;2{n},00'
        "&nbsp;€</td></tr>"
        for n in range(rows)
    )
    intro = " ".join(
        "".join(rng.choice("abcdefghijéè&<>\"'") for _ in range(rng.randint(1, 12)))
        for _ in range(rng.randint(0, 80))
    )
    intro = intro.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f"<div>\n        <p>Bonjour <b>Client</b> {intro},</p>\n"
        f'        <table style="width: 100%" border="1"><tbody>{cells}</tbody></table>\n'
        "        <p>Cordialement,<br/>Relance Bench SAS</p>\n</div>"
    )


def test_preview_of_html_reads_the_beginning_only():
    """The same line as the preview of the whole text, for reminders of any length, with
    entities, tags and line breaks around the cut; comments make it read everything."""
    content = inner_content()
    rng = random.Random(441)
    for _ in range(400):
        html = reminder_html(rng, rng.choice([0, 1, 3, 10, 40]))
        if rng.random() < 0.1:
            html = html.replace("<table", "<!-- a < b --><table")
        expected = text.email_preview(content(html))
        assert text.email_preview_of_html(html, content) == expected, html
    read = []
    html = reminder_html(rng, 200)
    text.email_preview_of_html(html, lambda value: read.append(len(value)) or content(value))
    assert max(read) < len(html) / 10

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The preview of the emails (plain pytest, no database)."""

import random
import textwrap

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

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The procedures a formal notice may announce (plain pytest, no database)."""

from decimal import Decimal

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

procedure = load("procedure")


def test_small_claims_up_to_5000_principal_and_interest():
    # CPCE L125-1, R125-1: principal and interest, 5,000 EUR at most
    assert procedure.is_small_claim(5000.0)
    assert procedure.is_small_claim(4999.996)  # 5,000.00 once rounded to the cent
    assert procedure.is_small_claim(1500.0 + 45.32)
    assert not procedure.is_small_claim(5000.01)
    assert not procedure.is_small_claim(6454.0)
    assert procedure.SMALL_CLAIMS_LIMIT == Decimal("5000.00")

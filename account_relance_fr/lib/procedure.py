# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The procedures that follow a formal notice (mise en demeure)."""

from decimal import Decimal

#: Simplified procedure for small claims (CPCE L125-1, R125-1): principal and interest up to.
SMALL_CLAIMS_LIMIT = Decimal("5000.00")


def is_small_claim(principal_and_interest):
    """True when the claim (principal and interest) may go through the simplified procedure
    for small claims: at most 5,000 EUR (CPCE L125-1, R125-1)."""
    return Decimal(str(round(principal_and_interest, 2))) <= SMALL_CLAIMS_LIMIT

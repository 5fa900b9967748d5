# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_relance_after_ladder,
    test_relance_board,
    test_relance_concurrency,
    test_relance_documents,
    test_relance_einvoice,
    test_relance_engine,
    test_relance_forecast,
    test_relance_hostile,
    test_relance_law,
    test_relance_morning,
    test_relance_owed,
    test_relance_portal,
    test_relance_security,
    test_relance_steps,
    test_relance_tour,
)

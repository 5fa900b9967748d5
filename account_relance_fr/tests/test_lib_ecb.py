# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ECB main refinancing rate from the ECB's data service (plain pytest, no database)."""

from datetime import date
from pathlib import Path

import pytest

try:
    from ._lib_import import load
except ImportError:  # collected outside a package
    from _lib_import import load

ecb = load("ecb")
RECORDED = (Path(__file__).parent / "data" / "ecb_mro_2026-07-01.csv").read_text()


def test_ecb_rate_from_the_recorded_answer():
    # the answer of the ECB Data Portal for the rate in force on 2026-07-01: the last
    # change, 2.15 % on 2025-06-11
    assert ecb.mro_rate_from_csv(RECORDED, date(2026, 7, 1)) == (2.15, date(2025, 6, 11))
    assert ecb.mro_query(date(2026, 7, 1)) == {
        "endPeriod": "2026-07-01",
        "lastNObservations": "1",
        "format": "csvdata",
    }


def test_ecb_rate_in_force_on_the_day():
    text = "TIME_PERIOD,OBS_VALUE\n2024-06-12,4.25\n2024-09-18,3.65\n2025-01-01,\n"
    assert ecb.mro_rate_from_csv(text, date(2024, 7, 1)) == (4.25, date(2024, 6, 12))
    assert ecb.mro_rate_from_csv(text, date(2025, 1, 1)) == (3.65, date(2024, 9, 18))
    with pytest.raises(ValueError):
        ecb.mro_rate_from_csv(text, date(2024, 1, 1))
    with pytest.raises(ValueError):
        ecb.mro_rate_from_csv("<html>maintenance</html>", date(2024, 1, 1))

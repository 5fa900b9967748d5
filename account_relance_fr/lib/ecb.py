# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ECB main refinancing operations rate, read from the ECB's public data service.

The rate that applies to a semester is the one in force on its first day (1 January or
1 July, Code de commerce L441-10 II): the series holds one observation per change of the
rate, so it is the latest observation on or before that day."""

import csv
import io
from datetime import date

#: The series of the main refinancing operations rate (fixed rate tenders, level, at the
#: dates of its changes) on the ECB Data Portal.
MRO_SERIES_URL = "https://data-api.ecb.europa.eu/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV"


def mro_query(on_date):
    """The query parameters asking for the rate in force on ``on_date``, as CSV."""
    return {"endPeriod": on_date.isoformat(), "lastNObservations": "1", "format": "csvdata"}


def mro_rate_from_csv(text, on_date):
    """``(rate in percent, date of its change)`` in force on ``on_date``, from the service's
    CSV answer (columns ``TIME_PERIOD`` and ``OBS_VALUE``). Raises ``ValueError`` when the
    answer holds no observation on or before that day."""
    best = None
    for row in csv.DictReader(io.StringIO(text)):
        period, value = (row.get("TIME_PERIOD") or "").strip(), (row.get("OBS_VALUE") or "")
        if not period or not value.strip():
            continue
        day = date.fromisoformat(period[:10])
        if day <= on_date and (best is None or day > best[1]):
            best = (float(value), day)
    if best is None:
        raise ValueError(f"no ECB main refinancing rate on or before {on_date.isoformat()}")
    return best

"""Generate the sample business "Kaffeerösterei Lindenberg": a synthetic online coffee roastery, 2022–2024.

Run ``python sample_data/generate.py`` to rewrite the files next to this script; the same seed always gives the
same bytes. The story and every column are described in ``sample_data/README.md``. Besides the German CSV exports
(and the transactions as XLSX) it writes each sheet as a Parquet file with the same headers and typed columns, the
values exactly as the CSV writes them: the app reads those at its start (``sample_data/__init__.py``).

How the customers behave (a buy-till-you-die simulation, Fader, Hardie & Lee 2005):

- Acquisition: 4,000 first orders spread over the three years with about 30 % growth a year and the shop's
  seasonality (Christmas peak, summer dip).
- About a third of the customers take the monthly coffee subscription: one delivery a month until they cancel,
  with a customer-specific monthly cancellation probability ~ Beta (shifted-beta-geometric, Fader & Hardie 2007),
  plus an occasional one-off order while subscribed.
- The others buy one-off: a share never comes back after the first order (more among Christmas gift buyers);
  the rest repeat as a Poisson process with a Gamma-distributed yearly rate, thinned by the seasonality, and drop
  out after each repeat order with a Beta-distributed probability (BG/NBD).
- About 1 % of orders are returned within three weeks (a second row with negative amount and quantity).
- Regular customers sometimes get a 10 % loyalty discount; those discounts reappear as a retention cost.
- The customers sheet names the channel each customer came through; loyal customers came more often by
  recommendation, one-time buyers more often through ads. It is drawn after everything else from a generator of its
  own (:data:`CHANNEL_SEED`), so it changes no order, cost or answer.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20220101
START = np.datetime64("2022-01-01")
END = np.datetime64("2024-12-31")
N_CUSTOMERS = 4000
ENCODING = "cp1252"

# name, price in EUR, gross margin (fraction of the price)
PRODUCTS = {
    "espresso": ("Espresso Milano", 24.90, 0.46),
    "crema": ("Espresso Crema", 13.50, 0.44),
    "filter": ("Filterkaffee Hausröstung", 11.90, 0.50),
    "origin": ("Filterkaffee Äthiopien", 9.90, 0.52),
    "decaf": ("Entkoffeiniert", 12.90, 0.45),
    "subscription": ("Kaffee-Abo", 27.90, 0.38),
    "filter_set": ("Zubehör Handfilter-Set", 34.90, 0.30),
    "grinder": ("Zubehör Mühle", 89.00, 0.22),
    "voucher": ("Gutschein 25 €", 25.00, 0.45),
}
ESPRESSO_LOVER = ("espresso", "crema", "decaf")
FILTER_LOVER = ("filter", "origin", "decaf")

# relative order intensity by calendar month: Christmas peak, summer dip
MONTH_SEASON = np.array([0.90, 0.90, 1.00, 1.00, 0.95, 0.85, 0.72, 0.75, 0.95, 1.05, 1.30, 1.65])

# customer-service staff cost per quarter 2022Q1 ... 2024Q4 (EUR): a student assistant growing into a full position
CUSTOMER_SERVICE = (1500.0, 2100.0, 2700.0, 3300.0) + (4800.0,) * 4 + (6600.0,) * 4

# the customers sheet: acquisition channels, and their shares by how often the customer ordered (1, 2-5, 6 or more)
CHANNEL_SEED = (SEED, 26)
CHANNELS = ("Google Ads", "Instagram", "Empfehlung", "Wochenmarkt")
CHANNEL_SHARES = {1: (0.40, 0.30, 0.10, 0.20), 2: (0.30, 0.25, 0.25, 0.20), 6: (0.20, 0.15, 0.40, 0.25)}
UNLISTED_SHARE = 0.02  # guest orders: customers the CRM export does not list

TRANSACTION_HEADER = ("Kundennummer", "Bestelldatum", "Betrag", "Produkt", "Menge", "Marge")
#: the sheets as Parquet files: transactions, retention costs, acquisition, NPS survey, customers
PARQUET_COPIES = ("transaktionen.parquet", "kundenbindungskosten.parquet", "akquisition.parquet",
                  "nps_umfrage.parquet", "kunden.parquet")


def _days() -> np.ndarray:
    return np.arange(START, END + 1, dtype="datetime64[D]")


def _month_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype(int) % 12


def _quarter_start(day: np.datetime64) -> np.datetime64:
    month = day.astype("datetime64[M]").astype(int)
    return (np.datetime64("1970-01", "M") + (month - month % 3)).astype("datetime64[D]")


def _acquisition_days(rng: np.random.Generator) -> np.ndarray:
    """First-order day index of every customer, sorted: 30 % yearly growth times the seasonality."""
    days = _days()
    years_in = np.arange(days.size) / 365.25
    intensity = np.exp(np.log(1.30) * years_in) * MONTH_SEASON[_month_of(days)]
    return np.sort(rng.choice(days.size, size=N_CUSTOMERS, p=intensity / intensity.sum()))


def _pick_product(rng: np.random.Generator, favourites: Sequence[str], month: int) -> str:
    christmas = month in (10, 11)  # November, December (0-based)
    draw = rng.random()
    if draw < (0.10 if christmas else 0.03):
        return "voucher"
    if draw < (0.20 if christmas else 0.09):
        return "grinder" if rng.random() < 0.25 else "filter_set"
    if draw < 0.85:
        return favourites[0] if rng.random() < 0.75 else favourites[1]
    return favourites[rng.integers(len(favourites))]


def _quantity(rng: np.random.Generator, product: str) -> int:
    if product in ("grinder", "filter_set", "subscription"):
        return 1
    return int(rng.choice([1, 2, 3], p=[0.62, 0.28, 0.10]))


def _simulate_orders(rng: np.random.Generator) -> tuple[list[tuple], dict[str, float]]:
    """Order rows (customer, day index, product, quantity, discount), per-customer dropout probabilities."""
    days = _days()
    months = _month_of(days)
    season = MONTH_SEASON[months]
    peak = season.max()
    horizon = days.size
    first_days = _acquisition_days(rng)

    is_subscriber = rng.random(N_CUSTOMERS) < 0.32
    cancel_probability = rng.beta(1.2, 18.0, N_CUSTOMERS)  # per month, subscribers
    yearly_rate = rng.gamma(shape=2.0, scale=4.5, size=N_CUSTOMERS)  # one-off buyers, orders a year
    dropout = rng.beta(1.2, 13.0, N_CUSTOMERS)  # one-off buyers, after each repeat order
    loves_espresso = rng.random(N_CUSTOMERS) < 0.55

    orders: list[tuple] = []
    churn_propensity: dict[str, float] = {}
    for index in range(N_CUSTOMERS):
        customer = f"K{10001 + index}"
        first = int(first_days[index])
        favourites = ESPRESSO_LOVER if loves_espresso[index] else FILTER_LOVER
        if is_subscriber[index]:
            churn_propensity[customer] = float(cancel_probability[index])
            first_month = days[first].astype("datetime64[M]")
            day_of_month = min(int((days[first] - first_month.astype("datetime64[D]")).astype(int)), 27)
            day, months_subscribed = first, 0
            while day < horizon:
                orders.append((customer, day, "subscription", 1, False))
                if rng.random() < cancel_probability[index]:
                    break
                months_subscribed += 1
                delivery = (first_month + months_subscribed).astype("datetime64[D]") + day_of_month
                day = int((delivery - START).astype(int))
            last_sub = orders[-1][1]
            extra = first + rng.exponential(365.25 / 1.2)
            while extra <= last_sub:
                product = _pick_product(rng, favourites, int(months[int(extra)]))
                orders.append((customer, int(extra), product, _quantity(rng, product), rng.random() < 0.15))
                extra += rng.exponential(365.25 / 1.2)
            continue

        churn_propensity[customer] = float(dropout[index])
        product = _pick_product(rng, favourites, int(months[first]))
        orders.append((customer, first, product, _quantity(rng, product), False))
        gift_season = months[first] in (10, 11)
        if rng.random() < (0.45 if gift_season else 0.25):
            continue
        day = float(first)
        repeats = 0
        while True:
            day += rng.exponential(365.25 / (yearly_rate[index] * peak))
            if day >= horizon:
                break
            if rng.random() >= season[int(day)] / peak:
                continue
            repeats += 1
            product = _pick_product(rng, favourites, int(months[int(day)]))
            loyal = repeats >= 3 and rng.random() < 0.12
            orders.append((customer, int(day), product, _quantity(rng, product), loyal))
            if rng.random() < dropout[index]:
                break
    return orders, churn_propensity


def _transactions(rng: np.random.Generator, orders: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Transaction rows (customer, date, amount, product name, quantity, margin) and loyalty discounts."""
    days = _days()
    rows = []
    discounts = []
    for customer, day, product, quantity, loyal in orders:
        name, price, margin = PRODUCTS[product]
        gross = round(price * quantity, 2)
        amount = round(gross * 0.9, 2) if loyal else gross
        if loyal:
            discounts.append((days[day], round(gross - amount, 2)))
        rows.append((customer, days[day], amount, name, quantity, margin))
        if rng.random() < 0.01:
            returned = day + int(rng.integers(3, 22))
            if returned < days.size:
                rows.append((customer, days[returned], -amount, name, -quantity, margin))
    rows.sort(key=lambda row: (row[1], row[0], -row[2]))
    return rows, discounts


def _quarters() -> list[np.datetime64]:
    return [np.datetime64(f"{year}-{month:02d}-01") for year in (2022, 2023, 2024) for month in (1, 4, 7, 10)]


def _retention_costs(rng: np.random.Generator, rows: list[tuple], discounts: list[tuple]) -> list[tuple]:
    """Quarterly retention cost lines: (quarter start, category, line item, amount)."""
    active: dict[np.datetime64, set[str]] = {}
    for customer, day, amount, *_ in rows:
        if amount >= 0:
            active.setdefault(_quarter_start(day), set()).add(customer)
    discount_sum: dict[np.datetime64, float] = {}
    for day, discount in discounts:
        quarter = _quarter_start(day)
        discount_sum[quarter] = discount_sum.get(quarter, 0.0) + discount

    lines = []
    for index, quarter in enumerate(_quarters()):
        year = 2022 + index // 4
        n_active = len(active.get(quarter, set()))
        lines.append((quarter, "Personal", "Kundenservice", CUSTOMER_SERVICE[index]))
        if year >= 2023:
            lines.append((quarter, "Personal", "Newsletter & Community", 1200.0 if year == 2023 else 1800.0))
        crm = {2022: 690.0, 2023: 1080.0, 2024: 1380.0}[year]
        lines.append((quarter, "Software", "CRM & Newsletter-Tool", crm))
        lines.append((quarter, "Software", "Bewertungsplattform", 237.0))
        lines.append(
            (quarter, "Treueprogramm/Rabatte", "Treuerabatte", round(discount_sum.get(quarter, 0.0), 2))
        )
        gifts = round(n_active * rng.uniform(0.9, 1.3), 2)
        lines.append((quarter, "Treueprogramm/Rabatte", "Probierpäckchen & Karten", gifts))
    return lines


def _acquisition(rng: np.random.Generator, rows: list[tuple]) -> list[tuple]:
    """Quarterly acquisition: (quarter start, spend, new customers); CAC rises from about 60 to 80 EUR."""
    first: dict[str, np.datetime64] = {}
    for customer, day, amount, *_ in rows:
        if amount >= 0 and customer not in first:
            first[customer] = day
    new_by_quarter: dict[np.datetime64, int] = {}
    for day in first.values():
        quarter = _quarter_start(day)
        new_by_quarter[quarter] = new_by_quarter.get(quarter, 0) + 1
    lines = []
    for index, quarter in enumerate(_quarters()):
        new_customers = new_by_quarter.get(quarter, 0)
        cac = 60.0 + 20.0 * index / 11 + rng.normal(0, 3.0)
        lines.append((quarter, float(round(new_customers * cac)), new_customers))
    return lines


def _nps(rng: np.random.Generator, rows: list[tuple], churn: dict[str, float]) -> list[tuple]:
    """About 1,500 survey answers (answer date, score 0–10, customer or blank), sent a week or two after orders."""
    orders = [row for row in rows if row[2] >= 0 and row[1] <= END - 14]
    picked = rng.choice(len(orders), size=1500, replace=False)
    answers = []
    for index in np.sort(picked):
        customer, day, *_ = orders[index]
        years_in = float((day - START).astype(int)) / 365.25
        mean = 8.1 - 10.0 * (churn[customer] - 0.08) + 0.1 * years_in
        score = int(np.clip(np.rint(rng.normal(mean, 2.0)), 0, 10))
        anonymous = rng.random() < 0.15
        answers.append((day + int(rng.integers(5, 15)), score, "" if anonymous else customer))
    answers.sort(key=lambda answer: (answer[0], answer[2], answer[1]))
    return answers


def _customers(rows: list[tuple], seed: Sequence[int] = CHANNEL_SEED) -> list[tuple[str, str]]:
    """The customers sheet: (customer, channel) per listed customer, in customer order; a generator of its own."""
    rng = np.random.default_rng(list(seed))
    orders: dict[str, int] = {}
    for customer, _, amount, *_ in rows:
        if amount >= 0:
            orders[customer] = orders.get(customer, 0) + 1
    listed = []
    for customer in sorted(orders, key=lambda name: int(name[1:])):
        group = max(bound for bound in CHANNEL_SHARES if orders[customer] >= bound)
        channel = CHANNELS[int(rng.choice(len(CHANNELS), p=CHANNEL_SHARES[group]))]
        if rng.random() >= UNLISTED_SHARE:
            listed.append((customer, channel))
    return listed


def german_number(value: float, decimals: int = 2) -> str:
    """``1234.5`` -> ``1.234,50``: thousands dot, decimal comma."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def german_date(day: np.datetime64) -> str:
    return day.astype(date).strftime("%d.%m.%Y")


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(ENCODING))


def _written_money(value: float, decimals: int = 2) -> float:
    """The number the CSV file holds for ``value`` (:func:`german_number` rounds it to ``decimals`` places)."""
    return float(f"{value:.{decimals}f}")


def _dates(days: Sequence[np.datetime64]) -> pa.Array:
    return pa.array(np.array(days, dtype="datetime64[D]"))


def _write_parquet(path: Path, columns: dict[str, pa.Array | list]) -> None:
    """One sheet as a Parquet file with typed columns (no pandas metadata, so the bytes depend on pyarrow's version
    alone)."""
    pq.write_table(pa.table(columns), path)


def _write_parquet_copies(paths: Sequence[Path], rows: list[tuple], costs: list[tuple], acquisition: list[tuple],
                          nps: list[tuple], customers: list[tuple]) -> None:
    """The five sheets as Parquet files (``paths`` in the order of the CSV files), each value as its CSV has it."""
    customer, day, amount, product, quantity, margin = zip(*rows, strict=True)
    _write_parquet(paths[0], {
        TRANSACTION_HEADER[0]: list(customer), TRANSACTION_HEADER[1]: _dates(day),
        TRANSACTION_HEADER[2]: [_written_money(value) for value in amount], TRANSACTION_HEADER[3]: list(product),
        TRANSACTION_HEADER[4]: pa.array(quantity, pa.int64()),
        TRANSACTION_HEADER[5]: [_written_money(value) for value in margin]})
    quarter, category, item, amount = zip(*costs, strict=True)
    _write_parquet(paths[1], {"Quartalsbeginn": _dates(quarter), "Kategorie": list(category), "Posten": list(item),
                              "Betrag": [_written_money(value) for value in amount]})
    quarter, spend, new = zip(*acquisition, strict=True)
    _write_parquet(paths[2], {"Quartalsbeginn": _dates(quarter),
                              "Marketingausgaben": [_written_money(value) for value in spend],
                              "Neukunden": pa.array(new, pa.int64())})
    day, score, customer = zip(*nps, strict=True)
    _write_parquet(paths[3], {"Antwortdatum": _dates(day), "Bewertung": pa.array([int(value) for value in score],
                                                                                  pa.int64()),
                              "Kundennummer": [value or None for value in customer]})  # anonymous: empty
    customer, channel = zip(*customers, strict=True)
    _write_parquet(paths[4], {"Kundennummer": list(customer), "Kanal": list(channel)})


def _write_xlsx(path: Path, rows: list[tuple]) -> None:
    """The transactions as a workbook with real date and number cells; bytes fixed (no save timestamps)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Transaktionen"
    sheet.append(list(TRANSACTION_HEADER))
    for customer, day, amount, product, quantity, margin in rows:
        sheet.append([customer, day.astype(datetime), amount, product, quantity, margin])
    for row in sheet.iter_rows(min_row=2):
        row[1].number_format = "DD.MM.YYYY"
        row[2].number_format = "#,##0.00"
        row[5].number_format = "0%"
    for column, width in zip("ABCDEF", (12, 13, 10, 26, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    fixed = datetime(2025, 1, 1)
    workbook.properties.creator = "sample_data/generate.py"
    workbook.properties.created = fixed
    saved = io.BytesIO()
    workbook.save(saved)
    # openpyxl stamps the save time into docProps/core.xml and the zip entries; pin both.
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                    rb"<dcterms:modified\1>2025-01-01T00:00:00Z</dcterms:modified>",
                    data,
                )
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the sample files into ``out_dir`` (the six exports, then the five Parquet copies) and return their
    paths; same seed, same bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    orders, churn = _simulate_orders(rng)
    rows, discounts = _transactions(rng, orders)
    costs = _retention_costs(rng, rows, discounts)
    acquisition = _acquisition(rng, rows)
    nps = _nps(rng, rows, churn)
    customers = _customers(rows)  # last, from a generator of its own: it changes nothing above

    paths = [out_dir / name for name in ("transaktionen.csv", "kundenbindungskosten.csv", "akquisition.csv",
                                         "nps_umfrage.csv", "transaktionen.xlsx", "kunden.csv")]
    _write_csv(
        paths[0],
        TRANSACTION_HEADER,
        [
            (customer, german_date(day), german_number(amount), product, str(quantity), german_number(margin))
            for customer, day, amount, product, quantity, margin in rows
        ],
    )
    _write_csv(
        paths[1],
        ("Quartalsbeginn", "Kategorie", "Posten", "Betrag"),
        [(german_date(quarter), category, item, german_number(amount)) for quarter, category, item, amount in costs],
    )
    _write_csv(
        paths[2],
        ("Quartalsbeginn", "Marketingausgaben", "Neukunden"),
        [(german_date(quarter), german_number(spend), str(new)) for quarter, spend, new in acquisition],
    )
    _write_csv(
        paths[3],
        ("Antwortdatum", "Bewertung", "Kundennummer"),
        [(german_date(day), str(score), customer) for day, score, customer in nps],
    )
    _write_xlsx(paths[4], rows)
    _write_csv(paths[5], ("Kundennummer", "Kanal"), customers)
    copies = [out_dir / name for name in PARQUET_COPIES]
    _write_parquet_copies(copies, rows, costs, acquisition, nps, customers)
    return paths + copies


if __name__ == "__main__":
    for written in generate(Path(__file__).parent):
        print(f"{written.name}: {written.stat().st_size:,} bytes")

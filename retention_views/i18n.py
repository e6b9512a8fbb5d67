"""One translation table for every visible text, German and English, and locale-aware number formatting.

Texts are looked up by key with :func:`t`; placeholders use ``str.format`` names (``{rows}``). Numbers, money and
percentages are formatted with Babel in the language's locale (``1.234,56 €`` in German, ``€1,234.56`` in
English). The core computes in fractions; :func:`format_percent` is where a fraction becomes a percentage.
"""

from __future__ import annotations

import math
import re
import string

import pandas as pd
from babel.dates import format_date
from babel.numbers import NumberFormatError, format_currency, format_decimal, get_currency_symbol, parse_decimal
from babel.numbers import format_percent as _babel_percent

LANGUAGES = ("de", "en")
LOCALES = {"de": "de_DE", "en": "en_US"}
CURRENCIES = ("EUR", "USD", "CHF", "GBP")

TEXTS: dict[str, dict[str, str]] = {
    # --- data problems (loading / validation) --- begin
    # Files that cannot be read (loading.LoadError); {filename}, {extension}, {sheet}, {sheets}, {detail}.
    "load_empty_file": {"de": "Die Datei {filename} ist leer.", "en": "The file {filename} is empty."},
    "load_header_only": {
        "de": "Die Datei {filename} enthält nur eine Kopfzeile und keine Daten.",
        "en": "The file {filename} contains only a header row and no data.",
    },
    "load_no_columns": {
        "de": "In der Datei {filename} wurden keine Spalten gefunden.",
        "en": "No columns were found in the file {filename}.",
    },
    "load_not_text": {
        "de": "Die Datei {filename} ist keine lesbare Text- oder CSV-Datei. "
        "Bitte als CSV (UTF-8) oder .xlsx speichern.",
        "en": "The file {filename} is not a readable text or CSV file. Please save it as CSV (UTF-8) or .xlsx.",
    },
    "load_unknown_extension": {
        "de": "Der Dateityp „{extension}“ wird nicht unterstützt. Bitte eine .xlsx-, .csv- oder .parquet-Datei "
              "hochladen.",
        "en": "The file type \"{extension}\" is not supported. Please upload an .xlsx, .csv or .parquet file.",
    },
    "load_legacy_xls": {
        "de": "{filename} ist im alten Excel-Format (.xls). Bitte in Excel als .xlsx oder CSV speichern.",
        "en": "{filename} is in the old Excel format (.xls). Please save as .xlsx or CSV in Excel.",
    },
    "load_not_xlsx": {
        "de": "{filename} ist keine gültige .xlsx-Datei. Bitte in Excel als .xlsx oder CSV speichern.",
        "en": "{filename} is not a valid .xlsx file. Please save as .xlsx or CSV in Excel.",
    },
    "load_sheet_not_found": {
        "de": "Tabellenblatt „{sheet}“ nicht gefunden. Vorhanden: {sheets}.",
        "en": "Sheet \"{sheet}\" not found. Available sheets: {sheets}.",
    },
    "load_not_parquet": {
        "de": "{filename} ist keine gültige Parquet-Datei (beschädigt oder unvollständig). Bitte neu exportieren "
              "oder als CSV speichern.",
        "en": "{filename} is not a valid Parquet file (damaged or incomplete). Please export it again or save it as "
              "CSV.",
    },
    "load_unreadable": {
        "de": "Die Datei {filename} konnte nicht gelesen werden ({detail}).",
        "en": "The file {filename} could not be read ({detail}).",
    },
    # Hostile or oversized uploads (loading limits); {size_mb}, {limit_mb}, {rows}, {columns}, {limit}, {line},
    # {limit_kb}, {seconds}.
    "load_too_large": {
        "de": "Die Datei {filename} ist {size_mb} MB groß; erlaubt sind höchstens {limit_mb} MB.",
        "en": "The file {filename} is {size_mb} MB; at most {limit_mb} MB are allowed.",
    },
    "load_too_complex": {
        "de": "{filename} entpackt sich zu sehr viel mehr Daten oder Teilen, als eine Tabelle braucht "
        "(Schutz vor Zip-Bomben). Bitte in Excel als .xlsx oder CSV neu speichern.",
        "en": "{filename} unpacks to far more data or parts than a spreadsheet needs (zip bomb protection). "
        "Please save it again in Excel as .xlsx or CSV.",
    },
    "load_xml_entities": {
        "de": "{filename} enthält XML-Deklarationen (DOCTYPE/ENTITY), die aus Sicherheitsgründen abgelehnt werden. "
        "Bitte in Excel als .xlsx oder CSV neu speichern.",
        "en": "{filename} contains XML declarations (DOCTYPE/ENTITY), which are refused for security reasons. "
        "Please save it again in Excel as .xlsx or CSV.",
    },
    "load_too_many_rows": {
        "de": "{filename} hat {rows} Datenzeilen; erlaubt sind höchstens {limit}. Bitte die Daten vorher "
        "zusammenfassen oder einen kürzeren Zeitraum exportieren.",
        "en": "{filename} has {rows} data rows; at most {limit} are allowed. Please aggregate the data first or "
        "export a shorter period.",
    },
    "load_too_many_columns": {
        "de": "{filename} hat {columns} Spalten; erlaubt sind höchstens {limit}. Bitte nur die benötigten Spalten "
        "exportieren.",
        "en": "{filename} has {columns} columns; at most {limit} are allowed. Please export only the columns you "
        "need.",
    },
    "load_line_too_long": {
        "de": "Zeile {line} von {filename} ist länger als {limit_kb} KB; das ist keine Tabellenzeile. "
        "Bitte Trennzeichen und Zeilenumbrüche der Datei prüfen.",
        "en": "Line {line} of {filename} is longer than {limit_kb} KB; that is not a table row. "
        "Please check the file's separators and line breaks.",
    },
    "load_too_slow": {
        "de": "Das Lesen von {filename} hat länger als {seconds} Sekunden gedauert und wurde abgebrochen. "
        "Bitte eine kleinere Datei oder CSV hochladen.",
        "en": "Reading {filename} took longer than {seconds} seconds and was stopped. "
        "Please upload a smaller file or a CSV.",
    },
    # What the upload worker could not do (upload_worker); {limit_gb}, {seconds}. Workbooks and other files that are
    # not what they claim; {size_mb}, {limit_mb}.
    "load_too_much_memory": {
        "de": "{filename} braucht zum Lesen mehr Speicher, als ein Upload verwenden darf ({limit_gb} GB), und wurde "
        "abgebrochen. Bitte als CSV speichern oder in kleinere Dateien aufteilen.",
        "en": "Reading {filename} needs more memory than one upload may use ({limit_gb} GB) and was stopped. "
        "Please save it as CSV or split it into smaller files.",
    },
    "load_worker_failed": {
        "de": "Beim Lesen von {filename} ist der Leseprozess abgestürzt; die Datei ist vermutlich beschädigt. "
        "Bitte neu exportieren oder als CSV speichern.",
        "en": "The reader crashed on {filename}; the file is probably damaged. Please export it again or save it as "
        "CSV.",
    },
    "load_too_much_data": {
        "de": "Ausgepackt enthält {filename} {size_mb} MB Daten; erlaubt sind höchstens {limit_mb} MB. Bitte nur die "
        "benötigten Spalten exportieren oder als CSV speichern.",
        "en": "Unpacked, {filename} holds {size_mb} MB of data; at most {limit_mb} MB are allowed. Please export only "
        "the columns you need or save it as CSV.",
    },
    "load_encrypted": {
        "de": "{filename} ist mit einem Kennwort geschützt (verschlüsselt) und kann nicht gelesen werden. Bitte in "
        "Excel ohne Kennwort speichern oder als CSV exportieren.",
        "en": "{filename} is protected with a password (encrypted) and cannot be read. Please save it in Excel "
        "without a password or export it as CSV.",
    },
    "load_no_sheets": {
        "de": "Die Arbeitsmappe {filename} enthält kein Tabellenblatt.",
        "en": "The workbook {filename} contains no worksheet.",
    },
    "load_not_a_workbook": {
        "de": "{filename} ist ein ZIP-Archiv, aber keine Excel-Arbeitsmappe (.xlsx). Bitte die Tabelle in Excel als "
        ".xlsx oder CSV speichern.",
        "en": "{filename} is a ZIP archive but not an Excel workbook (.xlsx). Please save the table in Excel as .xlsx "
        "or CSV.",
    },
    "load_opendocument": {
        "de": "{filename} ist eine OpenDocument-Tabelle (.ods), keine .xlsx-Datei. Bitte als .xlsx oder CSV "
        "speichern.",
        "en": "{filename} is an OpenDocument spreadsheet (.ods), not an .xlsx file. Please save it as .xlsx or CSV.",
    },
    "load_xlsb": {
        "de": "{filename} ist im binären Excel-Format (.xlsb). Bitte in Excel als .xlsx oder CSV speichern.",
        "en": "{filename} is in Excel's binary format (.xlsb). Please save it as .xlsx or CSV in Excel.",
    },
    "load_one_column": {
        "de": "In {filename} wurde nur eine Spalte gefunden. Bitte als CSV mit Semikolon, Komma, Tabulator oder "
        "senkrechtem Strich zwischen den Werten speichern; steht über der Kopfzeile ein Titel, diese Zeilen "
        "löschen.",
        "en": "Only one column was found in {filename}. Please save it as CSV with semicolons, commas, tabs or "
        "vertical bars between the values; if a title stands above the header row, delete those lines.",
    },
    "load_mixed_encoding": {
        "de": "{filename} mischt Zeichenkodierungen, und Zeile {line} ist weder UTF-8 noch Windows-1252. Bitte "
        "die Datei als „CSV UTF-8“ speichern (Excel: Datei → Speichern unter → CSV UTF-8).",
        "en": "{filename} mixes character encodings, and line {line} is neither UTF-8 nor Windows-1252. Please "
        "save the file as \"CSV UTF-8\" (Excel: File → Save As → CSV UTF-8).",
    },
    "load_rows_unaccounted": {
        "de": "Beim Lesen von {filename} gingen Zeilen verloren ({lines} Zeilen gelesen, {kept} übernommen, "
        "{rejected} aussortiert, {missing} fehlen). Die Datei wurde deshalb nicht übernommen; bitte als .xlsx "
        "oder Parquet hochladen oder uns die Datei zeigen.",
        "en": "Rows were lost while reading {filename} ({lines} rows read, {kept} kept, {rejected} set aside, "
        "{missing} missing), so the file was not taken. Please upload it as .xlsx or Parquet, or show us the "
        "file.",
    },
    # Rows a file reader set aside (loading.LoadResult.problems); {rows}, {column}, {examples}, {expected}.
    "load_rows_wrong_field_count": {
        "de": "{rows} {rows|Zeile hat|Zeilen haben} nicht {expected} Felder wie die Kopfzeile und {rows|wurde|wurden} "
              "aussortiert "
        "(Zeile {examples}).",
        "en": "{rows} {rows|row does|rows do} not have {expected} fields like the header and {rows|was|were} set "
              "aside (line {examples}).",
    },
    "load_rows_malformed": {
        "de": "{rows} {rows|Zeile ist|Zeilen sind} fehlerhaft (z. B. Anführungszeichen) und {rows|wurde|wurden} "
              "aussortiert (Zeile {examples}).",
        "en": "{rows} {rows|row is|rows are} malformed (e.g. quotes) and {rows|was|were} set aside (line {examples}).",
    },
    "load_values_not_numbers": {
        "de": "{rows} {rows|Wert|Werte} in Spalte „{column}“ {rows|ist keine Zahl|sind keine Zahlen} (z. B. "
              "{examples}); "
        "{rows|diese Zeile wurde|diese Zeilen wurden} aussortiert.",
        "en": "{rows} {rows|value|values} in column \"{column}\" {rows|is not a number|are not numbers} (e.g. "
              "{examples}); {rows|this row was|these rows were} set aside.",
    },
    "load_values_out_of_range": {
        "de": "{rows} {rows|Datum|Daten} in Spalte „{column}“ {rows|liegt|liegen} nicht zwischen den Jahren {first} "
              "und {last} (z. B. "
        "{examples}); {rows|diese Zeile wurde|diese Zeilen wurden} aussortiert.",
        "en": "{rows} {rows|date|dates} in column \"{column}\" {rows|is|are} not between the years {first} and {last} "
              "(e.g. {examples}); "
        "{rows|this row was|these rows were} set aside.",
    },
    "load_lines_cp1252": {
        "de": "{rows} {rows|Zeile war|Zeilen waren} nicht in UTF-8 wie der Rest der Datei und {rows|wurde|wurden} als "
              "Windows-1252 gelesen "
        "(Zeile {examples}). Bitte Namen mit Umlauten dort prüfen; als „CSV UTF-8“ gespeichert tritt das nicht "
        "auf.",
        "en": "{rows} {rows|line was|lines were} not in UTF-8 like the rest of the file and {rows|was|were} read as "
              "Windows-1252 (line "
        "{examples}). Please check names with accents there; saved as \"CSV UTF-8\" this does not happen.",
    },
    "load_rows_blank": {
        "de": "{rows} {rows|leere Zeile|leere Zeilen} (nur Trennzeichen oder leere Zellen) {rows|wurde|wurden} "
              "übersprungen.",
        "en": "{rows} {rows|empty row|empty rows} (only separators or empty cells) {rows|was|were} skipped.",
    },
    "load_values_not_dates": {
        "de": "{rows} {rows|Wert|Werte} in Spalte „{column}“ {rows|ist|sind} kein Datum im Format {format} (z. B. "
              "{examples}); "
        "{rows|diese Zeile wurde|diese Zeilen wurden} aussortiert.",
        "en": "{rows} {rows|value|values} in column \"{column}\" {rows|is not a date|are not dates} in the format "
              "{format} (e.g. {examples}); "
        "{rows|this row was|these rows were} set aside.",
    },
    # Checks of a mapped sheet (columns.Problem); {column} is a canonical column name, {rows} a count.
    "data_missing_column": {
        "de": "Die Pflichtspalte „{column}“ fehlt. Bitte eine Spalte der Datei zuordnen.",
        "en": "The required column \"{column}\" is missing. Please map a column of the file to it.",
    },
    "data_no_rows": {
        "de": "Keine verwendbaren Zeilen übrig (von {rows}).",
        "en": "No usable rows left (of {rows}).",
    },
    "data_no_purchases": {
        "de": "Keine Zeile hat einen positiven Betrag in „{column}“: nur Retouren oder Gutschriften, also keine Käufe, "
              "aus denen sich Kunden und Kennzahlen ergeben.",
        "en": "Not a single row has a positive amount in “{column}”: only returns or credit notes, so no purchases "
              "to derive customers and figures from.",
    },
    "data_missing_values": {
        "de": "{rows} {rows|Zeile|Zeilen} ohne Wert in „{column}“ {rows|wurde|wurden} aussortiert (Zeile {examples}).",
        "en": "{rows} {rows|row|rows} without a value in \"{column}\" {rows|was|were} set aside (row {examples}).",
    },
    "data_not_a_number": {
        "de": "{rows} {rows|Wert|Werte} in „{column}“ {rows|ist keine Zahl|sind keine Zahlen} (z. B. {examples}); "
              "{rows|diese Zeile wurde|diese Zeilen wurden} aussortiert.",
        "en": "{rows} {rows|value|values} in \"{column}\" {rows|is not a number|are not numbers} (e.g. {examples}); "
              "{rows|this row was|these rows were} set aside.",
    },
    "data_not_a_date": {
        "de": "{rows} {rows|Wert|Werte} in „{column}“ {rows|ist|sind} kein erkennbares Datum (z. B. {examples}); "
              "{rows|diese Zeile wurde|diese Zeilen wurden} "
        "aussortiert.",
        "en": "{rows} {rows|value|values} in \"{column}\" {rows|is not a recognisable date|are not recognisable "
              "dates} (e.g. {examples}); {rows|this row was|these rows were} set aside.",
    },
    "data_not_whole_number": {
        "de": "{rows} {rows|Wert|Werte} in „{column}“ {rows|ist keine ganze Zahl|sind keine ganzen Zahlen} (z. B. "
              "{examples}); {rows|diese Zeile wurde|diese Zeilen wurden} "
        "aussortiert.",
        "en": "{rows} {rows|value|values} in \"{column}\" {rows|is not a whole number|are not whole numbers} (e.g. "
              "{examples}); {rows|this row was|these rows were} set aside.",
    },
    "data_future_dates": {
        "de": "{rows} {rows|Zeile|Zeilen} mit einem Datum in der Zukunft in „{column}“ {rows|wurde|wurden} "
              "aussortiert (z. B. {examples}).",
        "en": "{rows} {rows|row|rows} with a future date in \"{column}\" {rows|was|were} set aside (e.g. {examples}).",
    },
    "data_negative_values": {
        "de": "{rows} {rows|negativer Wert|negative Werte} in „{column}“ {rows|wurde|wurden} aussortiert (z. B. "
              "{examples}).",
        "en": "{rows} negative {rows|value|values} in \"{column}\" {rows|was|were} set aside (e.g. {examples}).",
    },
    "data_negative_amounts": {
        "de": "{rows} {rows|Zeile|Zeilen} mit negativem Betrag in „{column}“ {rows|wird|werden} als Retouren bzw. "
              "Gutschriften behandelt "
        "und behalten.",
        "en": "{rows} {rows|row|rows} with a negative amount in \"{column}\" {rows|is|are} treated as returns or "
              "credit notes and kept.",
    },
    "data_score_out_of_range": {
        "de": "{rows} {rows|Bewertung|Bewertungen} in „{column}“ {rows|liegt|liegen} nicht zwischen 0 und 10 (z. B. "
              "{examples}); {rows|diese Zeile wurde|diese Zeilen wurden} "
        "aussortiert.",
        "en": "{rows} {rows|score|scores} in \"{column}\" {rows|is|are} not between 0 and 10 (e.g. {examples}); "
              "{rows|this row was|these rows were} set aside.",
    },
    "data_margin_out_of_range": {
        "de": "{rows} {rows|Marge|Margen} in „{column}“ {rows|liegt|liegen} nicht zwischen 0 und 1 bzw. 0 % und 100 % "
              "(z. B. {examples}); "
        "{rows|diese Zeile wurde|diese Zeilen wurden} aussortiert.",
        "en": "{rows} {rows|margin|margins} in \"{column}\" {rows|is|are} not between 0 and 1 or 0% and 100% (e.g. "
              "{examples}); {rows|this row was|these rows were} "
        "set aside.",
    },
    "data_margin_percent": {
        "de": "Die Werte in „{column}“ wurden als Prozent gelesen und durch 100 geteilt.",
        "en": "The values in \"{column}\" were read as percentages and divided by 100.",
    },
    "data_unknown_category": {
        "de": "{rows} {rows|Zeile hat|Zeilen haben} eine nicht zugeordnete Kategorie (z. B. {examples}) und "
              "{rows|wurde|wurden} aussortiert. "
        "Bitte jede Kategorie Team, Tools oder Kundenbindung zuordnen.",
        "en": "{rows} {rows|row has|rows have} an unassigned category (e.g. {examples}) and {rows|was|were} set "
              "aside. Please assign each "
        "category to team, tools or engagement.",
    },
    "data_duplicate_rows": {
        "de": "{rows} {rows|Zeile kommt|Zeilen kommen} doppelt vor; {rows|sie wurde|sie wurden} behalten.",
        "en": "{rows} {rows|row is an exact duplicate; it was|rows are exact duplicates; they were} kept.",
    },
    "data_not_finite": {
        "de": "{rows} {rows|Wert|Werte} in „{column}“ {rows|ist keine endliche Zahl|sind keine endlichen Zahlen} (z. "
              "B. {examples}); {rows|diese Zeile wurde|diese Zeilen wurden} "
        "aussortiert.",
        "en": "{rows} {rows|value|values} in \"{column}\" {rows|is not a finite number|are not finite numbers} (e.g. "
              "{examples}); {rows|this row was|these rows were} set aside.",
    },
    "data_too_large": {
        "de": "{rows} {rows|Wert|Werte} in „{column}“ {rows|ist|sind} unmöglich groß (z. B. {examples}; ist die "
              "richtige Spalte "
        "zugeordnet?); {rows|diese Zeile wurde|diese Zeilen wurden} aussortiert.",
        "en": "{rows} {rows|value|values} in \"{column}\" {rows|is|are} impossibly large (e.g. {examples}; is the "
              "right column mapped?); "
        "{rows|this row was|these rows were} set aside.",
    },
    "data_date_too_early": {
        "de": "{rows} {rows|Datum|Daten} in „{column}“ {rows|liegt|liegen} vor dem 1.1.1900 (z. B. {examples}); "
              "{rows|diese Zeile wurde|diese Zeilen wurden} "
        "aussortiert.",
        "en": "{rows} {rows|date|dates} in \"{column}\" {rows|is|are} before 1 January 1900 (e.g. {examples}); "
              "{rows|this row was|these rows were} set aside.",
    },
    # --- data problems (loading / validation) --- end
    # --- predictive models --- begin
    # Shown when BG/NBD + Gamma-Gamma cannot be used (predictive.REASONS); {customers}, {repeaters},
    # {minimum_customers}, {minimum_repeaters}, {minimum_weeks} come from predictive.reason_params().
    "predictive_reason_invalid_data": {
        "de": "Die Bestellungen lassen sich nicht zu einer Kundenhistorie zusammenfassen (Datum oder Betrag fehlt).",
        "en": "The orders cannot be summarised into customer histories (a date or amount is missing).",
    },
    "predictive_reason_too_few_customers": {
        "de": "Es gibt nur {customers} Kunden; das Modell braucht mindestens {minimum_customers}, sonst sind seine "
              "Schätzungen reiner Zufall.",
        "en": "There are only {customers} customers; the model needs at least {minimum_customers}, otherwise its "
              "estimates are mostly noise.",
    },
    "predictive_reason_too_few_repeaters": {
        "de": "Nur {repeaters} Kunden haben mehr als einmal gekauft; das Modell braucht mindestens "
              "{minimum_repeaters}, um Abwanderung und Ausgaben zu schätzen.",
        "en": "Only {repeaters} customers bought more than once; the model needs at least {minimum_repeaters} to "
              "estimate dropout and spend.",
    },
    "predictive_reason_short_history": {
        "de": "Die Daten umfassen weniger als {minimum_weeks} Wochen; so kurz lässt sich ein seltener Käufer nicht "
              "von einem verlorenen unterscheiden.",
        "en": "The data cover less than {minimum_weeks} weeks; that is too short to tell a slow buyer from a lost "
              "one.",
    },
    "predictive_reason_bg_nbd_failed": {
        "de": "Das Kaufmodell (BG/NBD) ließ sich an diese Daten nicht stabil anpassen.",
        "en": "The purchase model (BG/NBD) could not be fitted to these data reliably.",
    },
    "predictive_reason_gamma_gamma_failed": {
        "de": "Das Ausgabenmodell (Gamma-Gamma) ließ sich an diese Daten nicht stabil anpassen.",
        "en": "The spend model (Gamma-Gamma) could not be fitted to these data reliably.",
    },
    "predictive_reason_predictions_not_finite": {
        "de": "Das Modell liefert für diese Daten keine endlichen Vorhersagen.",
        "en": "The model gives no finite forecasts for these data.",
    },
    "predictive_reason_not_stored": {
        "de": "Der Ordner mit den vorberechneten Tabellen enthält keine Modellanpassung; erzeugen Sie ihn mit "
              "python -m retention_core.cli neu.",
        "en": "The folder of pre-aggregated tables holds no model fit; create it again with "
              "python -m retention_core.cli.",
    },
    # CLV page section
    "predictive_title": {"de": "Vorhersage-CLV (BG/NBD + Gamma-Gamma)",
                         "en": "Predictive CLV (BG/NBD + Gamma-Gamma)"},
    "predictive_intro": {
        "de": "Statt eines Durchschnittskunden bewertet dieses Modell jeden heutigen Kunden einzeln: wie oft, wie "
              "kürzlich und wie viel er gekauft hat (Fader, Hardie & Lee 2005; Fader & Hardie 2013). Marge, "
              "Zinssatz und Horizont kommen von den Reglern oben.",
        "en": "Instead of one average customer, this model values each current customer from their own history: "
              "how often, how recently and how much they bought (Fader, Hardie & Lee 2005; Fader & Hardie 2013). "
              "Margin, discount rate and horizon come from the sliders above.",
    },
    "predictive_unavailable": {
        "de": "Das Vorhersagemodell wird für diese Daten nicht gezeigt. {reason} Es gelten die einfachen "
              "Formeln oben.",
        "en": "The predictive model is not shown for these data. {reason} The simple formulas above apply.",
    },
    "predictive_mean_clv": {"de": "CLV (BG/NBD + Gamma-Gamma), Mittelwert",
                            "en": "CLV (BG/NBD + Gamma-Gamma), mean"},
    "predictive_mean_clv_help": {
        "de": "Mittel über alle heutigen Kunden: Marge × erwarteter Betrag je Kauf × erwartete Käufe in jedem "
              "Monat des Horizonts, abgezinst.",
        "en": "Mean over all current customers: margin × expected spend per purchase × expected purchases in each "
              "month of the horizon, discounted.",
    },
    "predictive_why_differ": {
        "de": "**Warum das Modell abweicht:** Einfacher CLV und Multiplikator bewerten einen neuen "
              "Durchschnittskunden mit den Werten der letzten 12 Monate, als kauften alle gleich oft und wanderten "
              "mit derselben Rate ab. BG/NBD + Gamma-Gamma bewertet jeden heutigen Kunden nach seiner eigenen "
              "Historie und zählt nur die nächsten {horizon} Jahre, abgezinst. Wer vermutlich schon weg ist "
              "(niedrige Wahrscheinlichkeit „aktiv“), zählt kaum, Vielkäufer zählen viel – die Verteilung ist "
              "schief, der Median liegt bei {median}.",
        "en": "**Why the model differs:** simple CLV and the margin multiple value one average new customer from the "
              "last 12 months, as if everybody bought equally often and left at the same rate. BG/NBD + Gamma-Gamma "
              "values each current customer from their own history and counts only the next {horizon} years, "
              "discounted. Customers who have probably left (low probability of being active) add little, heavy "
              "buyers add a lot – the spread is skewed, the median is {median}.",
    },
    "predictive_fitted_on": {
        "de": "Angepasst an {customers} Kunden, davon {repeaters} mit Wiederkauf.",
        "en": "Fitted on {customers} customers, {repeaters} of them with a repeat purchase.",
    },
    "predictive_gamma_gamma_excluded": {
        "de": "{excluded} Wiederkäufer mit Nettoausgaben ≤ 0 (Retouren) wurden beim Ausgabenmodell ausgelassen.",
        "en": "{excluded} repeat buyers with net spend ≤ 0 (returns) were left out of the spend model.",
    },
    "predictive_top_title": {"de": "Die 10 wertvollsten Kunden laut Modell",
                             "en": "The 10 most valuable customers according to the model"},
    "predictive_column_customer": {"de": "Kunde", "en": "Customer"},
    "predictive_column_repeat_purchases": {"de": "Wiederkäufe bisher", "en": "Repeat purchases so far"},
    "predictive_column_mean_spend": {"de": "Ø Betrag je Wiederkauf ({currency})",
                                     "en": "Mean spend per repeat purchase ({currency})"},
    "predictive_column_expected_purchases": {"de": "Erwartete Käufe im Horizont",
                                             "en": "Expected purchases in the horizon"},
    "predictive_column_probability_alive": {"de": "Wahrscheinlichkeit aktiv", "en": "Probability active"},
    "predictive_column_clv": {"de": "CLV ({currency})", "en": "CLV ({currency})"},
    "predictive_holdout_title": {"de": "Hält das Modell, was es verspricht?", "en": "Does the model hold up?"},
    "predictive_holdout_judge": {
        "de": "**So lesen Sie den Test:** Das Modell wurde ohne die letzten {weeks} Wochen angepasst und musste "
              "die Käufe dieser Wochen vorhersagen, die es nie gesehen hat. Liegt die gestrichelte Linie nahe an "
              "der durchgezogenen, unterscheidet es Viel-, Wenig- und verlorene Käufer gut; eine Lücke zeigt, wo "
              "es zu viel oder zu wenig erwartet. Insgesamt sagte es {predicted} Wiederkäufe voraus, "
              "tatsächlich waren es {actual} ({error}).",
        "en": "**How to read the test:** the model was fitted without the last {weeks} weeks and had to predict "
              "the purchases of those weeks, which it never saw. If the dashed line stays close to the solid one, "
              "it tells heavy, light and lapsed buyers apart well; a gap shows where it expects too much or too "
              "little. In total it predicted {predicted} repeat purchases; {actual} happened ({error}).",
    },
    "predictive_holdout_unavailable": {
        "de": "Der Test an zurückgehaltenen Wochen ist für diese Daten nicht möglich. {reason}",
        "en": "The test on held-back weeks is not possible for these data. {reason}",
    },
    # Charts
    "chart_predictive_clv": {"de": "Vorhergesagter CLV je Kunde (nächste {months} Monate)",
                             "en": "Predicted CLV per customer (next {months} months)"},
    "axis_predicted_clv": {"de": "Vorhergesagter CLV ({currency})", "en": "Predicted CLV ({currency})"},
    "axis_customers": {"de": "Kunden", "en": "Customers"},
    "label_mean": {"de": "Mittelwert", "en": "Mean"},
    "label_median": {"de": "Median", "en": "Median"},
    "chart_probability_alive": {"de": "Wie viele Kunden sind noch aktiv?",
                                "en": "How many customers are still active?"},
    "axis_probability_alive": {"de": "Wahrscheinlichkeit, noch aktiv zu sein (%)",
                               "en": "Probability of still being active (%)"},
    "chart_calibration_holdout": {"de": "Vorhersage gegen Wirklichkeit in den letzten {weeks} Wochen",
                                  "en": "Predicted against actual in the last {weeks} weeks"},
    "axis_calibration_purchases": {"de": "Wiederkäufe vor dem Test (Kundengruppe)",
                                   "en": "Repeat purchases before the test (customer group)"},
    "axis_holdout_purchases": {"de": "Ø Wiederkäufe in den {weeks} Testwochen",
                               "en": "Mean repeat purchases in the {weeks} test weeks"},
    "label_actual": {"de": "Tatsächlich", "en": "Actual"},
    "label_predicted_bg_nbd": {"de": "Vorhergesagt (BG/NBD)", "en": "Predicted (BG/NBD)"},
    "chart_cohort_projection": {"de": "Bindungskurven mit sBG-Projektion",
                                "en": "Retention curves with sBG projection"},
    "label_observed": {"de": "beobachtet", "en": "observed"},
    "label_projected_sbg": {"de": "Projektion (sBG)", "en": "projection (sBG)"},
    # Cohorts page section
    "predictive_cohort_title": {"de": "Wie geht es weiter? Projektion mit dem sBG-Modell",
                                "en": "What comes next? Projection with the sBG model"},
    "cohort_project_periods": {"de": "{period} projizieren", "en": "Number of {period} to project"},
    "predictive_cohort_caption": {
        "de": "Durchgezogen: beobachteter Anteil, der noch kauft – als „noch nicht verloren“ gelesen, daher nie "
              "steigend. Gestrichelt: Fortschreibung mit dem shifted-beta-geometric-Modell (Fader & Hardie 2007), "
              "je Kohorte angepasst; die Bindungsrate steigt darin mit der Zeit, weil die Wechselwilligen zuerst "
              "gehen. Kohorten mit weniger als {minimum} beobachteten Zeiträumen fehlen.",
        "en": "Solid: observed share still buying – read as \"not yet lost\", so it never rises. Dashed: projection "
              "with the shifted-beta-geometric model (Fader & Hardie 2007), fitted per cohort; its retention rate "
              "rises over time because the customers most likely to leave go first. Cohorts with fewer than "
              "{minimum} observed periods are left out.",
    },
    "predictive_cohort_unavailable": {
        "de": "Keine Kohorte ist mindestens {minimum} vollständige Zeiträume lang beobachtet. Wählen Sie in der "
              "Seitenleiste einen kürzeren Analysezeitraum.",
        "en": "No cohort is observed for at least {minimum} complete periods. Choose a shorter analysis period in "
              "the sidebar.",
    },
    # --- predictive models --- end
    # --- frame and sidebar ---
    "sidebar_currency": {"de": "Währung", "en": "Currency"},
    "sidebar_period": {"de": "Analysezeitraum", "en": "Analysis period"},
    "sidebar_activity": {"de": "Aktiv heißt: letzte Bestellung vor höchstens", "en": "Active means: last order within"},
    "sidebar_activity_months": {"de": "{months} Monaten", "en": "{months} months"},
    "sidebar_activity_help": {
        "de": "Ein Kunde zählt am Ende eines Zeitraums als aktiv (Kundenstamm), wenn er in diesem Zeitfenster "
              "bestellt hat; wer länger nicht bestellt, gilt als verloren. Davon hängen Bindungsrate, Churn und "
              "Kosten pro aktivem Kunden ab.",
        "en": "A customer counts as active (in the customer base) at the end of a period when they ordered within "
              "this window; anyone who has not ordered for longer counts as lost. Retention, churn and cost per "
              "active customer depend on it.",
    },
    "sidebar_source": {"de": "Daten", "en": "Data"},
    "sidebar_source_help": {"de": "Laden Sie auf der Seite „Daten“ eigene Dateien hoch, um sie hier zu wählen.",
                            "en": "Upload your own files on the “Data” page to choose them here."},
    "sidebar_source_caption": {"de": "Angezeigt: {name}", "en": "Showing: {name}"},
    "source_sample": {"de": "Beispieldaten", "en": "Sample data"},
    "source_upload": {"de": "Meine Daten", "en": "My data"},
    "source_configured": {"de": "Vorgegebene Daten", "en": "Configured data"},
    "sidebar_fixed_period": {
        "de": "Zeitraum: {period}, aktiv = Kauf in den letzten {months} Monaten (vom Ordner der vorberechneten "
              "Tabellen festgelegt).",
        "en": "Period: {period}, active = ordered within {months} months (fixed by the folder of pre-aggregated "
              "tables).",
    },
    "error_source_unavailable": {
        "de": "Die beim Start angegebenen Daten ({path}) lassen sich nicht öffnen: {reason}",
        "en": "The data given at start ({path}) cannot be opened: {reason}",
    },
    "error_configuration": {
        "de": "Der Server ist falsch konfiguriert und nimmt keine Arbeit an, bis das behoben ist: {details}",
        "en": "The server is misconfigured and takes no work until that is fixed: {details}",
    },
    "error_query_timeout": {
        "de": "Die Auswertung Ihrer Daten dauert zu lange und wurde abgebrochen. Laden Sie einen kürzeren Zeitraum "
              "hoch oder wählen Sie in der Seitenleiste Quartal oder Jahr statt Monat.",
        "en": "Analysing your data took too long and was stopped. Upload a shorter period, or choose quarter or "
              "year instead of month in the sidebar.",
    },
    "status_aggregating": {"de": "Daten werden zusammengefasst …", "en": "Aggregating your data …"},
    "status_aggregating_sample": {"de": "Beispieldaten werden zusammengefasst …", "en": "Aggregating the sample data …"},
    "status_forecasting": {"de": "Vorhersage für alle Kunden wird vorbereitet …",
                           "en": "Preparing the forecast for every customer …"},
    "status_reading": {"de": "{filename} wird gelesen …", "en": "Reading {filename} …"},
    "status_preparing": {"de": "Werte werden geprüft …", "en": "Checking the values …"},
    "status_aggregated": {"de": "Daten zusammengefasst", "en": "Data aggregated"},
    "status_waiting": {
        "de": "Wartet auf freie Rechenzeit: {ahead} Auswertung(en) vor Ihrer, seit {seconds} s …",
        "en": "Waiting for the server: {ahead} job(s) ahead of yours, for {seconds} s …",
    },
    "status_aggregated_after_wait": {"de": "Daten zusammengefasst (nach {seconds} s Wartezeit)",
                                     "en": "Data aggregated (after waiting {seconds} s)"},
    # one per retention_core.dataset.AGGREGATE_STEPS, and "done"
    "aggregate_step_prepare": {"de": "Kundennummern vorbereiten …", "en": "Preparing customer ids …"},
    "aggregate_step_activity": {"de": "Aktive, neue und verlorene Kunden je Periode …",
                                "en": "Active, new and lost customers per period …"},
    "aggregate_step_cohorts": {"de": "Kohorten …", "en": "Cohorts …"},
    "aggregate_step_costs": {"de": "Bindungskosten je aktivem Kunden …", "en": "Retention cost per active customer …"},
    "aggregate_step_acquisition": {"de": "Akquisitionskosten …", "en": "Acquisition cost …"},
    "aggregate_step_nps": {"de": "NPS-Antworten …", "en": "NPS answers …"},
    "aggregate_step_customers": {"de": "Zusammenfassung je Kunde …", "en": "Summary per customer …"},
    "aggregate_step_tenure": {"de": "Umsatz nach Kundenalter …", "en": "Revenue by customer age …"},
    "aggregate_step_predictive": {"de": "BG/NBD- und Gamma-Gamma-Modell anpassen …",
                                  "en": "Fitting the BG/NBD and Gamma-Gamma models …"},
    "aggregate_step_done": {"de": "Fertig", "en": "Done"},
    "period_month": {"de": "Monat", "en": "Month"},
    "period_quarter": {"de": "Quartal", "en": "Quarter"},
    "period_year": {"de": "Jahr", "en": "Year"},
    "period_noun_month": {"de": "Monat", "en": "month"},
    "period_noun_quarter": {"de": "Quartal", "en": "quarter"},
    "period_noun_year": {"de": "Jahr", "en": "year"},
    "period_plural_month": {"de": "Monate", "en": "months"},
    "period_plural_quarter": {"de": "Quartale", "en": "quarters"},
    "period_plural_year": {"de": "Jahre", "en": "years"},
    "warning_too_few_periods": {
        "de": "Für diese Auswertung reichen die Daten nicht: Es braucht mindestens zwei vollständige Zeiträume "
              "nach dem Aktivitätsfenster. Wählen Sie einen kürzeren Analysezeitraum oder ein kürzeres "
              "Aktivitätsfenster in der Seitenleiste, oder laden Sie eine längere Historie hoch.",
        "en": "There is not enough data for this view: it needs at least two complete periods after the activity "
              "window. Choose a shorter analysis period or activity window in the sidebar, or upload a longer "
              "history.",
    },
    "missing_sheet": {
        "de": "Für diesen Teil fehlt die Tabelle „{sheet}“. Laden Sie sie auf der Seite „Daten“ hoch; bis dahin "
              "bleibt er leer oder arbeitet mit Ihren Eingaben.",
        "en": "This part needs the “{sheet}” sheet. Upload it on the “Data” page; until then it stays empty or "
              "works from what you type in.",
    },
    "sample_name": {"de": "Kaffeerösterei Lindenberg (Beispiel)", "en": "Kaffeerösterei Lindenberg (sample)"},
    "cohort_revenue_note": {
        "de": "Jeder Balken ist eine Kohorte; die Abschnitte von unten nach oben sind der Umsatz im 0., 1., 2. … "
              "Zeitraum nach dem Erstkauf (heller = später).",
        "en": "Each bar is a cohort; its segments from the bottom up are the revenue in period 0, 1, 2 … after the "
              "first purchase (lighter = later).",
    },
    "loyalty_scope": {
        "de": "Alle Werte auf dieser Seite beziehen sich auf den gesamten Datenzeitraum (der Überblick zeigt "
              "einzelne Zeiträume).",
        "en": "Every figure on this page covers the whole data period (the Overview shows single periods).",
    },
    "sheet_transactions": {"de": "Transaktionen", "en": "Transactions"},
    "sheet_retention_costs": {"de": "Kundenbindungskosten", "en": "Retention costs"},
    "sheet_acquisition": {"de": "Akquisitionskosten", "en": "Acquisition spend"},
    "sheet_nps": {"de": "NPS-Umfrage", "en": "NPS survey"},
    "download_csv": {"de": "Als CSV herunterladen", "en": "Download as CSV"},
    # --- pages ---
    "page_overview": {"de": "Überblick", "en": "Overview"},
    "page_retention_cost": {"de": "Bindungskosten", "en": "Retention cost"},
    "page_clv": {"de": "CLV & Lücke", "en": "CLV & gap"},
    "page_profit": {"de": "Bindung → Gewinn", "en": "Retention → profit"},
    "page_cohorts": {"de": "Kohorten", "en": "Cohorts"},
    "page_loyalty": {"de": "Loyalität", "en": "Loyalty"},
    "page_data": {"de": "Daten", "en": "Data"},
    "intro_overview": {
        "de": "Oben die Kennzahlen eines Zeitraums (mit dem Schieber wählen); die Pfeile zeigen die Veränderung zum "
              "vorigen auswertbaren Zeitraum. Darunter der Kundenwert, gemessen über die letzten 12 Monate – er "
              "hängt nicht vom gewählten Zeitraum ab. Das Fragezeichen an jeder Karte nennt die Formel.",
        "en": "At the top the key figures of one period (pick it with the slider); the arrows show the change "
              "against the previous measurable period. Below, customer value, measured over the last 12 months – it "
              "does not depend on the period chosen. The question mark on each card gives the formula.",
    },
    "intro_retention_cost": {
        "de": "Was kostet es, einen Kunden zu halten? Gesamte Bindungsausgaben (Team, Tools, Engagement) ÷ "
              "aktive Kunden. Mit den Reglern sehen Sie sofort, was eine Budgetänderung pro Kunde bedeutet.",
        "en": "What does it cost to keep a customer? Total retention spend (team, tools, engagement) ÷ active "
              "customers. The sliders show at once what a budget change means per customer.",
    },
    "intro_clv": {
        "de": "Lohnt es sich? Der Wert eines Neukunden nach drei Formeln, die CLV-Lücke (CLV minus Bindungskosten "
              "über die Kundenlebensdauer) und der Nettowert nach Akquisitionskosten. Alles pro Jahr, gemessen über "
              "die letzten 12 Monate Ihrer Daten – Analysezeitraum und Aktivitätsfenster ändern diese Werte nicht.",
        "en": "Is it worth it? A new customer's value by three formulas, the CLV gap (CLV minus the retention cost "
              "over the customer's lifetime) and the net value after acquisition cost. Everything per year, measured "
              "over the last 12 months of your data – the analysis period and the activity window do not change "
              "these figures.",
    },
    "intro_profit": {
        "de": "„5 % mehr Kundenbindung → 25–95 % mehr Gewinn“ – gerechnet mit Ihren eigenen Margen und Ihrer "
              "jährlichen Bindungsrate. Der Gewinn je Kundenjahr ist editierbar; alle Werte pro Jahr.",
        "en": "“5% more retention → 25–95% more profit” – computed from your own margins and your annual retention. "
              "Profit per customer year is editable; everything per year.",
    },
    "intro_cohorts": {
        "de": "Jede Zeile ist eine Kohorte: die Kunden, die im selben Zeitraum zum ersten Mal gekauft haben. Die "
              "Zellen zeigen, welcher Anteil k Zeiträume später noch kauft.",
        "en": "Each row is a cohort: the customers whose first purchase fell in the same period. The cells show "
              "which share still buys k periods later.",
    },
    "intro_loyalty": {
        "de": "Wiederkaufsrate, Upsell-Rate und -Quote aus Ihren Bestellungen, NPS aus Ihrer Umfrage und der "
              "Customer Loyalty Index (CLI) aus drei Umfragefragen.",
        "en": "Repeat-purchase rate, upsell rate and ratio from your orders, NPS from your survey, and the Customer "
              "Loyalty Index (CLI) from three survey questions.",
    },
    "intro_data": {
        "de": "Laden Sie Ihre Transaktionen hoch (Pflicht) und optional Kundenbindungskosten, Akquisitionskosten "
              "und NPS-Antworten als CSV, Excel (.xlsx) oder Parquet. Deutsche Exporte mit „;“, 1.234,56 und "
              "31.12.2024 "
              "werden erkannt. Ihre Daten bleiben in Ihrer Sitzung.",
        "en": "Upload your transactions (required) and optionally retention costs, acquisition spend and NPS "
              "answers as CSV, Excel (.xlsx) or Parquet. German exports with “;”, 1.234,56 and 31.12.2024 are "
              "recognised. "
              "Your data stay in your session.",
    },
    # --- overview KPIs ---
    "overview_period": {"de": "Zeitraum", "en": "Period"},
    "overview_value_title": {
        "de": "Kundenwert – gemessen über die letzten 12 Monate bis {end}",
        "en": "Customer value – measured over the last 12 months up to {end}",
    },
    "overview_value_intro": {
        "de": "Dieselben Werte wie auf der Seite „CLV & Lücke“ bei ihren gemessenen Startwerten, mit Bruttomarge "
              "{margin} und Diskontsatz {discount} p. a. (dort änderbar). Sie gelten je Neukunde, nicht je Zeitraum, "
              "und ändern sich daher nicht mit dem Zeitraum oder dem Aktivitätsfenster.",
        "en": "The same values as on the “CLV & gap” page at its measured starting values, with gross margin "
              "{margin} and discount rate {discount} p.a. (change them there). They are per new customer, not per "
              "period, so they do not change with the period or the activity window.",
    },
    "kpi_active_customers": {"de": "Aktive Kunden", "en": "Active customers"},
    "kpi_active_customers_help": {
        "de": "Kundenstamm am Ende des Zeitraums (E): Kunden mit mindestens einer Bestellung im Aktivitätsfenster "
              "(Seitenleiste) bis dahin. Nicht dasselbe wie die Käufer des Zeitraums.",
        "en": "Customer base at the end of the period (E): customers with at least one order within the activity "
              "window (sidebar) up to then. Not the same as the period's buyers.",
    },
    "kpi_new_customers": {
        "de": "Neukunden",
        "en": "New customers",
    },
    "kpi_new_customers_help": {
        "de": "Kunden, deren erste Bestellung in diesen Zeitraum fällt.",
        "en": "Customers whose first order falls in this period.",
    },
    "kpi_retention_rate": {"de": "Kundenbindungsrate", "en": "Retention rate"},
    "kpi_retention_rate_help": {
        "de": "CRR = (E − N) / S: Kundenstamm am Ende (E) minus die im Zeitraum Hinzugekommenen (N: Neukunden und "
              "Rückkehrer nach einer Pause), geteilt durch den Kundenstamm am Anfang (S). Gilt für diesen Zeitraum "
              "und dieses Aktivitätsfenster; der Kundenwert unten nutzt die jährliche Bindung.",
        "en": "CRR = (E − N) / S: customer base at the end (E) minus those who joined it during the period (N: new "
              "customers and returners after a pause), over the base at the start (S). For this period and activity "
              "window; customer value below uses annual retention.",
    },
    "kpi_churn_rate": {"de": "Abwanderung (Churn)", "en": "Churn"},
    "kpi_churn_rate_help": {"de": "Churn = verlorene Kunden / Kunden am Anfang = 1 − CRR.",
                            "en": "Churn = lost customers / customers at the start = 1 − CRR."},
    "kpi_repeat_purchase_rate": {
        "de": "Wiederkaufsrate (alle Daten)",
        "en": "Repeat-purchase rate (all data)",
    },
    "kpi_repeat_purchase_rate_year": {
        "de": "Wiederkaufsrate (letzte 12 Monate)",
        "en": "Repeat-purchase rate (last 12 months)",
    },
    "kpi_repeat_purchase_rate_year_help": {
        "de": "Käufer der letzten 12 Monate mit zwei oder mehr Kaufanlässen darin / alle Käufer der letzten 12 "
              "Monate. Ein Kaufanlass ist ein Bestelltag (oder eine Bestellnummer, wenn Ihre Daten eine haben): Ein "
              "Warenkorb mit zwei Zeilen ist ein Kauf.",
        "en": "Buyers of the last 12 months with two or more purchase occasions in them / all buyers of the last 12 "
              "months. A purchase occasion is an order day (or an order number, when your data has one): a basket of "
              "two lines is one purchase.",
    },
    "kpi_returning_buyer_share": {
        "de": "Wiederkehrende Käufer",
        "en": "Returning buyers",
    },
    "kpi_returning_buyer_share_help": {
        "de": "Käufer des Zeitraums, die schon in einem früheren Zeitraum bestellt hatten / alle Käufer des "
              "Zeitraums. Nicht die Wiederkaufsrate (zwei oder mehr Käufe in derselben Zeit): Die steht unten für "
              "die letzten 12 Monate.",
        "en": "Buyers in the period who had ordered in an earlier period / all buyers in the period. Not the "
              "repeat-purchase rate (two or more purchases within the same time): that one is below, for the last 12 "
              "months.",
    },
    "kpi_revenue_per_customer": {
        "de": "Umsatz je aktivem Kunden",
        "en": "Revenue per active customer",
    },
    "kpi_revenue_per_customer_help": {
        "de": "Nettoumsatz des Zeitraums (Retouren abgezogen) / aktive Kunden (E). Negativ, wenn mehr zurückkam als "
              "verkauft wurde.",
        "en": "Net revenue of the period (returns subtracted) / active customers (E). Negative when more came back "
              "than was sold.",
    },
    "kpi_retention_cost_per_customer": {
        "de": "Bindungskosten je aktivem Kunden",
        "en": "Retention cost per active customer",
    },
    "kpi_retention_cost_per_customer_help": {
        "de": "(Team + Tools + Engagement) eines Zeitraums / aktive Kunden (Kundenstamm am Ende desselben "
              "Zeitraums). Café-Beispiel: (5.000 + 900 + 2.500) / 700 = 12,00.",
        "en": "(team + tools + engagement) of a period / active customers (the customer base at the end of the same "
              "period). Café example: (5,000 + 900 + 2,500) / 700 = 12.00.",
    },
    "kpi_clv_gap": {"de": "CLV-Lücke", "en": "CLV gap"},
    "kpi_clv_gap_help": {
        "de": "CLV (Margen-Multiplikator) − Bindungskosten über die Lebensdauer c · (1 + i) / (1 + i − r): was ein "
              "Neukunde nach den Kosten bringt, ihn zu halten. Positiv: Bindung lohnt sich. Ohne Bindungskosten "
              "unbekannt (—).",
        "en": "CLV (margin multiple) − lifetime retention cost c · (1 + i) / (1 + i − r): what a new customer brings "
              "after the cost of keeping them. Positive: retention pays. Unknown (—) without a retention cost.",
    },
    "kpi_acquisition_cost": {
        "de": "CAC (dieser Zeitraum)",
        "en": "CAC (this period)",
    },
    "kpi_acquisition_cost_help": {
        "de": "Akquisitionsausgaben des Zeitraums / Neukunden des Zeitraums (aus der Akquisitionstabelle, sonst "
              "Erstkäufer). Der Kundenwert nutzt den CAC der letzten 12 Monate.",
        "en": "Acquisition spend of the period / new customers of the period (from the acquisition sheet, else "
              "first-time buyers). Customer value uses the CAC of the last 12 months.",
    },
    "kpi_clv_to_cac": {"de": "CLV : CAC", "en": "CLV : CAC"},
    "kpi_clv_to_cac_help": {
        "de": "CLV (Margen-Multiplikator) / CAC (letzte 12 Monate). Faustregel: etwa 3 : 1 oder mehr. Ohne "
              "Akquisitionsdaten unbekannt (—).",
        "en": "CLV (margin multiple) / CAC (last 12 months). Rule of thumb: about 3 : 1 or more. Unknown (—) without "
              "acquisition data.",
    },
    "kpi_nps": {"de": "Net Promoter Score", "en": "Net Promoter Score"},
    "kpi_nps_help": {
        "de": "NPS = % Promotoren (9–10) − % Detraktoren (0–6), in Punkten von −100 bis +100 (Reichheld 2003).",
        "en": "NPS = % promoters (9–10) − % detractors (0–6), in points from −100 to +100 (Reichheld 2003).",
    },
    # --- retention cost ---
    "cost_mode": {"de": "Kosten aus", "en": "Costs from"},
    "cost_mode_data": {"de": "Kostentabelle", "en": "Cost sheet"},
    "cost_mode_typed": {"de": "Eigene Eingabe", "en": "Typed in"},
    "cost_typed_intro": {
        "de": "Ohne Kostentabelle: Geben Sie die Ausgaben eines Zeitraums und die Zahl der aktiven Kunden ein. "
              "Voreingestellt ist das Café-Beispiel (5.000 + 900 + 2.500 bei 700 Kunden).",
        "en": "Without a cost sheet: type in one period's spend and the number of active customers. The café "
              "example is preset (5,000 + 900 + 2,500 for 700 customers).",
    },
    "cost_period": {"de": "Zeitraum für die Was-wäre-wenn-Rechnung", "en": "Period for the what-if"},
    "cost_whatif": {"de": "Was wäre, wenn …", "en": "What if …"},
    "category_team": {"de": "Team (Personal)", "en": "Team (salaries)"},
    "category_tools": {"de": "Tools (Software)", "en": "Tools (software)"},
    "category_engagement": {"de": "Engagement (Rabatte, Prämien, Treueprogramm)",
                            "en": "Engagement (discounts, rewards, loyalty)"},
    "category_short_team": {"de": "Team", "en": "Team"},
    "category_short_tools": {"de": "Tools", "en": "Tools"},
    "category_short_engagement": {"de": "Engagement", "en": "Engagement"},
    "label_active_customers": {"de": "Aktive Kunden", "en": "Active customers"},
    "label_warm_up": {"de": "Anlaufphase: Kundenstamm im Aufbau, nicht gemessen",
                      "en": "Warm-up: customer base still building, not measured"},
    "label_active_customers_typed": {"de": "Aktive Kunden im Zeitraum", "en": "Active customers in the period"},
    "label_active_customers_whatif": {"de": "Aktive Kunden (was wäre, wenn)", "en": "Active customers (what if)"},
    "label_total_retention_cost": {"de": "Bindungskosten gesamt", "en": "Total retention spend"},
    "label_cac_band": {"de": "Typische CAC (5–25 ×)", "en": "Typical CAC (5–25 ×)"},
    "label_cac_band_help": {
        "de": "Neukunden zu gewinnen kostet oft das 5- bis 25-Fache der Bindung eines Bestandskunden (Gallo 2014, "
              "HBR).",
        "en": "Winning a new customer often costs 5 to 25 times as much as keeping one (Gallo 2014, HBR).",
    },
    "label_your_cac": {"de": "Akquisitionskosten pro Neukunde (CAC)", "en": "Acquisition cost per new customer (CAC)"},
    # number fields (dashboard.scenario.number_input); {text} as typed, {example}/{low}/{high}/{kept} formatted
    "number_unreadable": {
        "de": "„{text}“ ist keine Zahl, die sich lesen lässt. Bitte so schreiben: {example} (Punkte zwischen den "
              "Tausendern, ein Komma vor den Nachkommastellen). Es gilt weiter {kept}.",
        "en": "“{text}” is not a number that can be read. Please write it like {example} (commas between the "
              "thousands, a point before the decimals). Still using {kept}.",
    },
    "number_out_of_range": {
        "de": "{text} liegt nicht zwischen {low} und {high}. Es gilt weiter {kept}.",
        "en": "{text} is not between {low} and {high}. Still using {kept}.",
    },
    "number_not_whole": {
        "de": "{text} ist keine ganze Zahl; hier zählen ganze Kunden, z. B. {example}. Es gilt weiter {kept}.",
        "en": "{text} is not a whole number; this counts whole customers, e.g. {example}. Still using {kept}.",
    },
    "label_retention_cost_short": {"de": "Bindung pro Kunde", "en": "Retention per customer"},
    "label_cac_short": {"de": "CAC", "en": "CAC"},
    "band_cac_multiple": {"de": "{low}–{high} × Bindungskosten", "en": "{low}–{high} × retention cost"},
    "chart_cost_stack": {"de": "Bindungskosten nach Kategorie", "en": "Retention spend by category"},
    "chart_cost_per_customer": {"de": "Bindungskosten pro aktivem Kunden", "en": "Retention cost per active customer"},
    "chart_cac_band": {"de": "Bindung vs. Akquisition pro Kunde", "en": "Retention vs acquisition per customer"},
    "cost_cac_unknown_data": {
        "de": "Für diesen Zeitraum ist kein CAC bekannt (keine Akquisitionsausgaben oder keine Neukunden); der "
              "Vergleichsbalken entfällt.",
        "en": "No CAC is known for this period (no acquisition spend or no new customers); the comparison bar is "
              "left out.",
    },
    "cost_cac_unknown_typed": {
        "de": "Tragen Sie Ihren CAC ein, um die Bindungskosten damit zu vergleichen; ohne ihn entfällt der "
              "Vergleichsbalken.",
        "en": "Type your CAC to compare the retention cost with it; without it the comparison bar is left out.",
    },
    # --- CLV ---
    "clv_gross_margin": {"de": "Bruttomarge", "en": "Gross margin"},
    "clv_gross_margin_help": {"de": "Anteil des Umsatzes, der nach Wareneinsatz bleibt. Vorbelegt aus Ihren Daten, "
                                    "sonst 30 %.",
                              "en": "Share of revenue left after cost of goods. Preset from your data, else 30 %."},
    "clv_discount_rate": {"de": "Diskontsatz pro Jahr", "en": "Discount rate per year"},
    "clv_discount_rate_help": {"de": "Kapitalkosten: Ein Euro in einem Jahr ist heute 1 / (1 + i) wert.",
                               "en": "Cost of capital: a euro a year from now is worth 1 / (1 + i) today."},
    "clv_horizon": {"de": "Horizont (Jahre)", "en": "Horizon (years)"},
    "clv_annual_retention": {
        "de": "Bindungsrate pro Jahr",
        "en": "Annual retention",
    },
    "clv_annual_retention_help": {
        "de": "Anteil der Käufer der 12 Monate davor, die in den letzten 12 Monaten wieder gekauft haben. Vorbelegt "
              "mit dem gemessenen Wert; dafür braucht es 24 Monate Bestellungen.",
        "en": "Share of the buyers of the 12 months before who bought again in the last 12 months. Preset to the "
              "measured value, which needs 24 months of orders.",
    },
    "clv_retention_cost_year": {
        "de": "Bindungskosten je Kundenjahr",
        "en": "Retention cost per customer-year",
    },
    "clv_retention_cost_year_help": {
        "de": "Bindungsausgaben der letzten 12 Monate / Käufer der letzten 12 Monate. Vorbelegt aus Ihrer "
              "Kostentabelle.",
        "en": "Retention spend of the last 12 months / buyers of the last 12 months. Preset from your cost sheet.",
    },
    "label_cac_year": {
        "de": "CAC (letzte 12 Monate)",
        "en": "CAC (last 12 months)",
    },
    "label_cac_year_help": {
        "de": "Akquisitionsausgaben der letzten 12 Monate / Neukunden der letzten 12 Monate (aus der "
              "Akquisitionstabelle, sonst Kunden mit Erstkauf in diesen 12 Monaten).",
        "en": "Acquisition spend of the last 12 months / new customers of the last 12 months (from the acquisition "
              "sheet, else the customers whose first order falls in those 12 months).",
    },
    "label_assumed": {
        "de": "angenommen",
        "en": "assumed",
    },
    "field_not_measured": {
        "de": "nicht gemessen – Wert eingeben",
        "en": "not measured – type a value",
    },
    "field_not_included": {
        "de": "nicht erfasst – ohne CAC gerechnet",
        "en": "not known – computed without CAC",
    },
    "basis_caption": {
        "de": "Gemessen vom {start} bis {end} (die letzten 12 Monate bis zur letzten Bestellung): {buyers} Käufer, "
              "Nettoumsatz {revenue}, {occasions} Käufe.",
        "en": "Measured from {start} to {end} (the last 12 months up to the last order): {buyers} buyers, net "
              "revenue {revenue}, {occasions} purchases.",
    },
    "basis_caption_retention": {
        "de": "Von den {previous} Käufern der 12 Monate davor kauften {retained} wieder: Bindung {rate} pro Jahr.",
        "en": "Of the {previous} buyers of the 12 months before, {retained} bought again: retention {rate} a year.",
    },
    "basis_caption_capped": {
        "de": "Für den Kundenwert gilt höchstens {cap} (bei 100 % bliebe jeder Kunde für immer).",
        "en": "Customer value uses at most {cap} (at 100 % every customer would stay for ever).",
    },
    "unknown_retention_short_history": {
        "de": "Die jährliche Bindung ist nicht gemessen: Dafür braucht es zwei volle Jahre Bestellungen (die letzten "
              "12 Monate und die 12 davor); Ihre Daten umfassen {months} Monate. Stellen Sie eine angenommene "
              "Bindungsrate am Regler ein oder laden Sie eine längere Historie hoch; bis dahin bleiben die "
              "Kundenwerte leer (—).",
        "en": "Annual retention is not measured: it needs two full years of orders (the last 12 months and the 12 "
              "before); your data cover {months} months. Set an assumed retention with the slider or upload a longer "
              "history; until then the customer values stay empty (—).",
    },
    "unknown_retention_no_previous_buyers": {
        "de": "Die jährliche Bindung ist nicht gemessen: In den 12 Monaten vor den letzten 12 hat niemand gekauft "
              "({months} Monate Daten). Stellen Sie eine angenommene Bindungsrate am Regler ein; bis dahin bleiben "
              "die Kundenwerte leer (—).",
        "en": "Annual retention is not measured: nobody bought in the 12 months before the last 12 ({months} months "
              "of data). Set an assumed retention with the slider; until then the customer values stay empty (—).",
    },
    "unknown_retention_assumed": {
        "de": "Die Bindungsrate ist nicht gesetzt ({months} Monate Daten): Stellen Sie sie am Regler ein.",
        "en": "The retention rate is not set ({months} months of data): set it with the slider.",
    },
    "unknown_retention_cost": {
        "de": "Bindungskosten je Kundenjahr: keine Kostenzeilen in den letzten 12 Monaten. Laden Sie die Tabelle "
              "„Kundenbindungskosten“ auf der Seite „Daten“ hoch oder tragen Sie einen angenommenen Wert ein; bis "
              "dahin bleiben Bindungskosten über die Lebensdauer, CLV-Lücke und Nettowert leer (—).",
        "en": "Retention cost per customer-year: no cost rows in the last 12 months. Upload the “Retention costs” "
              "sheet on the “Data” page or type an assumed value; until then lifetime retention cost, CLV gap and "
              "net value stay empty (—).",
    },
    "unknown_cac": {
        "de": "CAC: keine Akquisitionsausgaben mit Neukunden in den letzten 12 Monaten. Laden Sie die Tabelle "
              "„Akquisitionskosten“ auf der Seite „Daten“ hoch oder tragen Sie einen angenommenen Wert ein; bis "
              "dahin bleiben Nettowert und CLV : CAC leer (—).",
        "en": "CAC: no acquisition spend with new customers in the last 12 months. Upload the “Acquisition spend” "
              "sheet on the “Data” page or type an assumed value; until then net value and CLV : CAC stay empty (—).",
    },
    "warning_no_orders": {
        "de": "Ihre Daten enthalten keine Bestellung (nur Retouren?): Ein Kundenwert lässt sich nicht berechnen. "
              "Prüfen Sie die Zuordnung auf der Seite „Daten“.",
        "en": "Your data hold no order (returns only?): a customer value cannot be computed. Check the mapping on "
              "the “Data” page.",
    },
    "clv_simple": {"de": "Einfacher CLV", "en": "Simple CLV"},
    "clv_simple_help": {
        "de": "Ø Bestellwert × Bruttomarge × Käufe pro Jahr × erwartete Lebensdauer 1 / (1 − r), ohne Abzinsung. "
              "Bestellwert = Nettoumsatz / Kaufanlässe der letzten 12 Monate; Käufe pro Jahr = Kaufanlässe / Käufer.",
        "en": "Mean order value × gross margin × purchases per year × expected lifetime 1 / (1 − r), undiscounted. "
              "Order value = net revenue / purchase occasions of the last 12 months; purchases per year = occasions "
              "/ buyers.",
    },
    "clv_margin_multiple": {"de": "CLV (Margen-Multiplikator)", "en": "CLV (margin multiple)"},
    "clv_margin_multiple_help": {
        "de": "m · (1 + i) / (1 + i − r): Marge je Kundenjahr m; das erste Jahr sicher und sofort, jedes weitere "
              "nur, wenn der Kunde bleibt, abgezinst (Farris et al. 2010, §5.3; = m + Gupta & Lehmanns m · r / (1 + "
              "i − r)).",
        "en": "m · (1 + i) / (1 + i − r): margin per customer-year m; the first year certain and at once, each later "
              "one only if the customer stays, discounted (Farris et al. 2010, §5.3; = m + Gupta & Lehmann's m · r / "
              "(1 + i − r)).",
    },
    "clv_finite": {"de": "CLV (fester Horizont)", "en": "CLV (finite horizon)"},
    "clv_finite_help": {
        "de": "Σ m · rᵗ / (1 + i)ᵗ für t = 0 … N − 1: wie der Multiplikator, aber nach N Jahren Schluss.",
        "en": "Σ m · rᵗ / (1 + i)ᵗ for t = 0 … N − 1: like the multiple, but stops after N years.",
    },
    "interval_value": {"de": "{value} (80\u00a0%: {range})", "en": "{value} (80%: {range})"},
    "interval_level": {"de": "80\u00a0%: {range}", "en": "80%: {range}"},
    "interval_help": {
        "de": "80-%-Intervall: {range}. Zieht man Ihre Kundinnen und Kunden immer wieder neu (Bootstrap, "
              "200 Wiederholungen), liegt der Wert in 8 von 10 Fällen in diesem Bereich. Es zeigt, wie genau Ihre "
              "Daten den Wert messen, nicht ob das Modell stimmt; selbst eingegebene Werte gelten als sicher.",
        "en": "80% interval: {range}. Resampling your customers again and again (bootstrap, 200 replicates), the "
              "value lies in this range in 8 of 10 cases. It shows how precisely your data measure the value, not "
              "whether the model is right; values you typed in count as certain.",
    },
    "interval_clv_sentence": {
        "de": "Mit Ihren Daten liegt der CLV (Margen-Multiplikator) in 8 von 10 Fällen zwischen {low} und {high}.",
        "en": "With your data the CLV (margin multiple) lies between {low} and {high} in 8 of 10 cases.",
    },
    "interval_profit_sentence": {
        "de": "Mit Ihren Daten liegt der Zuwachs in 8 von 10 Fällen zwischen {low} und {high} "
              "(die Gewinne je Kundenjahr gehen dabei so ein, wie sie oben stehen).",
        "en": "With your data the increase is between {low} and {high} in 8 of 10 cases (with the profits per "
              "customer year as listed above).",
    },
    "interval_wide": {
        "de": "Das Intervall ist breit: Für diese Zahl gibt es wenige Kundinnen und Kunden in den Daten, lesen Sie "
              "sie als grobe Größenordnung.",
        "en": "The interval is wide: your data hold few customers for this figure, so read it as a rough order of "
              "magnitude.",
    },
    "clv_why_differ": {
        "de": "**Warum die drei Werte abweichen:** Alle beginnen mit der Marge eines Kundenjahres ({margin}). Der "
              "einfache CLV zählt sie über die erwartete Lebensdauer ({lifetime} Jahre) ohne Abzinsung. Der "
              "Multiplikator zinst jedes spätere Jahr ab und zählt es nur, wenn der Kunde bis dahin bleibt. Der "
              "feste Horizont hört zusätzlich nach {horizon} Jahren auf – er ist die vorsichtigste Zahl.",
        "en": "**Why the three differ:** all start from one customer-year's margin ({margin}). Simple CLV counts it "
              "over the expected lifetime ({lifetime} years) with no discounting. The margin multiple discounts each "
              "later year and counts it only if the customer is still there. The finite horizon also stops after "
              "{horizon} years – it is the most cautious number.",
    },
    "clv_gap_title": {
        "de": "Die CLV-Lücke: CLV minus Bindungskosten über die Kundenlebensdauer",
        "en": "The CLV gap: CLV minus the retention cost over the customer's lifetime",
    },
    "clv_gap_intro": {
        "de": "Die Lücke zeigt, was ein Neukunde nach den Kosten bringt, ihn zu halten. Der Nettowert zieht "
              "zusätzlich die Akquisitionskosten (CAC) ab; das Break-even-Budget ist die Bindungsausgabe je "
              "Kundenjahr, bei der der Nettowert null wird.",
        "en": "The gap shows what a new customer brings after the cost of keeping them. The net value also subtracts "
              "the acquisition cost (CAC); the break-even spend is the retention spend per customer-year at which "
              "the net value reaches zero.",
    },
    "label_lifetime_retention_cost": {
        "de": "Bindungskosten über die Lebensdauer",
        "en": "Lifetime retention cost",
    },
    "label_minus_retention_cost": {"de": "− Bindungskosten", "en": "− retention cost"},
    "label_minus_cac": {"de": "− CAC", "en": "− CAC"},
    "label_lifetime_retention_cost_help": {
        "de": "c · (1 + i) / (1 + i − r): Bindungskosten je Kundenjahr c, im selben Takt wie die Marge (erstes Jahr "
              "sicher, danach nur bei Verbleib und abgezinst).",
        "en": "c · (1 + i) / (1 + i − r): retention cost per customer-year c, timed like the margin (the first year "
              "certain, later ones only if the customer stays, discounted).",
    },
    "label_net_value": {
        "de": "Nettowert je Neukunde",
        "en": "Net value per new customer",
    },
    "label_net_value_help": {
        "de": "CLV-Lücke − CAC = CLV − Bindungskosten über die Lebensdauer − CAC (letzte 12 Monate). Ohne "
              "Bindungskosten oder CAC unbekannt (—).",
        "en": "CLV gap − CAC = CLV − lifetime retention cost − CAC (last 12 months). Unknown (—) without a retention "
              "cost or a CAC.",
    },
    "label_break_even": {
        "de": "Break-even-Budget je Kundenjahr",
        "en": "Break-even spend per customer-year",
    },
    "label_break_even_help": {
        "de": "c* = m − CAC · (1 + i − r) / (1 + i): bis zu dieser Bindungsausgabe je Kundenjahr bleibt der "
              "Nettowert ≥ 0. Negativ heißt: Selbst ohne Bindungskosten verliert jeder Neukunde Geld.",
        "en": "c* = m − CAC · (1 + i − r) / (1 + i): up to this retention spend per customer-year the net value "
              "stays ≥ 0. Negative means every new customer loses money even with no retention spend.",
    },
    "label_break_even_no_cac_help": {
        "de": "Ohne CAC: c* = m, die Bindungsausgabe je Kundenjahr, bei der die CLV-Lücke null wird "
              "(Akquisitionskosten nicht berücksichtigt).",
        "en": "Without a CAC: c* = m, the retention spend per customer-year at which the CLV gap reaches zero "
              "(acquisition cost not included).",
    },
    "clv_cac_unknown": {
        "de": "CLV : CAC braucht die Akquisitionskosten: Laden Sie die Akquisitionstabelle hoch oder tragen Sie oben "
              "einen CAC ein.",
        "en": "CLV : CAC needs the acquisition cost: upload the acquisition sheet or type a CAC above.",
    },
    "chart_clv_comparison": {"de": "Drei CLV-Formeln im Vergleich", "en": "Three CLV formulas compared"},
    "chart_clv_waterfall": {"de": "Vom CLV zum Nettowert", "en": "From CLV to net value"},
    "chart_clv_cac": {"de": "CLV : CAC gegen die 3 : 1-Faustregel", "en": "CLV : CAC against the 3 : 1 rule of thumb"},
    "band_clv_cac_rule": {"de": "Faustregel 3 : 1", "en": "rule of thumb 3 : 1"},
    "axis_ratio": {"de": "Verhältnis", "en": "Ratio"},
    # --- retention -> profit ---
    "profit_retention": {"de": "Bindungsrate pro Jahr heute", "en": "Annual retention today"},
    "profit_retention_help": {
        "de": "Vorbelegt mit der gemessenen jährlichen Bindung (wie auf der Seite „CLV & Lücke“): Anteil der Käufer "
              "der 12 Monate davor, die in den letzten 12 Monaten wieder gekauft haben.",
        "en": "Preset to the measured annual retention (as on the “CLV & gap” page): the share of the buyers of the "
              "12 months before who bought again in the last 12 months.",
    },
    "profit_cac_help": {
        "de": "Akquisitionskosten je Neukunde; vorbelegt mit dem CAC der letzten 12 Monate. Leer: Die Werte gelten "
              "vor Akquisitionskosten.",
        "en": "Acquisition cost per new customer; preset to the CAC of the last 12 months. Empty: the values are "
              "before acquisition cost.",
    },
    "warning_no_customer_year": {
        "de": "Für diese Seite reichen die Daten nicht: Es braucht mindestens einen Kunden, dessen erstes Kundenjahr "
              "ganz in den Daten liegt (für den Gewinn je Kundenjahr). Laden Sie eine längere Historie hoch.",
        "en": "There is not enough data for this page: it needs at least one customer whose first customer year lies "
              "wholly in the data (for the profit per customer year). Upload a longer history.",
    },
    "profit_growth_assumes": {
        "de": "Angenommen: Jedes Jahr kommen so viele Neukunden hinzu wie in den letzten 12 Monaten – {rate} der "
              "Käufer des Vorjahres –, in allen {years} Jahren gleich. Das Wachstum „ohne Verbesserung“ (+{growth} "
              "nach {years} Jahren) kommt aus dieser Annahme, nicht aus der Bindung; ein junges Geschäft gewinnt "
              "später meist anteilig weniger Neukunden. Es ist eine Rechnung, keine Prognose.",
        "en": "Assumed: every year as many new customers join as in the last 12 months – {rate} of the previous "
              "year's buyers – the same in all {years} years. The growth “without improvement” (+{growth} after "
              "{years} years) comes from this assumption, not from retention; a young business usually wins "
              "relatively fewer new customers later. It is arithmetic, not a forecast.",
    },
    "profit_growth_unknown": {
        "de": "Die Projektion des Kundenstamms braucht die gemessene jährliche Bindung (24 Monate Bestellungen).",
        "en": "The customer-base projection needs the measured annual retention (24 months of orders).",
    },
    "profit_uplift": {"de": "Verbesserung der Bindung (Prozentpunkte)", "en": "Retention improvement (percentage points)"},
    "profit_uplift_help": {"de": "5 Prozentpunkte ist der Wert der bekannten Reichheld-Studie.",
                           "en": "5 percentage points is the figure of Reichheld's well-known study."},
    "profit_horizon": {"de": "Horizont", "en": "Horizon"},
    "profit_horizon_unlimited": {"de": "unbegrenzt", "en": "unlimited"},
    "label_years": {"de": "{years} Jahre", "en": "{years} years"},
    "profit_tenure_intro": {
        "de": "Gewinn pro gebliebenem Kunde nach Kundenjahr: Umsatz pro aktivem Kunden in seinem n-ten Jahr × "
              "Marge ({margin}). Überschreiben Sie die Gewinne nach Belieben; nach dem letzten Jahr bleibt "
              "der Gewinn auf dem letzten Wert.",
        "en": "Profit per retained customer by customer year: revenue per active customer in their n-th year × "
              "margin ({margin}). Overwrite the profits as you like; after the last year profit stays at "
              "the last value.",
    },
    "profit_year_field": {"de": "Gewinn im {year}. Kundenjahr (Umsatz {revenue})",
                          "en": "Profit in customer year {year} (revenue {revenue})"},
    "profit_value_before": {"de": "Kundenwert heute", "en": "Customer value today"},
    "profit_value_before_no_cac": {
        "de": "Kundenwert heute (vor CAC)",
        "en": "Customer value today (before CAC)",
    },
    "profit_value_after_no_cac": {
        "de": "Kundenwert mit Verbesserung (vor CAC)",
        "en": "Customer value with uplift (before CAC)",
    },
    "profit_value_change": {
        "de": "Mehr Kundenwert je Neukunde",
        "en": "Customer value gained per new customer",
    },
    "profit_differs_from_clv": {
        "de": "Warum dieser Kundenwert vom CLV auf der Seite „CLV & Lücke“ abweichen kann: Dort bringt jedes "
              "Kundenjahr dieselbe Marge; hier wächst der Gewinn mit dem Kundenjahr (Tabelle oben), und "
              "Bindungskosten werden nicht abgezogen. Bei gleichem Gewinn in jedem Jahr ist der Wert hier genau der "
              "CLV (Margen-Multiplikator) minus CAC.",
        "en": "Why this customer value can differ from the CLV on the “CLV & gap” page: there every customer year "
              "brings the same margin; here profit grows with the customer year (table above), and no retention cost "
              "is subtracted. With the same profit in every year the value here is exactly the CLV (margin multiple) "
              "minus CAC.",
    },
    "profit_value_after": {"de": "Kundenwert mit Verbesserung", "en": "Customer value with uplift"},
    "profit_value_help": {
        "de": "Barwert der Gewinne eines Neukunden: Jahr 1 sicher und sofort, Jahr t nur bei Verbleib (r^(t−1)), "
              "abgezinst mit (1 + i)^(t−1), minus CAC (Reichheld & Sasser 1990). Bei gleichem Gewinn in jedem Jahr "
              "ist das genau der CLV (Margen-Multiplikator) minus CAC.",
        "en": "Present value of a new customer's profits: year 1 certain and at once, year t only if the customer "
              "stays (r^(t−1)), discounted by (1 + i)^(t−1), minus CAC (Reichheld & Sasser 1990). With the same "
              "profit in every year it is exactly the CLV (margin multiple) minus CAC.",
    },
    "profit_relative_change": {"de": "Mehr Gewinn pro Kunde", "en": "More profit per customer"},
    "profit_relative_change_help": {
        "de": "(Wert nachher − Wert vorher) / Wert vorher. Leer (—), wenn der Wert vorher nicht positiv ist oder "
              "unter einem Zehntel des Gewinnwerts vor CAC liegt: Dann sagt ein Prozentsatz nichts, nur der Betrag.",
        "en": "(value after − value before) / value before. Empty (—) when the value before is not positive or below "
              "a tenth of the profit value before CAC: then a percentage means nothing, only the amount does.",
    },
    "profit_lifetime": {"de": "Lebensdauer (Jahre)", "en": "Lifetime (years)"},
    "label_years_range": {"de": "{before} → {after}", "en": "{before} → {after}"},
    "profit_churn_sentence": {
        "de": "Bindung {retention_before} → {retention_after} heißt Churn {churn_before} → {churn_after}: "
              "**{cut} weniger Abwanderung**. Von 90 % auf 95 % halbiert sich der Churn – deshalb wirken wenige "
              "Prozentpunkte Bindung so stark.",
        "en": "Retention {retention_before} → {retention_after} means churn {churn_before} → {churn_after}: "
              "**{cut} less churn**. From 90% to 95%, churn halves – which is why a few points of retention "
              "matter so much.",
    },
    "verdict_inside": {
        "de": "Bei +{points} Prozentpunkten Bindung steigt der Kundenwert um {change} ({money} je Neukunde) – "
              "innerhalb des veröffentlichten Bands von {low} bis {high} (Reichheld).",
        "en": "At +{points} percentage points of retention, customer value rises by {change} ({money} per new "
              "customer) – inside the published band of {low} to {high} (Reichheld).",
    },
    "verdict_below": {
        "de": "Bei +{points} Prozentpunkten Bindung steigt der Kundenwert um {change} ({money} je Neukunde) – unter "
              "dem veröffentlichten Band von {low} bis {high}.",
        "en": "At +{points} percentage points of retention, customer value rises by {change} ({money} per new "
              "customer) – below the published band of {low} to {high}.",
    },
    "verdict_above": {
        "de": "Bei +{points} Prozentpunkten Bindung steigt der Kundenwert um {change} ({money} je Neukunde) – über "
              "dem veröffentlichten Band von {low} bis {high}.",
        "en": "At +{points} percentage points of retention, customer value rises by {change} ({money} per new "
              "customer) – above the published band of {low} to {high}.",
    },
    "verdict_absolute": {
        "de": "Bei +{points} Prozentpunkten Bindung steigt der Kundenwert um {money} je Neukunde (Reichhelds Band: "
              "{low} bis {high}).",
        "en": "At +{points} percentage points of retention, customer value rises by {money} per new customer "
              "(Reichheld's band: {low} to {high}).",
    },
    "verdict_no_room": {
        "de": "Bei 99 % Bindung oder mehr bleibt kein Raum für eine Verbesserung; ein Vergleich mit Reichhelds {low} "
              "bis {high} entfällt.",
        "en": "At 99 % retention or more there is no room for an uplift; no comparison with Reichheld's {low} to "
              "{high}.",
    },
    # the causes below follow "verdict_why" (app_pages/profit.py CAUSES), each a sentence
    "verdict_why": {"de": "Warum: {causes}", "en": "Why: {causes}"},
    "reason_short_lifetime": {
        "de": "Kunden bleiben im Schnitt keine 3 Jahre – mehr Bindung hat wenig Zeit, sich aufzusummieren.",
        "en": "Customers stay less than 3 years on average – extra retention has little time to add up.",
    },
    "reason_near_zero": {
        "de": "Ein Prozentsatz sagt hier nichts: Der Kundenwert vor der Verbesserung ist nicht positiv oder kleiner "
              "als ein Zehntel des Gewinnwerts vor Akquisitionskosten – nahe null wird jede Änderung zu Hunderten "
              "von Prozent. Entscheidend ist der Betrag.",
        "en": "A percentage means nothing here: the customer value before the uplift is not positive or less than a "
              "tenth of the profit value before acquisition cost – near zero every change reads as hundreds of "
              "percent. The amount is what counts.",
    },
    "reason_capped": {
        "de": "Nur {points} Prozentpunkte waren möglich, ohne 99 % Bindung zu überschreiten.",
        "en": "Only {points} percentage points were possible without passing 99 % retention.",
    },
    "reason_flat_profits": {"de": "Der Gewinn pro Kunde wächst kaum mit der Kundendauer (Reichheld setzt "
                                  "stark steigende Gewinne langjähriger Kunden voraus).",
                            "en": "Profit per customer barely grows with tenure (Reichheld assumes "
                                  "strongly rising profits from long-standing customers)."},
    "reason_high_discount": {"de": "Ein hoher Diskontsatz macht späte Gewinne heute wenig wert.",
                             "en": "A high discount rate makes late profits worth little today."},
    "reason_long_lifetime": {"de": "Sehr lange Kundenbeziehungen (über 10 Jahre) verstärken jede "
                                   "Verbesserung.",
                             "en": "Very long customer relationships (over 10 years) amplify every "
                                   "improvement."},
    "profit_growth_years": {"de": "Jahre für die Kundenstamm-Projektion", "en": "Years for the customer-base projection"},
    "chart_uplift_curve": {"de": "Mehr Gewinn je Prozentpunkt Bindung", "en": "Profit increase per point of retention"},
    "chart_uplift_curve_money": {
        "de": "Mehr Kundenwert je Prozentpunkt Bindung (Betrag je Neukunde)",
        "en": "Customer value gained per point of retention (per new customer)",
    },
    "chart_base_growth": {"de": "Kundenstamm im Vergleich zu heute", "en": "Customer base compared with today"},
    "chart_profit_by_tenure": {"de": "Gewinn pro Kunde nach Kundenjahr", "en": "Profit per customer by customer year"},
    "band_reichheld": {"de": "Reichheld: 25–95 % bei 5 pp", "en": "Reichheld: 25–95 % at 5 pp"},
    "label_your_business": {"de": "Ihr Unternehmen", "en": "Your business"},
    "label_without_uplift": {"de": "ohne Verbesserung", "en": "without uplift"},
    "label_with_uplift": {"de": "mit Verbesserung", "en": "with uplift"},
    # --- cohorts ---
    "cohort_periods_since": {"de": "{period} nach dem Erstkauf", "en": "Number of {period} after the first purchase"},
    "cohort_retention_after": {"de": "Anteil noch kaufender Kunden", "en": "Share still buying"},
    "cohort_retention_after_help": {"de": "Über alle Kohorten, die so lange beobachtet sind: Kunden mit Bestellung "
                                          "in diesem Zeitraum / Kohortengröße.",
                                    "en": "Over all cohorts observed that long: customers with an order in that "
                                          "period / cohort size."},
    "chart_cohort_heatmap": {"de": "Kohorten-Bindung", "en": "Cohort retention"},
    "chart_cohort_curves": {"de": "Bindungskurven je Kohorte", "en": "Retention curve per cohort"},
    "chart_cohort_revenue": {"de": "Umsatz je Kohorte", "en": "Revenue per cohort"},
    "label_average": {"de": "Durchschnitt", "en": "Average"},
    # --- loyalty ---
    "loyalty_repeat_help": {
        "de": "Kunden mit zwei oder mehr Kaufanlässen (Bestelltage, oder Bestellnummern, wenn Ihre Daten welche "
              "haben) / alle Kunden mit einer Bestellung, über den ganzen Datenzeitraum. Ein Warenkorb mit zwei "
              "Zeilen am selben Tag ist ein Kauf.",
        "en": "Customers with two or more purchase occasions (order days, or order numbers when your data has them) "
              "/ all customers with an order, over the whole data. A basket of two lines on one day is one purchase.",
    },
    "loyalty_upsell_rate": {"de": "Upsell-Rate", "en": "Upsell rate"},
    "loyalty_upsell_rate_help": {"de": "Kunden mit mindestens zwei verschiedenen Produkten / alle Kunden.",
                                 "en": "Customers with at least two different products / all customers."},
    "loyalty_upsell_ratio": {"de": "Upsell-Quote", "en": "Upsell ratio"},
    "loyalty_upsell_ratio_help": {"de": "Mehrproduktkunden / Einzelproduktkunden.",
                                  "en": "Multi-product customers / single-product customers."},
    "loyalty_no_products": {"de": "Upsell braucht eine Produktspalte in den Transaktionen.",
                            "en": "Upsell needs a product column in the transactions."},
    "loyalty_cli_title": {"de": "Customer Loyalty Index (CLI)", "en": "Customer Loyalty Index (CLI)"},
    "loyalty_cli_intro": {"de": "Angenommene Mittelwerte (0–10) zu drei Umfragefragen, nicht aus Ihren Daten: die "
                                "NPS-Tabelle enthält diese Fragen nicht. Tragen Sie die Mittelwerte Ihrer eigenen "
                                "Umfrage ein; der CLI ist ihr Durchschnitt.",
                          "en": "Assumed mean answers (0–10) to three survey questions, not from your data: the NPS "
                                "sheet does not hold these questions. Enter your own survey's means; the CLI is "
                                "their average."},
    "loyalty_cli_recommend": {"de": "Würden Sie uns weiterempfehlen?", "en": "Would you recommend us?"},
    "loyalty_cli_repurchase": {"de": "Würden Sie wieder kaufen?", "en": "Would you buy again?"},
    "loyalty_cli_try_new": {"de": "Würden Sie andere Produkte probieren?", "en": "Would you try other products?"},
    "loyalty_cli": {"de": "CLI (0–10)", "en": "CLI (0–10)"},
    "loyalty_cli_help": {"de": "CLI = (Ø Empfehlung + Ø Wiederkauf + Ø Neues probieren) / 3.",
                         "en": "CLI = (mean recommend + mean repurchase + mean try new) / 3."},
    "chart_nps": {"de": "NPS je Zeitraum", "en": "NPS by period"},
    # --- revenue retention (Umsatzbindung): NRR, GRR, revenue bridge, revenue cohorts, subscription hint ---
    "revenue_title": {"de": "Umsatzbindung", "en": "Revenue retention"},
    "revenue_intro": {
        "de": "Kundenbindung zählt Köpfe, Umsatzbindung zählt Euro: Was geben die Käufer des Vorzeitraums jetzt aus "
              "– mehr (Expansion), weniger (Kontraktion) oder nichts mehr (Abwanderung)? Neue und reaktivierte "
              "Kunden kommen hinzu. Als Käufer zählt, wer im Zeitraum bestellt hat; Umsatz ist netto nach Retouren.",
        "en": "Customer retention counts heads, revenue retention counts money: what do the previous period's buyers "
              "spend now – more (expansion), less (contraction) or nothing (churn)? New and reactivated customers "
              "come on top. A buyer is a customer who ordered in the period; revenue is net of returns.",
    },
    "kpi_net_revenue_retention": {"de": "Netto-Umsatzbindung (NRR)", "en": "Net revenue retention (NRR)"},
    "kpi_net_revenue_retention_help": {
        "de": "NRR = (Anfangsumsatz + Expansion − Kontraktion − Abwanderung) / Anfangsumsatz: was die Käufer des "
              "Vorzeitraums jetzt ausgeben, geteilt durch das, was sie damals ausgaben. Neue und reaktivierte Kunden "
              "zählen nicht. Über 100 %: Ihre Bestandskunden steigern den Umsatz von selbst. Jahreswerte: Zeitraum "
              "„Jahr“ (Vorjahresvergleich).",
        "en": "NRR = (starting revenue + expansion − contraction − churn) / starting revenue: what the previous "
              "period's buyers spend now, over what they spent then. New and reactivated customers do not count. "
              "Above 100%: your existing customers grow revenue by themselves. Yearly figures: period “year” "
              "(year over year).",
    },
    "kpi_gross_revenue_retention": {"de": "Brutto-Umsatzbindung (GRR)", "en": "Gross revenue retention (GRR)"},
    "kpi_gross_revenue_retention_help": {
        "de": "GRR = (Anfangsumsatz − Kontraktion − Abwanderung) / Anfangsumsatz = Σ min(Umsatz jetzt, Umsatz "
              "vorher) / Σ Umsatz vorher über die Käufer des Vorzeitraums. Mehrumsatz zählt nicht, daher höchstens "
              "100 %: zeigt, was durch Abwanderung und Weniger-Kaufen verloren geht.",
        "en": "GRR = (starting revenue − contraction − churn) / starting revenue = Σ min(revenue now, revenue "
              "before) / Σ revenue before over the previous period's buyers. Expansion does not count, so at most "
              "100%: shows what is lost to churn and to customers buying less.",
    },
    "kpi_churned_revenue": {"de": "Abgewanderter Umsatz", "en": "Churned revenue"},
    "kpi_churned_revenue_help": {
        "de": "Umsatz des Vorzeitraums von Käufern, die in diesem Zeitraum nicht mehr bestellt haben.",
        "en": "Last period's revenue of buyers who did not order in this period.",
    },
    "kpi_expansion_revenue": {"de": "Mehrumsatz (Expansion)", "en": "Expansion revenue"},
    "kpi_expansion_revenue_help": {
        "de": "Summe der Umsatzsteigerungen der Kunden, die in beiden Zeiträumen gekauft haben (jeder Kunde: "
              "Umsatz jetzt − Umsatz vorher, wo positiv).",
        "en": "Sum of the revenue increases of the customers who bought in both periods (each customer: revenue now "
              "− revenue before, where positive).",
    },
    "chart_revenue_bridge": {"de": "Umsatzbrücke {previous} → {period}", "en": "Revenue bridge {previous} → {period}"},
    "revenue_bridge_starting": {"de": "Käufer {period}", "en": "Buyers {period}"},
    "revenue_bridge_new": {"de": "+ Neukunden", "en": "+ New"},
    "revenue_bridge_reactivated": {"de": "+ Reaktiviert", "en": "+ Reactivated"},
    "revenue_bridge_expansion": {"de": "+ Expansion", "en": "+ Expansion"},
    "revenue_bridge_contraction": {"de": "− Kontraktion", "en": "− Contraction"},
    "revenue_bridge_churned": {"de": "− Abwanderung", "en": "− Churn"},
    "revenue_bridge_ending": {"de": "Käufer {period}", "en": "Buyers {period}"},
    "revenue_bridge_customers": {"de": "Kunden", "en": "customers"},
    "chart_revenue_retention": {"de": "Netto- und Brutto-Umsatzbindung je Zeitraum", "en": "NRR and GRR by period"},
    "axis_revenue_retention": {"de": "Umsatzbindung (%)", "en": "Revenue retention (%)"},
    "band_nrr_holds": {"de": "100 %: Bestandskunden halten ihren Umsatz", "en": "100%: existing customers keep "
                                                                                  "their revenue"},
    "band_subscription_grr": {"de": "Typische Jahres-GRR von Abo-Software: {value} (SaaS Capital 2023)",
                              "en": "Typical annual GRR of subscription software: {value} (SaaS Capital 2023)"},
    "revenue_benchmark_note_year": {
        "de": "Vergleichswert: Abo-Software mit kleinen Verträgen (unter 12.000 $ im Jahr) erreicht im Median eine "
              "Jahres-GRR von 90 % und eine NRR von 100 % (SaaS Capital, 2023 B2B SaaS Retention Benchmarks, über "
              "1.500 Unternehmen). Hohle Punkte: Zeitraum nur teilweise in den Daten.",
        "en": "Reference: subscription software with small contracts (under $12,000 a year) has a median annual "
              "GRR of 90% and NRR of 100% (SaaS Capital, 2023 B2B SaaS Retention Benchmarks, over 1,500 "
              "companies). Hollow points: period only partly in the data.",
    },
    "revenue_benchmark_note_period": {
        "de": "Die typische Jahres-GRR von Abo-Geschäften (90 %, SaaS Capital 2023) gilt für Jahre und ist hier nicht "
              "eingezeichnet: Ein {period} ist kürzer, seine Werte sind nicht vergleichbar (und werden nicht "
              "hochgerechnet). Für Jahreswerte im Vorjahresvergleich den Zeitraum „Jahr“ wählen. Hohle Punkte: "
              "Zeitraum nur teilweise in den Daten.",
        "en": "The typical annual GRR of subscription businesses (90%, SaaS Capital 2023) applies to years and is "
              "not drawn here: a {period} is shorter, so its figures do not compare (and are not compounded into "
              "years). For yearly figures, year over year, choose the period “year”. Hollow points: period only "
              "partly in the data.",
    },
    "revenue_returns_note": {
        "de": "Retouren von Kunden ohne Bestellung im Zeitraum ({returns}) stehen außerhalb der Brücke: Umsatz des "
              "Zeitraums {total} = Käufer {ending} + diese Retouren.",
        "en": "Returns of customers without an order in the period ({returns}) are outside the bridge: the "
              "period's revenue {total} = buyers {ending} + these returns.",
    },
    "revenue_incomplete_note": {
        "de": "{period} oder der Vorzeitraum liegt nur teilweise in den Daten (sie reichen vom {start} bis {end}): "
              "NRR und GRR dieses Zeitraums sind vorläufig.",
        "en": "{period} or the period before it is only partly in the data (they run from {start} to {end}): this "
              "period's NRR and GRR are provisional.",
    },
    "revenue_no_start": {
        "de": "Im Vorzeitraum gab es keinen Umsatz von Käufern: NRR und GRR sind nicht bestimmt (–).",
        "en": "The previous period had no revenue from buyers: NRR and GRR are undefined (–).",
    },
    "revenue_unavailable": {
        "de": "Diese Aggregatdaten enthalten noch keine Umsatzbrücke (mit einer älteren Version geschrieben). "
              "Aggregieren Sie die Bestellungen neu (python -m retention_core.cli …), dann erscheint sie hier.",
        "en": "These aggregates hold no revenue bridge yet (written by an older version). Aggregate the orders "
              "again (python -m retention_core.cli …) to see it here.",
    },
    "revenue_definitions_title": {"de": "So wird gerechnet", "en": "How it is counted"},
    "revenue_definitions": {
        "de": "- **Käufer** eines Zeitraums: Kunden mit mindestens einer Bestellung darin; ihr **Umsatz** ist netto "
              "(Bestellungen minus Retouren).\n"
              "- **Anfangsumsatz**: Umsatz der Käufer des Vorzeitraums im Vorzeitraum. **Neukunden**: erste Bestellung "
              "im Zeitraum. **Reaktiviert**: kauft jetzt, nicht im Vorzeitraum, aber früher schon.\n"
              "- **Expansion / Kontraktion**: Kunden, die in beiden Zeiträumen kaufen – ihr Mehr- bzw. Minderumsatz. "
              "**Abwanderung**: Umsatz des Vorzeitraums von Käufern, die jetzt nicht kaufen.\n"
              "- Anfang + Neu + Reaktiviert + Expansion − Kontraktion − Abwanderung = Endumsatz, auf den Cent.\n"
              "- Nur Retouren, keine Bestellung: kein Käufer. Wer im Vorzeitraum kaufte und jetzt nur zurückschickt, "
              "ist abgewandert (zählt 0, nicht weniger); die Retoure steht außerhalb der Brücke.\n"
              "- Im Vorzeitraum gekauft und alles zurückgegeben (netto 0): Käufer mit 0 €; ein Kauf jetzt ist "
              "Expansion.\n"
              "- Erster Zeitraum oder kein Umsatz im Vorzeitraum: keine NRR/GRR („–“).\n"
              "- Jahreswerte stammen aus dem Vorjahresvergleich (Zeitraum „Jahr“), nie aus hochgerechneten Quartalen.",
        "en": "- **Buyers** of a period: customers with at least one order in it; their **revenue** is net (orders "
              "less returns).\n"
              "- **Starting revenue**: what the previous period's buyers spent then. **New**: first order in the "
              "period. **Reactivated**: buys now, not in the previous period, but did before.\n"
              "- **Expansion / contraction**: customers who buy in both periods – their increase or decrease. "
              "**Churn**: last period's revenue of buyers who do not buy now.\n"
              "- Start + new + reactivated + expansion − contraction − churn = ending revenue, to the cent.\n"
              "- Returns only, no order: no buyer. A previous buyer who now only sends goods back has churned "
              "(counts 0, not less); the return is outside the bridge.\n"
              "- Bought last period and returned everything (net 0): a buyer with 0; buying now is expansion.\n"
              "- First period, or no revenue in the previous period: no NRR/GRR (“–”).\n"
              "- Yearly figures come year over year (period “year”), never from compounded quarters.",
    },
    "cohort_nrr_title": {"de": "Umsatz-Kohorten", "en": "Revenue cohorts"},
    "chart_cohort_nrr": {"de": "Netto-Umsatzbindung je Kohorte (gegenüber dem Vorzeitraum)",
                         "en": "Net revenue retention per cohort (against the period before)"},
    "cohort_nrr_note": {
        "de": "Dieselben Kohorten wie oben, in Euro statt in Köpfen: Jede Zelle ist die NRR der Kohorte – was ihre "
              "Käufer des Vorzeitraums jetzt ausgeben, geteilt durch ihren Umsatz im Vorzeitraum. Grün über 100 %: "
              "die Kohorte kauft mehr als zuvor; rot: weniger.",
        "en": "The same cohorts as above, in money instead of heads: each cell is the cohort's NRR – what its "
              "buyers of the previous period spend now, over what they spent then. Green above 100%: the cohort "
              "buys more than before; red: less.",
    },
    "data_subscription_hint": {
        "de": "**Abo-Muster erkannt.** {share} der Kunden mit mindestens drei Käufen kaufen in regelmäßigen "
              "Monatsabständen (alle 25 bis 35 Tage). Für ein Abo-Geschäft passt der Zeitraum **Monat**: Dann zeigt "
              "jede Kennzahl jede Verlängerung und Kündigung, und die Umsatzbindung (NRR/GRR) vergleicht "
              "Abo-Monate. Die vertragliche Sicht – das sBG-Modell auf der Seite „Kohorten“ – beschreibt Kündigungen "
              "besser als die Modelle für freie Wiederkäufe (BG/NBD).",
        "en": "**Subscription pattern found.** {share} of the customers with at least three purchases buy at "
              "regular monthly intervals (every 25 to 35 days). For a subscription business the period **month** "
              "fits: every figure then shows each renewal and cancellation, and revenue retention (NRR/GRR) compares "
              "subscription months. The contractual view – the sBG model on the Cohorts page – describes "
              "cancellations better than the models for free repeat purchases (BG/NBD).",
    },
    "data_subscription_use_month": {"de": "Zeitraum „Monat“ verwenden", "en": "Use the period “month”"},
    # --- benchmarks ---
    "chart_industry_benchmark": {"de": "Ihre Jahresbindung im Branchenvergleich",
                                 "en": "Your annual retention against industries"},
    "axis_annual_retention": {"de": "Kundenbindung pro Jahr (%)", "en": "Annual customer retention (%)"},
    "label_industry": {"de": "Branche", "en": "Industry"},
    "industry_retail": {"de": "Einzelhandel", "en": "Retail"},
    "industry_media": {"de": "Medien", "en": "Media"},
    "industry_hospitality": {"de": "Gastronomie & Hotellerie", "en": "Hospitality"},
    "industry_saas": {"de": "Software (SaaS)", "en": "Software (SaaS)"},
    "industry_financial_services": {"de": "Finanzdienstleistungen", "en": "Financial services"},
    "industry_telecom": {"de": "Telekommunikation", "en": "Telecommunications"},
    "overview_benchmark_note": {
        "de": "Branchenwerte sind Richtwerte aus Studien und Fachpresse (Quelle im Tooltip); Ihre Jahresbindung ist "
              "der Anteil der Käufer der 12 Monate vor den letzten 12, die in den letzten 12 Monaten wieder gekauft "
              "haben.",
        "en": "Industry figures are rules of thumb from studies and trade press (source in the tooltip); your annual "
              "retention is the share of the buyers of the 12 months before the last 12 who bought again in the last "
              "12 months.",
    },
    # --- axes ---
    "chart_retention_trend": {"de": "Bindung und Abwanderung je Zeitraum", "en": "Retention and churn by period"},
    "axis_period": {"de": "Zeitraum", "en": "Period"},
    "axis_percent": {"de": "Anteil (%)", "en": "Share (%)"},
    "axis_money": {"de": "Betrag ({currency})", "en": "Amount ({currency})"},
    "axis_money_per_customer": {"de": "{currency} pro Kunde", "en": "{currency} per customer"},
    "axis_uplift_points": {"de": "Bindungsverbesserung (Prozentpunkte)", "en": "Retention improvement (percentage points)"},
    "axis_profit_increase": {"de": "Mehr Gewinn pro Kunde (%)", "en": "Profit increase per customer (%)"},
    "axis_years": {"de": "Jahre ab heute", "en": "Years from today"},
    "axis_base_vs_today": {"de": "Kundenstamm (heute = 100 %)", "en": "Customer base (today = 100 %)"},
    "axis_customer_year": {"de": "Kundenjahr", "en": "Customer year"},
    "axis_periods_since": {"de": "{period} seit Erstkauf", "en": "Number of {period} since first purchase"},
    "axis_cohort": {"de": "Kohorte (Erstkauf)", "en": "Cohort (first purchase)"},
    "axis_share_active": {"de": "Anteil aktiv (%)", "en": "Share active (%)"},
    "axis_nps_points": {"de": "NPS (Punkte)", "en": "NPS (points)"},
    # --- data page ---
    "data_optional": {"de": "(optional)", "en": "(optional)"},
    "data_upload": {"de": "CSV-, Excel- (.xlsx) oder Parquet-Datei wählen",
                    "en": "Choose a CSV, Excel (.xlsx) or Parquet file"},
    "data_help_transactions": {
        "de": "Eine Zeile pro Bestellung: Kundennummer, Bestelldatum, Betrag; optional Produkt, Menge, Marge und "
              "Bestellnummer (mit ihr zählt jede Bestellnummer als ein Kauf, sonst jeder Bestelltag).",
        "en": "One row per order: customer id, order date, amount; optionally product, quantity, margin and order "
              "number (with it every order number counts as one purchase, otherwise every order day).",
    },
    "data_help_retention_costs": {
        "de": "Eine Zeile pro Kostenposten: Zeitraumbeginn, Kategorie (wird Team, Tools oder Engagement "
              "zugeordnet), Betrag.",
        "en": "One row per cost item: period start, category (mapped to team, tools or engagement), amount.",
    },
    "data_help_acquisition": {
        "de": "Eine Zeile pro Zeitraum: Zeitraumbeginn, Akquisitionsausgaben; optional Zahl der Neukunden (sonst "
              "aus den Erstkäufen ermittelt).",
        "en": "One row per period: period start, acquisition spend; optionally the number of new customers "
              "(otherwise derived from first purchases).",
    },
    "data_help_nps": {
        "de": "Eine Zeile pro Antwort: Antwortdatum, Bewertung 0–10; optional Kundennummer.",
        "en": "One row per answer: response date, score 0–10; optionally customer id.",
    },
    "data_sheet": {"de": "Tabellenblatt", "en": "Worksheet"},
    "data_dialect_csv": {
        "de": "Erkannt: CSV, Trennzeichen „{separator}“, Dezimalzeichen „{decimal}“, Datumsformat {dates}, "
              "Kodierung {encoding}; {rows} {rows|Zeile|Zeilen} gelesen.",
        "en": "Detected: CSV, separator “{separator}”, decimal mark “{decimal}”, date format {dates}, encoding "
              "{encoding}; {rows} {rows|row|rows} read.",
    },
    "predictive_fitted_on_sample": {
        "de": "Die Modelle wurden auf einer festen Zufallsstichprobe von {sample} Kunden geschätzt (bei so vielen "
              "Kunden ändert mehr die Parameter kaum); die Vorhersage gilt für alle Kunden.",
        "en": "The models were fitted on a fixed random sample of {sample} customers (with this many customers, "
              "more barely moves the parameters); the forecast covers every customer.",
    },
    "data_dialect_parquet": {"de": "Erkannt: Parquet; {rows} {rows|Zeile|Zeilen} gelesen.",
                             "en": "Detected: Parquet; {rows} {rows|row|rows} read."},
    "data_dialect_xlsx": {"de": "Erkannt: Excel, Blatt „{sheet}“; {rows} {rows|Zeile|Zeilen} gelesen.",
                          "en": "Detected: Excel, sheet “{sheet}”; {rows} {rows|row|rows} read."},
    "data_mapping_title": {"de": "**Spalten zuordnen** – vorbelegt nach den Spaltenüberschriften.",
                           "en": "**Map columns** – prefilled from the column headers."},
    "data_categories_title": {"de": "**Kostenkategorien zuordnen**", "en": "**Map cost categories**"},
    "data_apply": {"de": "Zuordnung übernehmen", "en": "Apply mapping"},
    "data_mapping_shared_column": {
        "de": "Die Spalte {column} ist mehreren Feldern zugeordnet: {fields}. Eine Spalte der Datei kann nur ein Feld "
              "füllen; wählen Sie für die anderen Felder die passende Spalte (bei optionalen Feldern „–“).",
        "en": "The column {column} is chosen for more than one field: {fields}. A column of the file can fill only "
              "one field; choose the right column for the other fields (“–” for optional fields).",
    },
    "quoted": {"de": "„{text}“", "en": "“{text}”"},
    "column_row_number": {"de": "Zeile", "en": "Row"},
    "column_reason": {"de": "Grund", "en": "Reason"},
    "and": {"de": " und ", "en": " and "},
    "data_rows_kept": {"de": "Übernommene Zeilen", "en": "Rows kept"},
    "data_rows_rejected": {"de": "Abgelehnte Zeilen", "en": "Rows rejected"},
    "data_download_rejected": {"de": "Abgelehnte Zeilen als CSV herunterladen", "en": "Download rejected rows as CSV"},
    "data_transactions_required": {"de": "Laden Sie zuerst Ihre Transaktionen hoch; bis dahin zeigt das Dashboard "
                                         "die Beispieldaten.",
                                   "en": "Upload your transactions first; until then the dashboard shows the "
                                         "sample data."},
    "data_use": {"de": "Meine Daten im Dashboard verwenden", "en": "Use my data in the dashboard"},
    "column_customer_id": {"de": "Kundennummer", "en": "Customer id"},
    "column_order_date": {"de": "Bestelldatum", "en": "Order date"},
    "column_amount": {"de": "Betrag", "en": "Amount"},
    "column_product": {"de": "Produkt", "en": "Product"},
    "column_quantity": {"de": "Menge", "en": "Quantity"},
    "column_order_id": {
        "de": "Bestellnummer",
        "en": "Order number",
    },
    "column_gross_margin": {"de": "Bruttomarge", "en": "Gross margin"},
    "column_period_start": {"de": "Zeitraumbeginn", "en": "Period start"},
    "column_category": {"de": "Kategorie", "en": "Category"},
    "column_acquisition_spend": {"de": "Akquisitionsausgaben", "en": "Acquisition spend"},
    "column_new_customers": {"de": "Neukunden", "en": "New customers"},
    "column_response_date": {"de": "Antwortdatum", "en": "Response date"},
    "column_score": {"de": "Bewertung (0–10)", "en": "Score (0–10)"},
    # --- data page: what keeps an upload from being used; {sheet} a sheet's name, {field} a field's label ---
    "data_field_missing": {
        "de": "{sheet}: Das Pflichtfeld „{field}“ ist noch leer. Wählen Sie im Reiter „{sheet}“ unter „Spalten "
              "zuordnen“ bei „{field}“ die Spalte mit {hint} und drücken Sie „{apply}“. Fehlt diese Spalte in der "
              "Datei, ergänzen Sie sie dort und laden Sie die Datei erneut hoch.",
        "en": "{sheet}: the required field “{field}” is still empty. In the “{sheet}” tab, under “Map columns”, "
              "choose the column with {hint} for “{field}” and press “{apply}”. If the file lacks that column, add "
              "it there and upload the file again.",
    },
    "data_mapping_not_applied": {
        "de": "{sheet}: Die Zuordnung ist nicht übernommen. Korrigieren Sie sie im Reiter „{sheet}“ und drücken Sie "
              "„{apply}“.",
        "en": "{sheet}: the mapping is not applied. Correct it in the “{sheet}” tab and press “{apply}”.",
    },
    "data_no_rows_kept": {
        "de": "{sheet}: Keine Zeile übernommen – alle {rejected} Zeilen wurden abgelehnt, am häufigsten wegen: "
              "{reasons}. Prüfen Sie, ob jedem Feld die richtige Spalte zugeordnet ist, und drücken Sie „{apply}“; "
              "sonst korrigieren Sie die Datei und laden Sie sie erneut hoch.",
        "en": "{sheet}: no row kept – all {rejected} rows were rejected, most often for: {reasons}. Check that each "
              "field is mapped to the right column and press “{apply}”; otherwise correct the file and upload it "
              "again.",
    },
    "data_no_purchases_kept": {
        "de": "{sheet}: Keine Zeile hat einen positiven Betrag in „{column}“ – nur Retouren oder Gutschriften, keine "
              "Käufe. Prüfen Sie, ob „{field}“ die Spalte mit den Umsätzen zugeordnet ist, und drücken Sie „{apply}“.",
        "en": "{sheet}: not a single row has a positive amount in “{column}” – only returns or credit notes, no "
              "purchases. Check that “{field}” is mapped to the column with the sales and press “{apply}”.",
    },
    "data_reason_in_column": {"de": "{reason} in „{column}“ ({rows})", "en": "{reason} in “{column}” ({rows})"},
    "data_reason": {"de": "{reason} ({rows})", "en": "{reason} ({rows})"},
    "data_optional_remove": {
        "de": "Oder entfernen Sie die Datei im Reiter „{sheet}“ (×); dann bleibt diese Tabelle weg.",
        "en": "Or remove the file in the “{sheet}” tab (×) to leave this sheet out.",
    },
    "data_use_blocked": {
        "de": "Noch nicht verwendbar: {reasons}. Wie Sie das beheben, steht im jeweiligen Reiter oben.",
        "en": "Not usable yet: {reasons}. The tab of each sheet above says how to fix it.",
    },
    "data_use_disabled_help": {
        "de": "Erst möglich, wenn jede hochgeladene Tabelle vollständig zugeordnet ist und Zeilen übernommen hat "
              "(siehe die Hinweise darüber).",
        "en": "Possible once every uploaded sheet is fully mapped and has rows kept (see the notes above).",
    },
    "column_hint_customer_id": {"de": "der Kundennummer (oder E-Mail) jeder Bestellung",
                                "en": "the customer number (or e-mail) of each order"},
    "column_hint_order_date": {"de": "dem Datum jeder Bestellung", "en": "the date of each order"},
    "column_hint_amount": {"de": "dem Betrag jeder Bestellung", "en": "the amount of each order"},
    "column_hint_period_start": {"de": "dem Datum oder Monat, für den die Zeile gilt",
                                 "en": "the date or month each row is for"},
    "column_hint_category": {"de": "der Kostenart (z. B. Personal, Software, Rabatte)",
                             "en": "the kind of cost (e.g. staff, software, discounts)"},
    "column_hint_acquisition_spend": {"de": "den Ausgaben für neue Kunden (z. B. Werbeausgaben)",
                                      "en": "the money spent on winning customers (e.g. ad spend)"},
    "column_hint_response_date": {"de": "dem Datum jeder Antwort", "en": "the date of each answer"},
    "column_hint_score": {"de": "der Bewertung von 0 bis 10", "en": "the score from 0 to 10"},
    "rejected_reason_load_rows_wrong_field_count": {"de": "falsche Zahl von Feldern", "en": "wrong number of fields"},
    "rejected_reason_load_rows_malformed": {"de": "fehlerhafte Zeile", "en": "malformed line"},
    "rejected_reason_load_values_not_numbers": {"de": "keine Zahl", "en": "not a number"},
    "rejected_reason_load_values_not_dates": {"de": "kein Datum", "en": "not a date"},
    "rejected_reason_data_missing_values": {"de": "leer", "en": "empty"},
    "rejected_reason_data_not_a_number": {"de": "keine Zahl", "en": "not a number"},
    "rejected_reason_data_not_a_date": {"de": "kein Datum", "en": "not a date"},
    "rejected_reason_data_not_whole_number": {"de": "keine ganze Zahl", "en": "not a whole number"},
    "rejected_reason_data_future_dates": {"de": "Datum in der Zukunft", "en": "date in the future"},
    "rejected_reason_data_negative_values": {"de": "negativ", "en": "negative"},
    "rejected_reason_data_score_out_of_range": {"de": "nicht zwischen 0 und 10", "en": "not between 0 and 10"},
    "rejected_reason_data_margin_out_of_range": {"de": "nicht zwischen 0 % und 100 %",
                                                 "en": "not between 0% and 100%"},
    "rejected_reason_data_unknown_category": {"de": "Kategorie nicht zugeordnet", "en": "category not assigned"},
    "rejected_reason_data_not_finite": {"de": "keine endliche Zahl", "en": "not a finite number"},
    "rejected_reason_data_too_large": {"de": "unmöglich groß", "en": "impossibly large"},
    "rejected_reason_data_date_too_early": {"de": "Datum vor 1900", "en": "date before 1900"},
    # --- unusable data and unexpected errors: a plain message and the way back ---
    "error_data_unusable": {"de": "Ihre hochgeladenen Daten lassen sich so nicht auswerten: {reason}.",
                            "en": "Your uploaded data cannot be analysed as they are: {reason}."},
    "error_sheet_field_missing": {"de": "{sheet} ohne das Pflichtfeld „{field}“",
                                  "en": "{sheet} without the required field “{field}”"},
    "error_sheet_no_rows": {"de": "{sheet} ohne eine einzige Zeile", "en": "{sheet} without a single row"},
    "error_sheet_not_applied": {"de": "{sheet} mit einer Zuordnung, die nicht übernommen ist",
                                "en": "{sheet} with a mapping that is not applied"},
    "error_sheet_no_purchases": {"de": "{sheet} ohne einen einzigen Kauf (nur Retouren)",
                                 "en": "{sheet} without a single purchase (returns only)"},
    "error_data_not_computable": {
        "de": "Die Kennzahlen lassen sich aus diesen Daten nicht berechnen (Fehlernummer {incident})",
        "en": "the figures cannot be computed from these data (incident {incident})",
    },
    "error_way_back_upload": {
        "de": "Wählen Sie in der Seitenleiste unter „{source}“ wieder „{sample}“, oder korrigieren Sie die "
              "Zuordnung auf der Seite „{data_page}“ und übernehmen Sie Ihre Daten dort erneut.",
        "en": "Choose “{sample}” again under “{source}” in the sidebar, or correct the mapping on the "
              "“{data_page}” page and use your data from there again.",
    },
    "error_unexpected": {
        "de": "Hier ist ein unerwarteter Fehler aufgetreten; Ihre Daten sind unverändert. Laden Sie die Seite neu "
              "(F5). Hilft das nicht, melden Sie das Problem mit der Fehlernummer {incident}.",
        "en": "An unexpected error occurred here; your data are unchanged. Reload the page (F5). If that does not "
              "help, report the problem with the incident code {incident}.",
    },
    "error_show_sample": {"de": "Beispieldaten anzeigen", "en": "Show the sample data"},
    "error_to_data_page": {"de": "Zur Seite „Daten“", "en": "Go to the Data page"},
    "status_failed": {"de": "Zusammenfassen fehlgeschlagen", "en": "Aggregating failed"},

    # --- consultant mode: scenario in the link, saved scenarios, comparison, exports ---
    "page_scenarios": {"de": "Szenarien", "en": "Scenarios"},
    "data_looks_like": {
        "de": "Diese Datei sieht nicht nach {sheet} aus, sondern nach der Tabelle „{other}“: {help} Laden Sie sie "
              "im Reiter „{other}“ hoch.",
        "en": "This file does not look like {sheet} but like the “{other}” sheet: {help} Upload it in the “{other}” "
              "tab.",
    },
    "data_upload_limit": {"de": "Höchstens {limit_mb} MB je Datei.", "en": "At most {limit_mb} MB per file."},
    "scenarios_export_which": {"de": "Welches Szenario exportieren", "en": "Scenario to export"},
    "intro_scenarios": {
        "de": "Jede Einstellung steht im Link (Adresszeile): Link kopieren und teilen zeigt genau diese Ansicht. "
              "Unter „Szenario speichern“ in der Seitenleiste halten Sie Einstellungen unter einem Namen fest; hier "
              "vergleichen Sie zwei davon (A und B), laden eines zurück in die Regler und exportieren.",
        "en": "Every setting is in the link (address bar): copy and share it to show exactly this view. Use “Save "
              "scenario” in the sidebar to keep settings under a name; here you compare two of them (A and B), "
              "load one back into the controls and export.",
    },
    "scenario_ignored": {
        "de": "Einige Einstellungen (aus dem Link oder einem Szenario) waren ungültig oder passen nicht zu den "
              "angezeigten Daten und stehen wieder auf dem Standardwert: {names}.",
        "en": "Some settings (from the link or a scenario) were invalid or do not fit the data shown and are back at "
              "their defaults: {names}.",
    },
    "scenario_save_title": {"de": "Szenario speichern", "en": "Save scenario"},
    "scenario_name": {"de": "Name des Szenarios", "en": "Scenario name"},
    "scenario_name_placeholder": {"de": "z. B. Marge 35 %, Bindung +5 pp", "en": "e.g. margin 35%, retention +5 pp"},
    "scenario_save": {"de": "Speichern", "en": "Save"},
    "scenario_saved": {"de": "Gespeichert als „{name}“. Vergleich unter „Szenarien“.",
                       "en": "Saved as “{name}”. Compare it under “Scenarios”."},
    "scenario_name_empty": {"de": "Bitte einen Namen eingeben.", "en": "Please enter a name."},
    "scenario_name_too_long": {"de": "Der Name darf höchstens {length} Zeichen haben.",
                               "en": "The name may have at most {length} characters."},
    "scenario_too_many": {"de": "Höchstens {limit} Szenarien pro Sitzung; speichern Sie unter einem vorhandenen "
                                "Namen, um es zu ersetzen.",
                          "en": "At most {limit} scenarios per session; save under an existing name to replace it."},
    "scenarios_current": {"de": "Aktuelle Einstellungen", "en": "Current settings"},
    "scenarios_none_saved": {"de": "Noch kein Szenario gespeichert: Stellen Sie die Regler ein und speichern Sie "
                                   "links unter „Szenario speichern“. Bis dahin zeigen A und B die aktuellen "
                                   "Einstellungen.",
                             "en": "No scenario saved yet: set the controls and save them under “Save scenario” in "
                                   "the sidebar. Until then A and B show the current settings."},
    "scenarios_pick_a": {"de": "Szenario A", "en": "Scenario A"},
    "scenarios_pick_b": {"de": "Szenario B", "en": "Scenario B"},
    "scenarios_load": {"de": "In die Regler laden", "en": "Load into the controls"},
    "scenarios_load_help": {"de": "Setzt alle Regler und den Link auf dieses Szenario; Sprache und Währung "
                                  "bleiben.",
                            "en": "Sets every control and the link to this scenario; language and currency stay."},
    "scenarios_compare_title": {"de": "A und B im Vergleich", "en": "A and B compared"},
    "scenarios_cards_caption": {"de": "Werte von B („{name}“); darunter die Veränderung gegenüber A.",
                                "en": "Values of B (“{name}”); below them the change against A."},
    "scenarios_delta_help": {"de": "Wert von B; darunter die Veränderung gegenüber A.",
                             "en": "B's value; below it the change against A."},
    "scenarios_column_kpi": {"de": "Kennzahl", "en": "Figure"},
    "scenarios_column_difference": {"de": "B − A", "en": "B − A"},
    "scenarios_column_relative": {"de": "B − A relativ", "en": "B − A relative"},
    "scenarios_periods_differ": {
        "de": "A und B wurden für verschiedene Zeiträume (Monat, Quartal, Jahr) gespeichert: Die Bindungskosten je "
              "aktivem Kunden gelten pro Zeitraum und sind daher nicht direkt vergleichbar. Der Kundenwert hängt vom "
              "Zeitraum nicht ab.",
        "en": "A and B were saved for different periods (month, quarter, year): retention cost per active customer "
              "is per period, so those values are not directly comparable. Customer value does not depend on the "
              "period.",
    },
    "chart_cost_compare": {"de": "Bindungskosten je Kunde: A und B", "en": "Retention cost per customer: A and B"},
    "scenarios_export_title": {"de": "Szenario exportieren", "en": "Export a scenario"},
    "scenarios_export_intro": {"de": "Eingaben und Ergebnisse als Tabelle, die Diagramme als Bilder und ein Bericht "
                                     "mit Formeln und Quellen, der auch offline öffnet.",
                               "en": "Inputs and results as a table, the charts as images, and a report with "
                                     "formulas and sources that also opens offline."},
    "scenarios_export_name": {"de": "Name im Export", "en": "Name in the export"},
    "download_scenario_csv": {"de": "CSV", "en": "CSV"},
    "download_scenario_xlsx": {"de": "Excel (.xlsx)", "en": "Excel (.xlsx)"},
    "download_report_html": {"de": "Bericht (HTML)", "en": "Report (HTML)"},
    "download_charts_png": {"de": "Diagramme (PNG, ZIP)", "en": "Charts (PNG, ZIP)"},
    "png_no_kaleido": {"de": "Diagramme als PNG sind hier nicht verfügbar: Das Paket „kaleido“ ist nicht "
                             "installiert.",
                       "en": "Charts as PNG are not available here: the package “kaleido” is not installed."},
    "png_no_browser": {"de": "Diagramme als PNG sind hier nicht verfügbar: Dafür wird Chrome oder Chromium "
                             "gebraucht, und keines wurde gefunden.",
                       "en": "Charts as PNG are not available here: they need Chrome or Chromium, and neither was "
                             "found."},
    "png_failed": {"de": "Die Diagramme konnten nicht als PNG gezeichnet werden (der Browser im Hintergrund hat "
                         "nicht geantwortet). Der HTML-Bericht enthält sie ebenfalls.",
                   "en": "The charts could not be drawn as PNG (the background browser did not answer). The HTML "
                         "report contains them too."},
    "report_title": {"de": "Szenario „{name}“", "en": "Scenario “{name}”"},
    "report_subtitle": {"de": "Daten: {data} · Zeitraum: {period} · Retention Economics Dashboard",
                        "en": "Data: {data} · Period: {period} · Retention Economics Dashboard"},
    "report_results": {"de": "Ergebnisse", "en": "Results"},
    "report_inputs": {"de": "Eingaben", "en": "Inputs"},
    "report_charts": {"de": "Diagramme", "en": "Charts"},
    "report_formulas": {"de": "Verwendete Formeln", "en": "Formulas used"},
    "report_formulas_intro": {
        "de": "So rechnet das Dashboard, mit Quellen: Raten als Anteile, r = jährliche Bindungsrate, i = Diskontsatz "
              "pro Jahr, m = Marge je Kundenjahr, c = Bindungskosten je Kundenjahr, AC = Akquisitionskosten; "
              "Kundenwerte je Neukunde.",
        "en": "How the dashboard computes, with sources: rates as fractions, r = annual retention rate, i = discount "
              "rate per year, m = margin per customer-year, c = retention cost per customer-year, AC = acquisition "
              "cost; customer values per new customer.",
    },
    "report_formula_line_retention_cost_per_customer": {
        "de": "Bindungskosten je Kunde = gesamte Bindungskosten / aktive Kunden",
        "en": "retention cost per customer = total retention cost / active customers",
    },
    "report_formula_line_annual_retention_rate": {
        "de": "r = Käufer in beiden Jahren / Käufer im früheren Jahr",
        "en": "r = buyers in both years / buyers in the earlier year",
    },
    "report_formula_line_margin_per_customer_year": {
        "de": "m = Bruttomarge × Nettoumsatz / Käufer",
        "en": "m = gross margin × net revenue / buyers",
    },
    "report_formula_line_simple_clv": {
        "de": "CLV = (durchschnittlicher Kaufwert × Kaufhäufigkeit) × Kundenlebensdauer",
        "en": "CLV = (average purchase value × purchase frequency) × lifespan",
    },
    "report_formula_line_clv_gap": {
        "de": "Lücke = CLV − LRC",
        "en": "gap = CLV − LRC",
    },
    "report_formula_line_net_value": {
        "de": "Nettowert = CLV-Lücke − CAC = CLV − LRC − CAC",
        "en": "net value = CLV gap − CAC = CLV − LRC − CAC",
    },
    "report_formula_line_retention_uplift": {
        "de": "relative Änderung = (V(r + Δ) − V(r)) / V(r); Rückgang der Abwanderung = 1 − (1 − r − Δ) / (1 − r)",
        "en": "relative change = (V(r + Δ) − V(r)) / V(r); churn reduction = 1 − (1 − r − Δ) / (1 − r)",
    },
    "report_formula_line_net_revenue_retention": {
        "de": "NRR = (S + E − C − L) / S   (S = Umsatz zu Beginn, E = Ausweitung, C = Rückgang, L = verlorener Umsatz)",
        "en": "NRR = (S + E − C − L) / S   (S = starting revenue, E = expansion, C = contraction, L = churned revenue)",
    },
    "report_formula_line_gross_revenue_retention": {
        "de": "GRR = (S − C − L) / S = Σ min(r_P, r_P−1) / Σ r_P−1   (C = Rückgang, L = verlorener Umsatz)",
        "en": "GRR = (S − C − L) / S = Σ min(r_P, r_P−1) / Σ r_P−1   (C = contraction, L = churned revenue)",
    },
    "report_formula_line_bridge_ending": {
        "de": "Ende = Beginn + neu + reaktiviert + Ausweitung − Rückgang − verloren",
        "en": "ending = starting + new + reactivated + expansion − contraction − churned",
    },
    "report_seed_000": {"de": "Fachartikel „Kosten der Kundenbindung“", "en": "article “Kosten der Kundenbindung”"},
    "report_seed_001": {"de": "Trustmary (2024), „Kundenwert“", "en": "Trustmary (2024), “Kundenwert”"},
    "report_seed_other": {"de": "Fachartikel zur Kundenbindung", "en": "article on customer retention"},
    "report_formula_retention_cost_per_customer": {"de": "Bindungskosten je aktivem Kunden und Zeitraum",
                                                   "en": "Retention cost per active customer and period"},
    "report_formula_annual_retention_rate": {"de": "Jährliche Bindungsrate: Anteil der Käufer eines Jahres, die im "
                                                   "Folgejahr wieder kaufen",
                                             "en": "Annual retention: the share of one year's buyers who buy again "
                                                   "the next year"},
    "report_formula_margin_per_customer_year": {"de": "Marge je Kundenjahr (nach Wareneinsatz)",
                                                "en": "Margin per customer-year (after the cost of goods)"},
    "report_formula_simple_clv": {"de": "Einfacher Kundenwert: Kundenwert je Zeitraum × Kundenlebensdauer",
                                  "en": "Simple customer lifetime value: value per period × lifespan"},
    "report_formula_margin_multiple_clv": {"de": "Kundenwert (CLV) eines Neukunden bei gleichbleibender Marge und "
                                                 "Bindung",
                                           "en": "Customer lifetime value (CLV) of a new customer at constant margin "
                                                 "and retention"},
    "report_formula_finite_horizon_clv": {"de": "Kundenwert (CLV) über einen begrenzten Zeitraum",
                                          "en": "Customer lifetime value (CLV) over a finite horizon"},
    "report_formula_lifetime_retention_cost": {"de": "Bindungskosten über die erwartete Kundenlebensdauer (Barwert)",
                                               "en": "Retention cost over the expected lifetime (present value)"},
    "report_formula_clv_gap": {"de": "CLV-Lücke: Kundenwert nach den Kosten, ihn zu halten",
                               "en": "CLV gap: customer value after the cost of keeping the customer"},
    "report_formula_net_value": {"de": "Nettowert eines Neukunden nach Bindungs- und Akquisitionskosten",
                                 "en": "Net value of a new customer after retention and acquisition cost"},
    "report_formula_break_even_retention_spend": {"de": "Bindungsausgaben je Kundenjahr, bei denen der Nettowert null "
                                                        "ist",
                                                  "en": "Retention spend per customer-year at which the net value is "
                                                        "zero"},
    "report_formula_clv_to_cac": {"de": "Verhältnis von Kundenwert zu Akquisitionskosten",
                                  "en": "Customer lifetime value to acquisition cost"},
    "report_formula_tenure_profit_value": {"de": "Wert eines Neukunden, dessen Gewinn mit der Kundendauer wächst",
                                           "en": "Value of a new customer whose profit grows with tenure"},
    "report_formula_retention_uplift": {"de": "Kundenwert vor und nach höherer Bindung",
                                        "en": "Customer value before and after higher retention"},
    "report_formula_net_revenue_retention": {"de": "Netto-Umsatzbindung (NRR) von Zeitraum zu Zeitraum",
                                             "en": "Net revenue retention (NRR) from period to period"},
    "report_formula_gross_revenue_retention": {"de": "Brutto-Umsatzbindung (GRR) von Zeitraum zu Zeitraum",
                                               "en": "Gross revenue retention (GRR) from period to period"},
    "report_formula_bridge_ending": {"de": "Umsatz am Ende, zu dem sich die Umsatzbrücke addiert",
                                     "en": "Ending revenue that the revenue bridge adds up to"},
    "report_reference": {"de": "Quelle", "en": "Reference"},
    "report_column_section": {"de": "Bereich", "en": "Section"},
    "report_column_item": {"de": "Größe", "en": "Item"},
    "report_column_value": {"de": "Wert", "en": "Value"},
    "report_column_shown": {"de": "Anzeige", "en": "Shown"},
    "scenarios_column_difference_interval": {"de": "80 % der Differenz", "en": "80% of the difference"},
    "scenarios_column_difference_interval_help": {
        "de": "Beide Szenarien werden auf denselben 200 Neuziehungen Ihrer Kundinnen und Kunden gerechnet; in 8 von "
              "10 Fällen liegt die Differenz B − A in diesem Bereich.",
        "en": "Both scenarios are computed on the same 200 resamples of your customers; in 8 of 10 cases the "
              "difference B − A lies in this range.",
    },
    "scenarios_column_beyond": {"de": "Größer als die Unsicherheit?", "en": "Larger than the uncertainty?"},
    "scenarios_beyond_yes": {"de": "ja", "en": "yes"},
    "scenarios_beyond_no": {"de": "nein", "en": "no"},
    "report_column_interval": {"de": "80-%-Intervall", "en": "80% interval"},
    "report_column_low": {"de": "80 % von", "en": "80% low"},
    "report_column_high": {"de": "80 % bis", "en": "80% high"},
    "report_interval_note": {
        "de": "80-%-Intervall: Zieht man die Kundinnen und Kunden neu (Bootstrap, 200 Wiederholungen), liegt der Wert "
              "in 8 von 10 Fällen in diesem Bereich. Es enthält keinen Modellfehler; eingegebene Werte gelten als "
              "sicher.",
        "en": "80% interval: resampling the customers (bootstrap, 200 replicates), the value lies in this range in 8 "
              "of 10 cases. It contains no model error; values typed in count as certain.",
    },
    "report_section_scenario": {"de": "Szenario", "en": "Scenario"},
    "report_section_input": {"de": "Eingabe", "en": "Input"},
    "report_section_result": {"de": "Ergebnis", "en": "Result"},
    "report_profits_unchanged": {"de": "Umsatz × Marge (nicht überschrieben)",
                                 "en": "revenue × margin (not overwritten)"},
    # Names of the scenario settings (link notice, exports).
    "param_app_lang": {"de": "Sprache", "en": "Language"},
    "param_app_currency": {"de": "Währung", "en": "Currency"},
    "param_app_period": {"de": "Zeitraum", "en": "Period"},
    "param_app_activity_months": {"de": "Aktiv-Fenster", "en": "Activity window"},
    "param_overview_period": {"de": "Überblick: Zeitraum", "en": "Overview: period"},
    "param_cost_mode": {"de": "Bindungskosten: Quelle", "en": "Retention cost: source"},
    "param_cost_period": {"de": "Bindungskosten: Zeitraum", "en": "Retention cost: period"},
    "param_cost_typed_team": {"de": "Bindungskosten: Team (eingegeben)", "en": "Retention cost: team (typed)"},
    "param_cost_typed_tools": {"de": "Bindungskosten: Tools (eingegeben)", "en": "Retention cost: tools (typed)"},
    "param_cost_typed_engagement": {"de": "Bindungskosten: Engagement (eingegeben)",
                                    "en": "Retention cost: engagement (typed)"},
    "param_cost_typed_active": {"de": "Bindungskosten: aktive Kunden (eingegeben)",
                                "en": "Retention cost: active customers (typed)"},
    "param_cost_change_team": {"de": "Was-wäre-wenn: Team", "en": "What-if: team"},
    "param_cost_change_tools": {"de": "Was-wäre-wenn: Tools", "en": "What-if: tools"},
    "param_cost_change_engagement": {"de": "Was-wäre-wenn: Engagement", "en": "What-if: engagement"},
    "param_cost_active_data": {"de": "Was-wäre-wenn: aktive Kunden (Daten)",
                               "en": "What-if: active customers (data)"},
    "param_cost_active_typed": {"de": "Was-wäre-wenn: aktive Kunden (eingegeben)",
                                "en": "What-if: active customers (typed)"},
    "param_cost_typed_cac": {"de": "Bindungskosten: Ihr CAC", "en": "Retention cost: your CAC"},
    "param_clv_gross_margin": {"de": "CLV: Bruttomarge", "en": "CLV: gross margin"},
    "param_clv_discount_rate": {"de": "CLV: Diskontsatz", "en": "CLV: discount rate"},
    "param_clv_annual_retention": {
        "de": "CLV: Bindungsrate pro Jahr",
        "en": "CLV: annual retention",
    },
    "param_clv_retention_cost_year": {
        "de": "CLV: Bindungskosten je Kundenjahr",
        "en": "CLV: retention cost per customer-year",
    },
    "param_clv_retention_rate": {
        "de": "CLV: Bindungsrate je Zeitraum (alter Link; jetzt pro Jahr)",
        "en": "CLV: retention per period (old link; now per year)",
    },
    "param_clv_horizon": {"de": "CLV: Horizont (Jahre)", "en": "CLV: horizon (years)"},
    "param_clv_retention_cost": {
        "de": "CLV: Bindungskosten je Kunde und Zeitraum (alter Link; jetzt je Kundenjahr)",
        "en": "CLV: retention cost per customer and period (old link; now per customer-year)",
    },
    "param_clv_cac": {
        "de": "CLV: CAC (letzte 12 Monate)",
        "en": "CLV: CAC (last 12 months)",
    },
    "param_profit_retention": {"de": "Gewinn: Bindungsrate pro Jahr", "en": "Profit: annual retention"},
    "param_profit_uplift": {"de": "Gewinn: Verbesserung (pp)", "en": "Profit: improvement (pp)"},
    "param_profit_discount_rate": {"de": "Gewinn: Diskontsatz", "en": "Profit: discount rate"},
    "param_profit_horizon": {"de": "Gewinn: Horizont", "en": "Profit: horizon"},
    "param_profit_cac": {"de": "Gewinn: CAC", "en": "Profit: CAC"},
    "param_profit_tenure": {"de": "Gewinn je Kundenjahr", "en": "Profit per customer year"},
    "param_profit_growth_years": {"de": "Gewinn: Jahre der Projektion", "en": "Profit: projection years"},
    "param_cohort_periods_since": {"de": "Kohorten: Zeiträume nach Erstkauf",
                                   "en": "Cohorts: periods after first purchase"},
    "param_cohort_project_periods": {"de": "Kohorten: Projektion", "en": "Cohorts: projection"},
    "param_loyalty_cli_recommend": {"de": "CLI: Weiterempfehlung", "en": "CLI: recommend"},
    "param_loyalty_cli_repurchase": {"de": "CLI: Wiederkauf", "en": "CLI: buy again"},
    "param_loyalty_cli_try_new": {"de": "CLI: Neues probieren", "en": "CLI: try other products"},
}


_PLURAL = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


def placeholders(text: str) -> set[str]:
    """The parameter names ``text`` uses: ``{rows}`` and the plural choice ``{rows|Zeile|Zeilen}`` both name
    ``rows``."""
    return {name for _, name, _, _ in string.Formatter().parse(_PLURAL.sub(r"{\1}", text)) if name}


def _is_one(count: object) -> bool:
    """Whether a count, as a number or as the text a caller formatted (``"1"``), is exactly one."""
    return str(count).strip() in ("1", "1.0")


def t(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in; a missing key raises ``KeyError``.

    ``{rows|Zeile|Zeilen}`` in a text is the singular when the parameter ``rows`` is one, else the plural form:
    ``"{rows} {rows|Zeile|Zeilen} gelesen"`` gives ``1 Zeile gelesen`` and ``2 Zeilen gelesen``.
    """
    text = TEXTS[key][lang]
    if not params:
        return text
    text = _PLURAL.sub(lambda match: match.group(2) if _is_one(params[match.group(1)]) else match.group(3), text)
    return text.format(**params)


#: The phrases of a rejected row's ``reason`` (written in English by the readers and :func:`prepare_sheet`) in German.
_REASON_PHRASES_DE = (
    (re.compile(r"wrong number of fields: expected (\d+), found (\d+)"),
     r"falsche Zahl von Feldern: \1 erwartet, \2 gefunden"),
    (re.compile(r"malformed line \(([^)]*)\)"), r"fehlerhafte Zeile (\1)"),
    (re.compile(r" \(a carriage return inside a value\)"), " (ein Zeilenumbruch in einem Wert)"),
    (re.compile(r"not a date between (\d+) and (\d+)"), r"kein Datum zwischen \1 und \2"),
    (re.compile(r"not a date \(([^)]*)\)"), lambda match: f"kein Datum ({format_date_pattern(match.group(1), 'de')})"),
    (re.compile(r"not a finite number"), "keine endliche Zahl"),
    (re.compile(r"not a whole number"), "keine ganze Zahl"),
    (re.compile(r"not a number"), "keine Zahl"),
    (re.compile(r"not a date"), "kein Datum"),
    (re.compile(r"larger than ([\d,]+)"), lambda match: "größer als " + match.group(1).replace(",", ".")),
    (re.compile(r"before (\d{4})-(\d{2})-(\d{2})"), r"vor dem \3.\2.\1"),
    (re.compile(r"in the future"), "in der Zukunft"),
    (re.compile(r"outside 0-10"), "nicht zwischen 0 und 10"),
    (re.compile(r"outside 0-1"), "nicht zwischen 0 und 1"),
    (re.compile(r"not one of team, tools, engagement"), "keiner von Team, Tools, Engagement"),
    (re.compile(r"(?<=: )negative\b"), "negativ"),
    (re.compile(r"(?<=: )missing\b"), "leer"),
)


def translate_reason(reason: str | None, lang: str, columns: dict[str, str]) -> str:
    """A rejected row's ``reason`` for the user: the canonical column names replaced by ``columns`` (canonical name
    -> the name the user knows) and, in German, the reader's English phrases translated; ``""`` when missing.

    ``"amount: not a number ('viel')"`` -> ``"Betrag: keine Zahl ('viel')"``. The quoted value is the file's.
    """
    if reason is None or (isinstance(reason, float) and math.isnan(reason)) or pd.isna(reason):
        return ""
    parts = []
    for part in str(reason).split("; "):
        name, colon, rest = part.partition(": ")
        if colon and name in columns:
            part = f"{columns[name]}: {rest}"
        parts.append(part)
    text = "; ".join(parts)
    if lang == "de":
        for pattern, replacement in _REASON_PHRASES_DE:
            text = pattern.sub(replacement, text)
    return text


def format_period(period_start: object, period: str, lang: str) -> str:
    """A period's name: ``Q3 2024`` for quarters, ``Jul 2024`` / ``Juli 2024`` for months, ``2024`` for years."""
    start = pd.Timestamp(period_start)
    if period == "quarter":
        return f"Q{start.quarter} {start.year}"
    if period == "month":
        return format_date(start.date(), "MMM yyyy", locale=LOCALES[lang])
    return str(start.year)


def format_day(day: object, lang: str) -> str:
    """A day as the language writes it: ``31.12.2024`` / ``Dec 31, 2024``; ``–`` when missing."""
    if day is None or pd.isna(day):
        return "–"
    return format_date(pd.Timestamp(day).date(), "medium", locale=LOCALES[lang])


_DATE_CODES = {"de": {"%d": "TT", "%m": "MM", "%Y": "JJJJ", "%y": "JJ", "%H": "hh", "%M": "mm", "%S": "ss"},
               "en": {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%H": "hh", "%M": "mm", "%S": "ss"}}


def format_date_pattern(date_format: str | None, lang: str) -> str:
    """A strptime format as people write it: ``%d.%m.%Y`` -> ``TT.MM.JJJJ`` (German) / ``DD.MM.YYYY``."""
    if not date_format:
        return "–"
    for code, letters in _DATE_CODES[lang].items():
        date_format = date_format.replace(code, letters)
    return date_format


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, lang: str, digits: int = 0) -> str:
    """``value`` with the locale's grouping and decimal mark, ``digits`` decimals; ``–`` when missing."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


_IGNORED_IN_NUMBERS = str.maketrans("", "", " \u00a0\u202f€$£¥")


def parse_number(text: str, lang: str) -> float:
    """A number as the language writes it (``2.500,50`` in German, ``2,500.50`` in English) as a float.

    Grouping marks must sit between groups of three digits (Babel's strict parsing), so a text that the other
    language would read differently is refused, not guessed: ``2.50`` in German (250? 2,50?). Spaces and the
    signs € $ £ ¥ are ignored. ValueError when the text is not a finite number.
    """
    cleaned = str(text).translate(_IGNORED_IN_NUMBERS)
    try:
        number = parse_decimal(cleaned, locale=LOCALES[lang], strict=True)
    except NumberFormatError as error:
        raise ValueError(f"{text!r} is not a number in {lang}") from error
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return float(number)


def format_money(value: float | None, lang: str, currency: str, digits: int = 2) -> str:
    """``value`` as money in ``currency`` for the language's locale (``12,00 €`` / ``€12.00``)."""
    if _missing(value):
        return "–"
    decimals = "." + "0" * digits if digits else ""
    pattern = f"#,##0{decimals}\u00a0¤" if lang == "de" else f"¤#,##0{decimals}"
    return format_currency(value, currency, format=pattern, locale=LOCALES[lang], currency_digits=False)


def format_percent(fraction: float | None, lang: str, digits: int = 1) -> str:
    """A fraction (0.905) as a percentage in the locale (``90,5 %`` / ``90.5%``)."""
    if _missing(fraction):
        return "–"
    decimals = "." + "0" * digits if digits else ""
    pattern = f"#,##0{decimals}\u00a0%" if lang == "de" else f"#,##0{decimals}%"
    return _babel_percent(fraction, format=pattern, locale=LOCALES[lang])


def format_interval_range(kind: str, low: float, high: float, lang: str, currency: str) -> str:
    """An interval's bounds as one range in the kind's format: ``142–177 €`` / ``€142–177``, ``56,9–59,6 %``,
    ``1,8–2,0 : 1``. Money has whole units when the range is at least 10 wide, else cents; a negative lower bound
    is written out (``-20 € bis 40 €`` / ``-€20 to €40``) so that the minus and the dash cannot be confused."""
    if kind == "money":
        digits = 0 if high - low >= 10 else 2
        if low < 0:
            joint = " bis " if lang == "de" else " to "
            return format_money(low, lang, currency, digits) + joint + format_money(high, lang, currency, digits)
        symbol = get_currency_symbol(currency, locale=LOCALES[lang])
        numbers = f"{format_number(low, lang, digits)}–{format_number(high, lang, digits)}"
        return f"{numbers}\u00a0{symbol}" if lang == "de" else f"{symbol}{numbers}"
    joint = "–" if low >= 0 else (" bis " if lang == "de" else " to ")
    if kind == "fraction":
        sign = "\u00a0%" if lang == "de" else "%"
        return f"{format_number(low * 100, lang, 1)}{joint}{format_number(high * 100, lang, 1)}{sign}"
    if kind == "ratio":
        return f"{format_number(low, lang, 1)}{joint}{format_number(high, lang, 1)} : 1"
    digits = 1 if kind == "score" else 0
    return f"{format_number(low, lang, digits)}{joint}{format_number(high, lang, digits)}"


def format_with_interval(kind: str, value: float | None, interval: object | None, lang: str, currency: str) -> str:
    """A value with its 80 % interval: ``159,71 € (80 %: 142–177 €)``; the value alone without an interval
    (``interval`` has ``low`` and ``high``, e.g. :class:`retention_core.intervals.Interval`)."""
    text = format_kind(kind, value, lang, currency)
    if interval is None or _missing(value):
        return text
    return t("interval_value", lang, value=text,
             range=format_interval_range(kind, interval.low, interval.high, lang, currency))


def format_kind(kind: str, value: float | None, lang: str, currency: str) -> str:
    """A value by its kind: ``count`` grouped, ``fraction`` as percent, ``money`` in the currency, ``ratio`` as
    ``x : 1``, ``score`` with one decimal, anything else (NPS points) as a whole number; ``–`` when missing."""
    if _missing(value):
        return "–"
    if kind == "count":
        return format_number(value, lang)
    if kind == "fraction":
        return format_percent(value, lang)
    if kind == "money":
        return format_money(value, lang, currency)
    if kind == "ratio":
        return f"{format_number(value, lang, 1)} : 1"
    if kind == "score":
        return format_number(value, lang, 1)
    return format_number(value, lang, 0)


def problem_text(problem: object, lang: str) -> str:
    """The text of what the domain reports (a ``Problem`` or a ``LoadError``: a ``key`` with ``params``) in
    ``lang``."""
    return t(problem.key, lang, **problem.params)

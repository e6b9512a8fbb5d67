"""retention_views — the dashboard's presentation without Streamlit: page results, charts, texts and number formats,
the URL parameter schema, the report and the exports.

It turns the domain's numbers (:mod:`retention_core`) into what a page shows: :mod:`page_results` computes each page's
figures from the aggregates and the slider values, :mod:`whatif` resolves a scenario's inputs and compares two,
:mod:`charts` draws Plotly figures, :mod:`texts` reads the German and English texts (``locales/*.toml``) and
:mod:`text_keys` names the text of each domain value, :mod:`formats` writes numbers, money and dates per language,
:mod:`url_params` is the schema of every input that can live in a link, :mod:`report` and :mod:`exports` write what
a consultant hands over. Streamlit is never imported here (``dashboard`` is the glue).
"""

"""Excel workbooks for officials (openpyxl only, no Dagster): one shared look in ``style``, one module per report."""

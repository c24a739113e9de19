"""Excel workbooks for officials (openpyxl only, no Dagster): one shared look in ``excel``, one module per report."""

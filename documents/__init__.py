"""Renderers of the .docx reports (NĐ 30/2020 layout), reading marts and views only."""

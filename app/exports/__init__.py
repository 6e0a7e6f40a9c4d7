"""Exports for prefectural offices: XLSX workbook, CSV (UTF-8 with BOM, cp932) and GeoJSON."""

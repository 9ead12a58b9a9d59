"""批量导入: historical appeals from CSV and Excel, each row once (see services.import_file)."""

"""fsfdocs: PDF documents of Funktionsstödsförvaltningen to clean, queryable Parquet."""

__version__ = "0.1.0"

"""Ingest: walk inputs, identify each file, extract text and metadata, de-duplicate, build families,
record."""

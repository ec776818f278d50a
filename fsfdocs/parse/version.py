"""The parse layer's version: part of every cache entry; bump it when output changes."""

PARSER_VERSION = "0.2.1"

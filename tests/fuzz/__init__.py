"""Schemathesis against the served OpenAPI document: `make fuzz` (see __main__)."""

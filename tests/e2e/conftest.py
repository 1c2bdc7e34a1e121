"""End-to-end tests use the `helpdesk` and `crm` fixtures of tests/conftest.py."""

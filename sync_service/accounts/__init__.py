"""Accounts and roles: organisers list accounts, change roles, grant and revoke days."""

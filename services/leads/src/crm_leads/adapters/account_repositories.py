"""Repositories of accounts and contacts."""

from crm_leads.adapters.account_tables import accounts, contacts
from crm_leads.domain.accounts import Account, Contact
from crm_shared.db.repository import TableRepository


class AccountRepository(TableRepository[Account]):
    table, kind = accounts, Account


class ContactRepository(TableRepository[Contact]):
    table, kind = contacts, Contact

"""One MetaData per service, with a naming convention so Alembic names constraints predictably.

Every service's metadata also holds the plumbing tables (outbox, inbox), so its first migration
creates them and no service copies their definitions, and the dead-letter log, added later by a
migration of its own in each service.
"""

from sqlalchemy import MetaData

from crm_shared.db.plumbing import define_dead_letter_log, define_plumbing_tables

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    define_plumbing_tables(metadata)
    define_dead_letter_log(metadata)
    return metadata

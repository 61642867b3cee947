from crm_shared.db.engine import create_engine
from crm_shared.db.metadata import make_metadata
from crm_shared.db.unit_of_work import SqlUnitOfWork

__all__ = ["SqlUnitOfWork", "create_engine", "make_metadata"]

from crm_shared.cli.main import main

__all__ = ["main"]

"""The parts of the logging pipeline; `crm_shared.logging.configure_logging` assembles them."""

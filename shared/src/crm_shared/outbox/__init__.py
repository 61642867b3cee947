from crm_shared.outbox.relay import OutboxRelay

__all__ = ["OutboxRelay"]

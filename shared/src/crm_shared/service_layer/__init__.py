from crm_shared.service_layer.bus import Bus

__all__ = ["Bus"]

from crm_shared.service_layer.bus import Bus, system_bus

__all__ = ["Bus", "system_bus"]

from crm_shared.http.app_factory import create_app

__all__ = ["create_app"]

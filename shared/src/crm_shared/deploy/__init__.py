"""Deployment files rendered from the registry of services."""

"""Test support shared by every service's test suite (the pytest plugin lives in `plugin`)."""

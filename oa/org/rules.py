"""Loaded by rules' autodiscovery at startup so every permission is registered before the first check."""

import oa.permissions  # noqa: F401

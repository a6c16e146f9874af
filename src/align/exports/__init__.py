"""Exports: align's data in the formats other systems read.

- CASE 1.1 CFPackage (:func:`to_case`, :func:`write_case`): frameworks for CASE
  servers, state standards sites and badge platforms.
"""

from __future__ import annotations

from align.exports._case import CASE_NAMESPACE, ITEM_TYPES, to_case, write_case

__all__ = ["CASE_NAMESPACE", "ITEM_TYPES", "to_case", "write_case"]

"""The parameter catalog: chains, venues, markets, cover products and defaults.

The bundled catalog (``bundled.yaml``) records every protocol figure with its
source and the date it was read. Users layer their own YAML files over it
(same shape, every key optional); overlays are merged deeply, then the merged
data is checked as a whole.

Files are plain data: anchors, aliases and explicit tags are refused before
anything is constructed, so an alias bomb costs no more than reading its text.
Every file is validated against ``catalog.schema.json`` (JSON Schema 2020-12).
Problems are reported as :class:`CatalogError` naming the file and the dotted
path inside it.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Sequence

from .build import _build
from .files import _validate, _validators
from .merge import BUNDLED_NAME, _bundled, _load_overlay, _merge, _Origins
from .model import (DEFAULT_NAMES, DOCUMENT, Catalog, CatalogError, Chain, CloseFactorRules, CoverProduct,
                    Default, DeliveryFee, LendingRates, LendingReserve, Market, OptionMarket, Source, Tier, Venue)

__all__ = [
    "DOCUMENT",
    "CatalogError",
    "Source",
    "Chain",
    "Tier",
    "Market",
    "OptionMarket",
    "DeliveryFee",
    "Venue",
    "CoverProduct",
    "LendingRates",
    "LendingReserve",
    "CloseFactorRules",
    "Default",
    "Catalog",
    "load_catalog",
    "BUNDLED_NAME",
    "DEFAULT_NAMES",
]



@functools.lru_cache(maxsize=1)
def _bundled_catalog() -> Catalog:
    file, data = _bundled()
    return _build(data, _Origins((file,), {}))


def load_catalog(overlays: Sequence[str | Path] = ()) -> Catalog:
    """Load the bundled catalog with ``overlays`` merged over it, in order.

    Raises CatalogError naming the offending file and the path inside it.
    Without overlays the result is cached; overlays are read on every call.
    """
    if isinstance(overlays, (str, Path)):
        overlays = (overlays,)
    if not overlays:
        return _bundled_catalog()
    bundled_file, bundled = _bundled()
    files = [bundled_file]
    data = copy.deepcopy(bundled)
    origin: dict = {}
    for i, path in enumerate(overlays, start=1):
        file, over = _load_overlay(path)
        files.append(file)
        _merge(data, over, i, origin, ())
    org = _Origins(tuple(files), origin)
    full, _ = _validators()
    _validate(full, data, org.file)
    return _build(data, org)

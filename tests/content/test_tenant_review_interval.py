"""The tenant's review interval (months) for knowledge topics; default 6."""

from __future__ import annotations

import pytest
import yaml

from bot.catalog import ContentError
from bot.counters import load_tenant


def tenant_data(root):
    return yaml.safe_load((root / "content" / "tenants" / "oost-vlaanderen.yml").read_text())


def test_demo_tenant_sets_the_review_interval(root):
    assert tenant_data(root)["review_interval_months"] == 6
    load_tenant(root / "content" / "tenants" / "oost-vlaanderen.yml")


@pytest.mark.parametrize("bad", [0, "zes", 1.5])
def test_invalid_review_interval_is_rejected(root, tmp_path, bad):
    data = tenant_data(root)
    data["review_interval_months"] = bad
    path = tmp_path / "t.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError, match="review_interval_months"):
        load_tenant(path)


def test_review_interval_is_optional(root, tmp_path):
    data = tenant_data(root)
    data.pop("review_interval_months")
    path = tmp_path / "t.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    load_tenant(path)

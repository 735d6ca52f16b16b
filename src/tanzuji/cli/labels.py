"""User-facing names of the model's enum values (never the internal keys) in zh and en.

>>> label("fairly_high", "en"), label("national_database", "zh")
('fairly high', '国家温室气体排放因子数据库')
>>> label("something_new", "en")
'something new'
"""

from __future__ import annotations

__all__ = ["LABELS", "label"]

#: value → (Chinese, English); data types (Tables 2, 4), factor types (Table 5), grades.
LABELS: dict[str, tuple[str, str]] = {
    # grades
    "high": ("高", "high"),
    "fairly_high": ("较高", "fairly high"),
    "medium": ("中", "medium"),
    "fairly_low": ("较低", "fairly low"),
    "low": ("低", "low"),
    # data types
    "onsite_measured": ("现场实测", "on-site measured"),
    "onsite_calculated": ("现场测算", "on-site calculated"),
    "offsite": ("非现场", "off-site"),
    "enterprise_statistics": ("企业生产统计", "enterprise production statistics"),
    "financial_settlement": ("财务结算单据", "financial / settlement documents"),
    "database": ("数据库", "database"),
    "literature": ("文献", "literature"),
    "estimate": ("估算", "estimate"),
    # factor types
    "measured": ("实测", "measured"),
    "mass_balance": ("物料衡算", "mass balance"),
    "national_database": ("国家温室气体排放因子数据库", "national GHG factor database"),
    "industry_published": ("行业发布", "published by the industry"),
    "standard_recommended": ("标准推荐值", "recommended in a standard"),
    "domestic_database": ("国内数据库", "domestic database"),
    "international_database": ("国际数据库", "international database"),
    "default": ("默认值", "default value"),
    # factor verification status
    "verified": ("已核对来源", "verified against the source"),
    "recomputed": ("由已核对数据计算", "recomputed from verified inputs"),
    "unverified": ("未核对", "unverified"),
}


def label(value: object, lang: str = "zh") -> str:
    """The user-facing name of an enum value (or its key with spaces for unknown ones)."""
    key = str(getattr(value, "value", value))
    pair = LABELS.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[0] if lang == "zh" else pair[1]

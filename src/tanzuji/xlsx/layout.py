"""The layout of the record workbook: sheets, their columns and the Table A.1 form.

Sheets are found by their code (``A.1`` … ``A.8``) or their name in either language;
columns by their header text in either language. Row 1 holds the sheet title, row 2 the
group headers, row 3 the column headers; data start in row 4.

>>> [c.key for c in STAGE_COLUMNS[Stage.USE]][:6]
['no', 'process', 'name_zh', 'name_en', 'entry', 'unit']
>>> header_text(col("factor"), "en")
'Factor id\\n因子编号'
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tanzuji.model import Stage

__all__ = [
    "A1_FIELDS",
    "A1_ROWS",
    "EXCLUDED_COLUMNS",
    "FACTOR_COLUMNS",
    "FIRST_ROW",
    "HEADER_ROW",
    "INSTRUMENT_COLUMNS",
    "MAX_ROWS",
    "SHEETS",
    "STAGE_COLUMNS",
    "STAGE_SHEET",
    "Col",
    "FormField",
    "col",
    "header_text",
]

TITLE_ROW = 1
GROUP_ROW = 2
HEADER_ROW = 3
FIRST_ROW = 4
#: At most this many data rows per sheet.
MAX_ROWS = 10_000

#: Sheet key → (code, zh name, en name); the code prefixes the A.x sheet names.
SHEETS: dict[str, tuple[str, str, str]] = {
    "readme": ("", "说明", "Instructions"),
    "a1": ("A.1", "A.1 基本信息", "A.1 Basic info"),
    "a2": ("A.2", "A.2 测量仪器", "A.2 Instruments"),
    "a3": ("A.3", "A.3 原材料获取", "A.3 Raw materials"),
    "a4": ("A.4", "A.4 生产制造", "A.4 Manufacturing"),
    "a5": ("A.5", "A.5 运输分销", "A.5 Distribution"),
    "a6": ("A.6", "A.6 使用", "A.6 Use"),
    "a7": ("A.7", "A.7 生命末期", "A.7 End of life"),
    "a8": ("A.8", "A.8 不确定度汇总", "A.8 Uncertainty summary"),
    "factors": ("", "因子", "Factors"),
    "excluded": ("", "取舍", "Cut-off"),
    "lists": ("", "_lists", "_lists"),
}
STAGE_SHEET: dict[Stage, str] = {
    Stage.RAW_MATERIALS: "a3",
    Stage.MANUFACTURING: "a4",
    Stage.DISTRIBUTION: "a5",
    Stage.USE: "a6",
    Stage.END_OF_LIFE: "a7",
}
TITLES: dict[str, tuple[str, str]] = {
    "a1": ("表 A.1 基本信息", "Table A.1 Basic information"),
    "a2": ("表 A.2 测量仪器/系统清单", "Table A.2 Measuring instruments and systems"),
    "a3": ("表 A.3 原材料获取阶段数据收集清单", "Table A.3 Raw material acquisition stage"),
    "a4": ("表 A.4 生产制造阶段数据收集清单", "Table A.4 Manufacturing stage"),
    "a5": ("表 A.5 运输分销阶段数据收集清单", "Table A.5 Distribution stage"),
    "a6": ("表 A.6 使用阶段数据收集清单", "Table A.6 Use stage"),
    "a7": ("表 A.7 生命末期阶段数据收集清单", "Table A.7 End-of-life stage"),
    "a8": ("表 A.8 产品碳足迹不确定度汇总", "Table A.8 Carbon footprint and uncertainty"),
    "factors": ("本研究的碳足迹因子", "Study-specific emission factors"),
    "excluded": ("按取舍准则排除的过程（5.1）", "Processes excluded by the cut-off rule (5.1)"),
}


@dataclass(frozen=True)
class Col:
    """One column: key, bilingual header, cell kind, width, help text, drop-down list."""

    key: str
    zh: str
    en: str
    kind: str = "text"  # text id number int date bool unit choice mode list extra
    width: float = 12.0
    help_zh: str = ""
    help_en: str = ""
    choices: str | None = None  # CHOICES key, or "units" / "modes" / "instrument_ids"
    group: str = ""


def header_text(c: Col | FormField, lang: str) -> str:
    """A header cell: the language asked for first, the other beneath."""
    return f"{c.zh}\n{c.en}" if lang == "zh" else f"{c.en}\n{c.zh}"


# fmt: off
_U = ("不确定度", "Uncertainty")


def _unc(prefix: str, group: str) -> list[Col]:
    cols = _unc_cols(prefix, group)
    if not prefix:
        return cols
    return [
        replace(c, zh="运输" + c.zh, en="Transport " + c.en[0].lower() + c.en[1:]) for c in cols
    ]


def _unc_cols(prefix: str, group: str) -> list[Col]:
    return [
        Col(f"{prefix}unc_form", "不确定度形式", "Uncertainty form", "choice", 14,
            "标准/相对/扩展(需k)/上下限（附录C）",
            "standard / relative / expanded (with k) / min-max (Appendix C)", "unc_form", group),
        Col(f"{prefix}unc_value", "不确定度值", "Uncertainty value", "number", 12,
            "标准：与数量同单位；相对：小数或百分数（0.005 或 0.5%）；扩展：U",
            "standard: in the quantity's unit; relative: fraction or percent (0.005 or 0.5%); "
            "expanded: U",
            None, group),
        Col(f"{prefix}unc_k", "包含因子k", "Coverage factor k", "number", 8, "仅用于扩展不确定度",
            "expanded form only", None, group),
        Col(f"{prefix}unc_min", "最小值", "Min", "number", 10, "上下限形式：真实值的最小可能值",
            "min-max form: smallest plausible value", None, group),
        Col(f"{prefix}unc_max", "最大值", "Max", "number", 10, "上下限形式：真实值的最大可能值",
            "min-max form: largest plausible value", None, group),
    ]


_UNC_MORE = [
    Col("unc_dist", "分布", "Distribution", "choice", 12, "蒙特卡洛抽样分布（可空）",
        "distribution for Monte Carlo (optional)", "distribution"),
    Col("unc_dof", "自由度", "Degrees of freedom", "number", 9, "可空（∞）", "optional (∞)"),
    Col("unc_basis", "不确定度依据", "Uncertainty basis", "text", 24, "不确定度的来源或计算说明",
        "where the uncertainty comes from"),
]
_EXTRA = Col("extra", "其他（YAML）", "Other fields (YAML)", "extra", 30,
             "其余字段，YAML 映射，如 {calculated: {...}}；一般留空",
             "any further fields as a YAML mapping, e.g. {calculated: {...}}; usually empty")

_COMMON: dict[str, Col] = {
    c.key: c
    for c in [
        Col("no", "序号", "No.", "int", 6, "活动在研究中的顺序（可空）",
            "order of the activity in the study (optional)"),
        Col("process", "过程", "Process", "choice", 16, "表1 的过程；空则取本阶段默认过程",
            "process of Table 1; empty = the stage's default", "process"),
        Col("name_zh", "名称", "Name", "text", 22, "中文名称；运输能耗行填燃料/能源类型",
            "Chinese name; on a transport-energy row: the fuel or carrier"),
        Col("name_en", "英文名称", "Name (en)", "text", 20, "英文名称（可空）", "English name"),
        Col("entry", "项目类别", "Entry type", "choice", 16,
            "空 = 活动数据；运输/电力消耗/运行行之后跟随其组成行",
            "empty = activity datum; a transport / electricity / operation row is followed by "
            "its part rows",
            "entry"),
        Col("unit", "单位", "Unit", "unit", 9, "下拉列表或任何 pint 单位",
            "from the list, or any unit pint understands", "units"),
        Col("quantity", "数量", "Quantity", "number", 12, "每功能单位（1 台）的数量",
            "per functional unit (1 meter)"),
        Col("factor", "因子编号", "Factor id", "id", 30, "内置因子库或“因子”表中的编号",
            "id in a factor library or the Factors sheet"),
        Col("data_type", "数据类型", "Data type", "choice", 18, "表2/表4", "Tables 2 and 4",
            "data_type"),
        Col("source", "数据来源", "Source", "text", 22, "数据来源说明",
            "where the datum comes from"),
        Col("instrument", "计量器具编号", "Instrument id", "id", 14, "A.2 中的编号",
            "id in Table A.2", "instrument_ids"),
        Col("mode", "运输方式", "Transport mode", "mode", 14, "运输行：运输方式",
            "transport row: the mode", "modes"),
        Col("disposal", "处置方式", "Disposal route", "text", 14, "生命末期废料的处置方式",
            "how end-of-life waste is treated"),
        Col("id", "活动编号", "Activity id", "id", 16, "字母、数字及 . _ : -（可空）",
            "letters, digits and . _ : - (optional)"),
        Col("note", "备注", "Note", "text", 24),
    ]
}
_T_GROUP = "原材料运输 Inbound transport"
_A3_TRANSPORT = [
    Col("t_mode", "运输方式/燃料类型", "Mode / fuel", "mode", 16,
        "按距离：选运输方式，单位 km；按能耗：填燃料类型",
        "by distance: a mode with km; by energy: the fuel", "modes", _T_GROUP),
    Col("t_unit", "运输单位", "Transport unit", "unit", 9, "km 或燃料单位", "km or the fuel's unit",
        "units", _T_GROUP),
    Col("t_quantity", "运输距离/燃料消耗量", "Distance / fuel used", "number", 12,
        "按距离时，运输质量取本行物料数量", "by distance, the mass is this row's quantity", None,
        _T_GROUP),
    *_unc("t_", _T_GROUP),
    Col("t_factor", "运输因子编号", "Transport factor id", "id", 26, "运输方式因子或燃料因子",
        "mode factor or fuel factor", None, _T_GROUP),
]


def col(key: str) -> Col:
    """A shared column by key."""
    for c in (*_COMMON.values(), *_unc("", ""), *_UNC_MORE, _EXTRA, *_A3_TRANSPORT):
        if c.key == key:
            return c
    raise KeyError(key)


def _stage_columns(stage: Stage) -> list[Col]:
    c = _COMMON
    if stage is Stage.RAW_MATERIALS:
        group = "物料获取 Material acquisition"
        lead = [replace(c[k], group=group) for k in ("no",)]
        name = [
            replace(c["name_zh"], zh="材料名称", group=group),
            replace(c["name_en"], group=group),
        ]
        main = [replace(c[k], group=group) for k in ("unit", "quantity")]
        unc = _unc("", group)
        tail = [replace(c[k], group=group) for k in ("factor", "data_type", "source", "instrument")]
        rest = [c[k] for k in ("process", "entry", "mode", "disposal", "id", "note")]
        return [*lead, *name, *main, *unc, *tail, *_A3_TRANSPORT, *rest, *_UNC_MORE, _EXTRA]
    name_zh = {
        Stage.MANUFACTURING: "能耗类型/名称",
        Stage.DISTRIBUTION: "数据类型/名称",
        Stage.USE: "数据类型/名称",
        Stage.END_OF_LIFE: "清单名称",
    }[stage]
    head = [
        c["no"],
        c["process"],
        replace(c["name_zh"], zh=name_zh),
        c["name_en"],
        c["entry"],
        c["unit"],
        c["quantity"],
    ]
    tail = [
        c[k]
        for k in ("factor", "data_type", "source", "instrument", "mode", "disposal", "id", "note")
    ]
    return [*head, *_unc("", _U[0] + " " + _U[1]), *tail, *_UNC_MORE, _EXTRA]


STAGE_COLUMNS: dict[Stage, list[Col]] = {s: _stage_columns(s) for s in Stage}

_CERT = "溯源证书 Certificate"
INSTRUMENT_COLUMNS: list[Col] = [
    Col("no", "序号", "No.", "int", 6),
    Col("id", "编号", "Id", "id", 12, "被活动数据引用的编号", "the id activity rows refer to"),
    Col("name", "名称", "Name", "text", 22),
    Col("kind", "类型", "Kind", "choice", 16, "表3 的器具类型", "instrument kind of Table 3",
        "instrument_kind"),
    Col("model", "型号", "Model", "text", 14),
    Col("manufacturer", "制造商", "Manufacturer", "text", 14),
    Col("serial", "出厂编号", "Serial no.", "text", 12),
    Col("accuracy_class", "准确度等级", "Accuracy class", "text", 10, "如 0.5S、2、III",
        "e.g. 0.5S, 2, III"),
    Col("measuring_range", "测量范围", "Measuring range", "text", 14),
    Col("max_capacity", "最大秤量Max", "Max capacity", "number", 10, "衡器", "scales"),
    Col("scale_interval", "检定分度值e", "Scale interval e", "number", 10, "衡器", "scales"),
    Col("capacity_unit", "秤量单位", "Capacity unit", "unit", 9, "Max 和 e 的单位",
        "unit of Max and e", "units"),
    Col("ct_ratio", "CT变比", "CT ratio", "text", 9, "如 200/5", "e.g. 200/5"),
    Col("pt_ratio", "PT变比", "PT ratio", "text", 9),
    Col("ct_class", "CT等级", "CT class", "text", 8),
    Col("pt_class", "PT等级", "PT class", "text", 8),
    Col("cert_number", "有效溯源证书编号", "Certificate number", "text", 18, "", "", None, _CERT),
    Col("cert_issuer", "发证机构", "Issued by", "text", 18, "", "", None, _CERT),
    Col("cert_type", "证书类型", "Certificate type", "choice", 10, "检定或校准",
        "verification or calibration", "certificate_type", _CERT),
    Col("cert_date", "检定/校准日期", "Calibration date", "date", 12, "", "", None, _CERT),
    Col("cert_valid_until", "有效期至", "Valid until", "date", 12, "", "", None, _CERT),
    Col("cert_U", "证书扩展不确定度U", "Certificate U", "number", 10, "", "", None, _CERT),
    Col("cert_k", "证书k", "Certificate k", "number", 8, "", "", None, _CERT),
    Col("location", "安装地点", "Location", "text", 18),
    Col("purpose", "用途", "Purpose", "text", 20),
    Col("in_service", "在用", "In service", "bool", 8, "Y/N，默认 Y", "Y/N, default Y", "yes_no"),
    *_unc("", _U[0] + " " + _U[1]),
    *_UNC_MORE,
    Col("note", "备注", "Note", "text", 20),
    _EXTRA,
]

_SRC = "来源 Source"
FACTOR_COLUMNS: list[Col] = [
    Col("id", "因子编号", "Factor id", "id", 28, "与内置因子同编号时覆盖之",
        "overrides a library factor with the same id"),
    Col("name_zh", "中文名称", "Name (zh)", "text", 22),
    Col("name_en", "英文名称", "Name (en)", "text", 22),
    Col("value", "因子值", "Value", "number", 12),
    Col("unit", "单位", "Unit", "unit", 16, "如 kgCO2e/kWh、kgCO2e/(t·km)",
        "e.g. kgCO2e/kWh, kgCO2e/(t*km)"),
    Col("gas", "气体", "Gas", "choice", 8, "", "", "gas"),
    Col("factor_type", "因子类型", "Factor type", "choice", 22, "表5，决定数据质量等级",
        "Table 5; sets the quality grade", "factor_type"),
    Col("citation", "数据来源", "Source", "text", 30, "", "", None, _SRC),
    Col("publisher", "发布机构", "Publisher", "text", 16, "", "", None, _SRC),
    Col("url", "网址", "URL", "text", 20, "", "", None, _SRC),
    Col("published", "发布日期", "Published", "date", 12, "", "", None, _SRC),
    Col("locator", "出处位置", "Locator", "text", 12, "如 表3", "e.g. Table 3", None, _SRC),
    *_unc("", _U[0] + " " + _U[1]),
    *_UNC_MORE,
    Col("scope", "范围", "Scope", "text", 12),
    Col("region", "地区", "Region", "text", 10),
    Col("year", "年份", "Year", "int", 8),
    Col("verification", "核实情况", "Verification", "choice", 12, "", "", "verification"),
    Col("tags", "标签", "Tags", "list", 16, "以分号分隔", "separated by ;"),
    Col("note", "备注", "Note", "text", 20),
    Col("library", "所属因子库", "Library", "text", 12),
    _EXTRA,
]

EXCLUDED_COLUMNS: list[Col] = [
    Col("no", "序号", "No.", "int", 6),
    Col("name", "过程名称", "Process name", "text", 30),
    Col("stage", "生命周期阶段", "Stage", "choice", 18, "", "", "stage"),
    Col("estimate", "估计贡献(kgCO2e)", "Estimated contribution (kgCO2e)", "number", 16,
        "每功能单位；单项须 < 1 %，合计 ≤ 5 %", "per functional unit; each < 1 %, all ≤ 5 %"),
    Col("basis", "估计依据", "Basis of the estimate", "text", 40),
    _EXTRA,
]


@dataclass(frozen=True)
class FormField:
    """One labelled field of the Table A.1 form: its study path and cell kind."""

    key: str
    zh: str
    en: str
    kind: str = "text"
    choices: str | None = None
    help_zh: str = ""
    help_en: str = ""


_F = FormField
A1_FIELDS: dict[str, FormField] = {
    f.key: f
    for f in [
        _F("product.name", "产品名称", "Product name", help_zh="必填", help_en="required"),
        _F("product.model", "型号", "Model"),
        _F("product.rating", "电压电流规格", "Voltage/current rating"),
        _F("product.accuracy_class", "准确度等级", "Accuracy class"),
        _F("product.manufacturer.name", "制造商名称", "Manufacturer"),
        _F("product.annual_output.quantity", "上年度生产总量", "Last year's output", "number"),
        _F("product.annual_output.unit", "产量单位", "Output unit", "unit", "units"),
        _F("product.manufacturer.address", "联系地址", "Address"),
        _F("product.manufacturer.contact", "联系人", "Contact person"),
        _F("product.manufacturer.phone", "联系电话", "Phone"),
        _F("title", "报告名称", "Report name"),
        _F("id", "记录编号", "Record number (study id)", "id", help_zh="必填；研究的唯一编号",
            help_en="required; the study's unique id"),
        _F("recorder.name", "计量人员", "Measured by"),
        _F("checker.name", "核验人员", "Checked by"),
        _F("recorder.date", "时间", "Time", "date", help_zh="记录日期", help_en="date recorded"),
        _F("place", "地点", "Place"),
        _F("period.start", "评价周期起", "Evaluation period from", "date", help_zh="必填",
            help_en="required"),
        _F("period.end", "评价周期止", "Evaluation period to", "date", help_zh="空则为起始日起一年",
            help_en="empty = one year from the start"),
        _F("boundary.raw_materials", "原材料获取阶段", "Raw material acquisition", "bool",
            "yes_no"),
        _F("boundary.manufacturing", "生产制造阶段", "Manufacturing", "bool", "yes_no"),
        _F("boundary.distribution", "运输分销阶段", "Distribution", "bool", "yes_no"),
        _F("boundary.use", "使用阶段", "Use", "bool", "yes_no"),
        _F("boundary.end_of_life", "生命末期阶段", "End of life", "bool", "yes_no"),
        _F("product.category", "产品类别", "Product category"),
        _F("product.functional_unit", "功能单位", "Functional unit"),
        _F("product.function", "产品功能", "Product function"),
        _F("product.description", "产品介绍", "Product description"),
        _F("product.picture", "产品图片", "Product picture (path)"),
        _F("product.manufacturer.legal_representative", "法定代表人", "Legal representative"),
        _F("recorder.organisation", "计量人员单位", "Measured by (organisation)"),
        _F("checker.date", "核验日期", "Checked on", "date"),
        _F("checker.organisation", "核验人员单位", "Checked by (organisation)"),
        _F("evaluator.name", "评价人员", "Evaluated by"),
        _F("evaluator.date", "评价日期", "Evaluated on", "date"),
        _F("evaluator.organisation", "评价机构", "Evaluating organisation"),
        _F("cutoff_rule", "取舍准则", "Cut-off rule"),
        _F("specification", "依据规范", "Specification applied"),
        _F("factor_libraries", "因子库", "Factor libraries", "list",
            help_zh="以分号分隔：builtin、内置库编号或相对路径",
            help_en="separated by ;: builtin, a builtin library id or a relative path"),
        _F("site.name", "生产场地", "Site"),
        _F("site.address", "场地地址", "Site address"),
        _F("site.user_category", "电力用户类别", "Electricity user category", "choice",
            "user_category", "表3 注1：I–V", "Table 3, Note 1: I–V"),
        _F("site.monthly_consumption_kwh", "月用电量(kWh)", "Monthly consumption (kWh)", "number"),
        _F("site.transformer_kva", "变压器容量(kVA)", "Transformer capacity (kVA)", "number"),
        _F("site.high_voltage_billing", "高压计量", "High-voltage billing", "bool", "yes_no"),
        _F("site.single_phase", "单相供电", "Single-phase supply", "bool", "yes_no"),
        _F("product.product_ids", "产品标识(URN)", "Product ids (URN)", "list",
            help_zh="以分号分隔", help_en="separated by ;"),
        _F("product.gtin", "商品条码GTIN", "GTIN"),
        _F("product.pcr", "产品规则(PCR)", "Product rule (PCR)"),
        _F("product.company_ids", "企业标识(URN)", "Company ids (URN)", "list",
            help_zh="以分号分隔", help_en="separated by ;"),
        _F("product.classifications", "产品分类(URN)", "Classifications (URN)", "list",
            help_zh="以分号分隔", help_en="separated by ;"),
        _F("product.cpc", "联合国CPC编码", "UN CPC code"),
        _F("product.country", "生产国(ISO)", "Country of production (ISO)"),
        _F("product.mass_kg", "单台质量(kg，不含包装)", "Mass per piece (kg, no packaging)",
            "number"),
        _F("product.fossil_carbon_kg", "化石碳含量(kg C)", "Fossil carbon (kg C)", "number"),
        _F("product.biogenic_carbon_kg", "生物碳含量(kg C)", "Biogenic carbon (kg C)", "number"),
        _F("product.packaging_included", "含包装排放", "Packaging included", "bool", "yes_no"),
        _F("product.packaging_biogenic_carbon_kg", "包装生物碳含量(kg C)",
            "Packaging biogenic carbon (kg C)", "number"),
        _F("product.gwp_basis", "GWP依据(IPCC AR)", "GWP basis (IPCC AR)", "list",
            help_zh="以分号分隔，如 AR5", help_en="separated by ;, e.g. AR5"),
        _F("extra", "其他（YAML）", "Other fields (YAML)", "extra"),
    ]
}

#: Rows of the A.1 form: a section title, or one or two field keys (label | value pairs).
A1_ROWS: list[tuple[str, ...]] = [
    ("product.name", "product.model"),
    ("product.rating", "product.accuracy_class"),
    ("product.manufacturer.name",),
    ("product.annual_output.quantity", "product.annual_output.unit"),
    ("product.manufacturer.address",),
    ("product.manufacturer.contact", "product.manufacturer.phone"),
    ("title", "id"),
    ("recorder.name", "checker.name"),
    ("recorder.date", "place"),
    ("#评价范围 Scope",),
    ("period.start", "period.end"),
    ("#系统边界（Y/N） System boundary (Y/N)",),
    ("boundary.raw_materials", "boundary.manufacturing"),
    ("boundary.distribution", "boundary.use"),
    ("boundary.end_of_life",),
    ("cutoff_rule",),
    ("specification",),
    ("factor_libraries",),
    ("#补充信息 Additional information",),
    ("product.category", "product.functional_unit"),
    ("product.function", "product.description"),
    ("product.picture", "product.manufacturer.legal_representative"),
    ("recorder.organisation", "checker.organisation"),
    ("checker.date",),
    ("evaluator.name", "evaluator.organisation"),
    ("evaluator.date",),
    ("#生产场地（表3 注1） Site (Table 3, Note 1)",),
    ("site.name", "site.address"),
    ("site.user_category", "site.monthly_consumption_kwh"),
    ("site.transformer_kva", "site.high_voltage_billing"),
    ("site.single_phase",),
    ("#PACT 数据交换 PACT exchange",),
    ("product.product_ids", "product.gtin"),
    ("product.company_ids", "product.classifications"),
    ("product.cpc", "product.country"),
    ("product.mass_kg", "product.fossil_carbon_kg"),
    ("product.biogenic_carbon_kg", "product.packaging_included"),
    ("product.packaging_biogenic_carbon_kg", "product.gwp_basis"),
    ("product.pcr",),
    ("extra",),
]
# fmt: on

"""The instructions sheet (说明) of the record workbook, in Chinese and English.

>>> README["zh"][0]
'电能表产品碳足迹数据收集原始记录（JJF 附录 A）'
"""

from __future__ import annotations

__all__ = ["README"]

README: dict[str, list[str]] = {
    "zh": [
        "电能表产品碳足迹数据收集原始记录（JJF 附录 A）",
        "",
        "本工作簿按计量技术规范附录 A 的表 A.1～A.8 编排，由 tanzuji 生成并读取：",
        "  tanzuji evaluate 本文件.xlsx    评价碳足迹及不确定度；",
        "  tanzuji convert 本文件.xlsx study.yaml    转换为 YAML（反之亦可），不丢失任何数据。",
        "",
        "填写说明：",
        "1. A.1 基本信息：按“标签 | 值”成对填写；记录编号（研究编号）、产品名称、评价周期起为必填；"
        "系统边界逐阶段填 Y/N。",
        "2. A.2 测量仪器：每台计量器具一行；“编号”供 A.3～A.7 的“计量器具编号”列引用。",
        "3. A.3～A.7 各阶段：每行一项活动数据，数量按每功能单位（1 台）填写，并给出因子编号。"
        "未填数量的模板行不读取。",
        "   运输、电力消耗（表 A.4 的电网/绿电/现场发电拆分）和运行（功率×时长）由一行“头行”"
        "加其后的组成行构成，以“项目类别”列区分；头行填名称、因子（按距离运输时的运输方式因子）等，"
        "组成行填数量和不确定度。",
        "   A.3 中也可在物料所在行右侧直接填写原材料运输：选择运输方式并以 km 填距离"
        "（运输重量取该物料数量），或填燃料类型及燃料消耗量。",
        "4. 不确定度：选择形式（标准/相对/扩展/上下限）后填值；相对不确定度可填 0.005 或 0.5%；"
        "扩展不确定度须填包含因子 k；上下限形式按附录 C 计算 u = max(|max−x|, |x−min|)/√3。",
        "5. 数据类型、因子类型、单位等请从下拉列表选择；单位也可填写其他 pint 可识别的单位。",
        "6. “因子”表可添加本研究专用因子，与内置因子库同编号时覆盖之；“取舍”表记录按 5.1 "
        "排除的过程及其估计贡献。",
        "7. “序号”决定活动顺序（各行序号互不相同时）；否则按表、行的顺序。",
        "8. “其他（YAML）”列保存表格列之外的字段（如现场测算模型、候选数据、分摊），一般留空。",
        "9. A.8 由 tanzuji 评价后填写，输入时不读取。"
        "请勿使用未计算的公式（请在 Excel 中保存后再读取）。",
    ],
    "en": [
        "Smart electricity meter carbon footprint: original data records (JJF Appendix A)",
        "",
        "This workbook follows Tables A.1–A.8 of the specification; tanzuji writes and reads it:",
        "  tanzuji evaluate this.xlsx    evaluates the footprint and its uncertainty;",
        "  tanzuji convert this.xlsx study.yaml    converts it to YAML (and back) without loss.",
        "",
        "How to fill it in:",
        "1. A.1 Basic info: label | value pairs; the record number (study id), product name and "
        "the start of the evaluation period are required; the system boundary takes Y/N per stage.",
        "2. A.2 Instruments: one row per instrument; its id is what the Instrument id column of "
        "A.3–A.7 refers to.",
        "3. A.3–A.7 stages: one row per activity datum, quantities per functional unit (1 meter), "
        "with a factor id. Template rows without a quantity are not read.",
        "   A transport leg, an electricity split (grid / green-power trading / on-site "
        "generation, Table A.4) and an operation (power × time) are a head row followed by part "
        "rows, told apart by the Entry type column: the head row holds the name and the factor "
        "(the mode factor for a leg by distance), the part rows the quantities and uncertainties.",
        "   In A.3 the inbound transport may also go on the material's own row: a mode with a "
        "distance in km (the transported mass is the material's quantity), or a fuel with the "
        "fuel consumed.",
        "4. Uncertainty: choose the form (standard / relative / expanded / min-max) and give the "
        "value; a relative uncertainty as 0.005 or 0.5%; an expanded one needs k; the min-max form "
        "gives u = max(|max − x|, |x − min|)/√3 (Appendix C).",
        "5. Pick data types, factor types and units from the drop-down lists; any other unit "
        "pint understands is accepted too.",
        "6. The Factors sheet adds study-specific factors (overriding library factors with the "
        "same id); the Cut-off sheet lists processes excluded under 5.1 with their estimates.",
        "7. No. orders the activities when every row has a distinct number; otherwise sheet and "
        "row order apply.",
        "8. The Other fields (YAML) column keeps fields that have no column (on-site calculation "
        "models, candidates, allocation); usually empty.",
        "9. A.8 is filled in by tanzuji after evaluation and ignored when reading. Formulas must "
        "have been calculated (save the file in Excel before reading it).",
    ],
}

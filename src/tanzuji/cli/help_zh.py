"""Chinese help texts of tanzuji's commands and options, keyed by their English text.

The commands declare their help in English (typer decorators, docstrings);
:func:`tanzuji.cli.clitext.localize` shows these instead in a Chinese session. A new help
text needs its entry here: ``tests/cli/test_cli_clitext.py`` walks every command and fails
on a help text without one.
"""

from __future__ import annotations

__all__ = ["HELP"]

HELP: dict[str, str] = {
    "tanzuji: traceable, uncertainty-evaluated product carbon footprints.": (
        "碳足迹 tanzuji：可溯源、评定了测量不确定度的产品碳足迹。"
    ),
    "Print the version.": "显示版本号。",
    (
        "Language of every message, table and report: zh (default) or en. Default: TANZUJI_LANG, "
        "else the config file, else zh."
    ): (
        "所有消息、表格和报告的语言：zh（默认）或 en。未给出时取 TANZUJI_LANG，其次配置文件，否"
        "则为 zh。"
    ),
    "Install completion for the current shell.": "为当前 shell 安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "显示当前 shell 的补全脚本，用于复制或自定义安装。"
    ),
    "Evaluate a study: Table A.8 summary (stages, u, total, U, U_rel) and top contributions.": (
        "评价一个研究：表 A.8 汇总（各阶段、u、合计、U、U_rel）及主要贡献项。"
    ),
    "Study file (YAML/JSON/xlsx) or a directory with study.yaml.": (
        "研究文件（YAML/JSON/xlsx），或含 study.yaml 的目录。"
    ),
    "Print the JSON result contract.": "输出 JSON 结果（约定格式）。",
    "Write the output to this file (.json with --json, else .txt).": (
        "把输出写入此文件（--json 时为 .json，否则为 .txt）。"
    ),
    "Language of this command's output (overrides the global --lang).": (
        "本命令输出的语言（优先于全局 --lang）。"
    ),
    "How many top contributions to show.": "显示多少个主要贡献项。",
    (
        "jjf: the specification's formulas (1)–(18) only; full: also the complete GUM evaluation "
        "(factors, distances, correlations, budget)."
    ): (
        "jjf：仅用规范的公式 (1)–(18)；full：另做完整的 GUM "
        "评定（因子、距离、相关性、不确定度预算）。"
    ),
    "Also run adaptive Monte Carlo (JJF 1059.2) and validate the GUM.": (
        "另运行自适应蒙特卡洛法（JJF 1059.2）并验证 GUM 结果。"
    ),
    "Seed of the Monte Carlo draws.": "蒙特卡洛抽样的随机种子。",
    "Fixed number of Monte Carlo trials (default: adaptive).": "蒙特卡洛试验次数（默认：自适应）。",
    "Also write the PDF evaluation report.": "另写出 PDF 评价报告。",
    "Replace an existing output file.": "替换已存在的输出文件。",
    "No status lines on stderr.": "不在 stderr 上输出状态行。",
    (
        "Data-governance check: instruments, certificates, cut-off, data quality; exit 1 on errors."
    ): ("数据治理检查：计量器具、检定/校准证书、取舍、数据质量；有错误时退出码为 1。"),
    "Study file (YAML/JSON) or a directory with study.yaml.": (
        "研究文件（YAML/JSON），或含 study.yaml 的目录。"
    ),
    "Print the findings as stable JSON.": "以稳定的 JSON 输出检查结果。",
    "Print the JSON Schema of the study file format.": "输出研究文件格式的 JSON Schema。",
    "Write the schema to this file (.json).": "把 Schema 写入此文件（.json）。",
    "Write the empty Excel record workbook (Tables A.1–A.8 of Appendix A) to fill in.": (
        "写出空白的 Excel 记录工作簿（附录 A 的表 A.1–A.8）供填写。"
    ),
    "Workbook to write (.xlsx).": "要写出的工作簿（.xlsx）。",
    "Convert a study between Excel workbook and YAML/JSON, in either direction, without loss.": (
        "在 Excel 工作簿与 YAML/JSON 之间双向转换研究文件，不丢失信息。"
    ),
    "Study file: .xlsx, .yaml, .yml or .json.": "研究文件：.xlsx、.yaml、.yml 或 .json。",
    "File to write: .xlsx, .yaml, .yml or .json.": "要写出的文件：.xlsx、.yaml、.yml 或 .json。",
    "Evaluate every bundled example and write its outputs to ./tanzuji-demo/.": (
        "评价每个内置示例，并把输出写入 ./tanzuji-demo/。"
    ),
    "Output directory.": "输出目录。",
    "Directory of example studies.": "示例研究所在目录。",
    "Replace the files of an earlier demo run.": "替换之前演示运行写出的文件。",
    (
        "Write the evaluation report (§8, Appendix B) as an A4 PDF/A: signed with "
        "--key/--cert\nor a PKCS#11 token (refused while `check` has errors not accepted by "
        "--accept), else a\nmarked draft. With a timestamp authority configured the signature is "
        "PAdES-B-T, and\nwith a CA-issued certificate PAdES-B-LT. With a store (--rev, or a "
        "configured database)\na signed report is recorded there and numbered by it."
    ): (
        "写出评价报告（第 8 章、附录 B），格式为 A4 PDF/A：用 --key/--cert 或 PKCS#11 "
        "令牌签名（`check` 有未经 --accept 接受的错误时拒绝签名），否则为标明的草稿。配置了时间"
        "戳服务时签名为 PAdES-B-T，使用 CA 签发的证书时为 PAdES-B-LT。有存储库时（--rev，或已配"
        "置的数据库），签名报告会记录在库中并由其编号。"
    ),
    "The PDF report to write (.pdf).": "要写出的 PDF 报告（.pdf）。",
    (
        "Issue from a stored revision (id or unique prefix) instead of a file; the signed report "
        "is recorded in the store (default --out: report-NUMBER.pdf)."
    ): (
        "从存储库中的一个修订版（编号或唯一前缀）而非文件出具；签名报告记录在存储库中（默认 "
        "--out：report-编号.pdf）。"
    ),
    (
        "Also write the other language's rendition (zh↔en) here (.pdf): the same report, number "
        "and signature."
    ): ("另把另一种语言的版本（中↔英）写到此处（.pdf）：同一份报告、同一编号和签名。"),
    "Also write the report as HTML (.html).": "另把报告写成 HTML（.html）。",
    "Private key (PEM), or a PKCS#12 file, to sign with.": "用于签名的私钥（PEM）或 PKCS#12 文件。",
    "Certificate (PEM) of the key, optionally with its chain.": "该私钥的证书（PEM），可附证书链。",
    "PKCS#11 library of a hardware token (e.g. libsofthsm2.so).": (
        "硬件令牌的 PKCS#11 库（例如 libsofthsm2.so）。"
    ),
    "Label of the token holding the key.": "存放私钥的令牌标签。",
    "Label of the private key on the token.": "令牌上私钥的标签。",
    "Label of the certificate on the token (default: the key's).": (
        "令牌上证书的标签（默认：与私钥相同）。"
    ),
    (
        "Read the token PIN (or PKCS#12 passphrase) from the first line of standard input "
        "instead of a prompt."
    ): ("从标准输入的第一行读取令牌 PIN（或 PKCS#12 口令），而不是提示输入。"),
    (
        "Accept one blocking finding of `check` by its id (e.g. "
        "CERTIFICATE_EXPIRED:JD-EM-2025-0107); needs its own --reason; repeatable."
    ): (
        "按编号接受 `check` 的一条阻断性问题（例如 CERTIFICATE_EXPIRED:JD-EM-2025-0107）；每条"
        "需要自己的 --reason；可重复。"
    ),
    "Why: one per --accept, in order (or, alone, the reason of --amends).": (
        "理由：每个 --accept 一条，顺序对应（单独使用时为 --amends 的理由）。"
    ),
    (
        "Reason to sign although the certificate's subject is not the study's evaluator (shown "
        "in the report)."
    ): ("证书主体不是该研究评价人时仍签名的理由（显示在报告中）。"),
    "Number of the report this one replaces.": "本报告所替代的报告编号。",
    "Why the report is replaced (with --accept).": "替代原报告的理由（与 --accept 一起使用）。",
    (
        "Embed the full study in the PDF (the evaluator's archival copy only; never for customers)."
    ): ("把完整研究嵌入 PDF（仅用于评价人的存档副本，绝不交给客户）。"),
    "Monte Carlo trials; 0 for the adaptive procedure.": "蒙特卡洛试验次数；0 表示自适应程序。",
    "Monte Carlo seed (reproducible reports).": "蒙特卡洛随机种子（报告可复现）。",
    (
        "Record the signed report in this store and take its number from it (default: "
        "TANZUJI_DATABASE_URL or the config file; none: not recorded)."
    ): (
        "把签名报告记录在此存储库并由其编号（默认：TANZUJI_DATABASE_URL "
        "或配置文件；没有则不记录）。"
    ),
    "Organisation to act for.": "代表哪个组织操作。",
    "Withdraw an issued report (ISO/IEC 17025 §7.8.8): recorded in the store, audited.": (
        "撤回已出具的报告（ISO/IEC 17025 §7.8.8）：记录在存储库中并留有审计记录。"
    ),
    "Number of the issued report.": "已出具报告的编号。",
    "Why the report is withdrawn.": "撤回报告的理由。",
    "The store the report is recorded in.": "记录该报告的存储库。",
    (
        "Sign a PDF (PAdES) with a visible stamp naming the certificate's subject: B-B, B-T\nwith "
        "a timestamp authority configured, B-LT with a CA-issued certificate as well."
    ): (
        "对 PDF 做 PAdES 签名，并加盖写明证书主体的可见印章：B-B；配置了时间戳服务时为 "
        "B-T；另有 CA 签发的证书时为 B-LT。"
    ),
    "The PDF to sign.": "要签名的 PDF。",
    "Private key (PEM), or a PKCS#12 file.": "私钥（PEM）或 PKCS#12 文件。",
    "Write here instead of replacing the file.": "写到此处，而不是替换原文件。",
    (
        "Verify the signatures of a PDF: exit 0 if all are intact, valid and unaltered, else "
        "1.\n\nEvery revision added after a signature is listed with what it changes. With a "
        "store\nconfigured, the report's recorded status is shown too (ISO/IEC 17025 §7.8.8): a "
        "report\nwithdrawn or superseded also exits 1, with the reason, time and successor."
    ): (
        "验证 PDF 的签名：全部完好、有效且未被改动时退出码为 0，否则为 "
        "1。\n\n签名之后追加的每个修订都会列出其改动内容。配置了存储库时，还显示报告的登记状态（I"
        "SO/IEC 17025 §7.8.8）：已撤回或已被替代的报告退出码也为 "
        "1，并给出理由、时间和替代报告。"
    ),
    "The signed PDF.": "已签名的 PDF。",
    "Trusted certificate (PEM); may be repeated.": "受信任的证书（PEM）；可重复。",
    "Trust list (TOML) of trusted CAs and institutes (default: the config file's trust_list).": (
        "受信任的 CA 和机构的信任列表（TOML）（默认：配置文件中的 trust_list）。"
    ),
    (
        "Also look the report up in this store: withdrawn or superseded? (default: "
        "TANZUJI_DATABASE_URL or the config file; none: not looked up)."
    ): (
        "另在此存储库中查找该报告：是否已撤回或被替代（默认：TANZUJI_DATABASE_URL "
        "或配置文件；没有则不查找）。"
    ),
    "Make a self-signed key and certificate for trying signatures (NOT for production).": (
        "生成用于试用签名的自签名私钥和证书（不得用于生产）。"
    ),
    "Directory for key.pem and cert.pem.": "存放 key.pem 和 cert.pem 的目录。",
    "Signer name (certificate CN).": "签名人姓名（证书 CN）。",
    "Organisation (O).": "组织（O）。",
    "Store a study as a new revision, evaluate it and store the result.": (
        "把研究存为新的修订版，评价它并存储结果。"
    ),
    "Study file (YAML/JSON/xlsx) or its folder.": "研究文件（YAML/JSON/xlsx）或其所在文件夹。",
    "What changed.": "改了什么。",
    "The revision this edit is based on (refused if not the newest).": (
        "本次修改所基于的修订版（不是最新修订版时拒绝）。"
    ),
    (
        "Database: SQLAlchemy URL or a path (SQLite file). Default: TANZUJI_DATABASE_URL, config "
        "file, or tanzuji.db in the user data folder."
    ): (
        "数据库：SQLAlchemy URL 或路径（SQLite 文件）。默认：TANZUJI_DATABASE_URL、配置文件，或"
        "用户数据目录中的 tanzuji.db。"
    ),
    "Organisation to act for (default: config org).": "代表哪个组织操作（默认：配置中的 org）。",
    "zh or en.": "zh 或 en。",
    "Print JSON.": "输出 JSON。",
    "List the organisation's products and their studies.": "列出本组织的产品及其研究。",
    "Revisions of a study or product, newest first, with their footprints.": (
        "一个研究或产品的各修订版（最新的在前）及其碳足迹。"
    ),
    "Study id, or a product (model, name or key).": "研究编号，或一个产品（型号、名称或键）。",
    "At most this many.": "最多显示这么多条。",
    "One revision: who, when, why, its libraries and stored evaluations.": (
        "一个修订版：谁、何时、为何修改，所用的因子库及已存储的评价结果。"
    ),
    "Revision id (or a unique prefix).": "修订版编号（或唯一前缀）。",
    "What changed between two revisions and how each stage and the total moved.": (
        "两个修订版之间改了什么，各阶段和合计如何变化。"
    ),
    "Older revision (id or prefix).": "较早的修订版（编号或前缀）。",
    "Newer revision (id or prefix).": "较新的修订版（编号或前缀）。",
    "Footprint ± U per evaluation year and model.": "按评价年份和型号列出碳足迹 ± U。",
    "Product model, name or key (or part of one).": "产品型号、名称或键（或其一部分）。",
    "Write a plot (.svg or .png).": "写出图表（.svg 或 .png）。",
    "Replace an existing plot.": "替换已存在的图表。",
    "Back up the whole database (every row, with the audit anchor) as JSON Lines.": (
        "把整个数据库（每一行，连同审计锚点）备份为 JSON Lines。"
    ),
    "Output file (.jsonl).": "输出文件（.jsonl）。",
    "Replace an existing file.": "替换已存在的文件。",
    "Restore an export into an empty database (all or nothing).": (
        "把导出的备份恢复到一个空数据库（要么全部成功，要么什么都不做）。"
    ),
    "An export made by tanzuji export.": "由 tanzuji export 导出的文件。",
    "Instrument certificates of the organisation's register expiring within N days.": (
        "本组织计量器具登记册中 N 天内到期的证书。"
    ),
    "Expiring within this many days.": "在这么多天内到期。",
    "Serve the web platform (REST API, browser UI, public carbon labels).": (
        "运行 Web 平台（REST API、浏览器界面、公开的碳标签）。"
    ),
    "Address to listen on.": "监听的地址。",
    "Port to listen on.": "监听的端口。",
    "Database (SQLAlchemy URL or SQLite file path).": (
        "数据库（SQLAlchemy URL 或 SQLite 文件路径）。"
    ),
    "Serve HTTPS with this certificate (PEM).": "用此证书（PEM）提供 HTTPS 服务。",
    "Private key of --tls-cert (PEM).": "--tls-cert 的私钥（PEM）。",
    (
        "Trusted reverse proxies (comma-separated IPs) whose X-Forwarded-Proto/For are believed; "
        "HTTPS is then required through them."
    ): (
        "受信任的反向代理（逗号分隔的 IP），采信其 X-Forwarded-Proto/For；此后经由它们的访问必"
        "须使用 HTTPS。"
    ),
    "Worker processes.": "工作进程数。",
    "Publish a footprint whose signed report was issued (to everyone, or --to ORG ...).": (
        "发布一个已出具签名报告的碳足迹（对所有人公开，或用 --to 组织 … 定向共享）。"
    ),
    "Share privately with this organisation (repeatable).": "与此组织私下共享（可重复）。",
    "Withdraw a publication: the public label page then shows it withdrawn, with the reason.": (
        "撤回一项发布：公开的标签页随即显示为已撤回，并附理由。"
    ),
    "Publication id (as in /p/ID).": "发布编号（即 /p/ID 中的 ID）。",
    "Why it is withdrawn (shown publicly).": "撤回的理由（公开显示）。",
    (
        'Record your technical review ("checked by", Table A.1) of a revision before issue.\n\nYou '
        "act as the configured user (TANZUJI_USER), who must be an evaluator or admin of\nthe "
        "evaluating organisation and cannot be the report's signer."
    ): (
        "在出具前记录你对一个修订版的技术复核（“核验人”，表 A.1）。\n\n你以配置的用户（TANZUJI_US"
        "ER）身份操作；该用户必须是评价组织的评价人或管理员，且不能是报告的签名人。"
    ),
    "The reviewer's remark (recorded).": "复核人的意见（会被记录）。",
    "Browse the emission-factor libraries; import official grid factor tables.": (
        "浏览排放因子库；导入官方电网排放因子表。"
    ),
    "List the factors of the builtin libraries (or of one file).": (
        "列出内置因子库（或某个文件）中的因子。"
    ),
    "A factor-library file instead of the builtin ones.": "用此因子库文件代替内置因子库。",
    (
        "Every province (31) with its provincial grid CO2 factor per year, or 'no published "
        "value in the library'."
    ): ("全部 31 个省份及其各年份的省级电网 CO2 排放因子，或“因子库中无已发布数值”。"),
    "Show one factor as a card: value, grade, uncertainty and its basis, source, note.": (
        "以卡片形式显示一个因子：数值、等级、不确定度及其依据、来源、备注。"
    ),
    "The factor id (see `tanzuji factors list`).": "因子编号（见 `tanzuji factors list`）。",
    "Print the factor as JSON.": "以 JSON 输出该因子。",
    ("Search factors: every word must appear as a whole word (id, names, tags, region, source)."): (
        "搜索因子：每个词都必须作为完整的词出现（编号、名称、标签、地区、来源）。"
    ),
    "Whole words (English) or Chinese text.": "完整的英文单词或中文文本。",
    "Import an official provincial/regional grid factor table into a factor library.": (
        "把官方的省级/区域电网排放因子表导入为因子库。"
    ),
    "The published table as .csv or .xlsx (province, year, value, unit).": (
        "发布的表格，.csv 或 .xlsx（省份、年份、数值、单位）。"
    ),
    "Factor library to write (.yaml).": "要写出的因子库（.yaml）。",
    (
        "co2: electricity CO2 emission factors (MEE/NBS); footprint: electricity "
        "carbon-footprint factors (MEE/NBS/NEA)."
    ): (
        "co2：电力 CO2 排放因子（生态环境部/国家统计局）；footprint：电力碳足迹因子（生态环境部"
        "/国家统计局/国家能源局）。"
    ),
    "The publication (default: read from the table's `source` column).": (
        "出处（默认：读取表格的 `source` 列）。"
    ),
    "The data year, if the table has no year column.": "数据年份（表格没有年份列时）。",
    "Library id (default: from the file name).": "因子库编号（默认：取自文件名）。",
    "Metered energy as primary data: meter readings → energy ± uncertainty → study file.": (
        "计量数据作为初级数据：电能表读数 → 电量 ± 不确定度 → 研究文件。"
    ),
    ("Ingest meter readings: the energy of every meter and group with its standard uncertainty."): (
        "读取电能表读数：计算各表、各组的电量及其标准不确定度。"
    ),
    "Mapping file (YAML).": "映射文件（YAML）。",
    "Reading files or directories.": "读数文件或目录。",
    "2025, or 2025-01-01/2025-12-31.": "2025，或 2025-01-01/2025-12-31。",
    "Study to add the metered activities to.": "要加入计量活动的研究。",
    "The new study file.": "新的研究文件。",
    "Also store the new study as a revision and the readings in the store.": (
        "另把新研究作为修订版、把读数存入存储库。"
    ),
    "Store for --save (URL or SQLite path).": "--save 使用的存储库（URL 或 SQLite 路径）。",
    "Organisation for --save.": "--save 所属的组织。",
    "Print the result as JSON.": "以 JSON 输出结果。",
    "Dask scheduler address tcp://HOST:8786.": "Dask 调度器地址 tcp://HOST:8786。",
    "Run on a local Dask cluster of N workers.": "在有 N 个工作进程的本地 Dask 集群上运行。",
    "Memory per local worker, e.g. 1GiB.": "每个本地工作进程的内存，例如 1GiB。",
    "Convert CSV/Excel readings to partitioned Parquet.": "把 CSV/Excel 读数转为分区的 Parquet。",
    "Mapping file (YAML) of the input files.": "输入文件的映射文件（YAML）。",
    "CSV or Excel reading files.": "CSV 或 Excel 读数文件。",
    "Output directory of Parquet parts.": "Parquet 分块的输出目录。",
    "Rows per Parquet part.": "每个 Parquet 分块的行数。",
    "Create, upgrade and inspect the database.": "创建、升级和检查数据库。",
    "Create the database (or bring it to this version); safe to run again.": (
        "创建数据库（或升级到本版本）；可重复运行。"
    ),
    "Migrate an existing database to this version of tanzuji.": (
        "把已有数据库迁移到本版本的 tanzuji。"
    ),
    "Where the database is and whether its schema matches this version.": (
        "数据库在哪里，其结构是否与本版本一致。"
    ),
    "Organisations (tenants).": "组织（租户）。",
    "Add an organisation.": "添加一个组织。",
    "Organisation name.": "组织名称。",
    "List the organisations.": "列出各组织。",
    "Users who sign in to the web platform.": "登录 Web 平台的用户。",
    "Add a user (no password unless --password-stdin: there are no default passwords).": (
        "添加一个用户（除非用 --password-stdin，否则没有密码：不存在默认密码）。"
    ),
    "E-mail address (the sign-in name).": "电子邮件地址（登录名）。",
    "Organisation of the user.": "用户所属的组织。",
    "admin, editor, evaluator, viewer or authority.": (
        "admin、editor、evaluator、viewer 或 authority。"
    ),
    "Read the password from standard input.": "从标准输入读取密码。",
    "Display name.": "显示名称。",
    "The tamper-evident audit trail.": "防篡改的审计链。",
    "Check the hash chain, its head, the anchors and the stored objects; exit 1 on a break.": (
        "检查哈希链、链头、锚点和已存储的对象；链断裂时退出码为 1。"
    ),
    "A report, export or anchor file holding the chain head at some moment (repeatable).": (
        "保存了某一时刻链头的报告、导出或锚点文件（可重复）。"
    ),
    "Print (or save) the chain's head as an anchor: keep it outside the database.": (
        "输出（或保存）审计链的链头作为锚点：请保存在数据库之外。"
    ),
    "Write the anchor to this file.": "把锚点写入此文件。",
    "Machine clients of the REST and PACT APIs.": "REST 和 PACT API 的机器客户端。",
    "Add an OAuth2 client: prints the client id and the secret once (stored hashed).": (
        "添加一个 OAuth2 客户端：只输出一次客户端编号和密钥（存储的是哈希值）。"
    ),
    "Organisation the client acts for.": "客户端所代表的组织。",
    "A name for the client.": "客户端的名称。",
    (
        "PACT v3 exchange: export footprints with their uncertainty, import supplier footprints, "
        "pull from a PACT host, serve one."
    ): (
        "PACT v3 数据交换：导出带不确定度的碳足迹，导入供应商碳足迹，从 PACT "
        "主机拉取，或运行一个 PACT 主机。"
    ),
    "Export a study's footprint as a PACT v3 ProductFootprint with the uncertainty extension.": (
        "把研究的碳足迹导出为带不确定度扩展的 PACT v3 ProductFootprint。"
    ),
    "Study file or directory, or a stored revision id (prefix).": (
        "研究文件或目录，或存储库中的修订版编号（前缀）。"
    ),
    "JSON file to write (default: stdout).": "要写出的 JSON 文件（默认：标准输出）。",
    "Uncertainty in the extension: jjf (specification), full (GUM), mc (Monte Carlo).": (
        "扩展中的不确定度：jjf（规范）、full（GUM）、mc（蒙特卡洛）。"
    ),
    "The signed PDF report: its number and SHA-256 go into the extension.": (
        "签名的 PDF 报告：其编号和 SHA-256 写入扩展。"
    ),
    "Report number, when the report's date is not the evaluator's date.": (
        "报告编号（报告日期不是评价人日期时）。"
    ),
    "Public HTTPS URL of the server publishing it (names the extension schema).": (
        "发布该数据的服务器的公开 HTTPS URL（用于命名扩展的 schema）。"
    ),
    "Monte Carlo seed.": "蒙特卡洛随机种子。",
    "Database holding stored revisions.": "存放修订版的数据库。",
    "Import supplier footprints as factors of type supplier_pcf (a factor library).": (
        "把供应商碳足迹导入为 supplier_pcf 类型的因子（一个因子库）。"
    ),
    "Footprint JSON files or directories.": "碳足迹 JSON 文件或目录。",
    "Factor library (YAML) to write.": "要写出的因子库（YAML）。",
    "Id of the new library.": "新因子库的编号。",
    "Fetch a supplier's footprints from a PACT v3 host and import them as factors.": (
        "从 PACT v3 主机获取供应商的碳足迹并导入为因子。"
    ),
    "Base URL of the PACT host (https://…).": "PACT 主机的基础 URL（https://…）。",
    "Client id given by the host.": "主机分配的客户端编号。",
    "Client secret (or TANZUJI_PACT_SECRET).": "客户端密钥（或 TANZUJI_PACT_SECRET）。",
    "Product id URN (repeatable).": "产品编号 URN（可重复）。",
    "Token URL if not HOST/auth/token.": "令牌 URL（不是 HOST/auth/token 时）。",
    "CA certificate(s) to trust (PEM).": "要信任的 CA 证书（PEM）。",
    "Serve a standalone PACT v3 host over HTTPS (no plain HTTP listener).": (
        "运行独立的 PACT v3 主机，仅用 HTTPS（不监听明文 HTTP）。"
    ),
    "Host configuration (YAML): clients, footprints, partners.": (
        "主机配置（YAML）：客户端、碳足迹、合作方。"
    ),
    "TLS certificate (PEM).": "TLS 证书（PEM）。",
    "TLS private key (PEM).": "TLS 私钥（PEM）。",
    "Add a client credential to a host configuration; prints the secret once.": (
        "在主机配置中添加一个客户端凭据；只输出一次密钥。"
    ),
    "Host configuration (YAML) to add the client to.": "要添加客户端的主机配置（YAML）。",
    "Organisation of the client.": "客户端所属的组织。",
    "Put several suppliers' footprints side by side with U; flag pairs not comparable.": (
        "把多家供应商的碳足迹连同 U 并列比较；标出不可比的组合。"
    ),
    "Print the comparison as JSON.": "以 JSON 输出比较结果。",
    "List the footprint requests (RequestCreated events) not answered yet.": (
        "列出尚未答复的碳足迹请求（RequestCreated 事件）。"
    ),
    "Host configuration (YAML).": "主机配置（YAML）。",
    (
        "Fulfil (with the matching shared footprints) or reject a request; the answer goes "
        "to\nthe partner host the requesting organisation registered, nowhere else."
    ): (
        "履行（用匹配的已共享碳足迹）或拒绝一个请求；答复只发往请求方组织所登记的合作方主机，不"
        "发往别处。"
    ),
    "Id of the RequestCreated event.": "RequestCreated 事件的编号。",
    "Reject, with this reason for the requester.": "拒绝，并给请求方这个理由。",
    "Send a PublishedEvent to every registered partner allowed to see the footprints.": (
        "向每个有权查看这些碳足迹的已登记合作方发送 PublishedEvent。"
    ),
    "Ids of published or updated footprints.": "已发布或已更新的碳足迹编号。",
    (
        "Send a PublishedEvent for publications (published, updated or withdrawn) to "
        "the\nregistered partner hosts that may see them."
    ): ("为发布（已发布、已更新或已撤回）向有权查看的已登记合作方主机发送 PublishedEvent。"),
    "Publication ids (as in /p/ID).": "发布编号（即 /p/ID 中的 ID）。",
    "Every publication of this report number.": "该报告编号的每一项发布。",
    "The store.": "存储库。",
    "Footprint requests (RequestCreated) addressed to the organisation in the store.": (
        "存储库中发给本组织的碳足迹请求（RequestCreated）。"
    ),
    "Partner PACT hosts of an organisation: where its outgoing PACT events go.": (
        "组织的合作方 PACT 主机：其外发 PACT 事件的去向。"
    ),
    "Register (or replace) a partner's PACT host; answers and notices go there only.": (
        "登记（或替换）合作方的 PACT 主机；答复和通知只发往那里。"
    ),
    "The partner organisation (on this platform).": "合作方组织（在本平台上）。",
    "Its PACT host (https://).": "它的 PACT 主机（https://）。",
    "The id it gave you.": "它分配给你的编号。",
    "Read the secret it gave you from stdin.": "从标准输入读取它分配给你的密钥。",
    "Token URL if not BASE/auth/token.": "令牌 URL（不是 BASE/auth/token 时）。",
    "The partner hosts of the organisation (secrets are never shown).": (
        "本组织的合作方主机（从不显示密钥）。"
    ),
    "Remove a partner registration.": "删除一个合作方登记。",
    "The partner organisation.": "合作方组织。",
    "Authorised signatories: who may issue signed reports for an organisation.": (
        "授权签名人：谁可以为一个组织出具签名报告。"
    ),
    "Authorise a web user (--user) or a certificate subject (--name or --cert) to issue.": (
        "授权一个 Web 用户（--user）或一个证书主体（--name 或 --cert）出具报告。"
    ),
    "A web user (e-mail) of the organisation.": "本组织的一个 Web 用户（电子邮件）。",
    "A signing certificate's subject name (CN).": "签名证书的主体名称（CN）。",
    "The certificate subject's organisation (O); with --name.": (
        "证书主体所属的组织（O）；与 --name 一起使用。"
    ),
    "Take --name/--organisation from this certificate (PEM).": (
        "从此证书（PEM）中取 --name/--organisation。"
    ),
    "List an organisation's authorised signatories.": "列出一个组织的授权签名人。",
    "Withdraw a signatory's authorisation (reports already issued stay valid).": (
        "撤销一个签名人的授权（已出具的报告仍然有效）。"
    ),
}

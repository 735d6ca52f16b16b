"""Chinese for typer's and (vendored) click's own texts: usage errors and help decorations.

Keys are the English texts as the library writes them, with ``{name}`` (or ``{name!r}``)
for a variable part; see :mod:`tanzuji.cli.clitext` for how they are applied.
``tests/cli/test_cli_clitext.py`` extracts every message of the installed typer with
``ast`` and fails on one this catalogue does not cover, or on a translation whose
placeholders differ from its key's.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "RECURSIVE"]

#: placeholders whose text is itself a catalogue message (translated in turn)
RECURSIVE = frozenset({"message", "kind"})

_PATH_KINDS = {"file": "文件", "dir": "目录", "path": "路径"}

MESSAGES: dict[str, str] = {
    # help pages (typer.core's gettext, click's formatter and help option)
    "Usage: ": "用法: ",
    "[OPTIONS]": "[选项]",
    "COMMAND [ARGS]...": "命令 [参数]...",
    "Arguments": "参数",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "default: {default}": "默认: {default}",
    "env var: {var}": "环境变量: {var}",
    "required": "必填",
    "(dynamic)": "（动态）",
    # typer's rich help (not used: tanzuji's help is plain text), for completeness
    "(deprecated) ": "（已弃用）",
    "[default: {}]": "[默认: {}]",
    "[env var: {}]": "[环境变量: {}]",
    "[required]": "[必填]",
    "Error": "错误",
    "Aborted.": "已中止。",
    "Try [blue]'{command_path} {help_option}'[/] for help.": (
        "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    ),
    # how an error is shown
    "Error: {message}": "错误: {message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Aborted!": "已中止！",
    # usage errors
    "No such option: {name}": "没有这个选项: {name}",
    "{message} (Possible options: {options})": "{message}（可能是: {options}）",
    "(Possible options: {options})": "（可能是: {options}）",  # the part, as the source has it
    "No such command {name!r}.": "没有命令 {name!r}。",
    "{message}. Did you mean {suggestions}?": "{message}您是不是要用 {suggestions}？",
    "Missing command.": "缺少命令。",
    "Missing argument.": "缺少参数。",
    "Missing option.": "缺少选项。",
    "Missing parameter.": "缺少参数。",
    "Missing argument {hint}.": "缺少参数 {hint}。",
    "Missing option {hint}.": "缺少选项 {hint}。",
    "Missing parameter {hint}.": "缺少参数 {hint}。",
    "Missing argument {hint}. {message}": "缺少参数 {hint}。{message}",
    "Missing option {hint}. {message}": "缺少选项 {hint}。{message}",
    "Missing parameter {hint}. {message}": "缺少参数 {hint}。{message}",
    "Choose from:\n\t{choices}": "可选值:\n\t{choices}",
    "Got unexpected extra argument(s) ({args})": "多余的参数（{args}）",
    "Option {name} requires {message}": "选项 {name} 需要{message}",
    "an argument.": "一个值。",
    "{nargs} arguments.": "{nargs} 个值。",
    "Option {name} does not take a value.": "选项 {name} 不接受值。",
    "Argument {name} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Invalid value for {hint}: {message}": "{hint} 的值无效: {message}",
    "Invalid value: {message}": "无效的值: {message}",
    "Could not open file {name}: {message}": "无法打开文件 {name}: {message}",
    "unknown error": "未知错误",
    "DeprecationWarning: The command {name} is deprecated.{extra}": (
        "弃用警告: 命令 {name} 已弃用。{extra}"
    ),
    # typer's value checks (before and after pydantic)
    "Value must be an iterable.": "这里需要多个值。",
    "Value {value} is not a valid {label}.": "值 {value} 不是有效的 {label}。",
    "{value} is not one of {choices}.": "{value} 不是可选值（{choices}）之一。",
    "{value} does not match the formats {formats}.": "{value} 不符合格式 {formats}。",
    "None is not a valid string": "None 不是有效的字符串",
    "value is not a valid tuple": "值不是有效的元组",
    "{expected} values are required, but {given} given.": (
        "需要 {expected} 个值，给出了 {given} 个。"
    ),
    **{
        f"{{kind}} {{path}} {en}": f"{{kind}} {{path}} {zh}"
        for en, zh in (
            ("does not exist.", "不存在。"),
            ("is a file.", "是一个文件。"),
            ("is a directory.", "是一个目录。"),
            ("is not readable.", "不可读。"),
            ("is not writable.", "不可写。"),
        )
    },
    **_PATH_KINDS,
    # errors in the definition of a command (a programming error, never a user's)
    "Invalid start character for option ({opt})": "选项的首字符无效（{opt}）",
    "unknown action '{action}'": "未知动作 '{action}'",
    "Boolean option {decl} cannot use the same flag for true/false.": (
        "布尔选项 {decl} 的真、假两个开关不能相同。"
    ),
    "Expected one list item type, got: {args}": "列表只能有一种元素类型，实际为: {args}",
    # pydantic's messages for the values typer checks with it
    "Value error, {message}": "{message}",
    "Input should be a valid integer, unable to parse string as an integer": (
        "应为整数，无法把字符串解析为整数"
    ),
    "Input should be a valid integer, got a number with a fractional part": (
        "应为整数，实际是带小数的数"
    ),
    "Input should be a valid integer": "应为整数",
    "Input should be a valid number, unable to parse string as a number": (
        "应为数值，无法把字符串解析为数值"
    ),
    "Input should be a valid number": "应为数值",
    "Input should be a finite number": "应为有限的数值",
    "Input should be a valid boolean, unable to interpret input": "应为布尔值，无法识别输入",
    "Input should be a valid boolean": "应为布尔值",
    "Input should be greater than or equal to {n}": "应大于或等于 {n}",
    "Input should be less than or equal to {n}": "应小于或等于 {n}",
    "Input should be greater than {n}": "应大于 {n}",
    "Input should be less than {n}": "应小于 {n}",
    "Input should be a valid string": "应为字符串",
    "Input should be a valid path": "应为有效的路径",
    "Input should be a valid datetime, {message}": "应为有效的日期时间，{message}",
}

"""typer's own texts and every command's help in one language (cli/clitext.py, issue 8.5).

The catalogue is checked against the *installed* typer: every message its source writes
(gettext ``_()`` literals and the f-string messages of the vendored click), extracted
with ``ast``, must have a Chinese entry with the same placeholders — so an upgrade that
adds or rewords a message fails here. Then the command line is run in both languages.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from clihelpers import ROOT, fresh

from tanzuji.cli.clitext import PLACEHOLDER, argv_lang, translate, wrap
from tanzuji.cli.clitext_zh import MESSAGES
from tanzuji.cli.help_zh import HELP
from tanzuji.i18n import use_lang

TYPER = Path(typer.__file__).parent

#: the modules whose texts reach a tanzuji user. Not listed, on purpose: _click/termui and
#: _termui_impl (prompts, pager, progress bars: tanzuji uses none, checked below),
#: completion and _completion_* (the shell scripts' installer; its option help is checked
#: with the commands), cli.py (the `typer` command itself), main.py and utils.py (errors
#: in the definition of an app, a programmer's).
MODULES = (
    "_click/core.py",
    "_click/exceptions.py",
    "_click/parser.py",
    "_click/formatting.py",
    "_click/decorators.py",
    "_click/utils.py",
    "core.py",
    "_coercion.py",
    "_param_types.py",
    "_adapters.py",
    "rich_utils.py",
)
#: calls whose text argument is a message shown to the user
SINKS = {
    "_",
    "ngettext",
    "fail",
    "echo",
    "UsageError",
    "BadParameter",
    "BadOptionUsage",
    "BadArgumentUsage",
    "NoSuchOption",
    "MissingParameter",
    "FileError",
    "ClickException",
    "ValueError",  # in typer's validators, pydantic shows it as "Value error, …"
}
#: variables that hold a message part (`message = f"No such option: …"`)
NAMES = {"message", "msg", "hint", "suggest", "prefix"}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _templates(node: ast.AST) -> Iterator[str]:
    """The text of a literal, an f-string (``{expr}`` for each value) or of both branches."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(
            v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"  # type: ignore[attr-defined]
            for v in node.values
        )
    elif isinstance(node, ast.IfExp):
        yield from _templates(node.body)
        yield from _templates(node.orelse)
    elif isinstance(node, ast.BinOp):
        yield from _templates(node.left)
        yield from _templates(node.right)


def typer_messages() -> dict[str, str]:
    """Every user-facing message in the installed typer's source → the module it is in."""
    found: dict[str, str] = {}
    for rel in MODULES:
        tree = ast.parse((TYPER / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
                if name in SINKS:
                    values += node.args
                    values += [k.value for k in node.keywords if k.arg in ("message", "help")]
                else:
                    values += [k.value for k in node.keywords if k.arg == "help"]
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(getattr(t, "id", getattr(t, "attr", None)) in NAMES for t in targets):
                    values.append(node.value)
            elif isinstance(node, ast.FunctionDef) and node.name == "format_message":
                values += [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value]
            for value in values:
                for t in _templates(value):
                    if re.search(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", "", t)):
                        found.setdefault(t.strip(), rel)
    return found


def _pattern(template: str) -> re.Pattern[str]:
    """A source template as a pattern: each ``{…}`` stands for any text."""
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


def test_the_extraction_finds_typers_messages() -> None:
    found = typer_messages()
    # a few that must be there (or the extraction, not the catalogue, is broken)
    for known in ("Options", "Missing command.", "Show this message and exit.", "Usage:"):
        assert known in found, known
    assert any(t.startswith("No such option:") for t in found)
    assert any(t.startswith("Invalid value for") for t in found)
    assert len(found) >= 40


def test_every_typer_message_has_a_chinese_entry() -> None:
    keys = [k.strip() for k in MESSAGES]
    missing = [
        f"{rel}: {t!r}"
        for t, rel in typer_messages().items()
        if not any(_pattern(t).fullmatch(k) for k in keys)
    ]
    assert not missing, "no entry in cli/clitext_zh.py for:\n" + "\n".join(missing)


@pytest.mark.parametrize("en", list(MESSAGES))
def test_translations_keep_the_placeholders(en: str) -> None:
    zh = MESSAGES[en]
    assert Counter(PLACEHOLDER.findall(zh)) == Counter(PLACEHOLDER.findall(en)), (en, zh)
    assert en.count("{}") == zh.count("{}"), (en, zh)
    if re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", en)) and PLACEHOLDER.sub("", zh):
        assert CJK.search(zh), (en, zh)  # a real translation, not the English again


def test_tanzuji_uses_no_prompt_or_progress_bar_of_typer() -> None:
    """Their texts (termui) are not in the catalogue; a new use must add them."""
    used = re.compile(r"typer\.(prompt|confirm|progressbar|edit|launch|pause|getchar)\b")
    for path in (ROOT / "src" / "tanzuji").rglob("*.py"):
        assert not used.search(path.read_text(encoding="utf-8")), path


def test_translate_matches_templates_and_translates_nested_messages() -> None:
    # expected strings written by hand from the catalogue entries
    with use_lang("zh"):
        assert translate("No such option: --x") == "没有这个选项: --x"
        assert (
            translate("Invalid value for '--lang': Value error, 'fr' is not one of 'zh', 'en'.")
            == "'--lang' 的值无效: 'fr' 不是可选值（'zh', 'en'）之一。"
        )
        assert translate("Option '--out' requires an argument.") == "选项 '--out' 需要一个值。"
        assert translate("Option '-x' requires 2 arguments.") == "选项 '-x' 需要2 个值。"
        assert translate("file 'a b.yaml' does not exist.") == "文件 'a b.yaml' 不存在。"
        assert translate("something new") == "something new"  # unknown: unchanged
    with use_lang("en"):
        assert translate("No such option: --x") == "No such option: --x"


def test_argv_lang_takes_the_last_valid_lang_before_the_separator() -> None:
    assert argv_lang(["--lang", "en", "evaluate"]) == "en"
    assert argv_lang(["--lang=en", "evaluate", "x", "--lang", "zh"]) == "zh"
    assert argv_lang(["--lang", "fr", "evaluate"]) is None
    assert argv_lang(["evaluate", "--", "--lang", "en"]) is None
    assert argv_lang(["--lang"]) is None


def test_wrap_counts_columns_not_characters() -> None:
    lines = wrap("一二三四五六七八九十", 8)
    assert lines == ["一二三四", "五六七八", "九十"]  # 4 characters = 8 columns
    assert wrap("甲（乙）丙", 4) == ["甲", "（乙）", "丙"]  # no line starts with "）"
    assert wrap("see tanzuji report here", 11) == ["see tanzuji", "report here"]


# ---------------------------------------------------------------- usage errors, end to end

CLICK_ENGLISH = re.compile(
    r"Usage|Try |No such|Missing|Invalid value|Error|Got unexpected|Did you mean|"
    r"is not one of|Possible options|requires an argument|Options|Commands|Arguments"
)


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", "--no-such-option"),
        ("evaluate", "--quite"),  # with a suggestion
        ("evaluate",),  # missing argument
        ("evalute",),  # no such command, did you mean
        ("--lang", "fr", "evaluate"),  # invalid choice
        ("evaluate", "x.yaml", "--top", "abc"),  # not an integer
        ("serve", "--port", "0"),  # out of range
        ("evaluate", "--out"),  # option needs a value
        ("evaluate", "a.yaml", "b.yaml"),  # extra argument
        ("factors", "show"),  # missing argument of a subcommand
    ],
)
def test_usage_errors_are_chinese_by_default(run, args: tuple[str, ...]) -> None:
    res = run(*args)
    assert res.code == 2, res
    assert "错误: " in res.err, res.err
    assert not CLICK_ENGLISH.search(res.err), res.err
    assert "Traceback" not in res.err


def test_no_such_option_in_chinese_and_in_english(run) -> None:
    zh = run("evaluate", "--no-such-option")
    assert zh.err.splitlines() == [
        "用法: tanzuji evaluate [选项] {study}",
        "运行 'tanzuji evaluate --help' 查看帮助。",
        "",
        "错误: 没有这个选项: --no-such-option",
    ]
    en = run("--lang", "en", "evaluate", "--no-such-option")
    assert en.err.splitlines() == [
        "Usage: tanzuji evaluate [OPTIONS] {study}",
        "Try 'tanzuji evaluate --help' for help.",
        "",
        "Error: No such option: --no-such-option",
    ]
    assert en.code == zh.code == 2


def test_usage_errors_follow_tanzuji_lang_and_a_per_command_lang(run, monkeypatch) -> None:
    monkeypatch.setenv("TANZUJI_LANG", "en")
    assert "Error: No such option" in run("evaluate", "--bad").err
    assert "错误: 没有这个选项" in run("evaluate", "--bad", "--lang", "zh").err


def test_a_fresh_process_reports_in_chinese() -> None:
    res = fresh("evaluate", "--no-such-option")
    assert res.code == 2
    assert "错误: 没有这个选项: --no-such-option" in res.err
    assert not CLICK_ENGLISH.search(res.err), res.err


# ---------------------------------------------------------------- help, every command


def _commands() -> list[tuple[str, ...]]:
    """The path of every command and group of the app (the root is ``()``)."""
    from tanzuji.cli import app

    paths: list[tuple[str, ...]] = []

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


COMMANDS = _commands()


def test_every_help_text_has_a_chinese_entry() -> None:
    """Every command's and option's help (and the help option's) has a translation."""
    from tanzuji.cli import app

    missing: list[str] = []

    def walk(cmd: typer.core.TyperGroup | typer.core.TyperCommand, path: str) -> None:
        texts = [cmd.help, cmd.short_help] + [getattr(p, "help", None) for p in cmd.params]
        for t in texts:
            if t and inspect.cleandoc(t) not in HELP:
                missing.append(f"{path}: {t!r}")
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "tanzuji")
    assert not missing, "no entry in cli/help_zh.py for:\n" + "\n".join(missing)
    assert "Show this message and exit." in MESSAGES


@pytest.mark.parametrize("en", list(HELP))
def test_help_translations_are_chinese_and_keep_options_and_files(en: str) -> None:
    zh = HELP[en]
    assert CJK.search(zh), en
    for token in re.findall(r"--[a-z][a-z0-9-]*|\.(?:json|pdf|yaml|xlsx|txt|jsonl|html)\b", en):
        assert token in zh, (en, zh, token)


def _english_sentences(text: str) -> list[str]:
    """Runs of four or more English words (help prose; option names and metavars are
    single tokens)."""
    return re.findall(r"(?<![\w<{-])[A-Za-z]{2,}(?:[ ,]+[A-Za-z]+){3,}", text)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "tanzuji")
def test_help_is_in_one_language(run, path: tuple[str, ...]) -> None:
    zh = run(*path, "--help")
    assert zh.code == 0, zh.err
    assert "用法: tanzuji" in zh.out and "显示本帮助并退出。" in zh.out
    body = "\n".join(x for x in zh.out.splitlines() if not x.startswith("用法: "))
    assert not _english_sentences(body), _english_sentences(body)
    assert not CLICK_ENGLISH.search(zh.out), zh.out
    en = run("--lang", "en", *path, "--help")
    assert en.code == 0, en.err
    assert "Usage: tanzuji" in en.out and "Show this message and exit." in en.out
    assert not CJK.search(en.out), CJK.findall(en.out)
    # a repeatable option shows the type of one value, not a Python annotation
    for out in (zh.out, en.out):
        assert not re.search(r"<(?:list|tuple|dict)\[", out), out


def test_help_language_whatever_the_order_and_source(run, monkeypatch) -> None:
    """The root --help is eager (handled while parsing, before the --lang callback); the
    language is decided before parsing, so every form agrees."""
    assert "用法:" in run("--help").out
    assert "Usage:" in run("--lang", "en", "--help").out
    assert "Usage:" in run("--help", "--lang", "en").out
    assert "用法:" in run("evaluate", "--help").out
    assert "Usage:" in run("evaluate", "--help", "--lang", "en").out
    assert "Usage:" in run("evaluate", "--lang=en", "--help").out
    monkeypatch.setenv("TANZUJI_LANG", "en")
    assert "Usage:" in run("evaluate", "--help").out
    assert "Usage:" in run("--help").out
    assert "用法:" in run("--lang", "zh", "evaluate", "--help").out


def test_help_language_from_the_config_file(run, isolated_user: Path) -> None:
    config = isolated_user / "config" / "tanzuji" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('lang = "en"\n', encoding="utf-8")
    assert "Usage: tanzuji evaluate" in run("evaluate", "--help").out
    assert "Error: Missing argument" in run("evaluate").err


def test_chinese_help_lines_fit_the_terminal(run) -> None:
    from tanzuji.cli.clitext import _width

    res = run("report", "--help")
    widest = max(_width(line) for line in res.out.splitlines())
    # click's formatter: 80 columns at most (78 + the 2 it keeps); a metavar-long option
    # name may push one line further, but no paragraph runs on to 150 columns any more
    assert widest <= 90, widest


def test_a_fresh_process_shows_chinese_help_with_env_english(monkeypatch) -> None:
    res = fresh("evaluate", "--help", env={"TANZUJI_LANG": "en"})
    assert res.code == 0 and res.out.startswith("Usage: ") and "Options:" in res.out
    assert not CJK.search(res.out)
    res = fresh("--help")
    assert res.code == 0 and res.out.startswith("用法: ") and "命令:" in res.out

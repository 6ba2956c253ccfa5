"""collector.ps1 (attt/windows/collector.ps1) checked on Linux: syntax, read-only, contract.

No PowerShell runs here.  These tests are a lint, not proof that the script works on Windows:
- tree-sitter-powershell parses the whole script with no ERROR or MISSING node;
- no command in it (cmdlet, native program or function) has a writing or modifying verb,
  Remove-Item only deletes the temp files the script made under $env:TEMP, and no .NET call
  writes the registry or files other than -OutFile;
- every section of docs/windows-collector.md is gathered, in its own try/catch;
- ``attt collector windows`` writes the packaged file's bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tree_sitter as ts
import tree_sitter_powershell as tsp
from click.testing import CliRunner

from attt.cli import main
from attt.windows import COLLECTOR_NAME, collector_bytes

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "src" / "attt" / "windows" / "collector.ps1"
CONTRACT = ROOT / "docs" / "windows-collector.md"

# An allow-list: a command is a cmdlet or function with a reading verb, one of ALLOWED, one of
# NATIVE_ALLOWED, or `& $block` (a script block of this script, whose commands are checked
# where they are written).  Anything else (Set-*, New-Item, Stop-*, Enable-*, aliases such as
# rm or sp, reg.exe, netsh) is refused.
READ_VERBS = {"get", "test", "convertto", "convertfrom", "sort", "where", "foreach", "select",
              "measure", "join"}
ALLOWED = {
    "new-object": "creates a .NET/COM object in memory",
    "new-temporaryfile": "a temp file under $env:TEMP",
    "remove-item": "only on the script's own temp files (checked below)",
    "write-output": "prints the document",
}
NATIVE_ALLOWED = {"secedit.exe", "auditpol.exe"}
# .NET calls that write: registry and files.  -OutFile is the one allowed file write.
WRITING_CALLS = re.compile(
    r"\.(SetValue|CreateSubKey|DeleteSubKey\w*|DeleteValue|SetAccessControl|Flush)\s*\(|"
    r"\[(System\.)?IO\.(File|Directory|FileInfo|DirectoryInfo)\]::(Write\w+|Append\w+|Delete|Move|"
    r"Copy|Replace|Create\w*|OpenWrite|Open|SetAttributes|Encrypt|Decrypt)\s*\(|"
    r"OpenSubKey\s*\([^)]*,\s*\$true|"
    r"\[(System\.)?IO\.(StreamWriter|FileStream)\]|New-Object\s+(-TypeName\s+)?'?System\.IO\."
    r"(StreamWriter|FileStream)|"
    r"\.(InvokeMember)\s*\([^)]*'(SetInfo|Put|Add|Remove)'|"
    r"\.(Put|SetInfo|CommitChanges|DeleteTree)\s*\(|"
    r"\.(Invoke|InvokeMethod)\s*\(\s*'(Add|Remove|SetPassword|Put)'",
    re.IGNORECASE,
)


def _script() -> bytes:
    return SCRIPT.read_bytes()


def _tree() -> object:
    parser = ts.Parser(ts.Language(tsp.language()))
    return parser.parse(_script())


def _nodes(node: object, kind: str | None = None) -> list[object]:
    found = []
    stack = [node]
    while stack:
        n = stack.pop()
        if kind is None or n.type == kind:  # type: ignore[attr-defined]
            found.append(n)
        stack.extend(reversed(n.children))  # type: ignore[attr-defined]
    return found


def _text(node: object) -> str:
    return node.text.decode("utf-8")  # type: ignore[attr-defined]


def _commands() -> list[tuple[str, str, int]]:
    """(name, arguments, line) of every command in the script, nested blocks included."""

    found = []
    for cmd in _nodes(_tree().root_node, "command"):  # type: ignore[attr-defined]
        kids = {c.type: c for c in cmd.children}
        name = kids.get("command_name") or kids.get("command_name_expr")
        elements = kids.get("command_elements")
        assert name is not None, _text(cmd)
        found.append((_text(name), _text(elements) if elements is not None else "",
                      cmd.start_point.row + 1))
    return found


def _sections_in_contract() -> list[str]:
    text = CONTRACT.read_text(encoding="utf-8")
    table = text.split("## Sections", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", table, re.MULTILINE)


def test_script_parses_with_tree_sitter_without_error_or_missing_nodes() -> None:
    bad = [(n.type, n.start_point.row + 1, _text(n)[:60])  # type: ignore[attr-defined]
           for n in _nodes(_tree().root_node)  # type: ignore[attr-defined]
           if n.type == "ERROR" or n.is_missing]  # type: ignore[attr-defined]
    assert bad == []
    # The lint sees the real script: a parse that found no commands would prove nothing.
    assert len(_commands()) > 40


def test_the_lint_catches_a_syntax_error() -> None:
    parser = ts.Parser(ts.Language(tsp.language()))
    broken = parser.parse(_script().replace(b"try {", b"try (", 1))
    assert any(n.type == "ERROR" or n.is_missing  # type: ignore[attr-defined]
               for n in _nodes(broken.root_node))


def test_script_is_ascii_lf_and_starts_with_its_param_block() -> None:
    data = _script()
    # Windows PowerShell 5.1 reads a .ps1 without BOM in the ANSI code page: ASCII only.
    data.decode("ascii")
    assert b"\r" not in data
    root = _tree().root_node  # type: ignore[attr-defined]
    first = next(n for n in root.children if n.type != "comment")
    assert first.type == "param_block"  # type: ignore[attr-defined]
    for name in ("OutFile", "UpdateSearchSeconds"):
        assert f"${name}" in _text(first)


def _writes(name: str, args: str) -> bool:
    low = name.lower()
    if low == "remove-item":
        return not re.fullmatch(
            r"\s*-LiteralPath \$tmp\w* -Force -ErrorAction SilentlyContinue\s*", args)
    if low.startswith("$") or low in ALLOWED or low in NATIVE_ALLOWED:
        return False
    verb = re.fullmatch(r"([a-z]+)-[a-z0-9]+", low)
    return verb is None or verb.group(1) not in READ_VERBS


def test_no_command_writes_or_modifies() -> None:
    problems = [(line, name + args) for name, args, line in _commands() if _writes(name, args)]
    assert problems == []


def test_remove_item_targets_only_temp_files_made_under_env_temp() -> None:
    source = _script().decode("ascii")
    removed = set(re.findall(r"Remove-Item -LiteralPath (\$tmp\w*)", source))
    assert removed, "the script deletes its secedit/auditpol temp files"
    for var in removed:
        made = re.findall(re.escape(var) + r" = (.+)", source)
        assert made and all(m.startswith("Get-AtttTempPath ") for m in made), var
    body = re.search(r"function Get-AtttTempPath \{(.+?)\n\}", source, re.DOTALL)
    assert body is not None and "$env:TEMP" in body.group(1)


def test_no_dotnet_call_writes_except_the_out_file() -> None:
    source = _script().decode("ascii")
    writes = [m.group(0) for m in WRITING_CALLS.finditer(source)]
    assert writes == ["[System.IO.File]::WriteAllText("]
    assert "[System.IO.File]::WriteAllText($path, $document, $utf8NoBom)" in source


@pytest.mark.parametrize("line", [
    "Set-ItemProperty -Path HKLM:\\x -Name y -Value 1",
    "& reg.exe add HKLM\\x",
    "netsh advfirewall set allprofiles state off",
    "Invoke-Expression $x",
    "Remove-Item -LiteralPath C:\\Windows -Recurse",
    "Stop-Service WinDefend",
    "Enable-PSRemoting -Force",
    "rm -Recurse C:\\x",
    "sp HKLM:\\x y 1",
    "Get-AtttSection -Name 'x' -Body {\n    param($Out)\n"
    "    Set-Service -Name x -StartupType Disabled\n}",
    "Import-Module ActiveDirectory",
])
def test_the_write_lint_catches_a_writing_command(line: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "collector.ps1"
    bad.write_bytes(_script() + line.encode() + b"\n")
    monkeypatch.setitem(globals(), "SCRIPT", bad)
    with pytest.raises(AssertionError):
        test_no_command_writes_or_modifies()


def test_the_dotnet_write_lint_catches_a_registry_write(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "collector.ps1"
    bad.write_bytes(_script() + b"$key.SetValue('Start', 4)\n")
    monkeypatch.setitem(globals(), "SCRIPT", bad)
    with pytest.raises(AssertionError):
        test_no_dotnet_call_writes_except_the_out_file()


def test_every_contract_section_is_gathered_in_its_own_try_catch() -> None:
    sections = _sections_in_contract()
    assert len(sections) == 16
    source = _script().decode("ascii")
    gathered = re.findall(r"^Get-AtttSection -Name '([a-z0-9_]+)' -Body \{", source, re.MULTILINE)
    assert sorted(gathered) == sorted(sections)
    # Get-AtttSection runs each body inside try/catch and records status and reason.
    runner = re.search(r"function Get-AtttSection \{(.+?)\n\}", source, re.DOTALL)
    assert runner is not None
    for needle in ("try {", "catch", "$out.status", "$out.reason = Get-AtttReason"):
        assert needle in runner.group(1)
    # The reason is the exception's type name and HResult, never its (localised) message.
    reason = re.search(r"function Get-AtttReason \{(.+?)\n\}", source, re.DOTALL)
    assert reason is not None and "HResult" in reason.group(1)
    assert ".Message" not in source


def test_documented_conventions_are_used() -> None:
    source = _script().decode("ascii")
    for needle in (
        "ConvertTo-Json -Depth 6 -Compress",
        "[System.Security.Cryptography.SHA256]::Create()",
        "[System.Text.UTF8Encoding]::new($false)",
        "ToString('o')",
        "'attt.windows-collector/1'",
        "AsyncWaitHandle.WaitOne(",
        "finally {",
    ):
        assert needle in source, needle
    # Never Win32_Product (it triggers an MSI consistency check of every package).
    code = "\n".join(x for x in source.splitlines() if not x.lstrip().startswith("#"))
    assert "Win32_Product" not in code


def test_command_prints_the_packaged_bytes() -> None:
    result = CliRunner().invoke(main, ["collector", "windows"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == _script() == collector_bytes()
    assert COLLECTOR_NAME == "collector.ps1"


def test_command_writes_the_packaged_bytes_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "collector.ps1"
    result = CliRunner().invoke(main, ["collector", "windows", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == _script()
    # An existing file is not overwritten (as `attt evidence template`).
    again = CliRunner().invoke(main, ["collector", "windows", "-o", str(out)])
    assert again.exit_code != 0
    assert out.read_bytes() == _script()


def test_command_help_is_bilingual() -> None:
    for args in (["collector", "--help"], ["collector", "windows", "--help"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0
        assert " / " in result.output
        assert "Windows" in result.output


def test_script_and_schema_are_package_data() -> None:
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert "attt.windows" in setup["packages"]
    assert {"*.ps1", "*.json"} <= set(setup["package-data"]["attt.windows"])

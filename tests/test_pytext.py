"""The renderer: every string becomes a literal, docstring or comment that reads back as itself.

These are the only functions through which spec text reaches generated code, so each is checked
against hostile text by compiling what it produces and reading the value back.
"""

from __future__ import annotations

import ast
import keyword

import jinja2
import pytest

from autosdk_py import naming
from autosdk_py.pytext import (
    Code,
    Identifier,
    TypeExpr,
    UnrepresentableValue,
    comment,
    doc_line,
    docstring,
    literal,
    source_lines,
)
from autosdk_py.templating import UnrenderedValue, environment

HOSTILE = [
    "",
    "plain",
    '"',
    "'",
    '"""',
    "'''",
    '""""',
    '"end',
    'end"',
    "end\\",
    "\\",
    '\\"',
    '" + __import__("os").system("touch pwned") + "',
    "' + __import__('os').system('touch pwned') + '",
    '"""\n__import__("os").system("touch pwned")\n"""',
    "\nimport os\n#",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "line\u2028break\u2029para",
    "nul\x00byte",
    "form\x0cfeed\x0bvtab\x85nel\x1c\x1d\x1e",
    "carriage\rreturn\r\nwindows",
    "\ud800 lone surrogate",
    "tab\there",
    "é ü 中文 😀",
    "x" * 10_000,
    "class",
    "None",
    "__import__",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_reads_back_as_the_same_string(text: str) -> None:
    code = literal(text)
    assert isinstance(code, Code)
    tree = ast.parse(f"x = {code}")
    assert len(tree.body) == 1
    assert ast.literal_eval(code) == text
    assert "\n" not in code and "\x00" not in code


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 2**70, 1.5, -0.0, [1, "a", None], {"k": ["v", {"n": 1}]}, ("a", "b"), ("one",)],
)
def test_literal_of_json_values_and_tuples(value: object) -> None:
    assert ast.literal_eval(literal(value)) == value


def test_literal_of_frozenset_is_sorted_and_compiles() -> None:
    code = literal(frozenset({"b", "a"}))
    assert code == "frozenset({'a', 'b'})"
    assert eval(code) == frozenset({"a", "b"})  # our own output, compiled to check it
    assert literal(frozenset()) == "frozenset()"


@pytest.mark.parametrize("value", [float("inf"), float("nan"), object(), {1: "a"}])
def test_values_without_a_literal_are_refused(value: object) -> None:
    with pytest.raises(UnrepresentableValue):
        literal(value)


def test_identifier_is_rendered_as_its_plain_string() -> None:
    assert literal(Identifier("Name")) == "'Name'"


def _docstring_of(body: str) -> str:
    module = ast.parse(f'def f() -> None:\n    """{body}\n    """\n')
    function = module.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert len(function.body) == 1, "text escaped the docstring"
    value = ast.get_docstring(function, clean=False)
    assert value is not None
    return value


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_never_ends_early_and_keeps_the_text(text: str) -> None:
    body = docstring(text, "    ")
    assert "\x00" not in body and "\u2028" not in body
    read = _docstring_of(body)
    # Lines are split at every Unicode line break; what stays on a line reads back as written.
    expected_lines = [line.replace("\t", "    ").rstrip() for line in _split(text)]
    while expected_lines and not expected_lines[-1]:
        expected_lines.pop()
    got = [line.removeprefix("    ") for line in read.split("\n")][: len(expected_lines)]
    assert got == [line.replace("\ud800", "\ufffd") for line in expected_lines]


def _split(text: str) -> list[str]:
    import re

    return re.split(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]", text)


@pytest.mark.parametrize("text", HOSTILE)
def test_doc_line_and_comment_stay_on_one_line(text: str) -> None:
    one = doc_line(text)
    assert _docstring_of(one).count("\n") == 1  # only the closing line of the test's docstring
    note = comment(text)
    tree = ast.parse(f"# {note}\nx = 1\n")
    assert len(tree.body) == 1
    assert all(c.isprintable() for c in note)


def test_docstring_of_lines_indents_later_lines_and_keeps_blank_ones() -> None:
    assert docstring(["Summary", "", "More text", "  Args:"], "        ") == (
        "Summary\n\n        More text\n          Args:"
    )


def test_source_lines_count_as_ast_does() -> None:
    code = 'x = """a\u2028b\x0cc\x85d"""\ny = 1\r\nz = 2\rw = 3'
    lines = source_lines(code)
    assert len(lines) == 4
    tree = ast.parse(code)
    assert [node.lineno for node in tree.body] == [1, 2, 3, 4]
    assert "".join(lines) == code


def test_type_expressions_know_their_names() -> None:
    model = TypeExpr.name("ChatMessage")
    listed = TypeExpr.subscript("list", model)
    tags = TypeExpr.literal_of(['a"b', "c"])
    union = TypeExpr.union([listed, TypeExpr.name("None"), tags, listed])
    assert union.code == "list[ChatMessage] | Literal['a\"b', 'c'] | None"
    assert union.names == frozenset({"ChatMessage", "Literal"})
    assert TypeExpr.union([union, TypeExpr.name("Any")]).code == "Any"
    parsed = TypeExpr.from_ast(ast.parse("dict[str, Foo] | Sequence[Bar] | None", mode="eval").body)
    assert parsed.names == frozenset({"Foo", "Sequence", "Bar"})
    assert [a.code for a in parsed.alternatives] == ["dict[str, Foo]", "Sequence[Bar]", "None"]
    with pytest.raises(ValueError, match="not an identifier"):
        TypeExpr.name("a b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("createChatCompletion", "create_chat_completion"),
        ('get"""\nimport os', "get_import_os"),
        ("class", "class_"),
        ("match", "match_"),
        ("__init__", "init"),
        ("123abc", "_123abc"),
        ("", "value"),
        ("中文", "value"),
    ],
)
def test_snake_case_is_always_a_safe_identifier(text: str, expected: str) -> None:
    name = naming.snake_case(text)
    assert isinstance(name, Identifier)
    assert name == expected
    assert name.isidentifier() and not keyword.iskeyword(name)


@pytest.mark.parametrize("text", ["__class__", "__x", "a-b", "None", "1x", "é"])
def test_safe_identifier_never_makes_a_dunder_or_keyword(text: str) -> None:
    name = naming.safe_identifier(text)
    assert name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("__")


@pytest.mark.parametrize("text", ["a b", "class", "__init__", "x-y", "", "1a"])
def test_identifier_refuses_what_is_not_one(text: str) -> None:
    with pytest.raises(ValueError, match="not a safe Python identifier"):
        naming.identifier(text)


def test_identifier_takes_unicode_names_as_python_reads_them() -> None:
    assert naming.identifier("Grüße") == "Grüße"
    assert naming.identifier("\ufb01le") == "file"  # NFKC: the ligature is the two letters to Python


def test_module_names_stay_short_and_distinct() -> None:
    long_a = naming.identifier("a" * 300)
    long_b = naming.identifier("a" * 299 + "b")
    assert len(naming.module_name(long_a)) <= naming.MAX_MODULE_NAME
    assert naming.module_name(long_a) != naming.module_name(long_b)
    assert naming.module_name(naming.identifier("short")) == "short"


def test_unique_keeps_identifiers_identifiers() -> None:
    taken: set[str] = set()
    first = naming.unique(naming.identifier("name"), taken)
    second = naming.unique(naming.identifier("name"), taken)
    assert (first, second) == ("name", "name_2")
    assert isinstance(second, Identifier)


def _render(source: str, **context: object) -> str:
    return environment().from_string(source).render(**context)


def test_templates_refuse_raw_strings() -> None:
    with pytest.raises(UnrenderedValue, match="printed the raw str 'x\"y'"):
        _render("X = {{ value }}", value='x"y')
    with pytest.raises(UnrenderedValue, match="printed the raw tuple"):
        _render("X = {{ value }}", value=("a",))


def test_templates_print_rendered_values() -> None:
    out = _render(
        "X = {{ value | lit }}\n{{ name }} = 1\n# {{ note | comment }}\ndef f():\n    {{ text | docstring }}\n",
        value='a"b\n',
        name=naming.identifier("y"),
        note="one\ntwo",
        text='ends with a quote"',
    )
    tree = ast.parse(out)
    assert len(tree.body) == 3
    assert out.splitlines()[0] == "X = 'a\"b\\n'"
    assert out.splitlines()[2] == "# one two"


def test_jinja_syntax_in_values_is_data() -> None:
    out = _render("X = {{ value | lit }}", value="{{ 7 * 7 }}{% if true %}")
    assert out == "X = '{{ 7 * 7 }}{% if true %}'"
    assert isinstance(environment(), jinja2.Environment)

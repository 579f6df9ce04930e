"""The grammar: every value form, comments, positions and readable errors."""
import pytest

from hedgec.compiler import syntax
from hedgec.compiler.syntax import ParseError, parse

from conftest import EXAMPLES


def value_of(text: str):
    tree = parse("strategy s {\n  k = " + text + "\n}\n", "t.hedge")
    (attr,) = tree.blocks[0].attributes
    return attr.value


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_parse_as_written(path):
    tree = parse(path.read_text(), str(path))
    assert [b.kind for b in tree.blocks] == ["strategy"]
    kinds = {b.kind for b in tree.blocks[0].blocks}
    assert kinds >= {"wallet", "pool"} and kinds & {"perp", "borrow"}  # a pool and what hedges it


@pytest.mark.parametrize("text,number,suffix,unit", [
    ("20000 USDC", "20000", None, "USDC"),
    ("0.25 ETH", "0.25", None, "ETH"),
    ("2.5x", "2.5", "x", None),
    ("15%", "15", "%", None),
    ("90d", "90", "d", None),
    ("8h", "8", "h", None),
    ("4w", "4", "w", None),
    ("20 gwei", "20", None, "gwei"),
    ("8% apr", "8", "%", "apr"),
    ("-5% apr", "-5", "%", "apr"),
    ("1e999", "1e999", None, None),
    ("-0 USDC", "-0", None, "USDC"),
])
def test_quantities(text, number, suffix, unit):
    v = value_of(text)
    assert isinstance(v, syntax.Quantity)
    assert (v.number.text, v.suffix, v.unit) == (number, suffix, unit)


def test_range_with_and_without_spaces():
    for text in ("2400 .. 4000 USDC", "2400..4000 USDC"):
        v = value_of(text)
        assert isinstance(v, syntax.Range)
        assert (v.low.text, v.high.text, v.unit) == ("2400", "4000", "USDC")


def test_pair_market_ident_string_tagged_list():
    assert value_of("ETH/USDC") == syntax.Pair("ETH", "USDC", value_of("ETH/USDC").span)
    assert value_of("ETH-USD").name == "ETH-USD"
    assert value_of("lp").name == "lp"
    assert value_of('"a \\"quoted\\" title"').value == 'a "quoted" title'
    tagged = value_of("limit 20100 USDC")
    assert isinstance(tagged, syntax.Tagged) and tagged.tag == "limit"
    assert tagged.quantity.number.text == "20100" and tagged.quantity.unit == "USDC"
    items = value_of("[lp, hedge]").items
    assert [i.name for i in items] == ["lp", "hedge"]


def test_dotted_keys():
    tree = parse("strategy s {\n assume {\n  funding.ETH-USD = 8% apr\n  price.ETH = 3000 USDC\n }\n}", "t")
    assert [a.key for a in tree.blocks[0].blocks[0].attributes] == ["funding.ETH-USD", "price.ETH"]


def test_positions_point_at_the_value():
    tree = parse("strategy s {\n  horizon = 30d\n}\n", "t.hedge")
    attr = tree.blocks[0].attributes[0]
    assert (attr.key_span.line, attr.key_span.column) == (2, 3)
    assert (attr.value.span.line, attr.value.span.column, attr.value.span.end_column) == (2, 13, 16)


def test_comments_are_collected_with_positions(v2_text):
    tree = parse(v2_text, "v2.hedge")
    texts = [c.text for c in tree.comments]
    assert "# annualised" in texts
    annualised = next(c for c in tree.comments if c.text == "# annualised")
    assert annualised.span.line == 10


def test_one_line_block_and_crlf():
    tree = parse("strategy s {\r\n  assume { vol.ETH = 60% }\r\n  horizon = 30d\r\n}\r\n", "t")
    assert tree.blocks[0].blocks[0].attributes[0].key == "vol.ETH"


@pytest.mark.parametrize("text,line,column,words", [
    ("strategy s {\n  horizon 30d\n}", 2, 11, "expected"),
    ("strategy s {\n  horizon = 30d\n", 2, 16, "ends inside `strategy s` opened on line 1"),
    ("strategy s {\n  x = 'a'\n}", 2, 7, "unexpected character `'`"),
    ("strategy s {\n  x = 1 y = 2\n}", 2, 11, "found `=`"),
])
def test_syntax_errors_are_located_and_readable(text, line, column, words):
    with pytest.raises(ParseError) as err:
        parse(text, "bad.hedge")
    assert (err.value.span.line, err.value.span.column) == (line, column)
    assert words in err.value.message
    assert "Token" not in err.value.message and "_NL" not in err.value.message


def test_lark_names_are_translated():
    with pytest.raises(ParseError) as err:
        parse("strategy s {\n  horizon = = 30d\n}", "bad.hedge")
    assert "a number" in err.value.message and "a name" in err.value.message


def test_threads_parse_apart():
    """Each parse keeps its own path and comments, however threads interleave."""
    from concurrent.futures import ThreadPoolExecutor

    body = "".join(f"  key{k} = {k}\n" for k in range(400))  # a few ms a parse: threads switch within one
    texts = {f"f{i}.hedge": f"# about {i}\nstrategy s{i} {{\n  horizon = {i + 1}d  # h{i}\n{body}}}\n"
             for i in range(4)}

    def run(name):
        return name, [parse(texts[name], name) for _ in range(4)]

    with ThreadPoolExecutor(4) as pool:
        for name, trees in pool.map(run, sorted(texts) * 3):
            i = name[1:-6]
            for tree in trees:
                assert [c.text for c in tree.comments] == [f"# about {i}", f"# h{i}"]
                assert {c.span.file for c in tree.comments} == {name} and tree.blocks[0].span.file == name
                assert tree.blocks[0].name == f"s{i}"

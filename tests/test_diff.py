"""`hedgec diff`: risk changes between two versions of a strategy."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import SPECS, run_cli
from hedgec.compiler.catalog import load_catalog
from hedgec.compiler.pipeline import check_text
from hedgec.targets.diff import as_markdown, as_text, risk_diff

V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()


def diff_of(old_text: str, new_text: str):
    catalog = load_catalog()
    return risk_diff(check_text(old_text, "old.hedge"), check_text(new_text, "new.hedge"), catalog)


def changes(diff) -> dict:
    return {(c.subject, c.label): (c.old, c.new) for c in diff.changes}


def test_raising_leverage_moves_the_liquidation_price():
    diff = diff_of(V2, V2.replace("leverage   = 1x", "leverage   = 2x"))
    found = changes(diff)
    # Short, collateral C = 10000, entry E = 3000, dYdX ETH-USD mmf = 0.03:
    # size s = C * L / E; liquidation P = (C + s E) / (s (1 + mmf)).
    # 1x: s = 3.3333, P = 20000 / 3.43333 = 5825.24; 2x: s = 6.6667, P = 30000 / 6.86667 = 4368.93.
    assert found[("perp hedge", "liquidation price")] == ("5,825.24 USDC", "4,368.93 USDC")
    assert found[("perp hedge", "leverage")] == ("1.00x", "2.00x")
    assert found[("perp hedge", "notional")] == ("10,000.00 USDC", "20,000.00 USDC")
    # distance (P - E) / E: 94.17% -> 45.63%
    assert found[("perp hedge", "liquidation distance")] == ("94.17%", "45.63%")
    assert ("perp hedge", "liquidation probability") in found
    assert not diff.added and not diff.removed


def test_a_pure_reformat_reports_no_change():
    messy = "\n".join("   " + line.replace(" = ", "=") for line in V2.splitlines())
    diff = diff_of(V2, messy)
    assert diff.empty
    assert as_text(diff).endswith("no change in meaning\n")
    assert "No change in meaning." in as_markdown(diff)


def without_pool_cover(text: str) -> str:
    start = text.index("  cover pool_cover")
    end = text.index("  }\n", start) + 4
    return text[:start].rstrip() + "\n" + text[end:]


def test_removing_a_cover_opens_a_gap_and_adding_it_closes_it():
    uncovered = without_pool_cover(V2)
    opened = diff_of(V2, uncovered)
    assert opened.removed == ("cover pool_cover",)
    assert opened.gaps_opened == ("pool lp at uniswap_v2: 20,000.00 USDC of 20,000.00 USDC uncovered",)
    closed = diff_of(uncovered, V2)
    assert closed.added == ("cover pool_cover",) and closed.gaps_closed == opened.gaps_opened
    # premiums fall by the pool cover's premium; the carry section says so
    assert ("carry", "premiums") in changes(opened)


def test_diagnostics_that_appear_and_disappear_are_listed():
    broken = V2.replace("protects = lp", "protects = nowhere")
    diff = diff_of(V2, broken)
    assert any("[H107]" in d and "nowhere" in d for d in diff.new_diagnostics)
    assert diff_of(broken, V2).fixed_diagnostics == diff.new_diagnostics


def test_settings_without_figures_are_reported():
    diff = diff_of(V2, V2.replace("order      = market", "order      = limit 2990 USDC"))
    assert changes(diff)[("perp hedge", "order")] == ("market", "limit 2990 USDC")


def test_markdown_is_a_table_for_a_pull_request_comment():
    text = as_markdown(diff_of(V2, V2.replace("leverage   = 1x", "leverage   = 2x")))
    assert text.startswith("### Risk diff: `old.hedge` → `new.hedge`")
    assert "| perp hedge | liquidation price | 5,825.24 USDC | 4,368.93 USDC | -25.0% |" in text


def test_cli_diff_of_two_files(tmp_path):
    old, new = tmp_path / "old.hedge", tmp_path / "new.hedge"
    old.write_text(V2)
    new.write_text(V2.replace("leverage   = 1x", "leverage   = 2x"))
    code, out, err = run_cli("diff", str(old), str(new))
    assert code == 0, err
    assert "liquidation price        5,825.24 USDC -> 4,368.93 USDC  (-25.0%)" in out
    code, out, _ = run_cli("diff", "--format", "markdown", str(old), str(new))
    assert "| perp hedge | liquidation price |" in out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_cli_diff_against_a_git_revision(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    spec = repo / "s.hedge"
    spec.write_text(V2)
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "s.hedge"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=repo, check=True)
    spec.write_text(V2.replace("leverage   = 1x", "leverage   = 2x"))
    code, out, err = run_cli("diff", "HEAD", "--", str(spec))
    assert code == 0, err
    assert "liquidation price" in out and "5,825.24 USDC -> 4,368.93 USDC" in out
    code, _, err = run_cli("diff", "no-such-rev", "--", str(spec))
    assert code == 2 and "cannot read" in err and "no-such-rev" in err


def test_values_read_as_users_write_them():
    new = (V2.replace("gas_price       = 20 gwei", "gas_price       = 25 gwei")
           .replace("vol.ETH         = 60%", "vol.ETH         = 70%")
           .replace("funding.ETH-USD = 8% apr", "funding.ETH-USD = 10% apr")
           .replace("price.ETH       = 3000 USDC", "price.ETH       = 3100 USDC")
           .replace("fee_apr = 15%", "fee_apr = 12.5%")
           .replace("ratio      = 100%", "ratio      = 50%"))
    found = changes(diff_of(V2, new))
    assert found[("strategy", "gas_price")] == ("20 gwei", "25 gwei")
    assert found[("strategy", "vol.ETH")] == ("60%", "70%")
    assert found[("strategy", "funding.ETH-USD")] == ("8% apr", "10% apr")
    assert found[("strategy", "price.ETH")] == ("3000 USDC", "3100 USDC")
    assert found[("pool lp", "fee_apr")] == ("15%", "12.5%")
    assert found[("perp hedge", "ratio")] == ("100%", "50%")
    text = as_text(diff_of(V2, new))
    assert "GasPrice" not in text and "vols" not in text


def test_sizes_carry_their_asset():
    found = changes(diff_of(V2, V2.replace("leverage   = 1x", "leverage   = 2x")))
    # s = C * L / E = 10000 * L / 3000: 3.333 ETH at 1x, 6.667 ETH at 2x
    assert found[("perp hedge", "size")] == ("3.333 ETH", "6.667 ETH")


def test_a_cover_gap_that_changes_is_one_line():
    # pool cover 20,000 of 20,000 -> 15,000 and then 10,000 USDC: the 5,000 gap grows to 10,000
    smaller = V2.replace("amount   = 20000 USDC", "amount   = 15000 USDC")
    smallest = V2.replace("amount   = 20000 USDC", "amount   = 10000 USDC")
    diff = diff_of(smaller, smallest)
    assert diff.gaps_changed == ("pool lp at uniswap_v2: 5,000.00 USDC -> 10,000.00 USDC of 20,000.00 USDC uncovered",)
    assert not diff.gaps_opened and not diff.gaps_closed
    assert "  cover gaps changed\n    ~ pool lp at uniswap_v2: 5,000.00 USDC -> 10,000.00 USDC" in as_text(diff)
    assert "**Cover gaps changed**" in as_markdown(diff)


def test_an_added_strategy_is_a_diff_against_nothing():
    diff = risk_diff(None, check_text(V2, "new.hedge"), load_catalog())
    assert diff.status == "added" and not diff.empty
    assert diff.added == ("wallet main", "pool lp", "perp hedge", "cover dydx_cover", "cover pool_cover")
    found = changes(diff)
    assert found[("strategy", "horizon")] == ("none", "90d")
    assert found[("perp hedge", "liquidation price")] == ("none", "5,825.24 USDC")
    assert found[("pool lp", "deposit")] == ("none", "20,000.00 USDC")
    # net carry of the v2 example: fees 739.73 + funding 197.26 - premiums 192.33 - trading fees 10 - gas 124.80
    assert found[("carry", "net carry")] == ("none", "609.86 USDC")
    assert as_text(diff).startswith("risk diff new strategy new.hedge\n")
    assert as_markdown(diff).startswith("### Risk diff: new strategy `new.hedge`\n")


def test_a_deleted_strategy_is_a_diff_against_nothing():
    uncovered = without_pool_cover(V2)
    diff = risk_diff(check_text(uncovered, "old.hedge"), None, load_catalog())
    assert diff.status == "deleted" and diff.removed[0] == "wallet main"
    assert changes(diff)[("perp hedge", "collateral")] == ("10,000.00 USDC", "none")
    assert diff.gaps_closed == ("pool lp at uniswap_v2: 20,000.00 USDC of 20,000.00 USDC uncovered",)
    assert not diff.fixed_diagnostics  # its diagnostics left with it; none was fixed
    assert as_text(diff).startswith("risk diff deleted strategy old.hedge\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_cli_diff_of_added_and_deleted_files(tmp_path):
    repo = tmp_path / "repo"
    (repo / "gone").mkdir(parents=True)
    (repo / "gone" / "old.hedge").write_text(V2)
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=repo, check=True)
    shutil.rmtree(repo / "gone")  # the folder goes with the file
    (repo / "new.hedge").write_text(V2)
    code, out, err = run_cli("diff", "HEAD", "--", str(repo / "new.hedge"))
    assert code == 0, err
    assert out.startswith(f"risk diff new strategy {repo / 'new.hedge'}\n") and "none -> 5,825.24 USDC" in out
    code, out, err = run_cli("diff", "HEAD", "--", str(repo / "gone" / "old.hedge"))
    assert code == 0, err
    assert "deleted strategy" in out and "5,825.24 USDC -> none" in out
    code, _, err = run_cli("diff", "HEAD", "--", str(repo / "never.hedge"))
    assert code == 2 and "exists neither on disk nor at revision `HEAD`" in err

"""``scripts/conformance`` as a new user meets it: its usage errors, how it tells an unreachable URL
from a reachable but broken server, and the summary line that ends every run."""

import pytest

from videos_toolkit.conformance.cli import main


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--max-examples", "0", "--max-examples must be at least 1 (got 0)"),
        ("--max-examples", "-2", "--max-examples must be at least 1 (got -2)"),
        ("--workers", "0", "--workers must be at least 1 (got 0)"),
        ("--workers", "-3", "--workers must be at least 1 (got -3)"),
        ("--wait-timeout", "0", "--wait-timeout must be a finite number of seconds greater than 0"),
        ("--wait-timeout", "inf", "--wait-timeout must be a finite number of seconds greater than 0"),
        ("--request-timeout", "-1", "--request-timeout must be a finite number of seconds greater than 0"),
        ("--request-timeout", "nan", "--request-timeout must be a finite number of seconds greater than 0"),
    ],
)
def test_an_option_out_of_its_range_is_a_usage_error_before_anything_runs(
    tmp_path, capsys, option, value, allowed
):
    # --only properties keeps the run short should the option be let through.
    argv = ["--only", "properties", "--max-examples", "1", "--report-dir", str(tmp_path), option, value]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert allowed in err, err
    assert "usage: scripts/conformance" in err
    assert "Conformance of" not in out  # no run started
    assert not (tmp_path / "conformance.junit.xml").exists()

"""The README's commands stay true: CI runs exactly the README's test command."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(), re.S)


def test_ci_runs_the_readme_test_command():
    test_command = next(c for c in readme_commands() if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()


def test_readme_install_command_starts_the_app():
    start = readme_commands()[0]
    assert "requirements.txt" in start and "streamlit run app.py" in start
    assert (ROOT / "requirements.txt").exists() and (ROOT / "app.py").exists()

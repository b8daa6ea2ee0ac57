"""`make demo` delivers its mail where a person can read it: the leaflet's STEP 2 works in the demo.

The demo is built with the Makefile's own environment (`make demo-env`, the very DEMO_ENV
`make demo` runs with), in a temporary DEMO_VAR, by the same manage.py commands as
`make demo-build` (without collectstatic, which the mail does not need). A member of staff
concludes a guarantee in the back office and the worker runs once; then the mail must be
on disk as .eml files and in the demo mailbox, with 「電子証書の確認はこちら」 leading to the
demo's own address. A demo whose settings cannot deliver mail fails here.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shlex
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

# The demo runs with the Makefile's SQLite database, never the suite's: once is enough.
pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[2]
PORT = "8765"
NOTICE = "電子証書・認証キー登録のお知らせ"
LEAFLET_NUMBERS = ("2070004426", "2070004427", "2070202096")
PROBE_MARKER = "PROBE-RESULT "


def makefile_demo_env(demo_var: Path) -> dict[str, str]:
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "demo-env", f"DEMO_VAR={demo_var}", f"PORT={PORT}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return dict(pair.split("=", 1) for pair in shlex.split(out))


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    demo_var = tmp_path_factory.mktemp("demo-var")
    demo_env = makefile_demo_env(demo_var)
    # Only what a shell gives `make demo`: none of the test run's own settings
    # (ESURETY_TESTING, DATABASE_URL, REDIS_URL …) may leak into the demo.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(demo_env)
    (demo_var / "demo-mail").mkdir(exist_ok=True)
    for command in (["migrate", "--verbosity", "0"], ["createcachetable"], ["demo_seed"]):
        run(["manage.py", *command], env)
    out = run([str(REPO / "tests" / "demo" / "demo_mail_probe.py")], env)
    line = next(x for x in out.splitlines() if x.startswith(PROBE_MARKER))
    result: dict[str, Any] = json.loads(line.removeprefix(PROBE_MARKER))
    result["env"] = demo_env
    result["demo_var"] = demo_var
    return result


def read_eml(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_subtype() == subtype
    content: str = part.get_content()  # type: ignore[union-attr]
    return content


def test_the_demo_runs_with_the_makefiles_mail_settings(demo: dict[str, Any]) -> None:
    env, seen = demo["env"], demo["settings"]
    # What the Makefile says is what the demo ran with: nothing of it was ignored.
    assert seen["DEMO_MODE"] is True
    assert seen["EMAIL_BACKEND"] == env["EMAIL_BACKEND"]
    assert seen["EMAIL_FILE_PATH"] == env["EMAIL_FILE_PATH"] == str(demo["demo_var"] / "demo-mail")
    assert seen["SITE_URL"] == env["SITE_URL"] == f"http://127.0.0.1:{PORT}"


def test_every_mail_was_delivered(demo: dict[str, Any]) -> None:
    outbox = demo["outbox"]
    # Nothing stuck in 送信待ち or 送信失敗 (the demo used to fail every message).
    assert [m for m in outbox if m["status"] != "SENT"] == []
    assert all(m["last_error"] == "" for m in outbox)
    recipients = demo["concluded"]["recipients"]
    assert recipients and sorted(a for m in outbox for a in m["to"]) == recipients


def test_mail_lands_in_the_demo_mail_folder(demo: dict[str, Any]) -> None:
    folder = Path(demo["env"]["EMAIL_FILE_PATH"])
    files = sorted(folder.glob("*.eml"))
    mails = [read_eml(f) for f in files]
    by_number = {
        n: [m for m in mails if n in str(m["Subject"])] for n in (*LEAFLET_NUMBERS, demo["concluded"]["number"])
    }
    # The leaflet's three お知らせ to demo-contractor (STEP 2 waits in the mailbox when the
    # demo starts), and the one of the guarantee concluded just now, to each of its users.
    for number in LEAFLET_NUMBERS:
        assert [str(m["To"]) for m in by_number[number]] == ["demo-contractor@example.com"]
    assert sorted(str(m["To"]) for m in by_number[demo["concluded"]["number"]]) == demo["concluded"]["recipients"]
    assert len(files) == 3 + len(demo["concluded"]["recipients"])

    portal = f"http://127.0.0.1:{PORT}/contractor/"
    for mail in mails:
        assert NOTICE in str(mail["Subject"])
        assert f"電子証書の確認はこちら: {portal}" in body(mail, "plain")
        assert f'href="{portal}"' in body(mail, "html")


def test_the_demo_mailbox_shows_each_mail(demo: dict[str, Any]) -> None:
    assert demo["home"]["status"] == 200
    assert 'href="/demo/mail/"' in demo["home"]["page"]
    mailbox = demo["mailbox"]
    assert mailbox["status"] == 200
    assert "デモ用メールボックス" in mailbox["page"]
    messages = demo["messages"]
    assert len(messages) == 3 + len(demo["concluded"]["recipients"])
    portal = f"http://127.0.0.1:{PORT}/contractor/"
    for mail_id, seen in messages.items():
        assert f'href="/demo/mail/{mail_id}/"' in mailbox["page"]
        assert seen["status"] == 200
        assert seen["subject"] in seen["page"]
        # The text part, its link clickable; the HTML part in a sandboxed frame of its own.
        assert f'<a href="{portal}"' in seen["page"]
        assert f'src="/demo/mail/{mail_id}/html/"' in seen["page"] and "sandbox=" in seen["page"]
        assert seen["html_status"] == 200
        assert f'href="{portal}"' in seen["html"]
        assert seen["html_csp"].startswith("sandbox ")
        assert seen["html_frame_options"] == "SAMEORIGIN"


def test_staff_were_told_the_truth_on_conclusion(demo: dict[str, Any]) -> None:
    concluded = demo["concluded"]
    assert concluded["status"] == 200
    assert f"保証契約番号 {concluded['number']}" in concluded["page"]
    assert NOTICE in concluded["page"]

"""deploy/: the systemd units run commands cityloop has, the environment example names every
setting a server reads, nginx fits the upload limit and passes the client's address — and,
where the tools are installed, `nginx -t` and `systemd-analyze verify` accept the files."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

import cityloop
from cityloop.cli import build_parser
from cityloop.handling.attachments import MAX_BYTES, MAX_FILES

PACKAGE = Path(cityloop.__file__).parent
DEPLOY = PACKAGE.parents[1] / "deploy"
UNITS = DEPLOY / "systemd"
CITYLOOP = "/opt/cityloop/.venv/bin/cityloop"
ENV_FILE = "/etc/cityloop/cityloop.env"
# Read by the test set-up only, never by a server.
NOT_FOR_SERVERS = {"CITYLOOP_TEST_DATABASE_NAME"}


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text(encoding="utf-8"))
    return parser


def command_of(name: str) -> list[str]:
    return shlex.split(unit(name)["Service"]["ExecStart"])


def subcommands() -> set[str]:
    parser = build_parser()
    return set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("cityloop-web.service", ["serve", "--no-demo", "--no-worker"]),
        ("cityloop-worker.service", ["worker"]),
        ("cityloop-backup.service", ["backup"]),
    ],
)
def test_each_service_runs_its_cityloop_command_with_the_environment_file(name, argv):
    command = command_of(name)
    assert command == [CITYLOOP, *argv]
    assert unit(name)["Service"]["EnvironmentFile"] == ENV_FILE
    assert unit(name)["Service"]["User"] == "cityloop"
    if argv[0] in subcommands():
        build_parser().parse_args(argv)  # options cityloop knows (exits 2 otherwise)
    else:
        assert argv[0] == "backup", "only the backup command may still be on its way"


def test_the_web_server_collects_static_files_and_stops_after_gunicorn_does():
    service = unit("cityloop-web.service")["Service"]
    pre = shlex.split(service["ExecStartPre"])
    assert pre[:3] == [CITYLOOP, "manage", "collectstatic"]
    assert int(service["TimeoutStopSec"]) > 30, "longer than gunicorn's graceful timeout"


def test_the_backup_timer_starts_the_backup_every_night():
    timer = unit("cityloop-backup.timer")
    assert timer["Timer"]["Unit"] == "cityloop-backup.service"
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00", timer["Timer"]["OnCalendar"])
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def _read_names(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"""environ(?:\.get\(|\[)\s*["'](CITYLOOP_[A-Z0-9_]+)["']""", text))


def test_the_environment_example_names_every_setting_a_server_reads():
    serving = (PACKAGE / "ops" / "serving.py").read_text(encoding="utf-8")
    read = _read_names(PACKAGE / "settings.py") | set(
        re.findall(r'"(CITYLOOP_[A-Z0-9_]*[A-Z0-9])"', serving)  # named for _number()
    )
    example = (DEPLOY / "cityloop.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?(CITYLOOP_[A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert read - NOT_FOR_SERVERS - named == set(), "add these to deploy/cityloop.env.example"
    assert named - read == set(), "the example names settings nothing reads"
    assert re.search(r"^CITYLOOP_CLIENT_IP_META=HTTP_X_REAL_IP$", example, re.MULTILINE)
    assert re.search(r"^CITYLOOP_DEBUG=0$", example, re.MULTILINE)


def test_nginx_takes_our_largest_upload_and_passes_the_clients_address():
    site = (DEPLOY / "nginx" / "cityloop.conf").read_text(encoding="utf-8")
    (size,) = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(size) * 1024 * 1024 == MAX_FILES * MAX_BYTES + 1024 * 1024
    assert "proxy_set_header X-Real-IP $remote_addr;" in site
    assert "server 127.0.0.1:8000;" in site
    metrics = site[site.index("location = /metrics") :]
    metrics = metrics[: metrics.index("}")]
    assert "deny all;" in metrics and "allow 127.0.0.1;" in metrics


@pytest.mark.once
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=cityloop-test", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "cityloop.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/cityloop/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/cityloop/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temp_paths = " ".join(
        f"{kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{ {temp_paths} include {tmp_path / 'site.conf'}; }}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr


@pytest.mark.once
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    """Every key known and every value well-formed (systemd only warns about the others,
    so any output fails). The command path is put where a program exists."""
    names = sorted(path.name for path in UNITS.iterdir())
    for name in names:
        text = (UNITS / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(CITYLOOP, shutil.which("true") or "/bin/true"))
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / name) for name in names)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == "", checked.stderr

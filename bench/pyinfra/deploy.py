# The same 21-task deployment as bench/omsrun/site.yml, for pyinfra 3 (templates and files: bench/ansible).
# pyinfra has no `creates`, `stat`, `wait_for` or `changed_when`: the small operations below read a fact
# (one command on the host, run when the operation runs) and yield a command only when something must change.
import os
from io import StringIO

from pyinfra import host
from pyinfra.api import FactBase, OperationError, operation
from pyinfra.facts.files import File, FindInFile
from pyinfra.operations import files

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = {"app_root": "/data/app", "app_name": "bench", "app_version": "1.4.2", "app_port": 8080, "app_workers": 4}
ROOT = APP["app_root"]


class Exists(FactBase):
    """True when the path exists, whatever its type (Ansible's `creates`)."""

    def command(self, path):
        return f"test -e {path} && echo yes || echo no"

    def process(self, output):
        return output[0] == "yes"


class WaitedFor(FactBase):
    """Polls on the host until the command succeeds, at most `timeout` seconds (Ansible's wait_for)."""

    def command(self, check, timeout):
        return f"timeout {timeout} bash -c 'until {check}; do sleep 1; done' && echo ready"

    def process(self, output):
        return output[-1] == "ready"


class Contents(FactBase):
    """The text of a file."""

    def command(self, path):
        return f"cat {path}"

    def process(self, output):
        return "\n".join(output)


@operation()
def command_creates(cmd: str, creates: str):
    if not host.get_fact(Exists, path=creates):
        yield cmd


@operation()
def stat(path: str):
    host.get_fact(File, path=path)
    return
    yield


@operation()
def wait_for(check: str, timeout: int):
    if not host.get_fact(WaitedFor, check=check, timeout=timeout):
        raise OperationError(f"timed out after {timeout} s waiting for: {check}")
    return
    yield


@operation()
def read_file(path: str):
    host.get_fact(Contents, path=path)
    return
    yield


@operation()
def grep_file(path: str, pattern: str):
    if not host.get_fact(FindInFile, path=path, pattern=pattern):
        raise OperationError(f"{path} has no line matching {pattern!r}")
    return
    yield


def template(name, src, dest, mode):
    files.template(
        name=name, src=f"{BENCH}/ansible/templates/{src}", dest=dest, mode=mode,
        inventory_hostname=host.name, ansible_host=host.data.ssh_hostname, **APP,
    )


files.directory(name="app root", path=ROOT, mode="755")
files.directory(name="conf dir", path=f"{ROOT}/conf", mode="755")
files.directory(name="logs dir", path=f"{ROOT}/logs", mode="750")
files.directory(name="releases dir", path=f"{ROOT}/releases", mode="755")
files.directory(name="shared dir", path=f"{ROOT}/shared", mode="755")
template("app config", "app.conf.j2", f"{ROOT}/conf/app.conf", "644")
template("app environment", "app.env.j2", f"{ROOT}/conf/app.env", "600")
template("proxy config", "proxy.conf.j2", f"{ROOT}/conf/proxy.conf", "644")
files.put(name="version file", src=StringIO(f"{APP['app_version']}\n"), dest=f"{ROOT}/VERSION", mode="644")
files.put(name="start script", src=f"{BENCH}/ansible/files/run.sh", dest=f"{ROOT}/run.sh", mode="755")
files.put(name="logrotate config", src=f"{BENCH}/ansible/files/logrotate.conf", dest=f"{ROOT}/conf/logrotate.conf", mode="644")
command_creates(name="log file", cmd=f"touch {ROOT}/logs/app.log", creates=f"{ROOT}/logs/app.log")
release = f"{ROOT}/releases/{APP['app_version']}"
command_creates(name="unpack release", cmd=f"mkdir -p {release} && echo {APP['app_version']} > {release}/RELEASE", creates=f"{release}/RELEASE")
files.link(name="current release", path=f"{ROOT}/current", target=f"releases/{APP['app_version']}")
command_creates(name="cache dir", cmd=f"mkdir {ROOT}/shared/cache", creates=f"{ROOT}/shared/cache")
stat(name="read config state", path=f"{ROOT}/conf/app.conf")
wait_for(name="version file present", check=f"test -e {ROOT}/VERSION", timeout=10)
wait_for(name="sshd port open", check=f"(exec 3<>/dev/tcp/{host.data.ssh_hostname}/22) 2>/dev/null", timeout=10)
read_file(name="read version", path=f"{ROOT}/VERSION")
grep_file(name="config names the port", path=f"{ROOT}/conf/app.conf", pattern=f"port = {APP['app_port']}")
files.directory(name="no leftover temp dir", path=f"{ROOT}/tmp", present=False)

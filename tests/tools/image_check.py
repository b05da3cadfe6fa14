#!/usr/bin/env python3
"""`make image-check`: config/docker/Dockerfile's steps replayed on this host, without Docker.

Reads the Dockerfile and replays each stage with the same commands and the same files:
  1. the build context: the repository filtered by .dockerignore (Docker's matching rules);
  2. build stage: its apt packages present on the host (installed when missing), its COPY steps
     into a build root (.cache/image-check/build-root, the stage's "/"), its `cargo build` RUN
     step run verbatim there with `sh -c`, the cache mount of the target directory kept in
     .cache/image-check/cache (as BuildKit keeps it) and CARGO_TARGET_DIR pinned to the image's
     ./target, whatever the caller's environment or cargo configuration says;
  3. runtime stage: its COPY steps into a temporary root (/tmp/image-check-*/, the image's "/"),
     the binary's shared libraries checked against the stage's apt packages and the packages
     every Debian image has, its user created on the host with the stage's own RUN command
     (removed again afterwards, unless it was there before);
  4. the CMD started as the USER (setpriv, no new privileges), in the WORKDIR, with the image's
     ENV and only what `docker run -e SERVICE_ID=...` adds, in a network namespace of its own
     (so the image's ports 8484 and 9464 never collide with this host's; IMAGE_CHECK_NETNS=0,
     or a host where unshare is refused, uses free loopback ports instead). No BOOTSTRAP_SERVERS:
     the service runs its embedded broker and account simulator, so no Kafka is needed;
  5. /healthz 200, /readyz 200, a login over the gateway, /metrics, then SIGTERM and exit 0.

Any Dockerfile instruction or RUN step of a kind not known here fails the check, so the two
cannot drift apart silently. Needs root (it adds the image's user). IMAGE_CHECK_KEEP=1 keeps
the temporary root. Usage: python3 tests/tools/image_check.py
"""

import ctypes
import fcntl
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "config/docker/Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
CACHE = REPO / ".cache/image-check"
BUILD_ROOT = CACHE / "build-root"
# What Docker's debian images set; `docker run` adds HOME (from the user's passwd entry) and HOSTNAME.
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The host variables a build may see: the toolchain's own, as the Rust image sets them.
BUILD_ENV_KEPT = ("PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "TERM",
                  "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
STEP_DEADLINE = 60.0
STOP_DEADLINE = 40.0


class CheckFailed(Exception):
    pass


def say(message):
    print(f"image-check: {message}", flush=True)


# --- Dockerfile -------------------------------------------------------------------------------

class Stage:
    def __init__(self, index, base, name):
        self.index, self.base, self.name = index, base, name
        self.steps = []  # (instruction, arguments)


def dockerfile_lines(text):
    """Instructions with continuation lines joined and comment lines dropped, as Docker reads them."""
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((pending + line).strip())
        pending = ""
    if pending.strip():
        out.append(pending.strip())
    return out


def substitute(text, variables):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: variables.get(m.group(1) or m.group(2), ""), text)


def parse_dockerfile(text):
    """Global ARGs and the stages, each with its instructions (FROM's arguments substituted)."""
    args, stages = {}, []
    for line in dockerfile_lines(text):
        word, _, rest = line.partition(" ")
        word, rest = word.upper(), rest.strip()
        if word == "ARG" and not stages:
            name, _, value = rest.partition("=")
            args[name] = value
        elif word == "FROM":
            parts = substitute(rest, args).split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(len(stages), parts[0], name))
        elif not stages:
            raise CheckFailed(f"{word} before the first FROM is not replayed: {line}")
        else:
            stages[-1].steps.append((word, rest))
    if len(stages) < 2:
        raise CheckFailed("expected a build stage and a runtime stage")
    return args, stages


def env_pairs(arguments, variables):
    """ENV's `K=V K2=V2` form (values may be quoted)."""
    pairs = {}
    for token in shlex.split(arguments):
        key, eq, value = token.partition("=")
        if not eq:
            raise CheckFailed(f"ENV in the legacy `ENV key value` form is not replayed: {arguments}")
        pairs[key] = substitute(value, variables)
    return pairs


def run_flags(arguments):
    """RUN's leading --flags and its shell command."""
    flags = []
    rest = arguments
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.lstrip()
    return flags, rest


def apt_packages(command):
    """The packages of every `apt-get install` in a shell command."""
    packages = []
    for part in re.split(r"&&|;|\|\|", command):
        words = shlex.split(part)
        if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
            after = words[words.index("install") + 1:]
            packages += [w for w in after if not w.startswith("-")]
    return packages


# --- build context (.dockerignore) --------------------------------------------------------------

def compile_pattern(pattern):
    """A .dockerignore pattern as a regular expression: Go's filepath.Match syntax plus `**`,
    following moby/patternmatcher (`*` and `?` never cross a `/`; `**` spans directories)."""
    regex, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < len(pattern) and pattern[i] == "/":
                    i += 1
                regex += ".*" if i == len(pattern) else "(.*/)?"
                continue
            regex += "[^/]*"
        elif c == "?":
            regex += "[^/]"
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise CheckFailed(f"unterminated [ in .dockerignore pattern {pattern!r}")
            body = pattern[i + 1:end]
            if body.startswith("^"):
                body = "^" + body[1:].replace("\\", "\\\\")
            else:
                body = body.replace("\\", "\\\\")
            regex += f"[{body}]"
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            regex += re.escape(pattern[i])
        else:
            regex += re.escape(c)
        i += 1
    return re.compile(f"^{regex}$")


class DockerIgnore:
    def __init__(self, text):
        self.patterns = []  # (exclusion, text, regex)
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            if exclusion:
                line = line[1:].strip()
            line = os.path.normpath(line)
            if line.startswith("/") and len(line) > 1:
                line = line.lstrip("/")
            self.patterns.append((exclusion, line, compile_pattern(line)))

    def ignored(self, path):
        """Whether `path` (relative, with `/`) is left out: the last pattern that matches it or a
        parent directory of it decides."""
        parts = path.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        ignored = False
        for exclusion, _, regex in self.patterns:
            if any(regex.match(c) for c in candidates):
                ignored = not exclusion
        return ignored

    def may_reinclude_below(self, directory):
        """Whether an exclusion (`!`) pattern could bring back something inside `directory`."""
        for exclusion, text, _ in self.patterns:
            if exclusion and (any(ch in text for ch in "*?[\\") or text.startswith(directory + "/")):
                return True
        return False


def check_dockerignore_rules():
    """The matcher against Docker's documented behaviour, before it filters a real context."""
    cases = [
        ("*", "Cargo.toml", True), ("*", "target/release/x", True), ("*\n!src", "src/main.rs", False),
        ("*.md", "README.md", True), ("*.md", "docs/a.md", False), ("**/*.md", "docs/a/b.md", True),
        ("**/*.md", "a.md", True), ("target/", "target/debug/x", True), ("/target", "target/x", True),
        ("a?c", "abc", True), ("a?c", "a/c", False), ("[a-c]x", "bx", True), ("src\n!src/keep", "src/keep", False),
        ("config\nconfig/docker", "config/docker/Dockerfile", True), ("config/docker", "config/service.json", False),
    ]
    for rules, path, ignored in cases:
        if DockerIgnore(rules).ignored(path) != ignored:
            raise CheckFailed(f".dockerignore matcher: {rules!r} on {path!r} should give ignored={ignored}")


def context_files(root, ignore):
    """Every file of the build context, relative to the repository root."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir
        kept = []
        for d in dirnames:
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if not (ignore.ignored(rel) and not ignore.may_reinclude_below(rel)):
                kept.append(d)
        dirnames[:] = sorted(kept)
        for f in sorted(filenames):
            rel = f"{rel_dir}/{f}" if rel_dir else f
            if not ignore.ignored(rel):
                files.append(rel)
    return files


# --- replaying a stage ------------------------------------------------------------------------

class Replay:
    def __init__(self, stages, context, runtime_root):
        self.stages = stages
        self.context = context  # relative paths of the build context
        self.roots = {}  # stage index -> the directory standing for its "/"
        self.runtime_root = runtime_root
        self.created_user = None  # (user, group or None) to remove afterwards
        self.runtime_packages = []
        self.final = {}  # the runtime stage's ENV, USER, WORKDIR, CMD, EXPOSE

    def mapped(self, stage, path):
        return self.roots[stage.index] / path.lstrip("/")

    def stage_by_name(self, name):
        for s in self.stages:
            if s.name == name or str(s.index) == name:
                return s
        raise CheckFailed(f"COPY --from={name}: no such stage")

    def run(self):
        for stage in self.stages:
            last = stage is self.stages[-1]
            root = self.runtime_root if last else BUILD_ROOT / f"stage-{stage.index}"
            if root.exists() and not last:
                shutil.rmtree(root)
            root.mkdir(parents=True, exist_ok=True)
            os.chmod(root, 0o755)
            self.roots[stage.index] = root
            say(f"stage {stage.name or stage.index} (FROM {stage.base}) in {root}")
            self.stage(stage, last)

    def stage(self, stage, last):
        env, workdir = {}, "/"
        for word, arguments in stage.steps:
            if word == "WORKDIR":
                workdir = os.path.join(workdir, substitute(arguments, env))
                self.mapped(stage, workdir).mkdir(parents=True, exist_ok=True)
            elif word == "COPY":
                self.copy(stage, workdir, arguments)
            elif word == "ENV":
                env.update(env_pairs(arguments, env))
            elif word == "RUN":
                self.run_step(stage, workdir, env, arguments, last)
            elif word in ("USER", "EXPOSE", "CMD", "STOPSIGNAL"):
                if not last:
                    raise CheckFailed(f"{word} in the build stage is not replayed")
                self.final[word] = arguments
            elif word in ("LABEL",):
                pass
            else:
                raise CheckFailed(f"image-check does not replay {word} ({arguments}); teach it")
        if last:
            self.final["ENV"], self.final["WORKDIR"] = env, workdir

    def copy(self, stage, workdir, arguments):
        words = shlex.split(arguments)
        source_stage = None
        while words and words[0].startswith("--"):
            flag = words.pop(0)
            if flag.startswith("--from="):
                source_stage = self.stage_by_name(flag.split("=", 1)[1])
            else:
                raise CheckFailed(f"COPY {flag} is not replayed")
        *sources, dest = words
        dest_path = dest if dest.startswith("/") else os.path.join(workdir, dest)
        target = self.mapped(stage, dest_path)
        into_dir = dest.endswith("/") or len(sources) > 1
        for src in sources:
            if any(ch in src for ch in "*?["):
                raise CheckFailed(f"COPY with a wildcard is not replayed: {src}")
            if source_stage is not None:
                self.copy_path(self.mapped(source_stage, src), target, into_dir)
                continue
            src = os.path.normpath(src).lstrip("/")
            members = [f for f in self.context if f == src or f.startswith(src + "/")]
            if not members:
                raise CheckFailed(f"COPY {src}: not in the build context (see .dockerignore)")
            if members == [src]:
                dest_file = target / Path(src).name if into_dir else target
                self.copy_file(REPO / src, dest_file)
            else:  # a directory: its contents go into the destination
                for f in members:
                    self.copy_file(REPO / f, target / os.path.relpath(f, src))

    def copy_path(self, source, target, into_dir):
        if not source.exists():
            raise CheckFailed(f"COPY --from: {source} does not exist")
        if source.is_dir():
            for f in sorted(source.rglob("*")):
                if f.is_file():
                    self.copy_file(f, target / f.relative_to(source))
        else:
            self.copy_file(source, target / source.name if into_dir else target)

    @staticmethod
    def copy_file(source, dest):
        # Docker creates missing directories 0755 (umask 022 here) and keeps each file's mode.
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)

    def run_step(self, stage, workdir, env, arguments, last):
        flags, command = run_flags(arguments)
        if "apt-get install" in command:
            packages = apt_packages(command)
            if last:
                self.runtime_packages += packages
                say(f"runtime packages: {' '.join(packages)} (checked against the binary's libraries)")
            else:
                ensure_host_packages(packages)
        elif "useradd" in command:
            if not last:
                raise CheckFailed("useradd in the build stage is not replayed")
            self.add_user(command)
        elif command.startswith("cargo build"):
            self.cargo_build(stage, workdir, env, flags, command)
        else:
            raise CheckFailed(f"image-check does not replay RUN {command!r}; teach it")

    def cargo_build(self, stage, workdir, env, flags, command):
        cwd = self.mapped(stage, workdir)
        for flag in flags:
            mount = dict(kv.split("=", 1) for kv in flag[len("--mount="):].split(",")) if flag.startswith("--mount=") else None
            if mount is None or mount.get("type") != "cache":
                raise CheckFailed(f"RUN {flag} is not replayed")
            target = mount["target"]
            if target.startswith("/usr/local/cargo/"):
                continue  # the image's CARGO_HOME: here the host's own cargo home serves
            cached = CACHE / "cache" / target.lstrip("/")
            cached.mkdir(parents=True, exist_ok=True)
            link = self.mapped(stage, target)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(cached, target_is_directory=True)
        build_env = {k: v for k, v in os.environ.items() if k in BUILD_ENV_KEPT}
        build_env.update(env)
        # The image's target directory is ./target (the Rust image sets no CARGO_TARGET_DIR).
        build_env["CARGO_TARGET_DIR"] = str(cwd / "target")
        check_toolchain()
        say(f"RUN {command}")
        started = time.monotonic()
        result = subprocess.run(["/bin/sh", "-c", command], cwd=cwd, env=build_env)
        if result.returncode != 0:
            raise CheckFailed(f"the build step failed with exit code {result.returncode}")
        say(f"build step done in {time.monotonic() - started:.0f} s")

    def add_user(self, command):
        """Runs the stage's groupadd/useradd step on this host, unless the same user exists."""
        user = group = uid = None
        for part in re.split(r"&&|;", command):
            words = shlex.split(part)
            if words and words[0] == "useradd":
                user = words[-1]
                if "--uid" in words:
                    uid = int(words[words.index("--uid") + 1])
            elif words and words[0] == "groupadd":
                group = words[-1]
        if user is None or uid is None:
            raise CheckFailed(f"the useradd step names no user or no --uid: {command}")
        existing = getent("passwd", user)
        if existing is not None:
            if int(existing[2]) != uid:
                raise CheckFailed(f"user {user} exists here with uid {existing[2]}, the image's has {uid}")
            say(f"user {user} ({uid}) already exists here; reused, and kept afterwards")
            return
        if getent("passwd", str(uid)) is not None:
            raise CheckFailed(f"uid {uid} belongs to another user here; cannot create {user}")
        group_existed = group is not None and getent("group", group) is not None
        if group_existed:
            raise CheckFailed(f"group {group} already exists here; the image's step would fail")
        say(f"RUN {command}")
        subprocess.run(["/bin/sh", "-c", command], check=True)
        self.created_user = (user, group)

    def cleanup(self):
        if self.created_user:
            user, group = self.created_user
            subprocess.run(["userdel", user], check=False)
            if group and getent("group", group) is not None:
                subprocess.run(["groupdel", group], check=False)
            say(f"removed user {user} again")


def getent(database, key):
    result = subprocess.run(["getent", database, key], capture_output=True, text=True)
    return result.stdout.strip().split(":") if result.returncode == 0 else None


def ensure_host_packages(packages):
    missing = [p for p in packages if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout != "install ok installed"]
    if missing:
        say(f"installing the build stage's packages: {' '.join(missing)}")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        say(f"build packages present: {' '.join(packages)}")


def check_toolchain():
    image = os.environ.get("IMAGE_CHECK_RUST_VERSION") or ARGS.get("RUST_VERSION", "")
    version = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.split()
    host = version[1] if len(version) > 1 else "?"
    if not (host == image or host.startswith(image + ".")):
        say(f"note: this host's rustc is {host}, the image's rust:{image}; the build may differ")


# --- the runtime image's libraries -------------------------------------------------------------

def check_libraries(binary, packages):
    """Each shared library the binary needs must come from a runtime-stage package or from the
    base image: its essential packages and apt, with everything they depend on."""
    if shutil.which("dpkg") is None:
        say("note: no dpkg here; the binary's libraries are not checked against the runtime packages")
        return
    ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    provided = dependency_closure({p.split(":")[0] for p in packages} | base_image_packages())
    for line in ldd.splitlines():
        if "not found" in line:
            raise CheckFailed(f"the binary needs a library this host lacks: {line.strip()}")
        m = re.search(r"=>\s+(/\S+)", line)
        if not m:
            continue
        package = owning_package(m.group(1))
        if package is None:
            raise CheckFailed(f"no Debian package owns {m.group(1)}, which the binary needs")
        if package.split(":")[0] not in provided:
            raise CheckFailed(f"the binary needs {m.group(1)} from {package}, which neither the "
                              "runtime stage installs nor the base image has")
    say("the binary's shared libraries all come from the runtime stage's packages or the base image")


def installed_packages():
    """name -> (essential, depends) of every installed package."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${db:Status-Abbrev}\t${Essential}\t"
                          "${Pre-Depends}, ${Depends}\n"], capture_output=True, text=True, check=True).stdout
    packages = {}
    for line in out.splitlines():
        name, status, essential, depends = (line.split("\t") + ["", "", ""])[:4]
        if status.startswith("ii"):
            names = [alt.split()[0].split(":")[0] for dep in depends.split(",")
                     for alt in dep.split("|") if alt.strip()]
            packages[name] = (essential == "yes", names)
    return packages


def base_image_packages():
    return {name for name, (essential, _) in installed_packages().items() if essential} | {"apt"}


def dependency_closure(roots):
    packages = installed_packages()
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += packages.get(name, (False, []))[1]
    return seen


def owning_package(path):
    real = os.path.realpath(path)
    for candidate in dict.fromkeys([path, real, re.sub(r"^/usr", "", real), "/usr" + path]):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            # "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3" (or "a, b: path")
            return result.stdout.splitlines()[0].split(": ")[0].split(",")[0].strip()
    return None


# --- running the image ------------------------------------------------------------------------

CLONE_NEWNET = 0x40000000
LIBC = ctypes.CDLL(None, use_errno=True)


def set_loopback_up():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        ifreq = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl_ioctl(s, 0x8913, ifreq))[1]  # SIOCGIFFLAGS
        fcntl_ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 0x1))  # SIOCSIFFLAGS, IFF_UP
    finally:
        s.close()


def fcntl_ioctl(sock, request, argument):
    return fcntl.ioctl(sock.fileno(), request, argument)


def enter_new_netns():
    """In the child before exec: a network namespace of its own, its loopback up."""
    if LIBC.unshare(CLONE_NEWNET) != 0:
        os._exit(97)
    set_loopback_up()


def netns_works():
    if os.environ.get("IMAGE_CHECK_NETNS") == "0":
        return False
    try:
        probe = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=enter_new_netns)
    except subprocess.SubprocessError:
        return False
    return probe.returncode == 0


class NetNs:
    """Runs socket calls inside the service's network namespace (setns on this thread)."""

    def __init__(self, pid):
        self.pid = pid

    def connect(self, port, timeout=2.0):
        if self.pid is None:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout)
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        theirs = os.open(f"/proc/{self.pid}/ns/net", os.O_RDONLY)
        try:
            if LIBC.setns(theirs, CLONE_NEWNET) != 0:
                raise CheckFailed(f"cannot enter the service's network namespace (errno {ctypes.get_errno()})")
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            finally:
                if LIBC.setns(own, CLONE_NEWNET) != 0:
                    raise CheckFailed("cannot return to this host's network namespace")
        finally:
            os.close(own)
            os.close(theirs)
        s.settimeout(timeout)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            s.close()
            raise
        return s


def http_get(net, port, path):
    s = net.connect(port)
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: image-check\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    finally:
        s.close()
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


def wait_for(what, deadline, probe, process):
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        if process.poll() is not None:
            raise CheckFailed(f"the service exited with {process.returncode} before {what}")
        try:
            last = probe()
            if last is True:
                return
        except OSError as error:
            last = error
        time.sleep(0.1)
    raise CheckFailed(f"timed out after {deadline:.0f} s waiting for {what} (last: {last})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(replay):
    final = replay.final
    root = replay.runtime_root
    uid, _, gid = final["USER"].partition(":")
    uid, gid = int(uid), int(gid or uid)
    command = json.loads(final["CMD"])
    binary = root / command[0].lstrip("/")
    workdir = root / final["WORKDIR"].lstrip("/")
    passwd = getent("passwd", str(uid))
    env = {"PATH": DEBIAN_PATH, "HOSTNAME": "image-check", "HOME": passwd[5] if passwd else "/"}
    env.update(final["ENV"])
    env["SERVICE_ID"] = str(uuid.uuid4())  # what `docker run -e SERVICE_ID=...` adds
    if not env.get("ADMIN_ADDRESS", "").startswith("0.0.0.0:"):
        raise CheckFailed("the image must set ADMIN_ADDRESS=0.0.0.0:<port>: probes come from beyond the container")
    if env.get("GATEWAY_BIND_ADDRESS") != "0.0.0.0":
        raise CheckFailed("the image must set GATEWAY_BIND_ADDRESS=0.0.0.0: clients come from beyond the container")
    service_file = json.loads((workdir / env.get("SERVICE_CONFIG", "config/service.json")).read_text())
    tenant_ports = [t["port"] for t in service_file["tenants"]]
    admin_port = int(env["ADMIN_ADDRESS"].rsplit(":", 1)[1])
    isolated = netns_works()
    if not isolated:
        # The host's network: free loopback ports instead of the image's (docker run -p maps them).
        admin_port = free_port()
        env["ADMIN_ADDRESS"] = f"127.0.0.1:{admin_port}"
        env["GATEWAY_BIND_ADDRESS"] = "127.0.0.1"
        for tenant in service_file["tenants"]:
            tenant["port"] = free_port()
        tenant_ports = [t["port"] for t in service_file["tenants"]]
        remapped = root / "image-check-service.json"
        remapped.write_text(json.dumps(service_file))
        os.chmod(remapped, 0o644)
        env["SERVICE_CONFIG"] = str(remapped)
        say(f"no network namespace: host ports {tenant_ports} and admin {admin_port} on 127.0.0.1")
    else:
        # The tenants of the image's service file (without it, the embedded mode would take
        # its REST simulator's; an operator's container names its file the same way).
        env.setdefault("SERVICE_CONFIG", "config/service.json")
        say(f"own network namespace: the image's ports, tenants {tenant_ports}, admin {admin_port}")
    log = open(root.parent / "service.log", "wb")
    argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--no-new-privs",
            "--", str(binary), *command[1:]]
    say(f"CMD {command} as {uid}:{gid} in {final['WORKDIR']} (log: {log.name})")
    process = subprocess.Popen(argv, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                               preexec_fn=enter_new_netns if isolated else None)
    tenants = service_file["tenants"]
    return process, NetNs(process.pid if isolated else None), tenants, admin_port, uid, log.name


def exercise(replay):
    process, net, tenants, admin_port, uid, log = start_service(replay)
    tenant_ports = [t["port"] for t in tenants]
    try:
        started = time.monotonic()
        wait_for("/healthz 200", STEP_DEADLINE, lambda: http_get(net, admin_port, "/healthz")[0] == 200, process)
        say(f"/healthz 200 after {time.monotonic() - started:.1f} s")
        uids = [l for l in Path(f"/proc/{process.pid}/status").read_text().splitlines() if l.startswith("Uid:")]
        if set(uids[0].split()[1:]) != {str(uid)}:
            raise CheckFailed(f"the service does not run as {uid}: {uids[0]}")
        wait_for("/readyz 200", STEP_DEADLINE, lambda: http_get(net, admin_port, "/readyz")[0] == 200, process)
        say(f"/readyz 200 after {time.monotonic() - started:.1f} s; the process runs as uid {uid}")
        for tenant, port in zip(tenants, tenant_ports):
            # The listeners open just after readiness (once the session ledger was read).
            wait_for(f"the gateway on {port}", STEP_DEADLINE, lambda: net.connect(port).close() is None, process)
            if tenant.get("protocol", "maple") == "json-lines":
                login(net, port)
            else:
                game_hello(net, port, tenant["majorVersion"])
        say(f"each tenant port {tenant_ports} answered: a JSON-lines login got login_ok "
            "(config/accounts.json readable), a game socket its hello")
        code, body = http_get(net, admin_port, "/metrics")
        if code != 200 or "login_logins_total" not in body:
            raise CheckFailed(f"/metrics answered {code} without login_logins_total")
        stop_signal = replay.final.get("STOPSIGNAL", "SIGTERM")
        process.send_signal(getattr(signal, stop_signal))
        stopping = time.monotonic()
        try:
            code = process.wait(STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"the service did not exit within {STOP_DEADLINE:.0f} s of {stop_signal}")
        if code != 0:
            raise CheckFailed(f"the service exited with {code} after {stop_signal}")
        say(f"{stop_signal}: exit 0 after {time.monotonic() - stopping:.1f} s")
    except CheckFailed:
        print(Path(log).read_text(errors="replace")[-4000:], file=sys.stderr)
        raise
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def game_hello(net, port, major):
    """A game socket's raw hello: u16 length 14, u16 the tenant's major version (maple-protocol.md §2)."""
    s = net.connect(port, timeout=15.0)
    try:
        hello = b""
        while len(hello) < 16:
            chunk = s.recv(16 - len(hello))
            if not chunk:
                raise CheckFailed(f"the game socket on {port} closed after {len(hello)} bytes of its hello")
            hello += chunk
        length, version = struct.unpack_from("<HH", hello)
        if (length, version) != (0x0E, major):
            raise CheckFailed(f"the game socket on {port} said {hello.hex()} (length {length}, version {version})")
    finally:
        s.close()


def login(net, port):
    s = net.connect(port, timeout=15.0)
    try:
        reader = s.makefile("rb")
        hello = json.loads(reader.readline())
        if hello.get("event") != "hello":
            raise CheckFailed(f"the gateway on {port} said {hello}")
        s.sendall(b'{"op":"login","accountName":"admin","password":"admin"}\n')
        answer = json.loads(reader.readline())
        if answer.get("event") != "login_ok":
            raise CheckFailed(f"login on {port}: {answer}")
        s.sendall(b'{"op":"logout"}\n')
        bye = json.loads(reader.readline())
        if bye.get("event") != "bye":
            raise CheckFailed(f"logout on {port}: {bye}")
    finally:
        s.close()


ARGS = {}


def main():
    if os.geteuid() != 0:
        raise CheckFailed("run as root: the check adds the image's user to this host for the run")
    os.umask(0o022)
    started = time.monotonic()
    global ARGS
    ARGS, stages = parse_dockerfile(DOCKERFILE.read_text())
    check_dockerignore_rules()
    ignore = DockerIgnore(DOCKERIGNORE.read_text() if DOCKERIGNORE.exists() else "")
    context = context_files(REPO, ignore)
    for leaked in ("target/", ".cache/", ".git/", ".git"):
        if any(f == leaked or f.startswith(leaked) for f in context):
            raise CheckFailed(f"the build context holds {leaked}: see .dockerignore")
    size = sum((REPO / f).stat().st_size for f in context)
    say(f"build context: {len(context)} files, {size / 1024:.0f} KiB (after .dockerignore)")
    work = Path(tempfile.mkdtemp(prefix="image-check-", dir="/tmp"))
    os.chmod(work, 0o755)
    replay = Replay(stages, context, work / "root")
    ok = False
    try:
        replay.run()
        binary = replay.runtime_root / json.loads(replay.final["CMD"])[0].lstrip("/")
        check_libraries(binary, replay.runtime_packages)
        exercise(replay)
        ok = True
    finally:
        replay.cleanup()
        if ok and os.environ.get("IMAGE_CHECK_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"kept {work}")
    say(f"passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    try:
        main()
    except (CheckFailed, subprocess.CalledProcessError) as error:
        print(f"image-check: FAILED: {error}", file=sys.stderr)
        sys.exit(1)

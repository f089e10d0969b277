#!/usr/bin/env python3
"""Peer benchmarks: iceoryx2, multiprocessing.shared_memory and sharedblob from Python.

`blob-bench peer` runs the first two against the Swift engine; ``python-suite`` runs all
three between Python processes (``scripts/bench-python.sh``) and prints the ratios.

Each case runs a sender (this process) and K reader processes (this script again, started
with ``sys.executable``). One round: the sender copies a prepared buffer of N bytes into
shared memory, tells every reader, each reader hashes every byte with XXH3-64 (zero-copy
memoryview, checked against the expected digest) and acknowledges; the round's time runs
from before the sender's loan/copy until the last acknowledgement arrived.

Usage (run with the benchmark venv's python, see scripts/bench-peer-env.sh):

    peer.py pingpong --impl iceoryx2|mpshm|sharedblob --size N --rounds R [--readers K]
    peer.py latency  --impl iceoryx2|mpshm|sharedblob [--size 64] --rounds R --cpus 0|0,1
    peer.py python-suite [--runs N] [--rounds R] [--small-rounds R]
    peer.py cleanup          # removes objects left by runs whose process is gone

sharedblob's readers take the blob through a verified zero-copy view (the engine checks
the XXH3-64 of every byte; the reader compares the checksum with the expected one), its
sender publishes from the prepared buffer; the go signal is the publish itself (readers
sleep in ``Segment.wait``), acknowledgements go through one pipe as with mpshm.

Prints exactly one JSON object on stdout:
``{"impl", "case", "size", "readers", "samples_ns", "warmup", "cpus", "version"}``
(``samples_ns`` excludes the warm-up rounds). Diagnostics go to stderr. Exit status 0 only
on success; 1 on a failure (one line on stderr), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROG = "peer.py"
#: Every wait is sliced so that deaths of peers and signals are noticed quickly.
WAIT_SLICE_S = 0.5
#: iceoryx2 objects of one run carry this prefix plus the sender's pid.
IOX2_PREFIX = "iox2_sbb"
#: multiprocessing.shared_memory names of one run: this prefix plus the sender's pid.
PSM_PREFIX = "psm_sbb"
#: sharedblob segment names of one run: this prefix plus the sender's pid.
SB_PREFIX = "sb_sbb"
IMPLS = ("iceoryx2", "mpshm", "sharedblob")
IOX2_ROOT = Path("/tmp/iceoryx2")
DEV_SHM = Path("/dev/shm")
#: Event ids on the sender -> readers event service.
GO_ID = 0
STOP_ID = 1
MAX_READERS = 8
PR_SET_PDEATHSIG = 1


class BenchError(Exception):
    """A failure that ends the run with a one-line message and exit status 1."""


class Terminated(BenchError):
    """A termination signal arrived: raised at the next wait, so that cleanup runs."""


#: The signal received, if any (set by the handler, checked before every wait slice).
_signalled: int | None = None


def _on_signal(signum: int, _frame: Any) -> None:
    global _signalled
    _signalled = signum


def install_signal_handlers() -> None:
    """Makes SIGTERM, SIGHUP and SIGINT end the run at its next wait (with cleanup).

    Raising from the handler itself would land inside iceoryx2's own error path (its
    waits return ``ListenerWaitError: InterruptSignal`` first).
    """
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _on_signal)


def check_signal() -> None:
    """Raises Terminated if a termination signal arrived."""
    if _signalled is not None:
        raise Terminated(f"terminated by signal {signal.Signals(_signalled).name}")


def die_with_parent(parent_pid: int) -> None:
    """Asks the kernel for SIGTERM when the parent dies; exits if it is already gone."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - prctl is always there on Linux
        pass
    if os.getppid() != parent_pid:
        raise BenchError("parent exited before the reader started")


def pin(cpu: int | None) -> None:
    """Pins the calling process to one CPU (no-op for None)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def parse_cpus(text: str) -> list[int]:
    """Parses ``0`` or ``0,1`` and checks that the CPUs are usable by this process."""
    try:
        cpus = [int(part) for part in text.split(",") if part.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a CPU list: {text!r}") from None
    if not cpus:
        raise argparse.ArgumentTypeError("empty CPU list")
    allowed = os.sched_getaffinity(0)
    for cpu in cpus:
        if cpu not in allowed:
            raise argparse.ArgumentTypeError(f"CPU {cpu} is not available (have {sorted(allowed)})")
    return cpus


def positive_int(text: str) -> int:
    """Parse an integer > 0 for argparse (accepts 4096, 0x1000, 4Ki, 10Mi, 256Mi)."""
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
    mult = 1
    for suffix, factor in units.items():
        if text.endswith(suffix):
            text, mult = text[: -len(suffix)], factor
            break
    try:
        value = int(text, 0) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {value}")
    return value


class Deadline:
    """A point in time after which a wait fails."""

    def __init__(self, seconds: float, what: str) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.what = what

    def slice(self) -> float:
        """Seconds to wait next: at most WAIT_SLICE_S; raises once the deadline has passed."""
        check_signal()
        left = self.end - time.monotonic()
        if left <= 0:
            raise BenchError(f"timed out after {self.seconds:g} s waiting for {self.what}")
        return min(left, WAIT_SLICE_S)


# --------------------------------------------------------------------------------------
# Reader processes
# --------------------------------------------------------------------------------------


@dataclass
class Readers:
    """The reader processes of one run."""

    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn(self, argv: list[str], pass_fds: Sequence[int] = ()) -> None:
        """Starts one reader: this script, same interpreter, stdout discarded."""
        cmd = [sys.executable, os.path.abspath(__file__), *argv]
        self.procs.append(
            subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, pass_fds=pass_fds
            )
        )

    def check_alive(self) -> None:
        """Raises if any reader has exited."""
        for i, proc in enumerate(self.procs):
            code = proc.poll()
            if code is not None:
                raise BenchError(f"reader {i} exited early with status {code}")

    def _wait_all(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass

    def reap(self, grace_s: float = 5.0) -> list[int | None]:
        """Waits for every reader (bounded), then SIGTERM (1 s), then SIGKILL; returns statuses."""
        self._wait_all(grace_s)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            alive = [proc for proc in self.procs if proc.poll() is None]
            if not alive:
                break
            for proc in alive:
                proc.send_signal(sig)
            self._wait_all(1.0)
        for proc in self.procs:
            if proc.poll() is None:  # pragma: no cover - SIGKILL does not hang
                print(f"{PROG}: reader {proc.pid} survived SIGKILL", file=sys.stderr)
        return [proc.returncode for proc in self.procs]


def make_source(size: int) -> Any:
    """The prepared buffer: N pseudo-random bytes (numpy array, fixed seed)."""
    import numpy as np

    return np.random.default_rng(0x5B).integers(0, 256, size=size, dtype=np.uint8)


def hash64(buffer: Any) -> int:
    """XXH3-64 of every byte of a buffer-protocol object, without copying it."""
    import xxhash

    return xxhash.xxh3_64_intdigest(buffer)


def split_rounds(rounds: int, warmup: int | None) -> tuple[int, int]:
    """Returns (warm-up rounds, measured rounds)."""
    if warmup is None:
        warmup = max(1, min(100, rounds // 10))
    return warmup, rounds


def run_rounds(
    warmup: int, rounds: int, one_round: Callable[[], None]
) -> list[int]:
    """Runs warm-up plus measured rounds of `one_round`; returns the measured times (ns)."""
    samples: list[int] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for i in range(warmup + rounds):
            start = time.perf_counter_ns()
            one_round()
            elapsed = time.perf_counter_ns() - start
            if i >= warmup:
                samples.append(elapsed)
    finally:
        if gc_was_enabled:
            gc.enable()
    return samples


def measure(args: argparse.Namespace, one_round: Callable[[], None]) -> tuple[list[int], int]:
    """Runs the warm-up and measured rounds of a sender; returns (samples, warm-up rounds).

    With ``--batches B`` the measured rounds come in B batches, each started by the
    line ``go`` on stdin and answered by the line ``done`` on stdout, after the line
    ``ready`` once the readers are up. ``python-suite`` runs the three impls side by side
    that way, one batch of one impl at a time, so that all three meet the same machine
    (its speed drifts over seconds). The first batch begins with the whole warm-up, every
    later one with a tenth of its rounds (at least 1), since another impl ran between.
    """
    warmup, rounds = split_rounds(args.rounds, args.warmup)
    if args.batches is None:
        return run_rounds(warmup, rounds, one_round), warmup
    per_batch = -(-rounds // args.batches)
    samples: list[int] = []
    warmed = 0
    print("ready", flush=True)
    for batch in range(args.batches):
        if sys.stdin.readline() != "go\n":
            raise BenchError("the suite stopped before the last batch (stdin closed)")
        first = warmup if batch == 0 else max(1, min(warmup, per_batch // 10))
        samples += run_rounds(first, min(per_batch, rounds - len(samples)), one_round)
        warmed += first
        print("done", flush=True)
    return samples, warmed


# --------------------------------------------------------------------------------------
# iceoryx2
# --------------------------------------------------------------------------------------


def iox2_module() -> Any:
    """Imports iceoryx2 with its logger at warning level (unless IOX2_LOG_LEVEL says else)."""
    import iceoryx2 as iox2

    iox2.set_log_level_from_env_or(iox2.LogLevel.Warn)
    return iox2


def iox2_version() -> str:
    """The installed iceoryx2 distribution's version."""
    from importlib.metadata import version

    return version("iceoryx2")


def iox2_run_prefix() -> str:
    """The file-name prefix of this sender's iceoryx2 objects: unique per run."""
    return f"{IOX2_PREFIX}{os.getpid()}_"


def iox2_node(iox2: Any, prefix: str, name: str) -> Any:
    """A node whose files all carry `prefix` (so one run's objects can be swept exactly)."""
    cfg = iox2.config.default()
    cfg.global_cfg.prefix = iox2.FileName.new(prefix)
    return (
        iox2.NodeBuilder.new()
        .config(cfg)
        .name(iox2.NodeName.new(name))
        .signal_handling_mode(iox2.SignalHandlingMode.Disabled)
        .create(iox2.ServiceType.Ipc)
    )


def iox2_services(iox2: Any, node: Any, tag: str, readers: int, create: bool) -> tuple[Any, Any, Any]:
    """Creates (sender) or opens (reader) the data, go and ack services of one run."""
    data = (
        node.service_builder(iox2.ServiceName.new(f"sbb/{tag}/data"))
        .publish_subscribe(iox2.Slice[ctypes.c_uint8])
        .max_publishers(1)
        .max_subscribers(readers)
        .max_nodes(readers + 1)
        .subscriber_max_buffer_size(1)
        .subscriber_max_borrowed_samples(1)
        .history_size(0)
    )
    go = (
        node.service_builder(iox2.ServiceName.new(f"sbb/{tag}/go"))
        .event()
        .max_notifiers(1)
        .max_listeners(readers)
        .max_nodes(readers + 1)
        .event_id_max_value(STOP_ID)
    )
    ack = (
        node.service_builder(iox2.ServiceName.new(f"sbb/{tag}/ack"))
        .event()
        .max_notifiers(readers)
        .max_listeners(1)
        .max_nodes(readers + 1)
        .event_id_max_value(MAX_READERS)
    )
    if create:
        return data.create(), go.create(), ack.create()
    return data.open(), go.open(), ack.open()


def iox2_timed_wait(listener: Any, iox2: Any, seconds: float) -> list[Any]:
    """`Listener.timed_wait`, with an interrupting signal turned into "nothing yet"."""
    try:
        return listener.timed_wait(iox2.Duration.from_secs_f64(seconds))
    except iox2.ListenerWaitError as exc:
        if "Interrupt" in str(exc):
            return []
        raise


def iox2_wait_acks(
    listener: Any, iox2: Any, readers: int, deadline: Deadline, check: Callable[[], None]
) -> None:
    """Blocks until every reader id 0..K-1 has notified once (bounded, sliced waits)."""
    seen: set[int] = set()
    while len(seen) < readers:
        for activation in iox2_timed_wait(listener, iox2, deadline.slice()):
            seen.add(activation.id.as_value)
        if len(seen) < readers:
            check()


def iox2_sender(args: argparse.Namespace, case: str) -> dict[str, Any]:
    """Runs the iceoryx2 sender side and returns the result object."""
    iox2 = iox2_module()
    size, readers = args.size, args.readers
    pid = os.getpid()
    prefix = iox2_run_prefix()
    tag = f"{pid}"
    cpus: list[int] | None = args.cpus
    src = make_source(size)
    src_addr = src.ctypes.data
    expected = hash64(src)
    procs = Readers()
    ports: dict[str, Any] = {}
    try:
        pin(cpus[0] if cpus else None)
        ports["node"] = node = iox2_node(iox2, prefix, f"sbb-sender-{pid}")
        ports["data"], ports["go"], ports["ack"] = iox2_services(iox2, node, tag, readers, True)
        ports["pub"] = publisher = (
            ports["data"]
            .publisher_builder()
            .initial_max_slice_len(size)
            .allocation_strategy(iox2.AllocationStrategy.Static)
            .max_loaned_samples(1)
            .create()
        )
        ports["go_notifier"] = go_notifier = (
            ports["go"].notifier_builder().default_event_id(iox2.EventId.new(GO_ID)).create()
        )
        ports["ack_listener"] = ack_listener = ports["ack"].listener_builder().create()
        for i in range(readers):
            procs.spawn(reader_argv(args, "iceoryx2", i, expected, pid, cpus, tag=tag, prefix=prefix))
        iox2_wait_acks(ack_listener, iox2, readers, Deadline(args.timeout, "readers to start"), procs.check_alive)

        def one_round() -> None:
            sample = publisher.loan_slice_uninit(size)
            ctypes.memmove(sample.payload_ptr, src_addr, size)
            delivered = sample.assume_init().send()
            if delivered != readers:
                raise BenchError(f"sample reached {delivered} of {readers} subscribers")
            go_notifier.notify()
            iox2_wait_acks(ack_listener, iox2, readers, Deadline(args.timeout, "acknowledgements"), procs.check_alive)

        samples, warmup = measure(args, one_round)
        go_notifier.notify_with_custom_event_id(iox2.EventId.new(STOP_ID))
        statuses = procs.reap()
        if any(code != 0 for code in statuses):
            raise BenchError(f"reader exit statuses {statuses}")
    finally:
        if procs.procs:
            try:
                ports["go_notifier"].notify_with_custom_event_id(iox2.EventId.new(STOP_ID))
            except Exception:  # noqa: BLE001 - best effort on the failure path
                pass
            procs.reap(grace_s=1.0)
        ports.clear()
    return result("iceoryx2", case, args, samples, warmup, iox2_version())


def iox2_reader(args: argparse.Namespace) -> None:
    """One iceoryx2 reader: wait for go, take the sample, hash it, release it, acknowledge."""
    iox2 = iox2_module()
    pin(args.cpu)
    node = iox2_node(iox2, args.prefix, f"sbb-reader-{args.parent_pid}-{args.index}")
    data, go, ack = iox2_services(iox2, node, args.tag, args.readers, False)
    subscriber = data.subscriber_builder().buffer_size(1).create()
    listener = go.listener_builder().create()
    notifier = ack.notifier_builder().default_event_id(iox2.EventId.new(args.index)).create()
    notifier.notify()  # ready
    size, expected = args.size, args.expected_hash
    while True:
        deadline = Deadline(args.timeout, "the sender")
        stop = go_seen = False
        while not (stop or go_seen):
            for activation in iox2_timed_wait(listener, iox2, deadline.slice()):
                value = activation.id.as_value
                stop |= value == STOP_ID
                go_seen |= value == GO_ID
            if os.getppid() != args.parent_pid:
                raise BenchError("sender is gone")
        if stop:
            break
        sample = subscriber.receive()
        if sample is None:
            raise BenchError("notified, but no sample was there")
        view = sample.payload().as_memory_view()
        if view.nbytes != size:
            raise BenchError(f"sample has {view.nbytes} bytes, expected {size}")
        digest = hash64(view)
        view.release()
        sample.delete()
        if digest != expected:
            raise BenchError(f"XXH3-64 mismatch: {digest:#x} != {expected:#x}")
        notifier.notify()
    del notifier, listener, subscriber, data, go, ack, node
    gc.collect()


def existing_iox2_dirs() -> set[Path]:
    """Folders of the iceoryx2 root that exist now (so the sweep removes only new ones)."""
    if not IOX2_ROOT.is_dir():
        return set()
    return {IOX2_ROOT, *(p for p in IOX2_ROOT.rglob("*") if p.is_dir())}


def sweep_iox2(prefix: str, dirs_before: set[Path] | None) -> list[Path]:
    """Removes every file carrying `prefix` in /dev/shm and the iceoryx2 root.

    Folders that held such files and are empty afterwards are removed too, and so are
    empty folders of the root that did not exist before the run (`dirs_before`; None:
    leave the root's folders alone). Returns the removed files.
    """
    removed: list[Path] = []
    for path in DEV_SHM.glob(f"{prefix}*"):
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    if IOX2_ROOT.is_dir():
        touched: set[Path] = set()
        for path in IOX2_ROOT.rglob(f"{prefix}*"):
            try:
                path.unlink()
                removed.append(path)
                touched.add(path.parent)
            except (FileNotFoundError, IsADirectoryError):
                pass
        for folder in sorted(touched, key=lambda p: len(p.parts), reverse=True):
            if folder != IOX2_ROOT and folder.parent != IOX2_ROOT:
                try_rmdir(folder)
        if dirs_before is not None:
            new_dirs = [p for p in IOX2_ROOT.rglob("*") if p.is_dir() and p not in dirs_before]
            if IOX2_ROOT not in dirs_before:
                new_dirs.append(IOX2_ROOT)
            for folder in sorted(new_dirs, key=lambda p: len(p.parts), reverse=True):
                try_rmdir(folder)
    unexpected = [p for p in removed if not p.name.endswith(".global_mgmt")]
    if unexpected:
        print(f"{PROG}: swept {len(unexpected)} leftover iceoryx2 file(s) of {prefix}*", file=sys.stderr)
    return removed


def try_rmdir(folder: Path) -> None:
    """Removes a folder if it is empty."""
    try:
        folder.rmdir()
    except OSError:
        pass


# --------------------------------------------------------------------------------------
# multiprocessing.shared_memory + pipes
# --------------------------------------------------------------------------------------


def attach_untracked(name: str) -> Any:
    """Attaches an existing SharedMemory without registering it with a resource tracker.

    Python before 3.13 registers attached segments too, so a reader's tracker would unlink
    the sender's segment (and start a tracker process per reader).
    """
    from multiprocessing import resource_tracker, shared_memory

    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)  # type: ignore[call-arg]
    register = resource_tracker.register
    resource_tracker.register = lambda *_a, **_k: None  # type: ignore[assignment]
    try:
        return shared_memory.SharedMemory(name=name)
    finally:
        resource_tracker.register = register  # type: ignore[assignment]


def read_bytes(fd: int, count: int, deadline: Deadline, check: Callable[[], None]) -> bytes:
    """Reads exactly `count` bytes from a pipe within the deadline; b'' on end of file."""
    got = b""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while len(got) < count:
        if poller.poll(int(deadline.slice() * 1000) + 1):
            chunk = os.read(fd, count - len(got))
            if not chunk:
                return got
            got += chunk
        else:
            check()
    return got


def wait_pipe_acks(fd: int, readers: int, deadline: Deadline, procs: Readers) -> None:
    """Reads one acknowledgement byte per reader from the shared ack pipe (bounded)."""
    got = read_bytes(fd, readers, deadline, procs.check_alive)
    if len(got) < readers:
        procs.check_alive()
        raise BenchError(f"ack pipe closed after {len(got)} of {readers} bytes")


def mpshm_sender(args: argparse.Namespace, case: str) -> dict[str, Any]:
    """Runs the multiprocessing.shared_memory sender side and returns the result object."""
    from multiprocessing import shared_memory

    size, readers = args.size, args.readers
    pid = os.getpid()
    cpus: list[int] | None = args.cpus
    src = make_source(size)
    src_addr = src.ctypes.data
    expected = hash64(src)
    procs = Readers()
    shm = shared_memory.SharedMemory(name=f"{PSM_PREFIX}{pid}", create=True, size=size)
    go_writers: list[int] = []
    ack_r, ack_w = os.pipe()
    dst: Any = None
    try:
        pin(cpus[0] if cpus else None)
        dst = (ctypes.c_char * size).from_buffer(shm.buf)
        dst_addr = ctypes.addressof(dst)
        for i in range(readers):
            go_r, go_w = os.pipe()
            go_writers.append(go_w)
            procs.spawn(
                reader_argv(args, "mpshm", i, expected, pid, cpus, shm_name=shm.name, go_fd=go_r, ack_fd=ack_w),
                pass_fds=(go_r, ack_w),
            )
            os.close(go_r)
        os.close(ack_w)
        ack_w = -1

        def wait_acks(what: str) -> None:
            wait_pipe_acks(ack_r, readers, Deadline(args.timeout, what), procs)

        wait_acks("readers to start")

        def one_round() -> None:
            ctypes.memmove(dst_addr, src_addr, size)
            for fd in go_writers:
                os.write(fd, b"g")
            wait_acks("acknowledgements")

        samples, warmup = measure(args, one_round)
        for fd in go_writers:
            os.close(fd)
        go_writers.clear()
        statuses = procs.reap()
        if any(code != 0 for code in statuses):
            raise BenchError(f"reader exit statuses {statuses}")
    finally:
        for fd in go_writers:
            os.close(fd)
        procs.reap(grace_s=1.0)
        os.close(ack_r)
        if ack_w >= 0:
            os.close(ack_w)
        del dst
        shm.close()
        shm.unlink()
    return result("mpshm", case, args, samples, warmup, f"python {sys.version.split()[0]}")


def mpshm_reader(args: argparse.Namespace) -> None:
    """One mpshm reader: read the go byte, hash the whole segment, write an ack byte."""
    pin(args.cpu)
    shm = attach_untracked(args.shm_name)
    view = shm.buf[: args.size]
    try:
        if view.nbytes != args.size:
            raise BenchError(f"segment has {view.nbytes} bytes, expected {args.size}")
        os.write(args.ack_fd, b"r")
        while True:
            go = read_bytes(args.go_fd, 1, Deadline(args.timeout, "the sender"), lambda: None)
            if not go:
                break  # the sender closed the pipe: done (or the sender is gone)
            digest = hash64(view)
            if digest != args.expected_hash:
                raise BenchError(f"XXH3-64 mismatch: {digest:#x} != {args.expected_hash:#x}")
            os.write(args.ack_fd, b"a")
    finally:
        view.release()
        shm.close()


# --------------------------------------------------------------------------------------
# sharedblob (this repository's engine, through its Python package)
# --------------------------------------------------------------------------------------


def sb_module() -> Any:
    """Imports the sharedblob package (installed by scripts/python-install.sh)."""
    import sharedblob

    return sharedblob


def sb_sender(args: argparse.Namespace, case: str) -> dict[str, Any]:
    """Runs the sharedblob sender side: publish from the prepared buffer, wait for acks."""
    sb = sb_module()
    size, readers = args.size, args.readers
    pid = os.getpid()
    cpus: list[int] | None = args.cpus
    src = make_source(size)
    expected = hash64(src)
    procs = Readers()
    name = f"{SB_PREFIX}{pid}"
    seg = sb.Segment.create(name, capacity=size)
    ack_r, ack_w = os.pipe()
    try:
        pin(cpus[0] if cpus else None)
        for i in range(readers):
            procs.spawn(reader_argv(args, "sharedblob", i, expected, pid, cpus, shm_name=name, ack_fd=ack_w),
                        pass_fds=(ack_w,))
        os.close(ack_w)
        ack_w = -1

        def wait_acks(what: str) -> None:
            wait_pipe_acks(ack_r, readers, Deadline(args.timeout, what), procs)

        wait_acks("readers to start")
        publish = seg.publish

        def one_round() -> None:
            publish(src)
            wait_acks("acknowledgements")

        samples, warmup = measure(args, one_round)
        seg.publish(b"")  # an empty blob: stop
        statuses = procs.reap()
        if any(code != 0 for code in statuses):
            raise BenchError(f"reader exit statuses {statuses}")
    finally:
        if procs.procs and any(p.poll() is None for p in procs.procs):
            try:
                seg.publish(b"")
            except Exception:  # noqa: BLE001 - best effort on the failure path
                pass
        procs.reap(grace_s=1.0)
        os.close(ack_r)
        if ack_w >= 0:
            os.close(ack_w)
        seg.close()
        sb.Segment.remove(name)
    return result("sharedblob", case, args, samples, warmup, f"sharedblob {sb.library_version()}")


def sb_reader(args: argparse.Namespace) -> None:
    """One sharedblob reader: sleep until a newer publish, take a verified view, ack."""
    sb = sb_module()
    pin(args.cpu)
    seg = sb.Segment.open(args.shm_name)
    size, expected = args.size, args.expected_hash
    last = 0
    os.write(args.ack_fd, b"r")
    while True:
        deadline = Deadline(args.timeout, "the sender")
        while True:
            view = seg.view(after=last, timeout=deadline.slice())  # sleeps until the next publish
            try:
                with view as mv:
                    length = mv.nbytes
                break
            except sb.TimedOut:
                if os.getppid() != args.parent_pid:
                    raise BenchError("sender is gone") from None
        meta = view.metadata
        last = meta.sequence
        if length == 0:
            break
        if length != size:
            raise BenchError(f"blob has {length} bytes, expected {size}")
        if meta.checksum != expected:
            raise BenchError(f"XXH3-64 mismatch: {meta.checksum:#x} != {expected:#x}")
        os.write(args.ack_fd, b"a")
    seg.close()


# --------------------------------------------------------------------------------------
# The Python suite: sharedblob against iceoryx2 and mpshm, all from Python
# --------------------------------------------------------------------------------------

#: (label, peer.py arguments) of each case; every case runs for every impl.
def suite_cases(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    big = str(args.size)
    mib = f"{args.size / (1 << 20):g} MiB"
    return [
        (f"{mib} ping-pong", ["pingpong", "--size", big, "--rounds", str(args.rounds)]),
        (f"{mib} fan-out, 4 readers", ["pingpong", "--size", big, "--rounds", str(args.rounds), "--readers", "4"]),
        ("64 B ping-pong, one CPU", ["latency", "--rounds", str(args.small_rounds), "--cpus", "0"]),
        ("64 B ping-pong, two CPUs", ["latency", "--rounds", str(args.small_rounds), "--cpus", "0,1"]),
    ]


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class Sender:
    """One sender process of an interleaved case: this script with ``--batches``, its
    stdin and stdout pipes to the suite, its stderr in an unnamed temporary file."""

    def __init__(self, impl: str, argv: list[str], batches: int) -> None:
        self.impl = impl
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), *argv, "--impl", impl, "--batches", str(batches)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
        )
        self.pending = b""

    def failure(self, what: str) -> BenchError:
        """The error for a sender that did not answer: its own last words if it has any."""
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.stderr.seek(0)
        words = self.stderr.read().decode(errors="replace").strip().splitlines()
        return BenchError(f"{self.impl}: {words[-1] if words else what}")

    def line(self, seconds: float) -> str:
        """The next line the sender prints (bounded; a sender that exits fails the case)."""
        deadline = Deadline(seconds, f"the {self.impl} sender")
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        while b"\n" not in self.pending:
            ready, _, _ = select.select([fd], [], [], deadline.slice())
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise self.failure("exited before it answered")
                self.pending += chunk
        head, _, self.pending = self.pending.partition(b"\n")
        return head.decode()

    def expect(self, word: str, seconds: float) -> None:
        """Reads one line and checks that it is `word`."""
        got = self.line(seconds)
        if got != word:
            raise BenchError(f"{self.impl} sender said {got[:80]!r}, expected {word!r}")

    def go(self, seconds: float) -> None:
        """Runs one batch: `go` on its stdin, `done` back."""
        self.proc.stdin.write(b"go\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        self.expect("done", seconds)

    def close(self) -> None:
        """Closes its stdin (a sender still waiting for `go` then fails and cleans up),
        waits for it (bounded), kills it if needed."""
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()  # type: ignore[union-attr]
        self.stderr.close()


def run_case(argv: list[str], batches: int, timeout: float = 900.0) -> dict[str, dict[str, Any]]:
    """Runs one case for the three impls side by side: each sender (this script, a new
    process with its readers) sets up, then they take turns batch by batch, the order
    rotating each batch; returns each impl's JSON object."""
    senders: list[Sender] = []
    try:
        for impl in IMPLS:
            senders.append(Sender(impl, argv, batches))
        for sender in senders:
            sender.expect("ready", timeout)
        for batch in range(batches):
            for sender in senders[batch % 3:] + senders[: batch % 3]:
                sender.go(timeout)
        results = {}
        for sender in senders:
            results[sender.impl] = json.loads(sender.line(timeout))
        return results
    finally:
        for sender in senders:
            sender.close()


def python_suite(args: argparse.Namespace) -> int:
    """Runs every case for the three impls side by side, `--runs` times, each run in
    `--batches` turns (``run_case``), and prints sharedblob's ratio of median round-trip
    times to each peer's, per run and their median, against the target (<= 1.0)."""
    cpus = sorted(os.sched_getaffinity(0))
    cases = [(label, argv) for label, argv in suite_cases(args) if "0,1" not in argv or len(cpus) > 1]
    medians: dict[tuple[str, str], list[float]] = {}
    versions: dict[str, str] = {}
    for run in range(args.runs):
        for label, argv in cases:
            for impl, out in run_case(argv, args.batches).items():
                versions[impl] = out["version"]
                medians.setdefault((label, impl), []).append(median(out["samples_ns"]) / 1000)
        print(f"run {run + 1} of {args.runs} done", file=sys.stderr)
    print(f"Python to Python, {args.runs} runs ({versions.get('sharedblob')}, iceoryx2 {versions.get('iceoryx2')}, "
          f"{versions.get('mpshm')}); ratio = sharedblob / peer, median round trip:")
    met_all = True
    for label, _ in cases:
        ours = medians[(label, "sharedblob")]
        for peer, name in (("iceoryx2", "iceoryx2"), ("mpshm", "mp.shared_memory")):
            theirs = medians[(label, peer)]
            ratios = [a / b for a, b in zip(ours, theirs)]
            ratio = median(ratios)
            met = ratio <= 1.0
            met_all &= met
            runs = " ".join(f"{r:.2f}" for r in ratios)
            print(f"  {label + ' / ' + name:<48} {ratio:5.2f}  [{runs}]  (target <= 1.0)  {'met' if met else 'NOT met'}")
    print("median round trip (µs), median of runs:")
    for label, _ in cases:
        parts = ", ".join(f"{impl} {median(medians[(label, impl)]):9.1f}" for impl in IMPLS)
        print(f"  {label:<30} {parts}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{label}|{impl}": v for (label, impl), v in medians.items()}, f, indent=1)
    print("every target met" if met_all else "targets NOT met: see above")
    return 0


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def reader_argv(
    args: argparse.Namespace,
    impl: str,
    index: int,
    expected: int,
    parent_pid: int,
    cpus: list[int] | None,
    **extra: Any,
) -> list[str]:
    """The command line of one reader process."""
    argv = [
        "_reader",
        "--impl", impl,
        "--index", str(index),
        "--readers", str(args.readers),
        "--size", str(args.size),
        "--expected-hash", str(expected),
        "--parent-pid", str(parent_pid),
        "--timeout", str(args.timeout),
    ]
    if cpus:
        argv += ["--cpu", str(cpus[-1])]
    for key, value in extra.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    return argv


def result(
    impl: str, case: str, args: argparse.Namespace, samples: list[int], warmup: int, version: str
) -> dict[str, Any]:
    """The JSON object printed at the end."""
    return {
        "impl": impl,
        "case": case,
        "size": args.size,
        "readers": args.readers,
        "samples_ns": samples,
        "warmup": warmup,
        "cpus": args.cpus,
        "batches": args.batches,
        "version": version,
    }


def cleanup_stale() -> list[Path]:
    """Removes iceoryx2 and mpshm objects of earlier runs whose sender process is gone.

    Also removes empty folders under /tmp/iceoryx2 (and the root itself when empty).
    """
    removed: list[Path] = []
    pids: set[int] = set()
    for root in (DEV_SHM, IOX2_ROOT):
        if not root.is_dir():
            continue
        for path in root.rglob(f"{IOX2_PREFIX}*"):
            head = path.name[len(IOX2_PREFIX):].split("_", 1)[0]
            if head.isdigit():
                pids.add(int(head))
    for pid in sorted(pids):
        if not pid_alive(pid):
            removed += sweep_iox2(f"{IOX2_PREFIX}{pid}_", None)
    for prefix in (PSM_PREFIX, SB_PREFIX):
        for path in DEV_SHM.glob(f"{prefix}*"):
            head = path.name[len(prefix):]
            if head.isdigit() and not pid_alive(int(head)):
                path.unlink(missing_ok=True)
                removed.append(path)
    if IOX2_ROOT.is_dir():  # iceoryx2 recreates its folders; leave none empty behind
        for folder in sorted((p for p in IOX2_ROOT.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            try_rmdir(folder)
        try_rmdir(IOX2_ROOT)
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (cases, cleanup, and the internal reader)."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="{pingpong,latency,python-suite,cleanup}")

    def common(p: argparse.ArgumentParser, default_size: int | None) -> None:
        p.add_argument("--impl", choices=IMPLS, required=True)
        p.add_argument("--size", type=positive_int, default=default_size, required=default_size is None,
                       help="blob size in bytes (suffixes Ki, Mi, Gi)")
        p.add_argument("--rounds", type=positive_int, required=True, help="measured rounds")
        p.add_argument("--warmup", type=int, default=None,
                       help="warm-up rounds (default: rounds/10, at least 1, at most 100)")
        p.add_argument("--readers", type=positive_int, default=1, help=f"readers (1..{MAX_READERS})")
        p.add_argument("--cpus", type=parse_cpus, default=None,
                       help="pin the sender to the first CPU and the readers to the last (e.g. 0 or 0,1)")
        p.add_argument("--timeout", type=float, default=30.0, help="bound of every wait, seconds")
        p.add_argument("--batches", type=positive_int, default=None,
                       help="measure in this many batches, each started by 'go' on stdin (python-suite)")

    common(sub.add_parser("pingpong", help="round trip of an N-byte blob to K readers"), None)
    common(sub.add_parser("latency", help="round trip of a small blob, pinned"), 64)
    sub.add_parser("cleanup", help="remove objects of dead runs from /dev/shm and /tmp/iceoryx2")
    suite = sub.add_parser("python-suite", help="every case for the three, between Python processes: ratios")
    suite.add_argument("--runs", type=positive_int, default=5, help="runs; each runs every case of every impl once")
    suite.add_argument("--rounds", type=positive_int, default=200, help="measured rounds of the 10 MiB cases")
    suite.add_argument("--small-rounds", type=positive_int, default=2000, help="measured rounds of the 64 B cases")
    suite.add_argument("--size", type=positive_int, default=10 << 20, help="blob size of the big cases")
    suite.add_argument("--batches", type=positive_int, default=10,
                       help="batches per case and run: the three impls take turns batch by batch")
    suite.add_argument("--json", default=None, help="also write every sample's median to this file")

    r = sub.add_parser("_reader")  # internal: one reader process, started by a sender
    r.add_argument("--impl", choices=IMPLS, required=True)
    r.add_argument("--index", type=int, required=True)
    r.add_argument("--readers", type=int, required=True)
    r.add_argument("--size", type=int, required=True)
    r.add_argument("--expected-hash", type=int, required=True)
    r.add_argument("--parent-pid", type=int, required=True)
    r.add_argument("--timeout", type=float, required=True)
    r.add_argument("--cpu", type=int, default=None)
    r.add_argument("--tag", default=None)
    r.add_argument("--prefix", default=None)
    r.add_argument("--shm-name", default=None)
    r.add_argument("--go-fd", type=int, default=None)
    r.add_argument("--ack-fd", type=int, default=None)
    return parser


def fail(args: argparse.Namespace, message: str) -> int:
    """Prints the one-line error on stderr; returns the failure status."""
    who = f"reader {args.index}" if args.command == "_reader" else args.command
    print(f"{PROG}: {who} ({args.impl if 'impl' in args else '-'}): error: {message}", file=sys.stderr)
    return 1


def run_sender(
    sender: Callable[[argparse.Namespace, str], dict[str, Any]], args: argparse.Namespace
) -> tuple[dict[str, Any] | None, str | None]:
    """Runs a sender; returns (result, None) or (None, one-line error).

    The exception does not escape, so its traceback (and every object its frames hold)
    is gone when this returns.
    """
    try:
        return sender(args, args.command), None
    except (BenchError, KeyboardInterrupt) as exc:
        return None, str(exc) or "interrupted"
    except Exception as exc:  # noqa: BLE001 - one line, non-zero, whatever broke
        return None, f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    install_signal_handlers()
    try:
        if args.command == "_reader":
            die_with_parent(args.parent_pid)
            {"iceoryx2": iox2_reader, "mpshm": mpshm_reader, "sharedblob": sb_reader}[args.impl](args)
            return 0
        if args.command == "python-suite":
            return python_suite(args)
        if args.command == "cleanup":
            for path in cleanup_stale():
                print(f"removed {path}", file=sys.stderr)
            return 0
        if not 1 <= args.readers <= MAX_READERS:
            parser.error(f"--readers must be 1..{MAX_READERS}")
        if args.warmup is not None and args.warmup < 0:
            parser.error("--warmup must be >= 0")
    except (BenchError, KeyboardInterrupt) as exc:
        return fail(args, str(exc) or "interrupted")
    except Exception as exc:  # noqa: BLE001 - one line, non-zero, whatever broke
        return fail(args, f"{type(exc).__name__}: {exc}")
    if args.impl == "iceoryx2":
        dirs_before = existing_iox2_dirs()
        try:
            out, error = run_sender(iox2_sender, args)
        finally:
            # Every iceoryx2 object is dropped by now (the exception, if any, is gone):
            # remove what the run left, e.g. the global_mgmt object or a killed reader's node.
            gc.collect()
            sweep_iox2(iox2_run_prefix(), dirs_before)
    else:
        out, error = run_sender(mpshm_sender if args.impl == "mpshm" else sb_sender, args)
    if error is not None:
        return fail(args, error)
    sys.stdout.write(json.dumps(out, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the cross-language tests run in a real Python process: the sharedblob package
(python/) over libsharedblob.so ($SHAREDBLOB_LIBRARY). One subcommand per check; each
prints one JSON line on stdout and exits 0, or prints the exception's class and message
and exits 3."""

import hashlib
import json
import os
import pickle
import signal
import sys
from typing import Any

import sharedblob


def splitmix_bytes(count: int, seed: int) -> bytes:
    """Fixtures.bytes(count:seed:) of the Swift tests (SplitMix64, little-endian words)."""
    mask = (1 << 64) - 1
    state = seed & mask
    out = bytearray()
    while len(out) < count:
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        out += z.to_bytes(8, "little")
    return bytes(out[:count])


def main(argv: list) -> dict:
    command, name = argv[0], argv[1]
    if command == "publish":  # publish FILE LABEL
        data = open(argv[2], "rb").read()
        with sharedblob.Segment.open(name, create=True) as seg:
            meta = seg.publish(data, path=argv[3])
        return {"sequence": meta.sequence, "length": meta.length}
    if command == "publish-raw-big":  # publish SIZE bytes of 0x5A (the crash test stops it midway)
        with sharedblob.Segment.open(name) as seg:
            seg.publish(bytearray(b"\x5a" * int(argv[2])), path="/python/big")
        return {"published": True}
    if command == "read":
        with sharedblob.Segment.open(name) as seg:
            blob = seg.read()
        return {"path": blob.path, "sha256": hashlib.sha256(blob.content).hexdigest(),
                "length": len(blob.content), "sequence": blob.metadata.sequence}
    if command == "view-address":
        with sharedblob.Segment.open(name) as seg:
            view = seg.view()
            with view as mv:
                address, size, first = view.address, len(mv), mv[0] if len(mv) else None
                inside = False
                for line in open("/proc/self/maps"):
                    fields = line.split()
                    if len(fields) >= 6 and fields[5] == "/dev/shm/" + name:
                        lo, hi = (int(x, 16) for x in fields[0].split("-"))
                        inside = inside or (lo <= address and address + size <= hi)
                sha = hashlib.sha256(mv).hexdigest()
        return {"inside_mapping": inside, "length": size, "first": first, "sha256": sha}
    if command == "view-rules":  # a View's rules: once only, exports end before it, metadata after
        with sharedblob.Segment.open(name) as seg:
            view = seg.view()
            before = view.metadata
            with view as mv:
                path, first = view.path, mv[0]
                try:
                    view.__enter__()
                    twice = "entered"
                except sharedblob.InvalidArgument:
                    twice = "InvalidArgument"
            after = view.metadata
            export = None
            try:
                with seg.view() as mv2:
                    export = pickle.PickleBuffer(mv2)  # an export of the view that outlives the block
                held = "ended"
            except BufferError:
                held = "BufferError"
            if export is not None:
                export.release()
            with seg.view() as mv3:  # the library's hold was freed all the same
                again = len(mv3)
        with sharedblob.Segment.open(name).view() as mv4:  # the View keeps its Segment open
            dropped = bytes(mv4)[0]
        with sharedblob.Segment.open(name) as seg:
            try:
                seg.view(timeout=float("nan")).__enter__()
                nan = "waited"
            except sharedblob.InvalidArgument:  # a ValueError too
                nan = "InvalidArgument"
        hashes = after is not None and hash(after) == hash(tuple(after)) and tuple(after) in {after}
        return {"before": before is None, "path": path, "first": first, "twice": twice,
                "sequence": after.sequence if after else None, "held": held, "again": again,
                "dropped": dropped, "nan": nan, "hashes": hashes}
    if command == "close-in-use":  # close() while a view is open, and while another thread waits
        import threading
        import time

        def mapped() -> int:
            with open("/proc/self/maps") as maps:
                return sum(1 for line in maps if line.rstrip().endswith("/dev/shm/" + name))
        seg = sharedblob.Segment.open(name)
        with seg.view() as mv:
            seg.close()
            during = [mapped(), mv[0]]
        after_view = mapped()
        try:
            seg.read()
            late = "read"
        except sharedblob.InvalidArgument:
            late = "InvalidArgument"
        waiter, result = sharedblob.Segment.open(name), {}

        def wait() -> None:
            try:
                result["seq"] = waiter.wait(after=1, timeout=20.0)  # one call: the poll below sees it
            except sharedblob.SharedBlobError as error:
                result["seq"] = type(error).__name__
        thread = threading.Thread(target=wait)
        thread.start()
        deadline = time.monotonic() + 10
        while not waiter._state[1] and time.monotonic() < deadline:  # until its call holds the handle
            time.sleep(0.001)
        waiter.close()
        while_waiting = mapped()
        with sharedblob.Segment.open(name) as writer:
            writer.publish(b"wake")
        thread.join(20)
        return {"during": during, "after view": after_view, "late": late, "while waiting": while_waiting,
                "waited": result.get("seq"), "at the end": mapped(), "closed": seg.closed and waiter.closed}
    if command == "bad-input":  # each hostile argument: the exception class it raised, or "accepted"
        def outcome(call: Any) -> str:
            try:
                call()
                return "accepted"
            except sharedblob.SharedBlobError as error:
                return type(error).__name__
            except Exception as error:  # anything else is a failure of the package
                return "foreign " + type(error).__name__
        with sharedblob.Segment.open(name) as seg:
            return {
                "nul name": outcome(lambda: sharedblob.Segment.open(name + "\x00../x")),
                "nul label": outcome(lambda: seg.publish(b"c", path="a\x00hidden")),
                "surrogate label": outcome(lambda: seg.publish(b"c", path="a\udcff")),
                "int name": outcome(lambda: sharedblob.Segment.open(7)),  # type: ignore[arg-type]
                "huge capacity": outcome(lambda: sharedblob.Segment.create(name + "-x", capacity=2**64)),
                "negative after": outcome(lambda: seg.wait(after=-1, timeout=0)),
                "huge after": outcome(lambda: seg.wait(after=2**64, timeout=0)),
                "nan timeout": outcome(lambda: seg.wait(timeout=float("nan"))),
                "text timeout": outcome(lambda: seg.wait(timeout="1")),  # type: ignore[arg-type]
                "huge loan": outcome(lambda: seg.loan(2**63).__enter__()),
                "view huge after": outcome(lambda: seg.view(after=2**63).__enter__()),
                "view negative after": outcome(lambda: seg.view(after=-1).__enter__()),
                "view nan timeout": outcome(lambda: seg.view(after=1, timeout=float("nan")).__enter__()),
                "view text timeout": outcome(lambda: seg.view(after=1, timeout="1").__enter__()),  # type: ignore[arg-type]
                "view bool after": outcome(lambda: seg.view(after=True).__enter__()),
                "bytes name": outcome(lambda: sharedblob.Segment.open(name.encode()).close()),
                "timed out": outcome(lambda: seg.wait(timeout=0)),
                "label kept": seg.read().path,
            }
    if command == "torn-check":  # views while stress writers publish; counts views reported valid but torn
        views = torn = overwritten = 0
        with sharedblob.Segment.open(name) as seg:
            while views < int(argv[2]):
                try:
                    view = seg.view()
                    with view as mv:
                        content, label = bytes(mv), view.path
                except sharedblob.Overwritten:
                    overwritten += 1  # reported, not passed off as good: what the protocol promises
                    continue
                views += 1
                _, writer, index = label.split("/")
                expected = splitmix_bytes(len(content), (int(writer) << 32) | int(index))
                torn += 0 if content == expected else 1
        return {"views": views, "torn": torn, "overwritten": overwritten}
    if command == "loan-publish":  # loan SIZE bytes, fill them with splitmix(SEED), commit COUNT
        size, seed, count = int(argv[2]), int(argv[3]), int(argv[4])
        with sharedblob.Segment.open(name) as seg:
            with seg.loan(size) as loan:
                loan.buffer[:] = splitmix_bytes(size, seed)
                meta = loan.commit(count)
            return {"sequence": meta.sequence, "length": meta.length, "latest": seg.latest().sequence}
    if command == "loan-abandon":  # a loan whose block raises publishes nothing
        with sharedblob.Segment.open(name) as seg:
            before = seg.latest().sequence
            try:
                with seg.loan(1000) as loan:
                    loan.buffer[:] = b"\xee" * 1000
                    raise RuntimeError("the block failed")
            except RuntimeError:
                pass
            return {"before": before, "after": seg.latest().sequence, "open": loan.open}
    if command == "loan-hold":  # takes a loan, writes into it, then stops itself (the test kills it)
        with sharedblob.Segment.open(name) as seg:
            with seg.loan(4096) as loan:
                loan.buffer[:2048] = b"\xdd" * 2048
                os.kill(os.getpid(), signal.SIGSTOP)
        return {"resumed": True}
    if command == "view-after":  # view(after=latest) times out; after a publish it returns that blob
        with sharedblob.Segment.open(name) as seg:
            latest = seg.latest().sequence
            try:
                with seg.view(after=latest, timeout=0.2):
                    timed_out = False
            except sharedblob.TimedOut:
                timed_out = True
            seg.publish(b"next blob")
            view = seg.view(after=latest, timeout=5)
            with view as mv:
                content = bytes(mv)
            return {"timed_out": timed_out, "sequence": view.metadata.sequence, "content": content.decode(),
                    "kind": view.metadata.kind, "path": view.path}
    if command == "open":
        with sharedblob.Segment.open(name) as seg:
            return {"capacity": seg.capacity}
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    try:
        print(json.dumps({**main(sys.argv[1:]), "backend": sharedblob.backend}))
    except sharedblob.SharedBlobError as error:
        print(f"{type(error).__name__}: {error}")
        sys.exit(3)

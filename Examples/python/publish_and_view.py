"""Publish a file into a SharedBlob segment, read it back verified, view it without a copy,
and fill a second blob in place through a loan.

    python publish_and_view.py SEGMENT FILE
"""
import hashlib
import sys

import sharedblob

name, file = sys.argv[1], sys.argv[2]
data = open(file, "rb").read()

with sharedblob.Segment.open(name, create=True) as seg:        # /dev/shm/SEGMENT
    meta = seg.publish(data, path=file)     # an ImageData frame: blob-reader shows and saves it
    blob = seg.read()                       # a verified copy: content, path label, metadata
    assert blob.content == data and blob.path == file

    with seg.view() as mv:                  # verified, read-only, zero copy
        digest = hashlib.sha256(mv).hexdigest()   # mv is valid only inside the block

    with seg.loan(len(data)) as loan:       # write the next blob straight into the slot
        loan.buffer[:] = data[::-1]
    # the loan committed when its block ended: readers now see the reversed bytes (raw)

    newer = seg.wait(after=meta.sequence, timeout=5.0)   # returns at once: it is published
    print(f"sequence {meta.sequence}: {len(blob.content)} bytes, sha256 {digest}; then sequence {newer}")

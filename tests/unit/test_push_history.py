"""Push history without a cloud: record keys round-trip, the record a rollback goes back to (a second rollback
goes further, never forward), and the digest that ignores a push's timestamps but not its files or zips."""
from __future__ import annotations

import json

from amplify_nb.project.history import HISTORY_PREFIX, KeptRecord, previous_record, state_digest


def record(sequence: int, digest: str, restores: int | None = None) -> KeptRecord:
    return KeptRecord(sequence, "20261201T163000Z", digest, restores or sequence)


def test_a_record_key_carries_its_number_time_digest_and_what_it_restores():
    plain, rolled_back = record(3, "a" * 16), record(5, "b" * 16, restores=2)
    assert plain.key == f"{HISTORY_PREFIX}000003-20261201T163000Z-{'a' * 16}.zip"
    assert rolled_back.key.endswith("-restores-000002.zip")
    assert KeptRecord.from_key(plain.key) == plain and KeptRecord.from_key(rolled_back.key) == rolled_back
    assert KeptRecord.from_key(HISTORY_PREFIX + "notes.txt") is None
    assert rolled_back.label == "push #5 (2026-12-01 16:30:00 UTC, a rollback to push #2)"


def test_the_previous_record_is_the_one_before_the_current_state():
    history = [record(1, "1" * 16), record(2, "2" * 16), record(3, "3" * 16)]
    assert previous_record(history, "3" * 16).sequence == 2
    assert previous_record(history[:1], "1" * 16) is None  # nothing before the first push


def test_a_second_rollback_goes_back_further_instead_of_undoing_the_first():
    history = [record(1, "1" * 16), record(2, "2" * 16), record(3, "3" * 16), record(4, "2" * 16, restores=2)]
    assert previous_record(history, "2" * 16).sequence == 1
    after_more = history + [record(5, "5" * 16)]  # a normal push after the rollback goes back to the rollback's state
    assert previous_record(after_more, "5" * 16).sequence == 4


def test_a_state_that_was_never_kept_goes_back_to_the_newest_kept_record():
    history = [record(1, "1" * 16), record(2, "2" * 16)]
    assert previous_record(history, "f" * 16).sequence == 2
    assert previous_record([], "f" * 16) is None


def test_the_state_digest_ignores_timestamps_but_not_files_or_function_zips(tmp_path):
    folder = tmp_path / "record"
    (folder / "function/fn/src").mkdir(parents=True)
    (folder / "function/fn/src/index.py").write_text("def handler(event, context): pass\n")
    meta = {"function": {"fn": {"lastPushTimeStamp": "2026-12-01T16:30:00.000Z",
                                "s3Bucket": {"deploymentBucketName": "b", "s3Key": "amplify-builds/fn-aa-build.zip"}}}}
    (folder / "amplify-meta.json").write_text(json.dumps(meta))
    first = state_digest(folder)
    meta["function"]["fn"]["lastPushTimeStamp"] = "2026-12-01T17:00:00.000Z"
    (folder / "amplify-meta.json").write_text(json.dumps(meta))
    assert state_digest(folder) == first
    meta["function"]["fn"]["s3Bucket"]["s3Key"] = "amplify-builds/fn-bb-build.zip"
    (folder / "amplify-meta.json").write_text(json.dumps(meta))
    assert state_digest(folder) != first
    (folder / "function/fn/src/index.py").write_text("def handler(event, context): return 2\n")
    assert len({first, state_digest(folder)}) == 2

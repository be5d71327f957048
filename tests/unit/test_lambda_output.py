"""A worker's output pipe is cut into log lines per invoke exactly at the markers, whatever the pipe's chunking."""
from __future__ import annotations

import os

from amplify_nb.lambda_runtime.output import OutputCapture


def messages(capture: OutputCapture) -> list[str]:
    return [line.message for line in capture.take()]


def test_lines_written_before_take_are_the_ones_taken_and_later_ones_wait_for_the_next_take():
    capture = OutputCapture()
    try:
        os.write(capture.write_fd, b"one\ntwo\n")
        assert messages(capture) == ["one\n", "two\n"]
        os.write(capture.write_fd, b"three\n")
        assert messages(capture) == ["three\n"]
        assert messages(capture) == []
    finally:
        capture.close()


def test_a_line_left_open_at_a_take_is_ended_there():
    capture = OutputCapture()
    try:
        os.write(capture.write_fd, b"no newline")
        assert messages(capture) == ["no newline\n"]
    finally:
        capture.close()


def test_an_error_record_joined_by_carriage_returns_is_one_event_with_newlines():
    capture = OutputCapture()
    try:
        os.write(capture.write_fd, b"[ERROR] ValueError: bad\rTraceback (most recent call last):\r\xc2\xa0 File x\n"
                                   b"progress\r100%\n")
        assert messages(capture) == ["[ERROR] ValueError: bad\nTraceback (most recent call last):\n\u00a0 File x\n",
                                     "progress\r100%\n"]
    finally:
        capture.close()


def test_close_keeps_what_the_process_wrote_last():
    capture = OutputCapture()
    os.write(capture.write_fd, b"last words\n")
    capture.close()
    assert messages(capture) == ["last words\n"]


def test_large_output_in_many_chunks_is_read_whole_and_in_order():
    capture = OutputCapture()
    try:
        lines = [f"line {number:05d} " + "x" * 100 + "\n" for number in range(3000)]  # ~330 KB: beyond a pipe buffer
        data = "".join(lines).encode()
        for start in range(0, len(data), 7000):
            os.write(capture.write_fd, data[start:start + 7000])
        assert messages(capture) == lines
    finally:
        capture.close()

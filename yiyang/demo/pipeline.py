"""Run a generator in a forked child process while the parent consumes what it yields.

The seed spends about as long generating rows in Python as the database spends storing them; with
the generator in a child the two overlap. The child only computes: it never touches the database
connection it inherited, and leaves through `os._exit` (multiprocessing's fork start), so nothing
of the parent's connection is closed or flushed by it. Where fork is unavailable, or for small
loads, the generator simply runs in-process; the items are the same either way.
"""

import multiprocessing
import sys
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")

# Every message starts with one tag byte.
_ITEM, _END, _ERROR = b"i", b"e", b"x"


def fork_available() -> bool:
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


def _child(make: Callable[[], Iterator[T]], encode: Callable[[T], bytes], sender: Connection) -> None:
    try:
        for item in make():
            sender.send_bytes(_ITEM + encode(item))
        sender.send_bytes(_END)
    except BaseException:  # report every failure to the parent, which raises it
        sender.send_bytes(_ERROR + traceback.format_exc().encode())
    finally:
        sender.close()


def produce(
    make: Callable[[], Iterator[T]],
    *,
    in_child: bool,
    encode: Callable[[T], bytes],
    decode: Callable[[bytes], T],
) -> Iterator[T]:
    """Yield the items of `make()`, generated in a forked child process when `in_child` (items
    cross the pipe as `encode` turns them into bytes and `decode` back)."""
    if not in_child or not fork_available():
        yield from make()
        return
    # The child flushes the standard streams when it exits: empty them first so that nothing the
    # parent printed before the fork comes out twice.
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(make, encode, sender), name="yiyang-seed-generator", daemon=True)
    process.start()
    sender.close()
    finished = False
    try:
        while True:
            message = receiver.recv_bytes()
            tag, body = message[:1], message[1:]
            if tag == _ITEM:
                yield decode(body)
                continue
            finished = True
            if tag == _ERROR:
                raise RuntimeError("数据生成子进程出错：\n" + body.decode())
            return
    finally:
        receiver.close()
        if not finished and process.is_alive():
            process.terminate()  # the consumer stopped early (an error while writing)
        process.join()

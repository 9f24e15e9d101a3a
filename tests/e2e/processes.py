"""Several `tallybot run --webhook` processes on one database, behind a round-robin proxy.

The local Bot API server calls the proxy, as Telegram would call nginx in front of N
processes; the proxy hands each call to the next process and can tell a test how each was
answered (to kill the process that just answered 200, say). Shared by the tests of several
processes (tests/e2e/test_several_processes.py) and of their faults.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import IO

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.localapi import LocalBotApi
from reporting.storage.db import create_engine, sessions
from tests.e2e.child_bot import TOKEN, ZONE, campaign_source, environment, tallybot

SECRET = "several-processes-secret"
WAIT = 90.0  # seconds the slowest wait may take on a slow 2-core machine


class RoundRobin:
    """A proxy in front of the bot processes: each webhook call goes to the next one."""

    def __init__(self, ports: list[int]) -> None:
        self.backends = itertools.cycle(ports)
        self.port = 0
        self.calls: Counter[int] = Counter()
        # Told (port, status) of every answer before it is passed on: a test may kill the
        # process that just answered, before the server hears the answer.
        self.on_answer: Callable[[int, int], None] | None = None
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Listens on a free port of this machine."""
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stops listening and closes the client."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        port = next(self.backends)
        self.calls[port] += 1
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
        try:
            async with self._http.post(
                f"http://127.0.0.1:{port}/telegram",
                data=await request.read(),
                headers=headers | {"Content-Type": "application/json"},
            ) as answer:
                body = await answer.read()
                if self.on_answer is not None:
                    self.on_answer(port, answer.status)
                return web.Response(status=answer.status, body=body)
        except aiohttp.ClientError:
            return web.Response(status=502)  # the process is down: Telegram calls again


def init(folder: Path, url: str, collecting_since: int = 1, reminders: bool = True) -> None:
    """Puts today's campaign (collecting since `collecting_since` days ago; reminders due
    all day, or never) in force on a database with the real `tallybot init`."""
    source = campaign_source(datetime.now(ZONE).date(), collecting_since)
    if not reminders:
        source = source.replace('reminder = "00:00"', 'reminder = "23:59"')
    (folder / "campaign.toml").write_text(source, encoding="utf-8")
    env = environment(folder, url)
    done = subprocess.run([*tallybot(), "init"], env=env, cwd=folder, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def free_ports(count: int) -> list[int]:
    """Returns ports free on this machine now."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class Bots:
    """The local server, the proxy, and `count` bot processes on one database."""

    def __init__(self, folder: Path, url: str, count: int) -> None:
        self.folder, self.url, self.count = folder, url, count
        self.server = LocalBotApi(token=TOKEN, webhook_connections=40)
        self.ports = free_ports(count)
        self.proxy = RoundRobin(self.ports)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.killed: set[int] = set()  # pids a test killed on purpose
        self.logs: list[IO[bytes]] = []
        self.engine = create_engine(url)
        self.sessions: async_sessionmaker[AsyncSession] = sessions(self.engine)

    async def start(self) -> None:
        """Starts the server, the proxy, and the processes; returns once each set the webhook."""
        await self.server.start()
        await self.proxy.start()
        for number, port in enumerate(self.ports, 1):
            self.spawn(number, port)
        await self.until(lambda: self.server.requests["setWebhook"] >= self.count, "the webhooks")

    def spawn(self, number: int, port: int) -> None:
        """Starts bot process `number`, serving its webhook on `port`, logging to a file."""
        env = environment(self.folder, self.url, self.server) | {
            "PUBLIC_URL": f"http://127.0.0.1:{self.proxy.port}",
            "HTTP_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
        }
        self.logs.append((self.folder / f"bot-{number}.log").open("wb"))
        self.processes.append(
            subprocess.Popen(
                [*tallybot(), "run", "--webhook"],
                env=env,
                cwd=self.folder,
                stdout=self.logs[-1],
                stderr=subprocess.STDOUT,
            )
        )

    async def until(
        self, condition: Callable[[], bool | Awaitable[bool]], what: str, wait: float = WAIT
    ) -> None:
        """Waits until the condition holds; fails at once if a bot process died."""
        deadline = time.monotonic() + wait
        while not await _holds(condition()):
            exited = [p for p in self.processes if p.poll() is not None]
            if any(process.pid not in self.killed for process in exited):
                pytest.fail(f"a bot process exited while waiting for {what}\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"waited {wait:g} s for {what}\n{self.output()[-6000:]}")
            await asyncio.sleep(0.1)

    def output(self) -> str:
        """Returns what the processes logged."""
        logs = sorted(self.folder.glob("bot-*.log"))
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in logs)

    def kill(self, port: int) -> None:
        """Kills the process serving `port` with SIGKILL, as a power cut would."""
        process = self.processes[self.ports.index(port)]
        self.killed.add(process.pid)
        process.kill()
        process.wait(timeout=20)

    async def stop(self) -> None:
        """Stops the processes (SIGTERM, as an operator would), the proxy and the server."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        await self.proxy.stop()
        await self.server.stop()
        await self.engine.dispose()
        for log in self.logs:
            log.close()


async def _holds(answer: bool | Awaitable[bool]) -> bool:
    return await answer if isinstance(answer, Awaitable) else answer

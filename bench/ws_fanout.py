"""WebSocket fan-out benchmark for /ws/messages/.

Starts daphne (the real oa.asgi application) on a free localhost port with a temporary SQLite database,
connects N WebSocket clients (signed-in sessions of N people), posts messages over the socket to a group of
M members and measures, per delivery, the time from sending to each member's socket receiving it:
p50/p95 latency and deliveries per second.  Runs on the in-memory channel layer and on Redis: the server
named by OA_REDIS_URL when it is set (keys under a fresh prefix), else a redis-server started on a free port
and stopped afterwards (skipped when there is no redis-server binary).  The baseline in the same run is the
bare channel layer with the project's CHANNEL_LAYERS settings, without Django views or daphne: one
group_send to a group of the same M-1 channels (what the app does per message), received on every channel.

    .venv/bin/python bench/ws_fanout.py            # 1,000 clients, a 500-member group
    .venv/bin/python bench/ws_fanout.py --quick    # 100 clients, 50 members
    OA_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/ws_fanout.py --quick

The last line is ``RESULT key=value …``.
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# --- seeding (runs in a child process with the bench's environment) ----------------------------------------


def seed(out_file: str, clients: int, members: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from oa.accounts.middleware import LAST_ACTIVITY_KEY, LOGIN_AT_KEY
    from oa.messaging.models import Conversation, ConversationKind, Membership
    from oa.org.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    password = make_password("Bench-Passw0rd!")
    with transaction.atomic():
        Person.objects.bulk_create(
            [
                Person(username=f"bench{i}", name=f"压测{i}", password=password, password_changed_at=timezone.now())
                for i in range(clients)
            ]
        )
        people = list(Person.objects.filter(username__startswith="bench").order_by("pk"))
        group = Conversation.objects.create(kind=ConversationKind.GROUP, title="压测群", created_by=people[0])
        Membership.objects.bulk_create(
            [Membership(conversation=group, person=p, is_owner=(i == 0)) for i, p in enumerate(people[:members])]
        )
        now = time.time()
        cookies = []
        for person in people:
            store = SessionStore()
            store[SESSION_KEY] = str(person.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = person.get_session_auth_hash()
            store[LAST_ACTIVITY_KEY] = now
            store[LOGIN_AT_KEY] = now
            store.create()
            cookies.append(store.session_key)
    Path(out_file).write_text(json.dumps({"group": group.pk, "sessions": cookies, "members": members}))


# --- servers ------------------------------------------------------------------------------------------------


class Daphne:
    def __init__(self, var: Path, env: dict):
        self.port = free_port()
        self.log = open(var / f"daphne-{self.port}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                # Opening 1,000 sockets at once queues their session checks: do not drop slow handshakes.
                "--websocket_connect_timeout",
                "120",
                "oa.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError((var / f"daphne-{self.port}.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Redis:
    def __init__(self, var: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(var),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- the WebSocket scenario ---------------------------------------------------------------------------------


async def fanout(port: int, data: dict, messages: int) -> dict:
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/messages/"
    origin = f"http://127.0.0.1:{port}"
    group_id, members = data["group"], data["members"]
    sockets = []
    connect_start = time.perf_counter()
    semaphore = asyncio.Semaphore(50)

    async def open_one(session_key):
        async with semaphore:
            ws = await websockets.connect(
                url,
                additional_headers={"Cookie": f"sessionid={session_key}"},
                origin=origin,
                max_queue=None,
                open_timeout=60,
                ping_interval=None,
            )
            hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert hello["type"] == "hello", hello
            return ws

    sockets = await asyncio.gather(*(open_one(key) for key in data["sessions"]))
    connect_seconds = time.perf_counter() - connect_start
    latencies: list[float] = []
    deliveries = 0
    busy = 0.0
    sender, receivers = sockets[0], sockets[1:members]
    for n in range(messages):
        text = f"压测消息{n}"
        started = time.perf_counter()

        async def wait_for(ws, text=text, started=started):
            while True:
                event = json.loads(await ws.recv())
                if event.get("type") == "message" and event["message"]["text"] == text:
                    return time.perf_counter() - started

        await sender.send(json.dumps({"type": "send", "conversation": group_id, "text": text, "client_id": f"b{n}"}))
        results = await asyncio.wait_for(asyncio.gather(*(wait_for(ws) for ws in receivers)), 120)
        busy += max(results)
        latencies.extend(results)
        deliveries += len(results)
        # Drain the sender's own ack and push so the next round starts clean.
        await asyncio.sleep(0.2)
    non_members = sockets[members:]
    await asyncio.gather(*(ws.close() for ws in sockets))
    return {
        "clients": len(sockets),
        "connect_s": connect_seconds,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "deliveries_per_s": deliveries / busy if busy else float("nan"),
        "idle_clients": len(non_members),
    }


async def layer_baseline(layer, channels_count: int, rounds: int) -> dict:
    """M channels in one group (as the members' sockets are in the conversation's group): one group_send
    per round, received on all M channels."""
    channels = [await layer.new_channel() for _ in range(channels_count)]
    group = f"bench.baseline.{uuid.uuid4().hex[:12]}"
    for channel in channels:
        await layer.group_add(group, channel)
    latencies, busy = [], 0.0
    for n in range(rounds):
        started = time.perf_counter()

        async def receive(channel, started=started):
            await layer.receive(channel)
            return time.perf_counter() - started

        receivers = asyncio.gather(*(receive(c) for c in channels))
        await layer.group_send(group, {"type": "chat.message", "seq": n, "message": {"text": f"压测消息{n}"}})
        results = await asyncio.wait_for(receivers, 60)
        busy += max(results)
        latencies.extend(results)
    for channel in channels:
        await layer.group_discard(group, channel)
    return {
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "per_s": len(latencies) / busy if busy else float("nan"),
    }


def baseline(out_file: str, channels_count: int, rounds: int) -> None:
    """Child process: the channel layer exactly as the settings configure it (same redis-py options)."""
    import django

    django.setup()
    from channels.layers import get_channel_layer

    result = asyncio.run(layer_baseline(get_channel_layer(), channels_count, rounds))
    Path(out_file).write_text(json.dumps(result))


def run_profile(
    name: str, var: Path, base_env: dict, clients: int, members: int, messages: int, redis_url: str = ""
) -> dict:
    env = {**base_env, "OA_REDIS_URL": redis_url, "OA_SQLITE_PATH": str(var / f"{name}.sqlite3"),
           # A fresh prefix: a shared Redis (OA_REDIS_URL) may hold other runs' or the site's keys.
           "OA_CHANNEL_PREFIX": f"oa-bench-{uuid.uuid4().hex[:8]}"}
    seed_file = var / f"{name}-seed.json"
    subprocess.run(
        [sys.executable, __file__, "--_seed", str(seed_file), str(clients), str(members)], cwd=ROOT, env=env, check=True
    )
    data = json.loads(seed_file.read_text())
    server = Daphne(var, env)
    try:
        result = asyncio.run(fanout(server.port, data, messages))
    finally:
        server.stop()
    raw_file = var / f"{name}-baseline.json"
    subprocess.run(
        [sys.executable, __file__, "--_baseline", str(raw_file), str(members - 1), str(max(messages, 5))],
        cwd=ROOT, env=env, check=True,
    )
    result["raw"] = json.loads(raw_file.read_text())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 clients and a 50-member group")
    parser.add_argument("--clients", type=int)
    parser.add_argument("--members", type=int)
    parser.add_argument("--messages", type=int, default=5, help="messages sent to the group (one after another)")
    parser.add_argument("--_seed", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--_baseline", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._seed:
        sys.path.insert(0, str(ROOT))
        seed(args._seed[0], int(args._seed[1]), int(args._seed[2]))
        return
    if args._baseline:
        sys.path.insert(0, str(ROOT))
        baseline(args._baseline[0], int(args._baseline[1]), int(args._baseline[2]))
        return
    clients = args.clients or (100 if args.quick else 1000)
    members = min(clients, args.members or (50 if args.quick else 500))
    messages = args.messages if not args.quick else min(args.messages, 3)

    var = Path(tempfile.mkdtemp(prefix="oa-bench-ws-"))
    external_redis = os.environ.get("OA_REDIS_URL", "")
    base_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "oa.settings",
        "OA_VAR_DIR": str(var),
        "OA_DB_ENGINE": "sqlite",
        "OA_LOG_LEVEL": "WARNING",
        "OA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "OA_MANIFEST_STATIC": "false",
    }
    results = {}
    errors: dict[str, str] = {}
    redis = None
    try:
        print(f"内存通道层：{clients} 个连接，{members} 人群组，{messages} 条消息 …", flush=True)
        results["memory"] = run_profile("memory", var, base_env, clients, members, messages)
        redis_url = external_redis
        if not redis_url and shutil.which("redis-server"):
            redis = Redis(var)
            redis_url = redis.url
        if redis_url:
            print(f"Redis 通道层（{redis_url}）…", flush=True)
            try:
                results["redis"] = run_profile("redis", var, base_env, clients, members, messages, redis_url)
            except Exception as exc:  # report what failed instead of losing the in-memory figures
                errors["redis"] = f"{type(exc).__name__}: {exc}"[:200]
                print(f"Redis 测试失败：{errors['redis']}（daphne 日志见 {var}）", flush=True)
        else:
            print("未设置 OA_REDIS_URL，也未找到 redis-server，跳过 Redis。", flush=True)
    except BaseException:
        print(f"失败：日志保留在 {var}", flush=True)
        raise
    else:
        if not errors:
            shutil.rmtree(var, ignore_errors=True)
    finally:
        if redis is not None:
            redis.stop()

    fields = [f"clients={clients}", f"group={members}", f"messages={messages}"]
    for name, r in results.items():
        print(
            f"[{name}] 连接 {r['clients']} 个用时 {r['connect_s']:.1f}s；投递延迟 p50 {r['p50_ms']:.1f}ms "
            f"p95 {r['p95_ms']:.1f}ms；{r['deliveries_per_s']:.0f} 条/秒。"
            f" 基线（仅通道层，一次 group_send 到同样 {members - 1} 个通道）"
            f"p50 {r['raw']['p50_ms']:.2f}ms p95 {r['raw']['p95_ms']:.2f}ms "
            f"{r['raw']['per_s']:.0f} 条/秒"
        )
        fields += [
            f"{name}_p50_ms={r['p50_ms']:.1f}",
            f"{name}_p95_ms={r['p95_ms']:.1f}",
            f"{name}_msgs_per_s={r['deliveries_per_s']:.0f}",
            f"{name}_connect_s={r['connect_s']:.1f}",
            f"{name}_raw_p50_ms={r['raw']['p50_ms']:.2f}",
            f"{name}_raw_p95_ms={r['raw']['p95_ms']:.2f}",
            f"{name}_raw_msgs_per_s={r['raw']['per_s']:.0f}",
        ]
    fields += [f"{name}_error={'_'.join(text.split())}" for name, text in errors.items()]
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()

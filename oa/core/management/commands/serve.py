"""Serve HTTP + WebSocket with daphne; in the embedded profile also run the Celery worker and beat."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 daphne（HTTP + WebSocket）；内嵌模式下同时启动后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        from daphne.cli import CommandLineInterface

        if settings.EMBEDDED_WORKER:
            from oa.core.embedded import EmbeddedWorker

            EmbeddedWorker().start()
        self.stdout.write(f"服务已启动: http://{host}:{port}/")
        sys.argv = ["daphne", "-b", host, "-p", str(port), "oa.asgi:application"]
        CommandLineInterface.entrypoint()

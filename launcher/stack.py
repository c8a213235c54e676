"""Start the planned services in order, each only once the previous one is healthy, and stop
them all (in reverse order) when done or when one fails."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from launcher.process import (
    Running,
    ServiceStartError,
    port_in_use,
    spawn,
    stop_all,
    wait_ready,
)
from launcher.services import StackPlan
from launcher.state import prepare_state


class Stack:
    """`with Stack(plan, only=("actions", "rasa")) as stack: ...` or start()/stop()."""

    def __init__(self, plan: StackPlan, only: Iterable[str] | None = None) -> None:
        planned = tuple(service.name for service in plan.services)
        names = set(only) if only is not None else set(planned)
        unknown = names - set(planned)
        if unknown:
            raise KeyError(f"unknown services: {', '.join(sorted(unknown))}")
        self.plan = plan
        self.names = tuple(name for name in planned if name in names)  # the plan's order
        self.running: list[Running] = []

    def start(self) -> None:
        """Start each service and wait for its health URL. On failure everything started so
        far is stopped and ServiceStartError (service name, log tail) is raised."""
        config = self.plan.config
        prepare_state(config)
        try:
            for name in self.names:
                service = self.plan.service(name)
                log_path = config.log_path(name)
                if port_in_use(config.host, service.port):
                    raise ServiceStartError(
                        name, f"port {service.port} is already in use (another stack running?)")
                running = spawn(service, self.plan.env, config.root, log_path)
                self.running.append(running)
                wait_ready(running, config.startup_timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        stop_all([r.process for r in reversed(self.running)], self.plan.config.stop_timeout)
        self.running = []

    def exited(self) -> str | None:
        """Name of a service whose process has ended, if any."""
        return next((r.service.name for r in self.running if r.exited()), None)

    def url(self, name: str) -> str:
        """Base URL of a service (`http://127.0.0.1:<port>`)."""
        return f"http://{self.plan.config.host}:{self.plan.service(name).port}"

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

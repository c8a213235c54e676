"""Start the planned services in order, each only once the previous one is healthy, and stop
them all (in reverse order) when done or when one fails.

In the production profile HAProxy starts first (its public ports are taken at once, so a
second stack fails fast) and the stack counts as started once HAProxy routes to every replica
that was started."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from types import TracebackType

from launcher.config import PROXY, SERVICE_NAMES
from launcher.process import (
    Running,
    ServiceStartError,
    port_in_use,
    spawn,
    stop_all,
    wait_ready,
)
from launcher.proxy import admin_socket, set_server_state, wait_routed
from launcher.services import Service, StackPlan
from launcher.state import prepare_state


class Stack:
    """`with Stack(plan, only=("actions", "rasa")) as stack: ...` or start()/stop().

    `only` takes services (`rasa`: all its replicas) or single processes (`rasa-2`); in the
    production profile the proxy comes along with any of them."""

    def __init__(self, plan: StackPlan, only: Iterable[str] | None = None) -> None:
        planned = tuple(service.name for service in plan.services)
        if only is None:
            names = set(planned)
        else:
            names = set()
            for name in only:
                try:
                    names |= {service.name for service in plan.members(name)}
                except KeyError:
                    raise KeyError(f"unknown services: {name}") from None
            if names and PROXY in planned:
                names.add(PROXY)
        self.plan = plan
        self.names = tuple(name for name in planned if name in names)  # the plan's order
        self.running: list[Running] = []
        self.started_seconds: float | None = None  # from the first spawn until all routed

    def start(self) -> None:
        """Start each service and wait for its health URL. On failure everything started so
        far is stopped and ServiceStartError (service name, log tail) is raised."""
        config = self.plan.config
        prepare_state(config, self.plan.files)
        started = time.monotonic()
        try:
            for name in self.names:
                self._start_one(self.plan.service(name))
            self._wait_routed()
        except BaseException:
            self.stop()
            raise
        self.started_seconds = time.monotonic() - started

    def _start_one(self, service: Service) -> None:
        config = self.plan.config
        for port in (service.port, *service.binds):
            if port_in_use(config.host, port):
                raise ServiceStartError(
                    service.name, f"port {port} is already in use (another stack running?)")
        log_path = config.log_path(service.name)
        try:
            running = spawn(service, self.plan.env_of(service), config.root, log_path)
        except FileNotFoundError:
            hint = " (scripts/install_haproxy.sh installs it)" if service.name == PROXY else ""
            raise ServiceStartError(service.name,
                                    f"{service.argv[0]} not found{hint}") from None
        self.running.append(running)
        wait_ready(running, config.startup_timeout)

    def _wait_routed(self) -> None:
        """Production: HAProxy sends traffic to a replica after two good health checks."""
        if PROXY not in self.names:
            return
        proxy = self.plan.service(PROXY)
        status = proxy.health_url.rsplit("/", 1)[0] + "/stats"
        behind = [name for name in self.names if name != PROXY]
        pending = wait_routed(status, behind, self.plan.config.startup_timeout)
        if pending:
            raise ServiceStartError(PROXY, f"HAProxy does not route to {', '.join(pending)} "
                                    "(failed health checks)", self.plan.config.log_path(PROXY))

    def stop(self) -> None:
        """Stop service by service in reverse start order (the web app first, HAProxy last),
        each with its stop signal, waiting up to `stop_timeout` for a service's processes to
        finish their requests in flight (which may still need the services after them)."""
        groups: dict[str, list[Running]] = {}
        for running in reversed(self.running):
            groups.setdefault(running.service.service, []).append(running)
        for members in groups.values():
            stop_all([r.process for r in members], self.plan.config.stop_timeout,
                     members[0].service.stop_signal)
        self.running = []

    def restart(self, name: str) -> None:
        """Restart one process (`rasa-2`) gracefully: HAProxy puts it in maintenance (no new
        requests), then its stop signal and up to `stop_timeout` to finish its requests in
        flight, then the same command again and HAProxy takes it back; returns once it answers its
        health URL and (production) HAProxy routes to it again. Restarting the replicas of a
        service one after the other is a rolling restart."""
        index = next((i for i, r in enumerate(self.running) if r.service.name == name), None)
        if index is None:
            raise KeyError(f"{name} is not running here")
        old = self.running[index]
        config = self.plan.config
        proxied = PROXY in self.names and name != PROXY
        if proxied:  # HAProxy sends it nothing new while it finishes what it has
            set_server_state(admin_socket(config), old.service.service, name, "maint")
            time.sleep(0.2)
        stop_all([old.process], config.stop_timeout, old.service.stop_signal)
        log = config.log_path(name)
        if log.exists():  # the stopped process's log stays beside the new one
            log.replace(log.with_name(log.name + ".1"))
        running = spawn(old.service, self.plan.env_of(old.service), config.root, log)
        self.running[index] = running
        wait_ready(running, config.startup_timeout)
        if proxied:
            set_server_state(admin_socket(config), old.service.service, name, "ready")
            status = self.plan.service(PROXY).health_url.rsplit("/", 1)[0] + "/stats"
            pending = wait_routed(status, [name], config.startup_timeout)
            if pending:
                raise ServiceStartError(PROXY, f"HAProxy does not route to {name} again",
                                        config.log_path(PROXY))

    def rolling_restart(self, restarted: Callable[[str], None] = lambda _name: None
                        ) -> list[str]:
        """Restart, one at a time, every replica of each service running at least two (the
        others would be gone meanwhile); `restarted` hears each name when it is back."""
        counts: dict[str, int] = {}
        for running in self.running:
            counts[running.service.service] = counts.get(running.service.service, 0) + 1
        names = [r.service.name for r in self.running
                 if r.service.group and counts[r.service.service] >= 2]
        for name in names:
            self.restart(name)
            restarted(name)
        return names

    def exited(self) -> str | None:
        """Name of a process that has ended, if any."""
        return next((r.service.name for r in self.running if r.exited()), None)

    def failed(self) -> str | None:
        """Name of a service none of whose processes runs any more (HAProxy, the web app, or
        every replica of Rasa or the action server), if any: what stops `make run`. A single
        dead replica is not: the proxy takes it out."""
        alive: dict[str, bool] = {}
        for running in self.running:
            group = running.service.service
            alive[group] = alive.get(group, False) or not running.exited()
        return next((group for group, up in alive.items() if not up), None)

    def url(self, name: str) -> str:
        """Base URL of a service as clients reach it (`http://127.0.0.1:<port>`; production:
        the proxy's port), or of one process (`rasa-2`, `proxy`) on its own port."""
        if name in SERVICE_NAMES:
            return f"http://{self.plan.config.host}:{self.plan.config.ports.of(name)}"
        return f"http://{self.plan.config.host}:{self.plan.service(name).port}"

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

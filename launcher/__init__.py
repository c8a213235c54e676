"""One way to start the assistant's processes: `make run`, the e2e tests and the benches.

    config = StackConfig(state_dir=..., ports=Ports.free())   # or make_run_config(os.environ)
    plan = plan_stack(config, without_stack_vars(os.environ))
    with Stack(plan) as stack:                                 # starts in order, waits for health
        stack.url("rasa")

Nothing happens at import time; see docs/architecture.md for the processes and their state.
"""

from launcher.config import ROOT, SERVICE_NAMES, Ports, StackConfig, make_run_config
from launcher.environment import without_stack_vars
from launcher.process import ServiceStartError
from launcher.services import Service, StackPlan, plan_stack
from launcher.stack import Stack

__all__ = [
    "ROOT",
    "SERVICE_NAMES",
    "Ports",
    "Service",
    "ServiceStartError",
    "Stack",
    "StackConfig",
    "StackPlan",
    "make_run_config",
    "plan_stack",
    "without_stack_vars",
]

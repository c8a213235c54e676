"""One way to start the assistant's processes: `make run`, the e2e tests and the benches.

    plan = plan_stack(make_run_config(os.environ), os.environ)  # make run: var/, 8100, ...
    plan = plan_isolated(tmp_dir, model=...)                    # tests: free ports, tmp_dir
    with Stack(plan) as stack:                                 # starts in order, waits for health
        stack.url("rasa")

`PROFILE=production` (StackConfig(profile="production")) starts HAProxy first on the public
ports and the replicas behind it (`rasa-1`, `actions-2`, ...; launcher/proxy.py renders its
configuration); `stack.url("rasa")` is then the proxy's address.

Nothing happens at import time; see docs/architecture.md for the processes and their state.
"""

from launcher.config import ROOT, SERVICE_NAMES, Ports, StackConfig, make_run_config
from launcher.environment import without_stack_vars
from launcher.process import ServiceStartError
from launcher.services import Service, StackPlan, plan_isolated, plan_stack
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
    "plan_isolated",
    "plan_stack",
    "without_stack_vars",
]

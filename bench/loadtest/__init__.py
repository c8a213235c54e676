"""`make loadtest` and `make faulttest`: Locust drives the assistant over the REST channel
(production profile through HAProxy, and the local profile for comparison) and the stores are
checked afterwards for lost or duplicated dossiers and hand-off requests. See
docs/loadtest.md."""

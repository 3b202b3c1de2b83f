"""Prometheus metrics: counters this process keeps, and gauges read from
the database when /metrics is scraped (so every web process reports the
same outbox)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from .store import Store

REGISTRY = CollectorRegistry(auto_describe=True)

RENDER_FAILURES = Counter(
    "syndicate_render_failures_total",
    "Outputs a renderer could not make (an unexpected error), by format.",
    ["format"],
    registry=REGISTRY,
)
VALIDATION_FAILURES = Counter(
    "syndicate_validation_failures_total",
    "Outputs refused by the gate (their schema), by format.",
    ["format"],
    registry=REGISTRY,
)
REQUESTS = Counter(
    "syndicate_http_requests_total",
    "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "syndicate_http_request_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)


def partner(url: str) -> str:
    """A subscription URL's host:port: the partner label, without paths
    that could carry tokens."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class OutboxCollector(Collector):
    """Deliveries by state and partner, outbox depth, the oldest due
    delivery's wait, and the worker heartbeat's age."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = datetime.now(UTC)
        by_state = GaugeMetricFamily(
            "syndicate_deliveries",
            "Deliveries in the outbox, by state and partner.",
            labels=["state", "partner"],
        )
        counts: dict[tuple[str, str], int] = defaultdict(int)
        depth = 0
        for state, failed, url, count in self.store.delivery_counts_by_url():
            shown = "failed" if failed else state
            counts[(shown, partner(url))] += count
            if state == "pending":
                depth += count
        for (state, who), count in sorted(counts.items()):
            by_state.add_metric([state, who], count)
        yield by_state
        yield GaugeMetricFamily(
            "syndicate_outbox_depth", "Deliveries not yet delivered or dead.", value=depth
        )
        oldest = self.store.oldest_due(now)
        yield GaugeMetricFamily(
            "syndicate_outbox_oldest_due_seconds",
            "How long the longest-waiting due delivery has been due.",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        beat = self.store.last_heartbeat()
        yield GaugeMetricFamily(
            "syndicate_worker_heartbeat_age_seconds",
            "Seconds since a worker last said it was alive (-1: never).",
            value=(now - beat).total_seconds() if beat else -1.0,
        )


def exposition(store: Store) -> bytes:
    """Everything in the Prometheus text format."""
    registry = CollectorRegistry()
    registry.register(OutboxCollector(store))
    data: bytes = generate_latest(REGISTRY) + generate_latest(registry)
    return data

"""The six benchmark applications as their real manifests and call graphs describe them.

Reads ``data/topologies/<app>.yaml`` and ``<app>.calls.json`` and adds what only people who run these apps know: the
language and framework of each service (so that error texts look like that runtime's), which services are datastores
(and which process name the kernel reports for them), the entry service that users hit, and a few request paths.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[3] / "data" / "topologies"
APPS = ("online-boutique", "sock-shop", "train-ticket", "hotel-reservation", "social-network", "bookinfo")

Obj = dict[str, Any]

# service -> runtime; anything not listed takes the app default.
LANGUAGES: dict[str, dict[str, str]] = {
    "online-boutique": {
        "_": "go",
        "cartservice": "dotnet",
        "currencyservice": "node",
        "paymentservice": "node",
        "emailservice": "python",
        "recommendationservice": "python",
        "adservice": "java",
        "loadgenerator": "python",
    },
    "sock-shop": {
        "_": "java",
        "front-end": "node",
        "catalogue": "go",
        "payment": "go",
        "user": "go",
    },
    "train-ticket": {
        "_": "java",
        "ts-ui-dashboard": "nginx",
        "ts-ticket-office-service": "node",
        "ts-news-service": "go",
    },
    "hotel-reservation": {"_": "go"},
    "social-network": {"_": "cpp", "nginx-thrift": "nginx", "media-frontend": "nginx"},
    "bookinfo": {"_": "java", "productpage": "python", "details": "ruby", "ratings": "node"},
}

ENTRY = {
    "online-boutique": "frontend",
    "sock-shop": "front-end",
    "train-ticket": "ts-ui-dashboard",
    "hotel-reservation": "frontend",
    "social-network": "nginx-thrift",
    "bookinfo": "productpage",
}

PATHS = {
    "online-boutique": ["/", "/cart", "/cart/checkout", "/product/OLJCESPC7Z", "/product/66VCHSJNUP", "/setCurrency"],
    "sock-shop": ["/catalogue", "/orders", "/cart", "/login", "/customers/57a98d98e4b00679b4a830af", "/tags"],
    "train-ticket": [
        "/api/v1/travelservice/trips/left",
        "/api/v1/preserveservice/preserve",
        "/api/v1/orderservice/order/refresh",
        "/api/v1/users/login",
        "/api/v1/foodservice/foods/2026-05-04/shanghai/suzhou/D1345",
    ],
    "hotel-reservation": ["/hotels", "/recommendations", "/user", "/reservation"],
    "social-network": [
        "/wrk2-api/post/compose",
        "/wrk2-api/home-timeline/read",
        "/wrk2-api/user-timeline/read",
        "/wrk2-api/user/follow",
    ],
    "bookinfo": ["/productpage", "/api/v1/products/0/reviews", "/api/v1/products/0/ratings"],
}

STORE_PROCESS = {"mongo": "mongod", "redis": "redis-server", "memcached": "memcached", "mysql": "mysqld"}
STORE_PROCESS_EXTRA = {"rabbitmq": "beam.smp", "db": "mongod", "consul": "consul"}


@dataclass
class App:
    """One application: its manifests, call graph and the facts above."""

    name: str
    namespace: str
    docs: list[Obj]
    calls: dict[str, list[str]]
    languages: dict[str, str] = field(default_factory=dict)

    def language(self, service: str) -> str:
        if self.is_store(service):
            return "store"
        return self.languages.get(service, self.languages["_"])

    def is_store(self, service: str) -> bool:
        return self.store_process(service) is not None

    @staticmethod
    def store_process(service: str) -> str | None:
        """The process name of a datastore service (``mongod`` ...), None for an application service."""
        for key, comm in STORE_PROCESS.items():
            if key in service:
                return comm
        if service.endswith("-db") or service == "session-db":
            return "redis-server" if service == "session-db" else ("mysqld" if "catalogue" in service else "mongod")
        if "rabbitmq" in service:
            return "beam.smp"
        return None

    @property
    def entry(self) -> str:
        return ENTRY[self.name]

    def callers(self, service: str) -> list[str]:
        return sorted(s for s, callees in self.calls.items() if service in callees and s != "loadgenerator")


def load(name: str) -> App:
    """Read one app's manifests (every non-empty document) and its call graph."""
    text = (DATA / f"{name}.yaml").read_text()
    docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind")]
    calls: dict[str, list[str]] = json.loads((DATA / f"{name}.calls.json").read_text())
    namespace = ""
    for d in docs:
        ns = (d.get("metadata") or {}).get("namespace")
        if ns:
            namespace = str(ns)
            break
    return App(name=name, namespace=namespace, docs=docs, calls=calls, languages=LANGUAGES[name])

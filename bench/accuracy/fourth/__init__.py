"""A fourth, independently written scenario generator for the accuracy benchmark.

``python -m bench.accuracy.fourth --seed S --count N --out DIR`` writes ``DIR/<name>/{topology.json, events.jsonl,
truth.json}``; the same seed gives byte-identical files (one ``random.Random(f"fourth:{seed}:{index}")`` per
scenario, sorted JSON keys). It was written without looking at the other generators, so that its conventions are
its own. They are:

Cluster (``cluster``)
  * one of four provider styles per scenario: AKS (``aks-nodepool1-<8 digits>-vmss00000N``, kubenet 10.244/16,
    services 10.0/16), EKS (``ip-10-0-x-y.eu-west-1.compute.internal``, VPC CNI: pod IPs in the node's subnet),
    GKE (``gke-prod-default-pool-<hex>-<4>``) and bare metal (``worker-NN``, RKE2 ranges); 3-6 nodes;
  * app workloads from the real manifests; datastores become StatefulSets in half the scenarios; entry services
    run 2-3 replicas, others 1-3; every pod carries the projected ``kube-api-access-*`` volume (which references
    the ``kube-root-ca.crt`` ConfigMap, as in real clusters); ConfigMaps referenced by the manifests are created,
    and operators' additions are modelled: ``<svc>-config`` mounted as a directory by 2-4 services and a
    ``<app>-shared-env`` read by ``envFrom``; datastore credentials Secrets read through ``secretKeyRef``;
  * kube-system: kube-proxy (host network: its pod IP is the node IP) and a provider agent DaemonSet, CoreDNS
    behind ``kube-dns``; one or two HPAs; hotel-reservation's PVs and PVCs, bound.

Inputs (``records``)
  * Kubernetes Events in core/v1 or events.k8s.io/v1 (a per-scenario mix: all core except the scheduler, mixed, or
    all events.k8s.io with ``deprecatedSource``); repeated occurrences update the same object (``count`` /
    ``series``) with a new resourceVersion, one line per update; Node events live in namespace ``default``;
  * four collectors with their own id styles: eBPF agent (hex or ``<source>-<sec>-<hex>`` ids, nanosecond times,
    uids in ``k8s_context``; its socket events carry IPs only), OpenTelemetry spans (UUID ids, names without uids),
    a log shipper (ULIDs, millisecond times, uids), a metrics anomaly detector (prefixed ids, names only);
  * recorded watch changes for rollouts, ConfigMap edits, restarts (pod status with ``lastState.OOMKilled``), node
    condition changes, and new ReplicaSets/Pods (those two are routine: context, not symptoms);
  * delivery disorder: collectors 0.15-4.8 s late, Events 0-1.5 s, watch 0-0.7 s; the file is in delivery order.

Faults (``faults``): symptoms lag their cause by 0.3-6 s at the first hop and 2-25 s more per hop up the call
graph, up to the entry's 5xx; 25-60 % of requests are traced (a trace id follows the whole path); the first two
faults always overlap. Node faults may have no node-level event at all (``variant: no_node_event``); a network
loss shows up mostly as IP-only socket timeouts; a NotReady node's callers fail ~40 s before the node controller
says so; an OOM kill may be seen by the eBPF agent, the pod's status change, and/or node-problem-detector's
``OOMKilling`` on the Node; recurring OOMs every 4-9 minutes share one BackOff Event, listed as context.

Truth (``signals.Incident``): ``event_ids`` are the root and the warning-level symptoms and changes; routine
Normal events and new-object watch changes are context; the root resource is the thing a person fixes.
``warning_events`` counts every warning-level event and every change in an incident.

Noise (``background``): chronic warnings for the whole run and 2-5 near-incident warnings per incident on its
nodes, services and workloads; all in ``noise_event_ids``.
"""

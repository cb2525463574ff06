#!/usr/bin/python3
"""A protocol-faithful stand-in for kube-apiserver, for tests (no real one can run here).

Serves core/v1 Services, Nodes and Events and discovery.k8s.io/v1 EndpointSlices the way the
real server does on the wire: discovery documents (/api, /apis, /api/v1, ...) so that kubectl
works against it; LIST with limit/continue and a list resourceVersion; WATCH (watch=1) as a
chunked stream of newline-separated JSON events, each event deliberately split across two HTTP
chunks, BOOKMARK events when allowWatchBookmarks=true, timeoutSeconds; create (POST), replace
(PUT), delete (DELETE) and merge-patch (PATCH, also on /status). resourceVersions are one
global counter, as etcd's revision is. An EndpointSlice written without the
endpoints.kubernetes.io/last-change-trigger-time annotation gets it (the write's time), as the
EndpointSlice controller stamps every slice it writes; one that carries it keeps its own.

Test controls (not Kubernetes API):
  POST /fake/compact?mode=http|stream  history before now is gone: watches and continue tokens
        from before answer 410 (mode http: as the HTTP status of the next watch; mode stream:
        an ERROR event with code 410, also sent at once to every open watch)
  POST /fake/drop           cut every open watch connection without ending the chunked body
  POST /fake/fault?name=F&n=N[&on=list|watch][&after=A]  the next N LIST or WATCH requests
        that fault F applies to (or only those of `on`), after the first A of them, get F (the
        faults are listed in FAULTS below); queued faults are served in order
  POST /fake/chaos?faults=F1,F2|all&every=K[&mode=sequence|random][&seed=S][&retry_after=S]
        from now on every K-th LIST or WATCH request gets the next fault of the list in turn
        (a fault that does not apply to a request waits for one it applies to); mode random:
        each request gets a fault with probability 1/K, picked at random (seeded); faults=
        empty turns chaos off. Writes and the test controls are never faulted.
  POST /fake/fail-patches?n=N&code=C  the next N PATCH requests answer C (default 500) and
        change nothing
  POST /fake/patch-delay?ms=M  every PATCH waits M ms before it is served (a slow server)
  GET  /fake/stats          counters (lists, watches, patches, events, injected faults) as JSON
  GET  /fake/requests       the last LIST and WATCH requests: time, verb, resource, fault

Usage: fake_apiserver.py --port N [--state FILE] [--start-rv N] [--bookmark-interval S]
                         [--token-file FILE] [--tls-cert PEM --tls-key PEM]
                         [--chaos QUERY]   (QUERY as for /fake/chaos, e.g. "faults=all&every=3")
With --token-file every request must carry "Authorization: Bearer <the file's content>", read
at each request (so a test can rotate it), or gets 401.
With --state the objects survive a restart; --start-rv lets the restarted server continue
with newer resourceVersions, as a restored etcd does.
"""

import argparse
import base64
import collections
import copy
import datetime
import json
import queue
import random
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESOURCES = {
    # plural: (group-version path, kind, namespaced)
    "services": ("/api/v1", "Service", True),
    "nodes": ("/api/v1", "Node", False),
    "events": ("/api/v1", "Event", True),
    "endpointslices": ("/apis/discovery.k8s.io/v1", "EndpointSlice", True),
}
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
API_VERSION = {"/api/v1": "v1", "/apis/discovery.k8s.io/v1": "discovery.k8s.io/v1"}

BOTH = ("list", "watch")
# What can go wrong with a LIST or WATCH: name → (requests it applies to, what the fake does).
FAULTS = {
    "cut": (BOTH, "the answer stops halfway (a LIST body, or a WATCH in the middle of an event) "
                  "and the connection closes"),
    "hang": (BOTH, "the request is accepted and never answered"),
    "gone": (BOTH, "410 Gone as the status (an expired resourceVersion or continue token)"),
    "gone-stream": (("watch",), "200, then an ERROR event with code 410"),
    "empty": (("watch",), "200 and an empty body, ended at once (a server shutting down)"),
    "unauthorized": (BOTH, "401 (an expired token)"),
    "429": (BOTH, "429 Too Many Requests without Retry-After"),
    "429-retry": (BOTH, "429 Too Many Requests with Retry-After"),
    "500": (BOTH, "500 without Retry-After"),
    "500-retry": (BOTH, "500 with Retry-After"),
    "503": (BOTH, "503 without Retry-After"),
    "503-retry": (BOTH, "503 with Retry-After"),
    "restart": (BOTH, "the connection closes unanswered and the server is as after a restart: "
                      "resourceVersions jump ahead, older ones are gone (410), watches are cut"),
}
# The faults answered with a Status: name → (code, reason, with Retry-After).
STATUS_FAULTS = {
    "gone": (410, "Expired", False), "unauthorized": (401, "Unauthorized", False),
    "429": (429, "TooManyRequests", False), "429-retry": (429, "TooManyRequests", True),
    "500": (500, "InternalError", False), "500-retry": (500, "InternalError", True),
    "503": (503, "ServiceUnavailable", False), "503-retry": (503, "ServiceUnavailable", True),
}


class Cut(Exception):
    """A watch stream cut in the middle of an event (fault "cut")."""


class Chaos:
    """Which LIST and WATCH requests get which fault (see /fake/chaos and /fake/fault)."""

    def __init__(self):
        self.queue = []  # one-shot faults, served in order: [name, kinds, requests to let by]
        self.faults = []
        self.every = 1
        self.mode = "sequence"
        self.rng = random.Random(1)
        self.retry_after = "1"
        self.seen = 0
        self.next = 0
        self.due = False

    def configure(self, q):
        names = [f for f in q.get("faults", "").split(",") if f]
        if names == ["all"]:
            names = list(FAULTS)
        unknown = [f for f in names if f not in FAULTS]
        if unknown:
            raise ValueError("unknown faults: " + ",".join(unknown))
        self.faults = names
        self.every = max(1, int(q.get("every", "1")))
        self.mode = q.get("mode", "sequence")
        self.rng = random.Random(int(q.get("seed", "1")))
        self.retry_after = q.get("retry_after", "1")
        self.seen, self.next, self.due = 0, 0, False

    def take(self, kind):
        """The fault for this request (kind "list" or "watch"), or None. Under the store lock."""
        for i, (name, kinds, after) in enumerate(self.queue):
            if kind in kinds:
                if after > 0:
                    self.queue[i][2] -= 1
                    return None
                del self.queue[i]
                return name
        if not self.faults:
            return None
        self.seen += 1
        if self.mode == "random":
            if self.rng.random() * self.every >= 1:
                return None
            fit = [f for f in self.faults if kind in FAULTS[f][0]]
            return self.rng.choice(fit) if fit else None
        self.due = self.due or self.seen % self.every == 0
        name = self.faults[self.next % len(self.faults)]
        if not self.due or kind not in FAULTS[name][0]:
            return None
        self.due = False
        self.next += 1
        return name


class Store:
    def __init__(self, start_rv, state_file):
        self.lock = threading.Lock()
        self.rv = start_rv
        self.objects = {r: {} for r in RESOURCES}
        self.compacted = 0  # watches and continue tokens from before this rv get 410
        self.expire_mode = "http"
        self.watchers = []  # (resource, namespace, queue, socket)
        self.history = []   # (rv, resource, namespace, event): what a watch from an rv replays
        self.chaos = Chaos()
        self.requests = collections.deque(maxlen=5000)  # (time, verb, resource, fault)
        self.fail_patches = (0, 500)
        self.patch_delay = 0.0
        self.stats = {"lists": 0, "watches": 0, "patches": 0, "events": 0, "puts": 0,
                      "patch_failures": 0, "injected": {}}
        self.state_file = state_file
        self.dirty = False
        self.uid = 0
        if state_file:
            try:
                with open(state_file) as f:
                    saved = json.load(f)
                self.objects.update(saved["objects"])
                self.rv = max(self.rv, saved["rv"] + 1)
                # A restored server has no watch history: everything older is compacted.
                self.compacted = self.rv
            except FileNotFoundError:
                pass

    def save(self):
        """Marks the state dirty; a writer thread persists it within 0.2 s (writing the whole
        store on every change would make a 10,000-object server crawl)."""
        self.dirty = True

    def persist_forever(self):
        import os
        while self.state_file:
            time.sleep(0.2)
            with self.lock:
                if not self.dirty:
                    continue
                text = json.dumps({"rv": self.rv, "objects": self.objects})
                self.dirty = False
            with open(self.state_file + ".tmp", "w") as f:
                f.write(text)
            os.replace(self.state_file + ".tmp", self.state_file)

    def bump(self, obj):
        self.rv += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        return self.rv

    def fault_for(self, verb, resource):
        """Counts a LIST or WATCH request and picks its fault. Under the lock."""
        self.stats["lists" if verb == "list" else "watches"] += 1
        fault = self.chaos.take(verb)
        if fault:
            self.stats["injected"][fault] = self.stats["injected"].get(fault, 0) + 1
        self.requests.append((time.time(), verb, resource, fault or ""))
        return fault

    def restart(self):
        """What a client sees of a restarted API server: newer resourceVersions, no history
        (older ones answer 410), every open watch cut. Under the lock."""
        self.rv += 10000
        self.compacted = self.rv
        self.history.clear()
        self.cut_watches()

    def cut_watches(self):
        """Every open watch connection ends without its chunked body ending. Under the lock."""
        for (_r, _ns, wq, sock) in self.watchers:
            wq.put({"type": "DROP"})
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def notify(self, resource, etype, obj):
        ns = obj["metadata"].get("namespace", "")
        self.history.append((self.rv, resource, ns,
                             {"type": etype, "object": copy.deepcopy(obj)}))
        for (r, wns, q, _sock) in list(self.watchers):
            if r == resource and (wns is None or wns == ns):
                q.put({"type": etype, "object": copy.deepcopy(obj)})


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def discovery():
    core = []
    for plural, (gv, kind, namespaced) in RESOURCES.items():
        if gv != "/api/v1":
            continue
        core.append({"name": plural, "singularName": kind.lower(), "namespaced": namespaced,
                     "kind": kind, "verbs": ["create", "delete", "get", "list", "patch", "update",
                                             "watch"],
                     "shortNames": {"services": ["svc"], "nodes": ["no"], "events": ["ev"]}[plural]})
        if plural == "services":
            core.append({"name": "services/status", "singularName": "", "namespaced": True,
                         "kind": "Service", "verbs": ["get", "patch", "update"]})
    disc = [{"name": "endpointslices", "singularName": "endpointslice", "namespaced": True,
             "kind": "EndpointSlice",
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}]
    return {
        "/api": {"kind": "APIVersions", "versions": ["v1"],
                 "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                 "serverAddress": "127.0.0.1:6443"}]},
        "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": "discovery.k8s.io",
             "versions": [{"groupVersion": "discovery.k8s.io/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "discovery.k8s.io/v1", "version": "v1"}}]},
        "/apis/discovery.k8s.io": {
            "kind": "APIGroup", "apiVersion": "v1", "name": "discovery.k8s.io",
            "versions": [{"groupVersion": "discovery.k8s.io/v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": "discovery.k8s.io/v1", "version": "v1"}},
        "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": core},
        "/apis/discovery.k8s.io/v1": {"kind": "APIResourceList",
                                      "apiVersion": "v1",
                                      "groupVersion": "discovery.k8s.io/v1", "resources": disc},
        "/version": {"major": "1", "minor": "29", "gitVersion": "v1.29.0-sluice-fake",
                     "platform": "linux/amd64"},
    }


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    out = dict(target)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def parse_path(path):
    """→ (resource, namespace or None, name or None, subresource or None) or None."""
    for gv in ("/api/v1", "/apis/discovery.k8s.io/v1"):
        if not path.startswith(gv + "/"):
            continue
        parts = path[len(gv) + 1:].split("/")
        ns = None
        if parts[0] == "namespaces" and len(parts) >= 3:
            ns, parts = parts[1], parts[2:]
        if not parts or parts[0] not in RESOURCES or RESOURCES[parts[0]][0] != gv:
            return None
        name = parts[1] if len(parts) > 1 else None
        sub = parts[2] if len(parts) > 2 else None
        return parts[0], ns, name, sub
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    store = None
    bookmark_interval = 1.0
    token_file = None

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-apiserver: " + (fmt % args) + "\n")

    def send_json(self, code, obj, headers=None, cut=False):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if cut:  # half the promised body, then the connection goes
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.drop_connection()
            return
        self.wfile.write(body)

    def drop_connection(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def hang(self):
        """Accepted, never answered: held until the client gives up and closes."""
        self.close_connection = True
        try:
            self.connection.settimeout(600)
            while self.connection.recv(4096):
                pass
        except OSError:
            pass

    def injected(self, fault):
        """Answers a request with a fault that ends it at once; False for the faults the list
        or watch itself carries out (cut, gone-stream, empty)."""
        if fault in STATUS_FAULTS:
            code, reason, retry = STATUS_FAULTS[fault]
            headers = {"Retry-After": self.store.chaos.retry_after} if retry else {}
            if code == 401:
                self.close_connection = True
            self.send_json(code, status(code, reason, f"injected fault {fault}"), headers)
            return True
        if fault == "hang":
            self.hang()
            return True
        if fault == "restart":
            with self.store.lock:
                self.store.restart()
            self.drop_connection()
            return True
        return False

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw else None

    def authorized(self):
        if not self.token_file:
            return True
        with open(self.token_file) as f:
            want = "Bearer " + f.read().strip()
        if self.headers.get("Authorization", "") == want:
            return True
        self.close_connection = True  # the unread request body must not be taken for a request
        self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        return False

    def parse_request(self):
        # Every API request checks the token first; an unauthorised one never reaches do_X.
        if not super().parse_request():
            return False
        if self.path.startswith("/fake/"):
            return True
        return self.authorized()

    # ---- routing
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        docs = discovery()
        if url.path in docs:
            return self.send_json(200, docs[url.path])
        if url.path == "/fake/stats":
            with self.store.lock:
                stats = copy.deepcopy(self.store.stats)
            return self.send_json(200, stats)
        if url.path == "/fake/requests":
            with self.store.lock:
                log = [{"t": t, "verb": v, "resource": r, "fault": f}
                       for (t, v, r, f) in self.store.requests]
            return self.send_json(200, log)
        p = parse_path(url.path)
        if p is None:
            return self.send_json(404, status(404, "NotFound", "the server could not find the "
                                              "requested resource"))
        resource, ns, name, _sub = p
        if name is not None:
            with self.store.lock:
                obj = self.store.objects[resource].get(f"{ns or ''}/{name}")
            if obj is None:
                return self.send_json(404, status(404, "NotFound",
                                                  f'{resource} "{name}" not found'))
            return self.send_json(200, obj)
        verb = "watch" if q.get("watch") in ("1", "true") else "list"
        with self.store.lock:
            fault = self.store.fault_for(verb, resource)
        if self.injected(fault):
            return None
        if verb == "watch":
            return self.watch(resource, ns, q, fault)
        return self.list(resource, ns, q, fault)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path.startswith("/fake/"):
            return self.control(url.path, q)
        p = parse_path(url.path)
        if p is None or p[2] is not None:
            return self.send_json(405, status(405, "MethodNotAllowed", "POST a collection"))
        resource, ns, _, _ = p
        obj = self.body()
        meta = obj.setdefault("metadata", {})
        if "generateName" in meta and "name" not in meta:
            self.store.uid += 1
            meta["name"] = meta["generateName"] + f"{self.store.uid:05d}"
        if ns:
            meta["namespace"] = ns
        with self.store.lock:
            key = f"{meta.get('namespace', '')}/{meta['name']}"
            if key in self.store.objects[resource]:
                return self.send_json(409, status(409, "AlreadyExists",
                                                  f'{resource} "{meta["name"]}" already exists'))
            self.fill(resource, obj)
            self.store.bump(obj)
            self.store.objects[resource][key] = obj
            self.store.notify(resource, "ADDED", obj)
            if resource == "events":
                self.store.stats["events"] += 1
            self.store.save()
        self.send_json(201, obj)

    def do_PUT(self):
        p = parse_path(urllib.parse.urlsplit(self.path).path)
        if p is None or p[2] is None:
            return self.send_json(405, status(405, "MethodNotAllowed", "PUT an object"))
        resource, ns, name, _ = p
        obj = self.body()
        obj.setdefault("metadata", {})["name"] = name
        if ns:
            obj["metadata"]["namespace"] = ns
        with self.store.lock:
            key = f"{ns or ''}/{name}"
            old = self.store.objects[resource].get(key)
            self.fill(resource, obj, old)
            self.store.bump(obj)
            self.store.objects[resource][key] = obj
            self.store.notify(resource, "MODIFIED" if old else "ADDED", obj)
            self.store.stats["puts"] += 1
            self.store.save()
        self.send_json(200 if old else 201, obj)

    def do_PATCH(self):
        p = parse_path(urllib.parse.urlsplit(self.path).path)
        if p is None or p[2] is None:
            return self.send_json(405, status(405, "MethodNotAllowed", "PATCH an object"))
        resource, ns, name, sub = p
        ctype = self.headers.get("Content-Type", "")
        if "merge-patch" not in ctype:
            return self.send_json(415, status(415, "UnsupportedMediaType",
                                              "only merge patches are served: " + ctype))
        patch = self.body()
        if self.store.patch_delay:
            time.sleep(self.store.patch_delay)
        with self.store.lock:
            n, code = self.store.fail_patches
            if n > 0:
                self.store.fail_patches = (n - 1, code)
                self.store.stats["patch_failures"] += 1
                return self.send_json(code, status(code, "InternalError", "injected failure"))
            key = f"{ns or ''}/{name}"
            old = self.store.objects[resource].get(key)
            if old is None:
                return self.send_json(404, status(404, "NotFound", f'{resource} "{name}" not found'))
            if sub == "status":  # the status subresource changes status only
                patch = {"status": patch.get("status")} if isinstance(patch, dict) else {}
            obj = merge_patch(old, patch)
            self.store.bump(obj)
            self.store.objects[resource][key] = obj
            self.store.notify(resource, "MODIFIED", obj)
            self.store.stats["patches"] += 1
            self.store.save()
        self.send_json(200, obj)

    def do_DELETE(self):
        p = parse_path(urllib.parse.urlsplit(self.path).path)
        if p is None or p[2] is None:
            return self.send_json(405, status(405, "MethodNotAllowed", "DELETE an object"))
        resource, ns, name, _ = p
        self.body()  # DeleteOptions (propagationPolicy, ...): read so the connection stays framed
        with self.store.lock:
            obj = self.store.objects[resource].pop(f"{ns or ''}/{name}", None)
            if obj is None:
                return self.send_json(404, status(404, "NotFound", f'{resource} "{name}" not found'))
            self.store.bump(obj)
            self.store.notify(resource, "DELETED", obj)
            self.store.save()
        self.send_json(200, obj)

    def fill(self, resource, obj, old=None):
        gv, kind, _ = RESOURCES[resource]
        obj["kind"] = kind
        obj["apiVersion"] = API_VERSION[gv]
        meta = obj["metadata"]
        if resource == "endpointslices":
            stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            meta.setdefault("annotations", {}).setdefault(TRIGGER_TIME, stamp)
        meta.setdefault("uid", (old or {}).get("metadata", {}).get("uid")
                        or f"uid-{random.getrandbits(48):012x}")
        meta.setdefault("creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))

    # ---- list and watch
    def list(self, resource, ns, q, fault=None):
        st = self.store
        with st.lock:
            items = sorted((k, v) for k, v in st.objects[resource].items()
                           if ns is None or v["metadata"].get("namespace") == ns)
            rv, start = st.rv, 0
            if q.get("continue"):
                tok = json.loads(base64.b64decode(q["continue"]))
                rv, start = tok["rv"], tok["start"]
                if rv < st.compacted:
                    return self.send_json(410, status(410, "Expired",
                                                      "The provided continue parameter is too old "
                                                      "to display a consistent list result."))
        limit = int(q.get("limit") or 0)
        page = items[start:start + limit] if limit else items[start:]
        out = []
        for _k, v in page:
            v = copy.deepcopy(v)
            v.pop("kind", None)
            v.pop("apiVersion", None)
            out.append(v)
        meta = {"resourceVersion": str(rv)}
        if limit and start + limit < len(items):
            meta["continue"] = base64.b64encode(
                json.dumps({"rv": rv, "start": start + limit}).encode()).decode()
            meta["remainingItemCount"] = len(items) - start - limit
        gv, kind, _ = RESOURCES[resource]
        self.send_json(200, {"kind": kind + "List", "apiVersion": API_VERSION[gv],
                             "metadata": meta, "items": out}, cut=fault == "cut")

    def chunk(self, data: bytes):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def send_event(self, ev, cut_here=False):
        data = (json.dumps(ev) + "\n").encode()
        cut = random.randint(1, len(data) - 1)  # an event never matches a chunk
        self.chunk(data[:cut])
        if cut_here:
            raise Cut()
        self.chunk(data[cut:])

    def watch(self, resource, ns, q, fault=None):
        st = self.store
        rv_text = q.get("resourceVersion", "")
        timeout = float(q.get("timeoutSeconds") or 1800)
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true")
        field = q.get("fieldSelector", "")
        only_name = field[len("metadata.name="):] if field.startswith("metadata.name=") else None
        wq = queue.Queue()
        with st.lock:
            rv = int(rv_text) if rv_text.isdigit() else 0
            too_old = rv_text not in ("", "0") and rv < st.compacted
            if too_old and st.expire_mode == "http":
                return self.send_json(410, status(410, "Expired",
                                                  f"too old resource version: {rv} ({st.compacted})"))
            # Events after the requested version are replayed first, as etcd's watch does.
            initial = [copy.deepcopy(ev) for (erv, r, ens, ev) in st.history
                       if erv > rv and r == resource and (ns is None or ens == ns)
                       and rv_text not in ("", "0")]
            if rv_text in ("", "0"):  # "any": start with the current state as ADDED events
                initial = [{"type": "ADDED", "object": copy.deepcopy(v)}
                           for _k, v in sorted(st.objects[resource].items())
                           if ns is None or v["metadata"].get("namespace") == ns]
            entry = (resource, ns, wq, self.connection)
            st.watchers.append(entry)
            current = st.rv
        kind = RESOURCES[resource][1]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        cut = fault == "cut"  # the first event (or bookmark) is sent only in part
        try:
            if too_old or fault == "gone-stream":  # the real server's answer to a compacted rv
                self.send_event({"type": "ERROR", "object": status(
                    410, "Expired", f"too old resource version: {rv} ({st.compacted})")})
                self.chunk(b"")
                return
            if fault == "empty":
                self.chunk(b"")
                return
            for ev in initial:
                self.send_event(ev, cut)
            end = time.monotonic() + timeout
            next_bookmark = time.monotonic() + self.bookmark_interval
            while True:
                now = time.monotonic()
                if now >= end:
                    break
                try:
                    ev = wq.get(timeout=max(0.01, min(end, next_bookmark) - now))
                except queue.Empty:
                    ev = None
                if ev is not None:
                    if ev.get("type") == "DROP":
                        return  # no terminating chunk: the client sees a cut stream
                    if ev.get("type") != "ERROR" and only_name and \
                            ev["object"]["metadata"]["name"] != only_name:
                        continue
                    self.send_event(ev, cut)
                    if ev.get("type") == "ERROR":
                        break
                    current = int(ev["object"]["metadata"]["resourceVersion"])
                if bookmarks and time.monotonic() >= next_bookmark:
                    with st.lock:
                        current = max(current, st.rv)
                    self.send_event({"type": "BOOKMARK", "object": {
                        "kind": kind, "apiVersion": API_VERSION[RESOURCES[resource][0]],
                        "metadata": {"resourceVersion": str(current)}}}, cut)
                    next_bookmark = time.monotonic() + self.bookmark_interval
            self.chunk(b"")
        except Cut:
            self.drop_connection()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            with st.lock:
                if entry in st.watchers:
                    st.watchers.remove(entry)
            self.close_connection = True

    # ---- test controls
    def control(self, path, q):
        st = self.store
        with st.lock:
            if path == "/fake/compact":
                st.expire_mode = q.get("mode", "http")
                st.compacted = st.rv + 1
                st.history.clear()
                if st.expire_mode == "stream":
                    for (_r, _ns, wq, _s) in st.watchers:
                        wq.put({"type": "ERROR", "object": status(
                            410, "Expired", "too old resource version (compacted)")})
            elif path == "/fake/drop":
                st.cut_watches()
            elif path == "/fake/fault":
                name = q.get("name", "")
                if name not in FAULTS:
                    return self.send_json(400, status(400, "BadRequest", "unknown fault " + name))
                kinds = tuple(k for k in FAULTS[name][0] if q.get("on", k) == k)
                after = int(q.get("after", "0"))
                st.chaos.queue += [[name, kinds, after if i == 0 else 0]
                                   for i in range(int(q.get("n", "1")))]
            elif path == "/fake/chaos":
                try:
                    st.chaos.configure(q)
                except ValueError as e:
                    return self.send_json(400, status(400, "BadRequest", str(e)))
            elif path == "/fake/fail-patches":
                st.fail_patches = (int(q.get("n", "1")), int(q.get("code", "500")))
            elif path == "/fake/patch-delay":
                st.patch_delay = int(q.get("ms", "0")) / 1000.0
            else:
                return self.send_json(404, status(404, "NotFound", path))
            rv = st.rv
        self.send_json(200, {"resourceVersion": str(rv)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--state")
    ap.add_argument("--start-rv", type=int, default=1000)
    ap.add_argument("--bookmark-interval", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--token-file")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM) ...")
    ap.add_argument("--tls-key", help="... and key; kubectl sends tokens only over HTTPS")
    ap.add_argument("--chaos", help='faults from the start, as /fake/chaos takes them: '
                                    '"faults=all&every=3&seed=7"')
    a = ap.parse_args()
    random.seed(a.seed)
    Handler.store = Store(a.start_rv, a.state)
    if a.chaos:
        Handler.store.chaos.configure(dict(urllib.parse.parse_qsl(a.chaos)))
    threading.Thread(target=Handler.store.persist_forever, daemon=True).start()
    Handler.bookmark_interval = a.bookmark_interval
    Handler.token_file = a.token_file
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer((a.address, a.port), Handler)
    if a.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    sys.stderr.write(f"fake-apiserver: listening on {a.address}:{a.port} rv={Handler.store.rv}\n")
    srv.serve_forever()


if __name__ == "__main__":
    main()

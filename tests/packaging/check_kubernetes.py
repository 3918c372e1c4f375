"""Checks deploy/kubernetes/: every file parses as YAML; the kustomization lists them all; the
Deployment runs 3 `kpipe transform --in user-login --out processed-login` replicas with options
kpipe has, probes on /healthz and /readyz at the metrics port, Prometheus scrape annotations,
KPIPE_CONFIG at the mounted ConfigMap's settings file (the example pipeline), and secrets that
the settings reference (env:NAME, @/path) are provided by the Secret.
Usage: check_kubernetes.py KPIPE_BIN MANIFEST_DIR EXAMPLE_SETTINGS"""

import glob
import os
import re
import sys
import tomllib

import yaml

import kpipe_help

KPIPE, MANIFESTS, EXAMPLE_SETTINGS = sys.argv[1:4]
METRICS_PORT = 9464
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)


def help_options(*args):
    return kpipe_help.help_options(KPIPE, *args)


documents = {}
for path in sorted(glob.glob(os.path.join(MANIFESTS, "*.yaml"))):
    with open(path) as f:
        try:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except yaml.YAMLError as error:
            failures.append("%s: %s" % (path, error))
            continue
    for doc in docs:
        expect(isinstance(doc, dict) and "kind" in doc and "apiVersion" in doc,
               "%s: a document without kind/apiVersion" % path)
    documents[os.path.basename(path)] = docs

by_kind = {}
for name, docs in documents.items():
    for doc in docs:
        by_kind.setdefault(doc.get("kind"), []).append(doc)
for kind in ("Kustomization", "Deployment", "ConfigMap", "Secret"):
    expect(len(by_kind.get(kind, [])) == 1, "expected one %s, found %d"
           % (kind, len(by_kind.get(kind, []))))
if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)

kustomization = by_kind["Kustomization"][0]
expect(sorted(kustomization.get("resources", [])) ==
       sorted(n for n in documents if n != "kustomization.yaml"),
       "kustomization resources %r do not list every manifest" % kustomization.get("resources"))

deployment = by_kind["Deployment"][0]
config_map = by_kind["ConfigMap"][0]
secret = by_kind["Secret"][0]
spec = deployment["spec"]
pod = spec["template"]
expect(spec.get("replicas") == 3, "replicas: %r" % spec.get("replicas"))
expect(spec["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items(),
       "the selector does not match the pod labels")

annotations = pod["metadata"].get("annotations", {})
expect(annotations.get("prometheus.io/scrape") == "true", "prometheus.io/scrape")
expect(annotations.get("prometheus.io/port") == str(METRICS_PORT), "prometheus.io/port")
expect(annotations.get("prometheus.io/path") == "/metrics", "prometheus.io/path")

containers = pod["spec"]["containers"]
expect(len(containers) == 1, "one container expected")
container = containers[0]
args = container.get("args", [])
expect(args[:5] == ["transform", "--in", "user-login", "--out", "processed-login"],
       "args do not start with the seed pipeline's command: %r" % args)
known = help_options() | help_options("transform")
for arg in args:
    if arg.startswith("-"):
        name = arg.split("=", 1)[0]
        expect(name in known, "container arg %s is not a kpipe option" % name)
metrics_index = args.index("--metrics") if "--metrics" in args else -1
expect(metrics_index >= 0 and args[metrics_index + 1] == "0.0.0.0:%d" % METRICS_PORT,
       "--metrics 0.0.0.0:%d missing" % METRICS_PORT)
ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
expect(METRICS_PORT in ports.values(), "the container does not declare port %d" % METRICS_PORT)


def probe_port(probe):
    port = probe.get("httpGet", {}).get("port")
    return ports.get(port, port)


for probe_name, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
    probe = container.get(probe_name, {})
    expect(probe.get("httpGet", {}).get("path") == path, "%s path is not %s" % (probe_name, path))
    expect(probe_port(probe) == METRICS_PORT, "%s port is not %d" % (probe_name, METRICS_PORT))

# KPIPE_CONFIG names the mounted settings file, and its pipeline is the example's.
env = {e["name"]: e for e in container.get("env", [])}
config_path = env.get("KPIPE_CONFIG", {}).get("value")
volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
mounted_config = None
secret_dirs = []
for mount in container.get("volumeMounts", []):
    volume = volumes.get(mount["name"], {})
    if volume.get("configMap", {}).get("name") == config_map["metadata"]["name"]:
        key = mount.get("subPath")
        if mount["mountPath"] == config_path and key:
            mounted_config = key
        elif key is None and os.path.dirname(config_path or "") == mount["mountPath"]:
            mounted_config = os.path.basename(config_path)
    if volume.get("secret", {}).get("secretName") == secret["metadata"]["name"]:
        secret_dirs.append(mount["mountPath"])
expect(mounted_config in config_map.get("data", {}),
       "KPIPE_CONFIG=%r is not a mounted key of the ConfigMap" % config_path)
if mounted_config in config_map.get("data", {}):
    settings = tomllib.loads(config_map["data"][mounted_config])
    with open(EXAMPLE_SETTINGS, "rb") as f:
        example = tomllib.load(f)
    expect(settings.get("pipelines") == example.get("pipelines"),
           "the ConfigMap's pipelines differ from %s" % EXAMPLE_SETTINGS)
    secret_keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
    for profile in settings.get("profiles", {}).values():
        for name, value in profile.get("properties", {}).items():
            if not isinstance(value, str):
                continue
            if value.startswith("env:"):
                variable = env.get(value[4:], {})
                ref = variable.get("valueFrom", {}).get("secretKeyRef", {})
                expect(ref.get("name") == secret["metadata"]["name"] and ref.get("key")
                       in secret_keys, "%s = %s: not set from the Secret" % (name, value))
            elif value.startswith("@"):
                directory, key = os.path.split(value[1:])
                expect(directory in secret_dirs and key in secret_keys,
                       "%s = %s: not a file of the mounted Secret" % (name, value))
            elif re.search(r"password|secret|token", name):
                failures.append("%s holds a literal value in the ConfigMap" % name)

for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)

"""deploy/kubernetes: every manifest parses; each kustomization renders (with kubectl kustomize
where kubectl is installed, and always with the small renderer below, which covers what these
kustomizations use); and the rendered objects keep their promises: probes on the ports strata
listens on, a strata.json that passes `strata serve --check-config`, one image reference, every
Secret a pod uses present, hardened containers, a cluster budget inside its volume and a
disruption budget over its replicas, a node cache on the host sized at 80 % of its disk, the
node script shipped as written."""
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KUBE = os.path.join(REPO_ROOT, "deploy", "kubernetes")
STRATA = os.environ.get("STRATA_BIN", os.path.join(REPO_ROOT, "build", "strata"))
KUSTOMIZATIONS = ["cluster", "node", "node/host-network", "node/two-tier", "configure-nodes"]
IMAGE = "registry.example.org/strata:0.1.0"


def merge(base, patch):
    """A strategic merge of the simple kind these patches need: maps merged, the rest replaced."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def render(directory):
    """The objects a kustomization directory produces: resources (files or directories),
    configMapGenerator files, images, namespace and patches by kind and name."""
    with open(os.path.join(directory, "kustomization.yaml")) as f:
        k = yaml.safe_load(f)
    objects = []
    for resource in k.get("resources", []):
        path = os.path.join(directory, resource)
        if os.path.isdir(path):
            objects += render(path)
        else:
            with open(path) as f:
                objects += [d for d in yaml.safe_load_all(f) if d]
    for generator in k.get("configMapGenerator", []):
        data = {}
        for name in generator["files"]:
            with open(os.path.join(directory, name)) as f:
                data[os.path.basename(name)] = f.read()
        if generator.get("behavior") == "replace":
            objects = [o for o in objects if (o["kind"], o["metadata"]["name"]) != ("ConfigMap", generator["name"])]
        objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data})
    for patch in k.get("patches", []):
        with open(os.path.join(directory, patch["path"])) as f:
            p = yaml.safe_load(f)
        for o in objects:
            if (o["kind"], o["metadata"]["name"]) == (p["kind"], p["metadata"]["name"]):
                merge(o, {key: v for key, v in p.items() if key != "metadata"})
    for image in k.get("images", []):
        for c in containers(objects):
            if c["image"] == image["name"]:
                c["image"] = "%s:%s" % (image["newName"], image["newTag"])
    if "namespace" in k:
        for o in objects:
            if o["kind"] != "Namespace":
                o["metadata"]["namespace"] = k["namespace"]
    return objects


def config_map(objects, key):
    """The data under key of the ConfigMap holding it."""
    return next(o["data"][key] for o in objects if o["kind"] == "ConfigMap" and key in o["data"])


def pod_specs(objects):
    return [o["spec"]["template"]["spec"] for o in objects if o["kind"] in ("StatefulSet", "DaemonSet", "Deployment")]


def quantity_bytes(text):
    """A Kubernetes quantity in bytes: 500Gi, 10G, 1024."""
    m = re.fullmatch(r"(\d+)([KMGTP]i?)?", text)
    if not m.group(2):
        return int(m.group(1))
    power = "KMGTP".index(m.group(2)[0]) + 1
    return int(m.group(1)) * (1024 if m.group(2).endswith("i") else 1000) ** power


def containers(objects):
    return [c for s in pod_specs(objects) for c in s.get("initContainers", []) + s["containers"]]


class KubernetesManifestsTest(unittest.TestCase):
    def test_every_manifest_parses(self):
        files = glob.glob(os.path.join(KUBE, "**", "*.yaml"), recursive=True)
        self.assertGreater(len(files), 10)
        for path in files:
            with open(path) as f:
                docs = [d for d in yaml.safe_load_all(f) if d]
            self.assertTrue(docs, path)
            for d in docs:
                self.assertIn("kind", d, path)

    @unittest.skipUnless(shutil.which("kubectl"), "kubectl is not installed")
    def test_kubectl_kustomize_renders_the_same_objects(self):
        for name in KUSTOMIZATIONS:
            r = subprocess.run(["kubectl", "kustomize", os.path.join(KUBE, name)], capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(r.returncode, 0, name + ": " + r.stderr)
            rendered = {(d["kind"], re.sub(r"-[a-z0-9]{10}$", "", d["metadata"]["name"]))
                        for d in yaml.safe_load_all(r.stdout) if d}
            ours = {(o["kind"], o["metadata"]["name"]) for o in render(os.path.join(KUBE, name))}
            self.assertEqual(rendered, ours, name)
            for c in [c for d in yaml.safe_load_all(r.stdout) if d for c in containers([d])]:
                self.assertEqual(c["image"], IMAGE, name)

    def test_the_image_is_the_one_deploy_image_builds(self):
        version = subprocess.run([STRATA, "--version"], capture_output=True, text=True, timeout=60).stdout.split()[1]
        self.assertEqual(IMAGE.rsplit(":", 1)[1], version, "deploy/image/build.sh tags the image with the version")
        for name in KUSTOMIZATIONS:
            for c in containers(render(os.path.join(KUBE, name))):
                self.assertEqual(c["image"], IMAGE, name)

    def test_probes_point_at_ports_strata_listens_on(self):
        for name in ("cluster", "node", "node/host-network", "node/two-tier"):
            objects = render(os.path.join(KUBE, name))
            config = json.loads(config_map(objects, "strata.json"))
            listens = {"registry": int(config["server"]["listen"].rsplit(":", 1)[1]),
                       "metrics": int(config["server"]["metrics_listen"].rsplit(":", 1)[1])}
            strata = [c for c in containers(objects) if c["name"] == "strata"]
            self.assertEqual(len(strata), 1, name)
            ports = {p["name"]: p["containerPort"] for p in strata[0]["ports"]}
            self.assertEqual(ports, listens, name)
            for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
                get = strata[0][probe]["httpGet"]
                self.assertEqual(get["path"], path)
                self.assertIn(get["port"], ports, "%s %s names no port of the container" % (name, probe))
            # Scrape annotations and the ServiceMonitor name the metrics port.
            pod = next(o for o in objects if o["kind"] in ("StatefulSet", "DaemonSet"))
            self.assertEqual(int(pod["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"]),
                             listens["metrics"])
            for monitor in (o for o in objects if o["kind"] == "ServiceMonitor"):
                self.assertEqual(monitor["spec"]["endpoints"][0]["port"], "metrics")

    def test_each_strata_json_passes_check_config(self):
        for name in ("cluster", "node", "node/two-tier"):
            objects = render(os.path.join(KUBE, name))
            text = config_map(objects, "strata.json")
            config = json.loads(text)
            # The token file is where the Secret is mounted.
            strata = next(c for c in containers(objects) if c["name"] == "strata")
            mounts = {m["name"]: m["mountPath"] for m in strata["volumeMounts"]}
            self.assertTrue(config["admin"]["token_file"].startswith(mounts["secrets"] + "/"), name)
            secret = next(o for o in objects if o["kind"] == "Secret")
            self.assertIn(os.path.basename(config["admin"]["token_file"]), secret["stringData"])
            self.assertEqual(config["cache"]["data_dir"], mounts["data"])
            with tempfile.TemporaryDirectory() as d:
                path, token = os.path.join(d, "strata.json"), os.path.join(d, "admin-token")
                with open(path, "w") as f:
                    f.write(text)
                with open(token, "w") as f:
                    f.write("t" * 32)
                r = subprocess.run([STRATA, "serve", "--check-config", "--config", path, "--admin-token-file", token],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, name + ": " + r.stderr)
                self.assertIn("configuration is valid", r.stdout)
                # Deployed with the Secret as shipped, strata refuses to start.
                with open(token, "w") as f:
                    f.write(secret["stringData"]["admin-token"])
                r = subprocess.run([STRATA, "serve", "--check-config", "--config", path, "--admin-token-file", token],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 2, name)
                self.assertIn("placeholder", r.stderr)

    def test_every_secret_and_config_map_a_pod_uses_is_there(self):
        for name in KUSTOMIZATIONS:
            objects = render(os.path.join(KUBE, name))
            have = {(o["kind"], o["metadata"]["name"]) for o in objects}
            for spec in pod_specs(objects):
                for v in spec.get("volumes", []):
                    if "secret" in v:
                        self.assertIn(("Secret", v["secret"]["secretName"]), have, name)
                    if "configMap" in v:
                        self.assertIn(("ConfigMap", v["configMap"]["name"]), have, name)

    def test_containers_are_hardened(self):
        for name in KUSTOMIZATIONS:
            objects = render(os.path.join(KUBE, name))
            for spec in pod_specs(objects):
                for c in spec.get("initContainers", []) + spec["containers"]:
                    sc = c["securityContext"]
                    self.assertFalse(sc["allowPrivilegeEscalation"], c["name"])
                    self.assertTrue(sc["readOnlyRootFilesystem"], c["name"])
                    self.assertEqual(sc["capabilities"]["drop"], ["ALL"], c["name"])
                    self.assertIn("memory", c["resources"]["limits"], c["name"])
                    if c["name"] == "strata":
                        self.assertTrue(spec["securityContext"]["runAsNonRoot"])

    def test_the_cluster_cache_fits_its_volume_and_keeps_replicas_up_through_disruptions(self):
        objects = render(os.path.join(KUBE, "cluster"))
        config = json.loads(config_map(objects, "strata.json"))
        [statefulset] = [o for o in objects if o["kind"] == "StatefulSet"]
        [claim] = statefulset["spec"]["volumeClaimTemplates"]
        size = quantity_bytes(claim["spec"]["resources"]["requests"]["storage"])
        self.assertLess(config["storage"]["max_bytes"], size, "the budget must leave room on the volume")
        strata = [c for c in containers([statefulset]) if c["name"] == "strata"][0]
        mounts = {m["name"]: m["mountPath"] for m in strata["volumeMounts"]}
        self.assertEqual(mounts[claim["metadata"]["name"]], "/var/lib/strata")
        [budget] = [o for o in objects if o["kind"] == "PodDisruptionBudget" and
                    o["spec"]["selector"]["matchLabels"] == statefulset["spec"]["selector"]["matchLabels"]]
        self.assertLess(budget["spec"]["maxUnavailable"], statefulset["spec"]["replicas"])

    def test_the_node_cache_is_on_the_host_and_its_budget_is_80_percent_of_that_disk(self):
        for name in ("node", "node/host-network", "node/two-tier"):
            objects = render(os.path.join(KUBE, name))
            [spec] = pod_specs(objects)
            strata = [c for c in spec["containers"] if c["name"] == "strata"][0]
            volumes = {v["name"]: v for v in spec["volumes"]}
            cache = [m for m in strata["volumeMounts"] if m["mountPath"] == "/var/lib/strata"][0]
            self.assertEqual(volumes[cache["name"]]["hostPath"]["path"], "/var/lib/strata", name)
            if name == "node/host-network":
                self.assertTrue(spec["hostNetwork"])
                self.assertEqual(spec["dnsPolicy"], "ClusterFirstWithHostNet")
            else:
                ports = {p["name"]: p for p in strata["ports"]}
                self.assertEqual(ports["registry"]["hostPort"], ports["registry"]["containerPort"], name)
            # The budget's shell arithmetic, run against a directory here: 80 % of its filesystem.
            expression = re.search(r'--max-bytes "(\$\(\(.*\)\))"', strata["command"][-1]).group(1)
            with tempfile.TemporaryDirectory() as d:
                out = subprocess.run(["sh", "-c", "echo " + expression.replace("/var/lib/strata", d)],
                                     capture_output=True, text=True, check=True).stdout
                fs = os.statvfs(d)
            self.assertEqual(int(out), fs.f_blocks * fs.f_frsize // 100 * 80, name)

    def test_the_front_hashes_onto_the_statefulsets_replicas_with_the_generated_config(self):
        objects = render(os.path.join(KUBE, "cluster"))
        by_name = {(o["kind"], o["metadata"]["name"]): o for o in objects}
        replicas = by_name[("StatefulSet", "strata")]
        headless = by_name[("Service", replicas["spec"]["serviceName"])]
        self.assertEqual(headless["spec"]["clusterIP"], "None")
        registry_port = int(json.loads(config_map(objects, "strata.json"))["server"]["listen"].rsplit(":", 1)[1])
        names = ["strata-%d.%s.%s.svc.cluster.local:%d" % (i, headless["metadata"]["name"],
                                                          replicas["metadata"]["namespace"], registry_port)
                 for i in range(replicas["spec"]["replicas"])]
        expected = subprocess.run(["bash", os.path.join(REPO_ROOT, "deploy", "ring", "haproxy-front.sh"), "--dns"]
                                  + names, check=True, capture_output=True, text=True).stdout
        self.assertEqual(config_map(objects, "haproxy.cfg"), expected,
                         "regenerate cluster/front/haproxy.cfg with deploy/ring/haproxy-front.sh --dns %s" % " ".join(names))
        # The front's container listens where the config binds, and the client Service selects it.
        front = by_name[("Deployment", "strata-front")]
        container = front["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        self.assertIn("    bind :%d\n" % ports["registry"], expected)
        self.assertIn("    bind :%d\n" % ports["health"], expected)
        self.assertEqual(container["readinessProbe"]["httpGet"], {"path": "/healthz", "port": "health"})
        mount = next(m["mountPath"] for m in container["volumeMounts"] if m["name"] == "front-config")
        self.assertEqual(container["command"][-1], mount + "/haproxy.cfg")
        service = by_name[("Service", "strata")]
        self.assertEqual(service["spec"]["selector"], front["spec"]["selector"]["matchLabels"])
        self.assertNotEqual(service["spec"]["selector"], replicas["spec"]["selector"]["matchLabels"])
        if shutil.which("haproxy"):
            with tempfile.NamedTemporaryFile("w", suffix=".cfg") as f:
                f.write(expected)
                f.flush()
                r = subprocess.run(["haproxy", "-c", "-f", f.name], capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_the_node_tier_names_registries_the_cluster_tier_serves(self):
        node = json.loads(config_map(render(os.path.join(KUBE, "node", "two-tier")), "strata.json"))
        cluster_objects = render(os.path.join(KUBE, "cluster"))
        service = next(o for o in cluster_objects if o["kind"] == "Service" and o["metadata"]["name"] == "strata")
        cluster_url = "http://%s.%s.svc.cluster.local:%d" % (service["metadata"]["name"], service["metadata"]["namespace"],
                                                             service["spec"]["ports"][0]["port"])
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "strata.json")
            with open(path, "w") as f:
                f.write(config_map(cluster_objects, "strata.json"))
            token = os.path.join(d, "token")
            with open(token, "w") as f:
                f.write("t" * 32)
            r = subprocess.run([STRATA, "serve", "--check-config", "--config", path, "--admin-token-file", token],
                               capture_output=True, text=True, timeout=60)
        served = re.search(r"upstreams \(([^)]*)\)", r.stdout).group(1).split(", ")
        self.assertTrue(node["upstreams"])
        for u in node["upstreams"]:
            self.assertEqual(u["url"], cluster_url, u["name"])
            self.assertTrue(u["send_ns"], u["name"])
            self.assertIn(u["name"], served, "the cluster tier has no upstream named %s" % u["name"])

    def test_the_node_script_is_shipped_as_written(self):
        objects = render(os.path.join(KUBE, "configure-nodes"))
        shipped = next(o for o in objects if o["kind"] == "ConfigMap")["data"]["configure-nodes.sh"]
        with open(os.path.join(KUBE, "configure-nodes", "configure-nodes.sh")) as f:
            self.assertEqual(shipped, f.read())
        c = containers(objects)[0]
        self.assertIn("configure-nodes.sh install", " ".join(c["command"]))
        self.assertIn("uninstall", c["lifecycle"]["preStop"]["exec"]["command"])
        env = {e["name"]: e for e in c["env"]}
        self.assertEqual(env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "spec.nodeName")
        self.assertTrue(env["STRATA_ENDPOINT"]["value"].startswith("http"))

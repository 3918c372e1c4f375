"""--metrics (Prometheus text, /healthz, /readyz), the Grafana dashboard's metric names, and the
progress line on a terminal. Scrapes with urllib; checks the records with confluent-kafka."""

import json
import os
import re
import signal
import socket
import subprocess
import urllib.error
import urllib.request

import kpipe_harness as h

DASHBOARD = os.path.join(h.REPO_ROOT, "deploy", "grafana", "kpipe-dashboard.json")
RECORD = b'{"user_id":"u-%d","locale":"RU","device_type":"android","timestamp":"1694479551"}'
RECORDS = 300
BROKEN = 20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url):
    """(status, body text); a refused connection is (None, reason)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, socket.timeout) as error:
        return None, str(error)


def samples(text):
    """{(name, labels text): value} for every sample line of a scrape."""
    result = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$", line)
        if match is None:
            raise AssertionError("not a Prometheus sample line: %r" % line)
        result[(match.group(1), match.group(2) or "")] = float(match.group(3))
    return result


def value(text, name, labels='{subcommand="transform"}'):
    return samples(text).get((name, labels))


def dashboard_metric_names():
    with open(DASHBOARD, encoding="utf-8") as file:
        dashboard = json.load(file)
    names = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            names.update(re.findall(r"\bkpipe_[a-z0-9_]+", target["expr"]))
    return names


class MetricsTest(h.KpipeTestCase):
    TOPICS = {"m-in": 2, "m-out": 2, "m-in-dlq": 1, "m-gen": 2}

    def test_transform_metrics_health_and_dashboard(self):
        records = [{"value": RECORD % i, "key": b"k%d" % i} for i in range(RECORDS)]
        records += [{"value": b"not json %d" % i} for i in range(BROKEN)]
        self.produce("m-in", records)
        port = free_port()
        base = "http://127.0.0.1:%d" % port
        proc = h.popen_kpipe(
            ["-b", self.bootstrap, "--metrics", "127.0.0.1:%d" % port,
             "-X", "statistics.interval.ms=500", "-X", "fetch.wait.max.ms=10",
             "transform", "--in", "m-in", "--out", "m-out", "{user_id, locale}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            h.poll_until(lambda: http_get(base + "/healthz")[0] == 200, 10, what="/healthz 200")
            h.poll_until(lambda: http_get(base + "/readyz")[0] == 200, 20,
                         what="/readyz 200 once partitions are assigned")

            def all_counted():
                status, text = http_get(base + "/metrics")
                return status == 200 and value(text, "kpipe_records_in_total") == RECORDS + BROKEN \
                    and value(text, "kpipe_records_out_total") == RECORDS and text
            text = h.poll_until(all_counted, 20, what="in/out counters to reach the input")
            self.assertEqual(value(text, "kpipe_records_dead_lettered_total"), BROKEN)
            self.assertEqual(value(text, "kpipe_records_filtered_total"), 0)
            self.assertEqual(value(text, "kpipe_errors_total",
                                   '{subcommand="transform",kind="delivery"}'), 0)
            self.assertGreater(value(text, "kpipe_end_to_end_latency_seconds_count"), 0)
            self.assertEqual(value(text, "kpipe_ready"), 1)
            self.assertEqual(value(text, "kpipe_assigned_partitions"), 2)
            self.assertGreaterEqual(value(text, "kpipe_rebalances_total"), 1)

            # Every series the dashboard plots is in a live scrape (librdkafka's statistics
            # arrive every statistics.interval.ms).
            wanted = dashboard_metric_names()
            self.assertIn("kpipe_records_in_total", wanted)

            def missing_names():
                names = {name for name, _ in samples(http_get(base + "/metrics")[1])}
                return wanted - names
            h.poll_until(lambda: not missing_names(), 15,
                         what="the dashboard's metrics in /metrics")
            produced = h.poll_until(
                lambda: value(http_get(base + "/metrics")[1],
                              "kpipe_produce_latency_seconds_count") == RECORDS + BROKEN,
                10, what="a produce latency per delivered record")
            self.assertTrue(produced)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err.decode("utf-8", "replace")[-2000:])
        self.assertEqual(len(self.read("m-out")), RECORDS)

    def test_metrics_address_in_use_is_an_error(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            rc, _, err = self.kpipe("--metrics", str(port), "produce", "-t", "m-gen",
                                    input=RECORD % 1 + b"\n")
        self.assertEqual(rc, 1, err)
        self.assertIn("--metrics", err)
        rc, _, err = self.kpipe("--metrics", "nope", "produce", "-t", "m-gen", input=b"")
        self.assertEqual(rc, 2, err)

    GENERATE = ["produce", "-t", "m-gen", "--generate", "user-login", "--count", "1500",
                "--rate", "2000"]

    def test_progress_line_on_a_terminal(self):
        master, slave = os.openpty()
        proc = h.popen_kpipe(["-b", self.bootstrap, "-v"] + self.GENERATE,
                             stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        self.assertEqual(proc.wait(timeout=30), 0, seen)
        self.assertRegex(seen, rb"\rkpipe produce: \d+ records, \d+ records/s")
        # Cleared before the summary, which stays.
        self.assertIn(b"\r\x1b[K", seen)
        self.assertIn(b"1500 acknowledged", seen.split(b"\r\x1b[K")[-1], seen[-500:])

    def test_no_progress_when_stderr_is_a_pipe(self):
        rc, _, err = self.kpipe(*self.GENERATE)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("\r", err)
        self.assertNotIn("records/s", err)


if __name__ == "__main__":
    h.main()

"""A real Prometheus server (Debian's `prometheus`) scraping a running `kpipe transform --metrics`.

Checks what a text-format test cannot: that Prometheus accepts the exposition and sees
kpipe_records_out_total grow by the records sent, that `promtool check metrics` finds nothing to
lint, that every PromQL expression of deploy/grafana/kpipe-dashboard.json and every alert rule of
deploy/prometheus/kpipe-alerts.yml evaluates without error on live data, and that the dead-letter
alert fires when records are dead-lettered. Records are checked with confluent-kafka."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request

import kpipe_harness as h

DASHBOARD = os.path.join(h.REPO_ROOT, "deploy", "grafana", "kpipe-dashboard.json")
ALERT_RULES = os.path.join(h.REPO_ROOT, "deploy", "prometheus", "kpipe-alerts.yml")
RECORD = b'{"user_id":"u-%d","locale":"RU","device_type":"android","timestamp":"1694479551"}'
RECORDS = 250
BROKEN = 7
# Prometheus scrapes and evaluates rules this often; the test polls, it never sleeps this long.
INTERVAL = "1s"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url):
    """(status, body text); a refused connection is (None, reason)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, socket.timeout) as error:
        return None, str(error)


def require_tool(name):
    path = shutil.which(name)
    if path is None:
        raise AssertionError("%s is not installed; scripts/setup installs Debian's prometheus "
                             "package, which provides it" % name)
    return path


class Prometheus:
    """A `prometheus` server on loopback scraping one kpipe --metrics address."""

    def __init__(self, target):
        self.dir = tempfile.mkdtemp(prefix="kpipe-prometheus-")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as file:
            file.write("global:\n  scrape_interval: %s\n  evaluation_interval: %s\n"
                       "rule_files:\n  - %s\n"
                       "scrape_configs:\n  - job_name: kpipe\n    static_configs:\n"
                       "      - targets: [\"%s\"]\n" % (INTERVAL, INTERVAL, ALERT_RULES, target))
        self._log = open(os.path.join(self.dir, "log"), "wb")
        self.proc = subprocess.Popen(
            [require_tool("prometheus"), "--config.file=" + config,
             "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            preexec_fn=h._die_with_parent)
        h.poll_until(lambda: self._check_running() and http_get(self.base + "/-/ready")[0] == 200,
                     30, what="prometheus /-/ready")

    def _check_running(self):
        if self.proc.poll() is not None:
            raise AssertionError("prometheus exited (rc=%s): %s" % (self.proc.returncode,
                                                                    self.log()[-2000:]))
        return True

    def log(self):
        self._log.flush()
        with open(os.path.join(self.dir, "log"), "rb") as file:
            return file.read().decode("utf-8", "replace")

    def api(self, path, **params):
        """The `data` member of an HTTP API answer; fails on an API error."""
        url = self.base + "/api/v1/" + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        status, body = http_get(url)
        answer = json.loads(body) if status is not None else {"error": body}
        if status != 200 or answer.get("status") != "success":
            raise AssertionError("prometheus %s answered %s: %s" % (url, status,
                                                                    answer.get("error", body)))
        return answer["data"]

    def query(self, expr):
        return self.api("query", query=expr)

    def scalar(self, expr):
        """The value of a one-series instant query, or None while it has no series."""
        result = self.query(expr)["result"]
        return float(result[0]["value"][1]) if len(result) == 1 else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def dashboard_expressions():
    with open(DASHBOARD, encoding="utf-8") as file:
        dashboard = json.load(file)
    return [target["expr"] for panel in dashboard["panels"]
            for target in panel.get("targets", [])]


class PrometheusTest(h.KpipeTestCase):
    TOPICS = {"p-in": 2, "p-out": 2, "p-in-dlq": 1}

    def test_prometheus_scrapes_counts_and_alerts(self):
        metrics_port = free_port()
        target = "127.0.0.1:%d" % metrics_port
        transform = h.KpipeProcess(
            ["-b", self.bootstrap, "--metrics", target, "-X", "statistics.interval.ms=500",
             "-X", "fetch.wait.max.ms=10", "transform", "--in", "p-in", "--out", "p-out",
             "{user_id, locale}"])
        prometheus = None
        try:
            h.poll_until(lambda: transform.check_running() and
                         http_get("http://%s/readyz" % target)[0] == 200, 20,
                         what="kpipe /readyz 200")
            prometheus = Prometheus(target)
            series = 'kpipe_records_out_total{job="kpipe",subcommand="transform"}'
            before = h.poll_until(
                lambda: transform.check_running() and prometheus.scalar(series) is not None
                and [prometheus.scalar(series)], 20, what="Prometheus's first scrape of kpipe")[0]
            self.assertEqual(prometheus.scalar('up{job="kpipe"}'), 1)

            records = [{"value": RECORD % i, "key": b"k%d" % i} for i in range(RECORDS)]
            records += [{"value": b"not json %d" % i} for i in range(BROKEN)]
            self.produce("p-in", records)
            seen = []

            def grown():
                seen.append(prometheus.scalar(series))
                return transform.check_running() and seen[-1] == before + RECORDS
            try:
                h.poll_until(grown, 30, what="kpipe_records_out_total to grow")
            except AssertionError:
                self.fail("Prometheus saw kpipe_records_out_total go from %s to %s, not to %s "
                          "after %d records were sent" % (before, seen[-1], before + RECORDS,
                                                          RECORDS))
            self.assertEqual(prometheus.scalar(
                'kpipe_records_dead_lettered_total{job="kpipe"}'), BROKEN)

            # promtool lints the exposition as Prometheus's own tooling sees it.
            status, exposition = http_get("http://%s/metrics" % target)
            self.assertEqual(status, 200)
            lint = subprocess.run([require_tool("promtool"), "check", "metrics"],
                                  input=exposition.encode("utf-8"), capture_output=True,
                                  timeout=30)
            self.assertEqual((lint.returncode, lint.stdout + lint.stderr), (0, b""),
                             "promtool check metrics found problems")

            # Every dashboard expression evaluates, and returns data once librdkafka's
            # statistics have arrived (the rate() panels need two scrapes).
            expressions = dashboard_expressions()
            self.assertGreater(len(expressions), 10)
            for expr in expressions:
                prometheus.query(expr)

            def empty_panels():
                return [expr for expr in expressions if not prometheus.query(expr)["result"]]
            h.poll_until(lambda: not empty_panels(), 30,
                         what="every dashboard expression to return data")

            # Every shipped rule is evaluated without error, and the dead letters fire
            # KpipeDeadLetters (a rule without `for:` fires at its first evaluation).
            def rules():
                return [rule for group in prometheus.api("rules")["groups"]
                        for rule in group["rules"]]
            evaluated = h.poll_until(
                lambda: all(rule.get("health") == "ok" for rule in rules()) and rules(), 30,
                what="every alert rule evaluated (health ok)")
            self.assertEqual({rule["name"] for rule in evaluated},
                             {"KpipeDown", "KpipeNotReady", "KpipeConsumerLagGrowing",
                              "KpipeDeadLetters", "KpipeDeliveryErrors"})
            for rule in evaluated:
                prometheus.query(rule["query"])

            def firing():
                return {alert["labels"]["alertname"] for alert in prometheus.api("alerts")["alerts"]
                        if alert["state"] == "firing"}
            h.poll_until(lambda: "KpipeDeadLetters" in firing(), 30,
                         what="the KpipeDeadLetters alert to fire")
            self.assertNotIn("KpipeDeliveryErrors", firing())
            self.assertNotIn("KpipeDown", firing())
        finally:
            if prometheus is not None:
                prometheus.stop()
            rc = transform.stop()
            stderr = transform.stderr_text()
            transform.cleanup()
        self.assertEqual(rc, 0, stderr[-2000:])
        self.assertEqual(len(self.read("p-out")), RECORDS)
        self.assertEqual(len(self.read("p-in-dlq")), BROKEN)


if __name__ == "__main__":
    h.main()

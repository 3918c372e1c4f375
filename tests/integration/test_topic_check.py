"""`kpipe topic-check`: named checks, exit codes, JSON/JUnit output, round trip, lag, samples,
and a broker taken down through `kpipe broker --control`."""

import json
import os
import re
import unittest
import xml.etree.ElementTree as ET

import confluent_kafka

import kpipe_harness as h


def failed_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("kpipe topic-check: ")]


class TopicCheckTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {"healthy": 3, "logins": 2, "lagging": 2, "empty": 1}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        h.produce(cls.bootstrap, "healthy",
                  [{"value": b'{"n":%d}' % i, "partition": i % 3} for i in range(30)])
        good = [{"value": json.dumps({"user_id": "u%d" % i, "ts": i}).encode(), "partition": 0}
                for i in range(5)]
        bad = [{"value": json.dumps({"user_id": "u9", "ts": "late"}).encode(), "partition": 1},
               {"value": b"not json", "partition": 1}]
        h.produce(cls.bootstrap, "logins", good + bad)
        h.produce(cls.bootstrap, "lagging",
                  [{"value": b"{}", "partition": i % 2} for i in range(20)])

    def check(self, *args):
        return self.kpipe("topic-check", "--timeout", "8", *args)

    def test_healthy_topic_passes_with_watermarks(self):
        rc, out, err = self.check("healthy", "--expect-partitions", "3", "--expect-replicas", "1")
        self.assertEqual(rc, 0, err)
        table = out.decode()
        self.assertRegex(table, r"healthy\s+watermarks\s+PASS\s+30 records held in 3 partitions")
        self.assertRegex(table, r"healthy\s+partitions\s+PASS")
        self.assertEqual(failed_lines(err), [])

    def test_missing_topic_fails_exists(self):
        rc, out, err = self.check("healthy", "no-such-topic")
        self.assertEqual(rc, 1, err)
        self.assertEqual(len(failed_lines(err)), 1, err)
        self.assertIn("kpipe topic-check: no-such-topic: exists:", err)
        # The other checks of a missing topic are shown as skipped, never as passed.
        self.assertRegex(out.decode(), r"no-such-topic\s+leaders\s+SKIPPED")
        # Asking did not auto-create it: a second run finds it missing too.
        rc, _, err = self.check("no-such-topic")
        self.assertEqual(rc, 1, err)
        self.assertIn("no-such-topic: exists:", err)

    def test_wrong_partition_count_fails_partitions(self):
        rc, _, err = self.check("healthy", "--expect-partitions", "6")
        self.assertEqual(rc, 1, err)
        self.assertIn("kpipe topic-check: healthy: partitions: expected 6, found 3", err)

    def test_json_has_the_documented_structure(self):
        rc, out, err = self.check("healthy", "empty", "--json", "--min-isr", "1")
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertIs(doc["ok"], True)
        self.assertEqual([t["topic"] for t in doc["topics"]], ["healthy", "empty"])
        healthy = doc["topics"][0]
        statuses = {c["name"]: c["status"] for c in healthy["checks"]}
        for name in ("exists", "partitions", "replicas", "leaders", "under-replicated",
                     "min-isr", "watermarks"):
            self.assertEqual(statuses[name], "pass", healthy["checks"])
        detail = {c["name"]: c["detail"] for c in healthy["checks"]}["min-isr-config"]
        if h.PEER == "kafka":
            # Kafka answers DescribeConfigs: min.insync.replicas (1) meets --min-isr 1.
            self.assertEqual(statuses["min-isr-config"], "pass", detail)
        else:
            # The embedded broker does not answer DescribeConfigs: skipped, with the reason.
            self.assertEqual(statuses["min-isr-config"], "skipped")
            self.assertIn("DescribeConfigs", detail)
        self.assertEqual(sum(p["high"] - p["low"] for p in healthy["partitions"]), 30)
        for p in healthy["partitions"]:
            self.assertEqual(set(p), {"partition", "leader", "replicas", "isr", "low", "high"})

    def test_junit_file_parses(self):
        path = os.path.join(h._scratch_dir("junit"), "report.xml")
        rc, _, err = self.check("healthy", "missing-one", "--min-isr", "1", "--junit", path)
        self.assertEqual(rc, 1, err)
        root = ET.parse(path).getroot()
        suites = {s.get("name"): s for s in root.iter("testsuite")}
        self.assertEqual(set(suites), {"healthy", "missing-one"})
        missing = {c.get("name"): c for c in suites["missing-one"].iter("testcase")}
        self.assertIsNotNone(missing["exists"].find("failure"))
        self.assertIsNotNone(missing["partitions"].find("skipped"))
        healthy = {c.get("name"): c for c in suites["healthy"].iter("testcase")}
        # Skipped on the embedded broker (no DescribeConfigs), checked and passed on Kafka.
        outcome = healthy["min-isr-config"].find("skipped")
        if h.PEER == "kafka":
            self.assertIsNone(outcome)
            self.assertIsNone(healthy["min-isr-config"].find("failure"))
        else:
            self.assertIsNotNone(outcome)
        self.assertIsNone(healthy["leaders"].find("failure"))

    def test_roundtrip_reports_latency_and_passes(self):
        before = sum(hi - lo for lo, hi in h.watermarks(self.bootstrap, "empty").values())
        rc, out, err = self.check("empty", "--roundtrip", "--max-latency", "5000", "--json")
        self.assertEqual(rc, 0, err)
        topic = json.loads(out)["topics"][0]
        roundtrip = topic["roundtrip"]
        self.assertEqual(roundtrip["records_per_partition"], 10)
        self.assertEqual((roundtrip["lost"], roundtrip["duplicated"], roundtrip["altered"]),
                         (0, 0, 0))
        for kind in ("produce_ack_ms", "roundtrip_ms"):
            self.assertGreaterEqual(roundtrip[kind]["p99"], roundtrip[kind]["p50"])
            self.assertGreater(roundtrip[kind]["p50"], 0)
        statuses = {c["name"]: c["status"] for c in topic["checks"]}
        self.assertEqual((statuses["roundtrip"], statuses["latency"]), ("pass", "pass"))
        # The canaries stay in the topic, tagged and readable by any client.
        after = sum(hi - lo for lo, hi in h.watermarks(self.bootstrap, "empty").values())
        self.assertEqual(after - before, 10)
        rc, out, err = self.check("empty", "--roundtrip", "3")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out.decode(), r"roundtrip\s+PASS\s+3 canaries.*p50 [\d.]+ ms p99")
        self.assertRegex(out.decode(), r"latency\s+SKIPPED\s+no --max-latency bound")

    def test_group_lag_bound(self):
        consumer = confluent_kafka.Consumer({"bootstrap.servers": self.bootstrap,
                                             "group.id": "lag-group"})
        try:
            consumer.commit(offsets=[confluent_kafka.TopicPartition("lagging", 0, 8),
                                     confluent_kafka.TopicPartition("lagging", 1, 10)],
                            asynchronous=False)
        finally:
            consumer.close()
        rc, out, err = self.check("lagging", "--group", "lag-group", "--max-lag", "1", "--json")
        self.assertEqual(rc, 1, err)
        self.assertRegex(err, r"kpipe topic-check: lagging: lag: .*partition 0 lag 2")
        lag = {e["partition"]: e for e in json.loads(out)["topics"][0]["lag"]}
        self.assertEqual((lag[0]["committed"], lag[0]["lag"]), (8, 2))
        self.assertEqual((lag[1]["committed"], lag[1]["lag"]), (10, 0))
        rc, _, err = self.check("lagging", "--group", "lag-group", "--max-lag", "2")
        self.assertEqual(rc, 0, err)
        # A group without commits: lag counts from the log start.
        rc, out, err = self.check("lagging", "--group", "never-committed")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out.decode(), r"lag\s+SKIPPED\s+no --max-lag bound; group "
                                       r"never-committed lags 20 records")

    def test_sample_with_schema(self):
        schema = os.path.join(h._scratch_dir("schema"), "login.json")
        with open(schema, "w") as f:
            json.dump({"type": "object", "required": ["user_id"],
                       "properties": {"user_id": {"type": "string"},
                                      "ts": {"type": ["integer", "null"], "minimum": 0}}}, f)
        rc, out, err = self.check("logins", "--sample", "2", "--schema", schema)
        self.assertEqual(rc, 1, err)
        line = [l for l in failed_lines(err) if ": sample: " in l]
        self.assertEqual(len(line), 1, err)
        self.assertIn("partition 1 offset 0: field 'ts' is string, expected integer or null",
                      line[0])
        self.assertIn("partition 1 offset 1: not valid JSON", line[0])
        self.assertIn("properties.ts.minimum", line[0])
        # Partition 0 alone holds good records.
        rc, out, err = self.check("healthy", "--sample", "5")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out.decode(), r"sample\s+PASS\s+15 records in 3 partitions")

    def test_usage_errors_exit_2(self):
        for args in (["healthy", "--max-lag", "3"], ["healthy", "--schema", "x.json"],
                     ["healthy", "--max-latency", "10"]):
            with self.subTest(args=args):
                rc, _, err = self.check(*args)
                self.assertEqual(rc, 2, err)

    def test_unreachable_brokers_exit_2(self):
        rc, _, err = h.run_kpipe(["-b", "127.0.0.1:1", "topic-check", "t", "--timeout", "1"])
        self.assertEqual(rc, 2, err)
        self.assertIn("cannot reach Kafka", err)


class TopicCheckBrokerDownTest(unittest.TestCase):
    def setUp(self):
        self.broker = h.Broker(broker_count=3, extra_args=["--topic", "replicated:6:3"],
                               control=True)
        self.addCleanup(self.broker.cleanup)

    def check(self):
        return h.run_kpipe(["-b", self.broker.bootstrap, "topic-check", "replicated",
                            "--expect-replicas", "3", "--timeout", "5"])

    def test_partitions_led_by_a_down_broker_fail_leaders(self):
        rc, _, err = self.check()
        self.assertEqual(rc, 0, err)
        md = h._consumer(self.broker.bootstrap).list_topics("replicated", timeout=10)
        # The mock cluster picks leaders at random: take down whichever leads partition 0.
        victim = md.topics["replicated"].partitions[0].leader
        led_by_victim = sorted(p for p, info in md.topics["replicated"].partitions.items()
                               if info.leader == victim)
        self.assertEqual(self.broker.control("down %d" % victim), "ok")
        rc, _, err = self.check()
        self.assertEqual(rc, 1, err)
        lines = failed_lines(err)
        self.assertEqual(len(lines), 1, err)
        self.assertIn("replicated: leaders: ", lines[0])
        self.assertIn("broker %d" % victim, lines[0])
        named = [int(n) for n in re.findall(r"\d+", lines[0].split("led by")[0])]
        self.assertEqual(named, led_by_victim)
        self.assertEqual(self.broker.control("up %d" % victim), "ok")
        h.poll_until(lambda: self.check()[0] == 0, 30, interval=0.5,
                     what="topic-check to pass after 'up %d'" % victim)

    def test_control_channel_answers_errors(self):
        self.assertTrue(self.broker.control("sideways 2").startswith("error: "))
        self.assertEqual(self.broker.control("rtt 1 5"), "ok")
        self.assertEqual(self.broker.control("rtt 1 0"), "ok")


if __name__ == "__main__":
    h.main()

"""`kpipe broker`: bootstrap list, pre-created topics, clean shutdown on SIGINT/SIGTERM."""

import os
import re
import signal
import subprocess
import unittest

import confluent_kafka

import kpipe_harness as h

BOOTSTRAP_RE = re.compile(r"^127\.0\.0\.1:\d{1,5}(,127\.0\.0\.1:\d{1,5})*$")


class BrokerTopicsTest(h.KpipeTestCase):
    TOPICS = {"alpha": 3, "beta": 1, "gamma": 12}

    def test_bootstrap_printed_on_stdout_and_written_to_file(self):
        self.assertRegex(self.broker.stdout_bootstrap, BOOTSTRAP_RE)
        self.assertEqual(self.broker.file_bootstrap, self.broker.stdout_bootstrap)

    def test_bootstrap_file_is_written_atomically(self):
        # Written as temp file + rename in the same directory: nothing else is left there, and
        # the first read after the file appeared (in the harness) was already complete.
        self.assertEqual(os.listdir(self.broker.bootstrap_dir), ["bootstrap"])
        self.assertRegex(self.broker.file_bootstrap, BOOTSTRAP_RE)

    def test_precreated_topics_have_requested_partition_counts(self):
        consumer = confluent_kafka.Consumer({"bootstrap.servers": self.bootstrap,
                                             "group.id": "kpipe-it-broker"})
        try:
            md = consumer.list_topics(timeout=10)
        finally:
            consumer.close()
        for name, partitions in self.TOPICS.items():
            with self.subTest(topic=name):
                self.assertIn(name, md.topics)
                self.assertIsNone(md.topics[name].error)
                self.assertEqual(sorted(md.topics[name].partitions), list(range(partitions)))

    def test_auto_created_topic_gets_four_partitions(self):
        h.produce(self.bootstrap, "auto-created", [{"key": b"k", "value": b"v"}])
        self.assertEqual(h.partition_count(self.bootstrap, "auto-created"), 4)

    def test_independent_clients_exchange_records(self):
        h.kcat_produce(self.bootstrap, "beta", b"one\ntwo\nthree\n")
        values = [m.value for m in self.read("beta")]
        self.assertEqual(values, [b"one", b"two", b"three"])

    def test_help_states_options_and_limits(self):
        rc, out, err = h.run_kpipe(["broker", "--help"], timeout=10)
        self.assertEqual(rc, 0, err)
        text = out.decode("utf-8", "replace")
        for option in ("--topic", "--bootstrap-file", "--broker-count"):
            self.assertIn(option, text)
        # DESIGN.md: its limits (memory only, ~5 MB per partition) are stated in its help.
        self.assertRegex(text.lower(), r"memory")
        self.assertRegex(text, r"5\s*Mi?B")


class BrokerLifecycleTest(unittest.TestCase):
    """Brokers of their own: each one is stopped by the test."""

    def start(self, **kwargs):
        broker = h.Broker(**kwargs)
        self.addCleanup(broker.cleanup)
        return broker

    def assert_clean_exit(self, broker, sig):
        rc, seconds = broker.stop(sig, timeout=5)
        self.assertEqual(rc, 0, "exit code after %s; stderr: %s"
                         % (signal.Signals(sig).name, broker.stderr_text()[-2000:]))
        self.assertLess(seconds, 5)

    def test_sigterm_exits_zero(self):
        self.assert_clean_exit(self.start(topics={"t": 2}), signal.SIGTERM)

    def test_sigint_exits_zero(self):
        self.assert_clean_exit(self.start(topics={"t": 2}), signal.SIGINT)

    def test_signals_exit_zero_while_a_client_is_connected(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                broker = self.start(topics={"t": 2})
                h.produce(broker.bootstrap, "t", [{"key": b"k", "value": b"v"}])
                # kcat stays connected, waiting for more records (a Python consumer would spend
                # ~45 s in close() once its coordinator is gone).
                client = subprocess.Popen(
                    ["kcat", "-C", "-b", broker.bootstrap, "-t", "t", "-o", "beginning", "-u",
                     "-f", "%s\\n", "-X", "fetch.wait.max.ms=10"],
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                try:
                    self.assertEqual(client.stdout.readline(), b"v\n")
                    self.assert_clean_exit(broker, sig)
                finally:
                    client.kill()
                    client.wait()
                    client.stdout.close()

    def test_broker_count_and_stdout_only(self):
        broker = self.start(topics={"t": 6}, broker_count=3, bootstrap_file=False)
        self.assertRegex(broker.stdout_bootstrap, BOOTSTRAP_RE)
        self.assertEqual(len(broker.stdout_bootstrap.split(",")), 3)
        consumer = confluent_kafka.Consumer({"bootstrap.servers": broker.bootstrap,
                                             "group.id": "kpipe-it-broker"})
        try:
            md = consumer.list_topics(timeout=10)
        finally:
            consumer.close()
        self.assertEqual(len(md.brokers), 3)
        self.assertEqual(len(md.topics["t"].partitions), 6)
        self.assert_clean_exit(broker, signal.SIGTERM)

    def test_invalid_partition_count_is_a_usage_error(self):
        rc, out, err = h.run_kpipe(["broker", "--topic", "t:many"], timeout=10)
        self.assertEqual(rc, 2, "stdout: %r stderr: %s" % (out, err))
        self.assertTrue(err.strip())


if __name__ == "__main__":
    h.main()

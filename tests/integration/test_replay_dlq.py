"""kpipe replay-dlq end to end: dead letters written by `kpipe transform` and by a Python
producer imitating Kafka Connect, Kafka Streams and Spring Kafka go back to their original
topics (checked with confluent-kafka), a dry run changes nothing, a second run replays nothing,
and the replay counter stops a poison record from looping."""

import re
import struct

import kpipe_harness as h

# Fast group rejoins and fetches on the embedded broker (see shared/MOCK-BROKER.md).
FAST = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
        "-X", "fetch.wait.max.ms=10"]
T = 1_700_000_000_000  # record timestamps of the Python-produced dead letters

SUMMARY = re.compile(
    r"kpipe replay-dlq(?: \(dry run\))?: read (\d+), (?:replayed|would replay) (\d+), "
    r"skipped (\d+) \((\d+) filter errors\), over the replay limit (\d+), unroutable (\d+)")
FIELDS = ("read", "replayed", "skipped", "filter_errors", "over_limit", "unroutable")


def summary_of(stderr):
    found = SUMMARY.findall(stderr)
    return dict(zip(FIELDS, map(int, found[-1]))) if found else None


def connect_headers(topic, partition, offset, message):
    return [("__connect.errors.topic", topic.encode()),
            ("__connect.errors.partition", str(partition).encode()),
            ("__connect.errors.offset", str(offset).encode()),
            ("__connect.errors.exception.message", message.encode())]


class ReplayDlqTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {
        "orders": 1, "orders-out": 1, "orders-dlq": 1, "orders-fixed": 1,
        "mixed-dlq": 2, "conn-orig": 2, "streams-orig": 2, "spring-orig": 4,
        "kept": 1, "windowed": 1, "maxed": 1, "where-out": 1,
        "loop-in": 1, "loop-out": 1, "loop-in-dlq": 1,
    }

    @classmethod
    def setUpClass(cls):
        h.require_subcommand("replay-dlq")
        super().setUpClass()

    # helpers ---------------------------------------------------------------------------------

    def replay(self, *args, expect_rc=0):
        rc, out, err = self.kpipe("replay-dlq", *(list(args) + FAST))
        self.assertEqual(rc, expect_rc, "replay-dlq %s exited %d:\n%s" % (args, rc, err[-3000:]))
        summary = summary_of(err)
        self.assertIsNotNone(summary, "no summary on stderr:\n%s" % err[-3000:])
        return out, err, summary

    def start(self, *args):
        proc = h.KpipeProcess(["-b", self.bootstrap] + list(args) + FAST)
        self.addCleanup(proc.cleanup)
        return proc

    def finished(self, proc):
        rc = proc.wait()
        err = proc.stderr_text()
        self.assertEqual(rc, 0, "kpipe %s exited %d:\n%s" % (proc.args, rc, err[-3000:]))
        summary = summary_of(err)
        self.assertIsNotNone(summary, "no summary on stderr:\n%s" % err[-3000:])
        return summary, err

    def assertCounts(self, summary, **expected):
        self.assertEqual({k: summary[k] for k in expected}, expected, summary)

    # 1. dead letters of kpipe transform ------------------------------------------------------

    def test_transform_dead_letters_return_once_and_a_filter_repairs_them(self):
        self.produce("orders", [
            {"key": b"k1", "value": b'{"id":1,"n":1}', "timestamp": T},
            {"key": b"k2", "value": b"not json", "timestamp": T + 1,
             "headers": [("trace", b"t2")]},
            {"key": b"k3", "value": b'{"id":3,"n":"3"}', "timestamp": T + 2},
        ])
        rc, _, err = self.kpipe("transform", "--in", "orders", "--out", "orders-out", "-e",
                                "{id, n: (.n + 1)}", *FAST)
        self.assertEqual(rc, 0, err)
        dead = self.read("orders-dlq")
        self.assertEqual([m.key for m in dead], [b"k2", b"k3"])

        # The dry run reports per target and error, and changes nothing.
        out, _, summary = self.replay("--dlq", "orders-dlq", "--dry-run")
        self.assertCounts(summary, read=2, replayed=2, over_limit=0, unroutable=0)
        lines = out.decode().splitlines()
        self.assertEqual(len(lines), 2, lines)
        for line in lines:
            count, target, message = line.split("\t")
            self.assertEqual((count, target), ("1", "orders"), line)
        self.assertTrue(any("cannot be added" in line for line in lines), lines)
        self.assertEqual(h.total_records(self.bootstrap, "orders"), 3)
        self.assertEqual(h.committed_offsets(self.bootstrap, "kpipe-replay-orders-dlq",
                                             "orders-dlq", [0]), {0: None})

        # Back to the origin as they were, and, in another group, repaired to --to.
        plain = self.start("replay-dlq", "--dlq", "orders-dlq")
        fixer = self.start("replay-dlq", "--dlq", "orders-dlq", "-g", "fixer",
                           "--to", "orders-fixed", "{id, n: (.n | tonumber)}")
        summary, _ = self.finished(plain)
        self.assertCounts(summary, read=2, replayed=2, skipped=0)
        summary, err = self.finished(fixer)
        self.assertCounts(summary, read=2, replayed=1, skipped=1, filter_errors=1)
        self.assertIn("offset 0: FILTER: ", err)  # the non-JSON record is named

        replayed = self.read("orders")[3:]
        self.assertEqual(len(replayed), 2)
        for again, dl in zip(replayed, dead):
            self.assertEqual((again.key, again.value, again.timestamp),
                             (dl.key, dl.value, dl.timestamp))
            _, others = h.split_dead_letter_headers(dl.headers)
            self.assertEqual(again.headers, others + [("kpipe-replay-count", b"1")])
        self.assertEqual([m.value for m in self.read("orders-fixed")], [b'{"id":3,"n":3}'])
        self.assertEqual(h.committed_offsets(self.bootstrap, "kpipe-replay-orders-dlq",
                                             "orders-dlq", [0]), {0: 2})

        # A second run, and a dry run from the committed offsets, find nothing to do.
        _, _, summary = self.replay("--dlq", "orders-dlq")
        self.assertCounts(summary, read=0, replayed=0)
        out, _, summary = self.replay("--dlq", "orders-dlq", "--dry-run")
        self.assertCounts(summary, read=0, replayed=0)
        self.assertEqual(out, b"")
        self.assertEqual(h.total_records(self.bootstrap, "orders"), 5)

    # 2. Connect, Streams and Spring dead letters -----------------------------------------------

    def test_connect_streams_and_spring_headers_with_selection_options(self):
        spring_headers = [("kafka_dlt-original-topic", b"spring-orig"),
                          ("kafka_dlt-original-partition", struct.pack(">i", 2)),
                          ("kafka_dlt-original-offset", struct.pack(">q", 123456789012)),
                          ("kafka_dlt-exception-fqcn", b"org.example.SpringBoom"),
                          ("kafka_dlt-exception-message", b"spring boom")]
        records = [
            {"key": b"ck", "value": b'{"c":1}', "timestamp": T, "partition": 0,
             "headers": [("trace", b"c")] + connect_headers("conn-orig", 1, 5, "connect boom")},
            {"key": b"sk", "value": b'{"s":1}', "timestamp": T + 1000, "partition": 1,
             "headers": [("__streams.errors.topic", b"streams-orig"),
                         ("__streams.errors.partition", b"1"),
                         ("__streams.errors.offset", b"7"),
                         ("__streams.errors.message", b"streams boom")]},
            {"key": b"pk", "value": b'{"p":1}', "timestamp": T + 2000, "partition": 0,
             "headers": spring_headers},
            {"key": b"uk", "value": b'{"u":1}', "timestamp": T, "partition": 1,
             "headers": [("trace", b"u")]},
            {"key": b"lk", "value": b'{"l":1}', "timestamp": T, "partition": 0,
             "headers": connect_headers("conn-orig", 0, 1, "connect boom") +
             [("kpipe-replay-count", b"3")]},
        ]
        self.produce("mixed-dlq", records)

        origin = self.start("replay-dlq", "--dlq", "mixed-dlq", "--same-partition")
        kept = self.start("replay-dlq", "--dlq", "mixed-dlq", "-g", "kept", "--to", "kept",
                          "--keep-headers", "--error-contains", "spring")
        windowed = self.start("replay-dlq", "--dlq", "mixed-dlq", "-g", "windowed",
                              "--to", "windowed", "--since", str(T + 500),
                              "--until", "2023-11-14T22:13:21Z")  # T + 1000 ms: excluded
        maxed = self.start("replay-dlq", "--dlq", "mixed-dlq", "-g", "maxed", "--to", "maxed",
                           "--max", "2", "--rate", "20")
        where = self.start("replay-dlq", "--dlq", "mixed-dlq", "-g", "where",
                           "--to", "where-out", "--where", 'has("c") or has("u")')

        summary, err = self.finished(origin)
        self.assertCounts(summary, read=5, replayed=3, skipped=0, over_limit=1, unroutable=1)
        self.assertIn("replayed 3 times already", err)
        self.assertIn("no origin headers", err)

        def only(topic):
            got = self.read(topic)
            self.assertEqual(len(got), 1, (topic, got))
            return got[0]

        conn = only("conn-orig")
        self.assertEqual((conn.partition, conn.key, conn.value), (1, b"ck", b'{"c":1}'))
        self.assertEqual(conn.headers, [("trace", b"c"), ("kpipe-replay-count", b"1")])
        self.assertEqual(conn.timestamp, T)
        streams = only("streams-orig")
        self.assertEqual((streams.partition, streams.value), (1, b'{"s":1}'))
        self.assertEqual(streams.headers, [("kpipe-replay-count", b"1")])
        spring = only("spring-orig")
        self.assertEqual((spring.partition, spring.key, spring.value), (2, b"pk", b'{"p":1}'))
        self.assertEqual(spring.headers, [("kpipe-replay-count", b"1")])

        summary, _ = self.finished(kept)
        self.assertCounts(summary, replayed=1, skipped=4, over_limit=0)
        got = only("kept")
        self.assertEqual(got.value, b'{"p":1}')
        self.assertEqual(got.headers, spring_headers + [("kpipe-replay-count", b"1")])

        summary, _ = self.finished(windowed)
        self.assertCounts(summary, replayed=0)
        self.assertEqual(h.total_records(self.bootstrap, "windowed"), 0)
        # --since includes its start, --until excludes its end.
        _, _, summary = self.replay("--dlq", "mixed-dlq", "--dry-run", "-g", "window-check",
                                    "--to", "windowed", "--since", str(T + 1000),
                                    "--until", str(T + 1001))
        self.assertCounts(summary, replayed=1)

        summary, _ = self.finished(maxed)
        self.assertCounts(summary, replayed=2)
        self.assertEqual(h.total_records(self.bootstrap, "maxed"), 2)

        summary, _ = self.finished(where)
        self.assertCounts(summary, replayed=2, skipped=2, over_limit=1, unroutable=0)
        self.assertEqual(sorted(m.value for m in self.read("where-out")),
                         [b'{"c":1}', b'{"u":1}'])

    # 3. the loop guard -------------------------------------------------------------------------

    def test_a_poison_record_stops_after_max_replays_rounds(self):
        self.produce("loop-in", [{"key": b"poison", "value": b'{"id":9,"n":"x"}'}])
        transform = self.start("transform", "--in", "loop-in", "--out", "loop-out",
                               "{id, n: (.n + 1)}")
        replay = self.start("replay-dlq", "--dlq", "loop-in-dlq", "--follow")
        h.poll_until(lambda: transform.check_running() and replay.check_running() and
                     "replayed 3 times already" in replay.stderr_text(), 90,
                     what="the replay to leave the poison record in place")
        self.assertEqual(replay.stop(), 0, replay.stderr_text())
        self.assertEqual(transform.stop(), 0, transform.stderr_text())
        summary = summary_of(replay.stderr_text())
        self.assertCounts(summary, read=4, replayed=3, over_limit=1)

        def counts(topic):
            return [dict(m.headers).get("kpipe-replay-count") for m in self.read(topic)]

        self.assertEqual(counts("loop-in"), [None, b"1", b"2", b"3"])
        self.assertEqual(counts("loop-in-dlq"), [None, b"1", b"2", b"3"])
        self.assertEqual(h.total_records(self.bootstrap, "loop-out"), 0)

    # 4. usage errors, before connecting ------------------------------------------------------

    def test_usage_errors_exit_2_before_connecting(self):
        for args, needle in [
            (["--dlq", "d", "{"], "FILTER: filter:1:"),
            (["--dlq", "d", "--where", "reduce . as $x (0; $y)"], "$y is not defined"),
            (["--dlq", "d", "--since", "yesterday"], "--since 'yesterday'"),
            (["--dlq", "d", "--dry-run", "--follow"], "--follow"),
            (["--dlq", "d", "--rate", "0"], "--rate"),
            (["--to", "x"], "--dlq"),
        ]:
            with self.subTest(args=args):
                rc, out, err = h.run_kpipe(["-b", "127.0.0.1:1", "replay-dlq"] + args,
                                           timeout=10)
                self.assertEqual(rc, 2, err)
                self.assertIn(needle, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)


if __name__ == "__main__":
    h.main()

"""`kpipe consume`: records written by kcat and confluent-kafka come out exactly."""

import json
import os
import subprocess
import tempfile
import time

import kpipe_harness as h

BASE_TS = 1694479551000
BULK_COUNT = 10000
BULK_HEADERS = [("src", b"kcat"), ("dup", b"a"), ("dup", b"b")]


def lines_of(output):
    """The lines of kpipe's stdout; every line, the last included, ends with a newline."""
    if not output:
        return []
    assert output.endswith(b"\n"), "output does not end with a newline: %r" % output[-100:]
    return output[:-1].split(b"\n")


def as_dict(msg):
    return {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset,
            "timestamp": msg.timestamp, "timestamp_type": msg.timestamp_type,
            "key": msg.key, "headers": msg.headers, "value": msg.value}


class ConsumeTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {
        "bulk": 4, "offs1": 1, "offs3": 3, "ts": 2, "grp": 2, "multi-a": 2, "multi-b": 1,
        "fmt": 1, "cls": 1,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 10,000 keyed records by kcat: the first 6,000 without headers, the rest with three
        # (a duplicate name included).
        pad = "p" * 60
        lines = [b"k%05d\t{\"i\":%d,\"name\":\"record %d\",\"pad\":\"%s\"}"
                 % (i, i, i, pad.encode()) for i in range(BULK_COUNT)]
        h.kcat_produce(cls.bootstrap, "bulk", b"\n".join(lines[:6000]) + b"\n", ["-K", "\t"])
        header_args = []
        for name, value in BULK_HEADERS:
            header_args += ["-H", "%s=%s" % (name, value.decode())]
        h.kcat_produce(cls.bootstrap, "bulk", b"\n".join(lines[6000:]) + b"\n",
                       ["-K", "\t"] + header_args)
        cls.bulk = h.read_topic(cls.bootstrap, "bulk")
        assert len(cls.bulk) == BULK_COUNT, len(cls.bulk)

        h.produce(cls.bootstrap, "offs1", [{"value": b"v%d" % i} for i in range(10)])
        h.produce(cls.bootstrap, "offs3",
                  [{"value": b"p%d-%d" % (p, i), "partition": p}
                   for p, n in ((0, 10), (1, 5), (2, 3)) for i in range(n)])
        # Partition 0: BASE_TS + i s; partition 1: BASE_TS + 2.5 s + i s.
        h.produce(cls.bootstrap, "ts",
                  [{"value": b"t0-%d" % i, "partition": 0, "timestamp": BASE_TS + 1000 * i}
                   for i in range(10)]
                  + [{"value": b"t1-%d" % i, "partition": 1,
                      "timestamp": BASE_TS + 2500 + 1000 * i} for i in range(10)])
        h.produce(cls.bootstrap, "grp",
                  [{"key": b"g%d" % i, "value": b"g%d-%d" % (p, i), "partition": p}
                   for p in (0, 1) for i in range(6)])
        h.produce(cls.bootstrap, "multi-a",
                  [{"value": b"a%d" % i, "partition": i % 2} for i in range(6)])
        h.produce(cls.bootstrap, "multi-b", [{"value": b"b%d" % i} for i in range(4)])

    def consume_envelopes(self, *args, timeout=h.RUN_TIMEOUT):
        out = self.kpipe_ok("consume", "--envelope", *args, timeout=timeout)
        return [h.envelope_record(line) for line in lines_of(out)]

    # (a) -------------------------------------------------------------------------------------

    def test_kcat_records_come_out_of_envelope_mode_exactly(self):
        records = self.consume_envelopes("-t", "bulk", "-e")
        self.assertEqual(len(records), BULK_COUNT)
        # Within a partition, records come out in offset order.
        last = {}
        for rec in records:
            self.assertGreater(rec["offset"], last.get(rec["partition"], -1))
            last[rec["partition"]] = rec["offset"]
        records.sort(key=lambda r: (r["partition"], r["offset"]))
        expected = [as_dict(m) for m in self.bulk]
        for got, want in zip(records, expected):
            self.assertEqual(got, want)
        self.assertEqual(sum(1 for m in self.bulk if m.headers == BULK_HEADERS), 4000)
        self.assertEqual(len({m.partition for m in self.bulk}), 4)

    def test_envelope_line_format(self):
        h.produce(self.bootstrap, "fmt", [{
            "key": b"k", "value": b'{"a":1}', "timestamp": BASE_TS,
            "headers": [("h", b"v"), ("n", None), ("b", b"\x00\xff")]}])
        out = self.kpipe_ok("consume", "-t", "fmt", "--envelope", "-e")
        lines = lines_of(out)
        self.assertEqual(len(lines), 1)
        self.assertEqual(json.loads(lines[0]), {
            "topic": "fmt", "partition": 0, "offset": 0, "timestamp": BASE_TS,
            "timestamp_type": "create", "key": "k",
            "headers": [{"key": "h", "value": "v"}, {"key": "n", "value": None},
                        {"key": "b", "value_b64": "AP8="}],
            "value": {"a": 1}})

    def test_envelope_value_and_key_representations(self):
        cases = [
            # (key, value, expected envelope members: name -> parsed value, raw text check)
            (b"k", b'{"a":1}', {"key": "k", "value": {"a": 1}}, '{"a":1}'),
            (b"k", b'{"a": 1, "b" : [1, 2]}', {"value": {"a": 1, "b": [1, 2]}},
             '{"a": 1, "b" : [1, 2]}'),
            (b"k", b"[1,2,3]", {"value": [1, 2, 3]}, "[1,2,3]"),
            (b"k", b"hello world", {"value": "hello world"}, None),
            (b"k", b"null", {"value": "null"}, None),
            (b"k", b"42", {"value": "42"}, None),
            (b"k", b'"quoted"', {"value": '"quoted"'}, None),
            (b"k", b'{\n  "a": 1\n}', {"value": '{\n  "a": 1\n}'}, None),
            (b"k", b"{not json", {"value": "{not json"}, None),
            (b"k", b"", {"value": ""}, None),
            (b"k", None, {"value": None}, None),
            (b"k", b"\xff\x00\x80", {"value_b64": "/wCA"}, None),
            (None, b"x", {"key": None}, None),
            (b"", b"x", {"key": ""}, None),
            (b"\xff\xfe", b"x", {"key_b64": "//4="}, None),
            ("h\u00e9".encode(), "\u2713".encode(), {"key": "h\u00e9", "value": "\u2713"}, None),
        ]
        h.produce(self.bootstrap, "cls", [{"key": k, "value": v} for k, v, _, _ in cases])
        out = self.kpipe_ok("consume", "-t", "cls", "--envelope", "-e")
        lines = lines_of(out)
        self.assertEqual(len(lines), len(cases))
        for line, (key, value, members, raw_value) in zip(lines, cases):
            with self.subTest(key=key, value=value):
                parsed, raw = h.envelope_members(line)
                for name, expected in members.items():
                    self.assertIn(name, parsed)
                    self.assertEqual(parsed[name], expected)
                if "key_b64" in members:
                    self.assertNotIn("key", parsed)
                if "value_b64" in members:
                    self.assertNotIn("value", parsed)
                if raw_value is not None:
                    self.assertEqual(raw["value"], raw_value, "JSON value not embedded verbatim")
                rec = h.envelope_record(line)
                self.assertEqual((rec["key"], rec["value"]), (key, value))

    # (b) -------------------------------------------------------------------------------------

    def test_value_mode_prints_the_values(self):
        out = self.kpipe_ok("consume", "-t", "bulk", "-e")
        self.assertSameMultiset(lines_of(out), [m.value for m in self.bulk], "values")

    def test_value_mode_keeps_partition_order(self):
        out = self.kpipe_ok("consume", "-t", "offs1", "-e")
        self.assertEqual(lines_of(out), [b"v%d" % i for i in range(10)])

    # (c) -------------------------------------------------------------------------------------

    def test_offset_beginning(self):
        out = self.kpipe_ok("consume", "-t", "offs1", "-o", "beginning", "-e")
        self.assertEqual(lines_of(out), [b"v%d" % i for i in range(10)])

    def test_offset_end_prints_nothing(self):
        rc, out, err = self.kpipe("consume", "-t", "offs3", "-o", "end", "-e", timeout=30)
        self.assertEqual((rc, out), (0, b""), err)

    def test_offset_absolute(self):
        out = self.kpipe_ok("consume", "-t", "offs1", "-o", 5, "-e")
        self.assertEqual(lines_of(out), [b"v%d" % i for i in range(5, 10)])
        records = self.consume_envelopes("-t", "offs3", "-p", 1, "-o", 3, "-e")
        self.assertEqual([(r["partition"], r["offset"], r["value"]) for r in records],
                         [(1, 3, b"p1-3"), (1, 4, b"p1-4")])

    def test_offset_relative_to_end_per_partition(self):
        out = self.kpipe_ok("consume", "-t", "offs1", "-o", -3, "-e")
        self.assertEqual(lines_of(out), [b"v7", b"v8", b"v9"])
        records = self.consume_envelopes("-t", "offs3", "-o", -3, "-e")
        self.assertEqual(sorted((r["partition"], r["offset"]) for r in records),
                         [(0, 7), (0, 8), (0, 9), (1, 2), (1, 3), (1, 4), (2, 0), (2, 1), (2, 2)])

    def test_offset_timestamp(self):
        records = self.consume_envelopes("-t", "ts", "-o", "s@%d" % (BASE_TS + 5000), "-e")
        got = sorted((r["partition"], r["offset"], r["timestamp"]) for r in records)
        expected = sorted([(0, i, BASE_TS + 1000 * i) for i in range(5, 10)]
                          + [(1, i, BASE_TS + 2500 + 1000 * i) for i in range(3, 10)])
        self.assertEqual(got, expected)
        rc, out, err = self.kpipe("consume", "-t", "ts", "-o", "s@%d" % (BASE_TS + 10 ** 6),
                                  "-e", timeout=30)
        self.assertEqual((rc, out), (0, b""), err)

    # (d) -------------------------------------------------------------------------------------

    def test_count_prints_exactly_n(self):
        out = self.kpipe_ok("consume", "-t", "bulk", "-c", 7)
        self.assertEqual(len(lines_of(out)), 7)
        records = self.consume_envelopes("-t", "bulk", "-c", 7)
        self.assertEqual(len({(r["partition"], r["offset"]) for r in records}), 7)

    def test_count_beyond_the_end_with_exit_at_end(self):
        out = self.kpipe_ok("consume", "-t", "offs1", "-c", 50, "-e")
        self.assertEqual(len(lines_of(out)), 10)

    # (e) -------------------------------------------------------------------------------------

    def test_partition_restricts(self):
        for partitions in ([1], [0, 2]):
            with self.subTest(partitions=partitions):
                args = []
                for p in partitions:
                    args += ["-p", p]
                records = self.consume_envelopes("-t", "bulk", "-e", *args)
                self.assertEqual(
                    sorted((r["partition"], r["offset"]) for r in records),
                    [(m.partition, m.offset) for m in self.bulk if m.partition in partitions])

    # (f) -------------------------------------------------------------------------------------

    def test_group_commits_what_was_printed_and_resumes(self):
        group = "kpipe-it-group"
        # The mock broker lets a group's next JoinGroup wait about session.timeout.ms even
        # after the previous member left (45 s by default); 6 s keeps this test short and is
        # still above its 3 s initial rebalance delay.
        fast_rejoin = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]
        first = self.consume_envelopes("-t", "grp", "-g", group, "-o", "beginning", "-c", 5,
                                       *fast_rejoin)
        self.assertEqual(len(first), 5)
        printed = {}
        for rec in first:
            printed.setdefault(rec["partition"], []).append(rec["offset"])
        for p, offsets in printed.items():
            self.assertEqual(offsets, list(range(len(offsets))), "partition %d" % p)
        committed = h.committed_offsets(self.bootstrap, group, "grp", [0, 1])
        for p in (0, 1):
            if p in printed:
                self.assertEqual(committed[p], len(printed[p]), "partition %d" % p)
            else:
                self.assertIn(committed[p], (None, 0), "partition %d" % p)

        second = self.consume_envelopes("-t", "grp", "-g", group, "-e", *fast_rejoin)
        firsts = {(r["partition"], r["offset"]) for r in first}
        seconds = [(r["partition"], r["offset"]) for r in second]
        self.assertEqual(len(seconds), 12 - 5)
        self.assertFalse(firsts & set(seconds), "second run repeated records")
        self.assertEqual(firsts | set(seconds), {(p, i) for p in (0, 1) for i in range(6)})
        self.assertEqual(h.committed_offsets(self.bootstrap, group, "grp", [0, 1]),
                         {0: 6, 1: 6})

        self.assertEqual(self.consume_envelopes("-t", "grp", "-g", group, "-e", *fast_rejoin), [])

    # (g) -------------------------------------------------------------------------------------

    def test_closed_stdout_ends_quietly(self):
        with tempfile.TemporaryFile() as err:
            proc = h.popen_kpipe(["-b", self.bootstrap, "consume", "-t", "bulk"],
                                 stdout=subprocess.PIPE, stderr=err)
            try:
                first = proc.stdout.readline()
                proc.stdout.close()
                rc = proc.wait(15)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            err.seek(0)
            stderr = err.read()
        self.assertIn(first.rstrip(b"\n"), {m.value for m in self.bulk})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(stderr, b"")

    def test_pipe_into_head_in_a_shell(self):
        script = 'set -o pipefail; "$0" -b "$1" consume -t bulk | head -1'
        proc = subprocess.run(["bash", "-c", script, h.kpipe_bin(), self.bootstrap],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30,
                              env=h.clean_env())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, b"")
        self.assertEqual(len(lines_of(proc.stdout)), 1)

    # (h) -------------------------------------------------------------------------------------

    def test_multiple_topics(self):
        records = self.consume_envelopes("-t", "multi-a,multi-b", "-e")
        self.assertSameMultiset([(r["topic"], r["value"]) for r in records],
                                [("multi-a", b"a%d" % i) for i in range(6)]
                                + [("multi-b", b"b%d" % i) for i in range(4)])

    # bad input ------------------------------------------------------------------------------

    def test_unreachable_broker_fails_within_timeout(self):
        start = time.monotonic()
        rc, out, err = h.run_kpipe(["-b", "127.0.0.1:1", "--timeout", "3", "consume", "-t", "x",
                                    "-e"], timeout=60)
        self.assertEqual(rc, 1, err)
        self.assertLess(time.monotonic() - start, 15)
        self.assertEqual(out, b"")
        self.assertIn("127.0.0.1:1", err)

    def test_broker_that_goes_away_ends_the_consumer_with_an_error(self):
        broker = h.Broker(topics={"gone": 1})
        try:
            h.produce(broker.bootstrap, "gone", [{"value": b"before"}])
            proc = h.popen_kpipe(["-b", broker.bootstrap, "--timeout", "2", "consume", "-t",
                                  "gone"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(proc.stdout.readline(), b"before\n")
            broker.kill()
            start = time.monotonic()
            out, err = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 1, err)
            self.assertLess(time.monotonic() - start, 15)
            self.assertIn(b"cannot reach Kafka at " + broker.bootstrap.encode(), err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
        finally:
            broker.cleanup()

    def test_unknown_property_is_a_usage_error(self):
        rc, _, err = self.kpipe("consume", "-t", "offs1", "-e", "-X", "no.such.property=1",
                                timeout=20)
        self.assertEqual(rc, 2, err)
        self.assertIn("no.such.property", err)

    def test_bad_offset_is_a_usage_error(self):
        rc, _, err = self.kpipe("consume", "-t", "offs1", "-e", "-o", "sometime", timeout=20)
        self.assertEqual(rc, 2, err)


if __name__ == "__main__":
    h.main()

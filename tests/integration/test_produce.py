"""`kpipe produce`: records checked with kcat and confluent-kafka, never with kpipe alone."""

import collections
import ipaddress
import json
import os
import re
import tempfile
import time

import kpipe_harness as h

GENERATED_FIELDS = ["user_id", "app_version", "device_type", "ip", "locale", "device_id",
                    "timestamp"]
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def ndjson(*lines):
    return ("".join(line + "\n" for line in lines)).encode("utf-8")


def kcat_pairs(output):
    """(key, value) pairs from kcat -f '%k\\t%s\\n' output."""
    lines = output.split(b"\n")
    assert lines[-1] == b"", "kcat output does not end with a newline"
    return [tuple(line.split(b"\t", 1)) for line in lines[:-1]]


class GenerateTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {"gen": 8, "gen-small": 2}
    COUNT = 100000

    def test_100k_generated_records_read_back_by_kcat_exactly(self):
        args = ["produce", "--generate", "user-login", "--count", self.COUNT, "--seed", 7,
                "-t", "gen"]
        self.kpipe_ok(*args, timeout=120)

        marks = h.watermarks(self.bootstrap, "gen")
        self.assertEqual([low for low, _ in marks.values()], [0] * 8, "retention dropped data")
        self.assertEqual(sum(high for _, high in marks.values()), self.COUNT)

        got = kcat_pairs(h.kcat_consume(self.bootstrap, "gen", "%k\t%s\n"))
        self.assertEqual(len(got), self.COUNT)

        dry = self.kpipe_ok(*args, "--dry-run", timeout=120)
        lines = dry.splitlines()
        self.assertEqual(len(lines), self.COUNT)
        expected = []
        for line in lines:
            rec = h.envelope_record(line)
            expected.append((rec["key"], rec["value"]))
        self.assertSameMultiset(got, expected, "kcat's (key, value) pairs vs --dry-run")

        # --dry-run sent nothing.
        marks = h.watermarks(self.bootstrap, "gen")
        self.assertEqual(sum(high for _, high in marks.values()), self.COUNT)

        # Every record has the seed's schema, keyed by its user_id; many users log in.
        user_ids = set()
        for key, value in expected:
            obj = json.loads(value)
            self.assertEqual(list(obj), GENERATED_FIELDS)
            self.assertEqual(key, obj["user_id"].encode())
            user_ids.add(obj["user_id"])
        self.assertGreater(len(user_ids), 1000)

    def test_generated_values_are_realistic(self):
        out = self.kpipe_ok("produce", "--generate", "user-login", "--count", 1000,
                            "--seed", 11, "-t", "gen-small", "--dry-run")
        records = [h.envelope_record(line) for line in out.splitlines()]
        self.assertEqual(len(records), 1000)
        device_types, locales, versions = set(), set(), set()
        for rec in records:
            obj = json.loads(rec["value"])
            self.assertEqual(list(obj), GENERATED_FIELDS)
            for field in GENERATED_FIELDS:
                self.assertIsInstance(obj[field], str, field)
            self.assertRegex(obj["user_id"], UUID_RE)
            self.assertRegex(obj["app_version"], r"^\d+(\.\d+){1,3}$")
            self.assertIn(obj["device_type"].lower(), ("android", "ios"))
            ipaddress.IPv4Address(obj["ip"])
            self.assertRegex(obj["locale"], r"^[A-Za-z]{2}([-_][A-Za-z]{2})?$")
            self.assertTrue(obj["device_id"])
            # Epoch seconds as a string, 2001..2100.
            self.assertRegex(obj["timestamp"], r"^\d{10}$")
            self.assertTrue(978307200 <= int(obj["timestamp"]) < 4102444800, obj["timestamp"])
            self.assertEqual(rec["key"], obj["user_id"].encode())
            device_types.add(obj["device_type"])
            locales.add(obj["locale"])
            versions.add(obj["app_version"])
        self.assertEqual(len(device_types), 2)
        self.assertGreater(len(locales), 5)
        self.assertGreater(len(versions), 1)

    def test_seed_makes_the_sequence_deterministic(self):
        def run(seed):
            return self.kpipe_ok("produce", "--generate", "user-login", "--count", 500,
                                 "--seed", seed, "-t", "gen-small", "--dry-run")
        first, again, other = run(3), run(3), run(4)
        self.assertEqual(first, again)
        self.assertNotEqual(first, other)

    def test_rate_limits_the_generator(self):
        start = time.monotonic()
        self.kpipe_ok("produce", "--generate", "user-login", "--count", 300, "--rate", 200,
                      "-t", "gen-small", "--dry-run")
        # 300 records at 200/s take at least 0.5 s even after a full second's burst.
        self.assertGreaterEqual(time.monotonic() - start, 0.45)


class ProduceTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {
        "keyed": 1, "files": 1, "delim": 1, "delim-raw": 1, "part": 4, "bad": 1, "bad-raw": 1,
        "usage": 1, "comp-gzip": 2, "comp-lz4": 2, "comp-snappy": 2, "comp-zstd": 2,
        "acks-all": 1, "acks-1": 1, "acks-0": 1, "global-after": 1, "env-brokers": 1,
        "too-big": 1, "no-partition": 1,
    }

    def test_ndjson_stdin_with_key_field_and_headers(self):
        lines = [
            '{"user_id":"u1","n":1}',
            '{"n": 2, "user_id" : "u\\"2"}',
            '{"user_id":42,"x":[1,2]}',
            '{"user_id":{"a":1},"z":true}',
            '{"user_id":"h\\u00e9 \u2713"}',
        ]
        self.kpipe_ok("produce", "-t", "keyed", "--key-field", "user_id",
                      "-H", "source=test", "-H", "dup=1", "-H", "dup=2", "-H", "eq=a=b",
                      input=ndjson(*lines))
        msgs = self.read("keyed")
        self.assertEqual([m.value for m in msgs], [line.encode() for line in lines])
        self.assertEqual([m.key for m in msgs],
                         [b"u1", b'u"2', b"42", b'{"a":1}', "h\u00e9 \u2713".encode()])
        for m in msgs:
            self.assertEqual(m.headers, [("source", b"test"), ("dup", b"1"), ("dup", b"2"),
                                         ("eq", b"a=b")])

    def test_files_as_arguments_and_missing_final_newline(self):
        tmp = tempfile.mkdtemp(prefix="kpipe-files-")
        first, second = os.path.join(tmp, "a.ndjson"), os.path.join(tmp, "b.ndjson")
        with open(first, "wb") as f:
            f.write(b'{"f":1,"i":1}\n{"f":1,"i":2}\n')
        with open(second, "wb") as f:
            f.write(b'{"f":2,"i":1}\n{"f":2,"i":2}')  # no trailing newline
        self.kpipe_ok("produce", "-t", "files", first, second)
        self.assertEqual([m.value for m in self.read("files")],
                         [b'{"f":1,"i":1}', b'{"f":1,"i":2}', b'{"f":2,"i":1}', b'{"f":2,"i":2}'])

    def test_key_delimiter(self):
        # The key ends at the first delimiter; the rest (delimiters included) is the value.
        self.kpipe_ok("produce", "-t", "delim", "-K", ":",
                      input=ndjson('k1:{"a":1}', 'k2:{"b":"x:y"}', 'k3:[1, 2]'))
        self.assertEqual([(m.key, m.value) for m in self.read("delim")],
                         [(b"k1", b'{"a":1}'), (b"k2", b'{"b":"x:y"}'), (b"k3", b"[1, 2]")])

    def test_key_delimiter_raw_with_tab(self):
        self.kpipe_ok("produce", "-t", "delim-raw", "--format", "raw", "--key-delimiter", "\t",
                      input=b"a\thello world\nb\tx\ty\n")
        self.assertEqual([(m.key, m.value) for m in self.read("delim-raw")],
                         [(b"a", b"hello world"), (b"b", b"x\ty")])

    def test_partition_option(self):
        lines = ['{"i":%d}' % i for i in range(40)]
        self.kpipe_ok("produce", "-t", "part", "-p", 2, "--key-field", "i",
                      input=ndjson(*lines))
        msgs = self.read("part")
        self.assertEqual({m.partition for m in msgs}, {2})
        self.assertEqual([m.value for m in msgs], [line.encode() for line in lines])

    def test_invalid_json_line_is_reported_and_skipped(self):
        lines = ['{"i":1}', '{"i":2}', '{"i":', '{"i":4}', 'not json', '{"i":6}']
        rc, _, err = self.kpipe("produce", "-t", "bad", input=ndjson(*lines))
        self.assertEqual(rc, 1, err)
        # Exactly the bad lines are named (the parser's own "line 1 column 6" may follow).
        self.assertEqual(re.findall(r"\bline (\d+): invalid JSON", err), ["3", "5"], err)
        self.assertEqual([m.value for m in self.read("bad")],
                         [b'{"i":1}', b'{"i":2}', b'{"i":4}', b'{"i":6}'])

    def test_raw_format_sends_every_line(self):
        lines = ['{"i":1}', '{"i":2}', '{"i":', '{"i":4}', 'not json', '{"i":6}']
        self.kpipe_ok("produce", "-t", "bad-raw", "--format", "raw", input=ndjson(*lines))
        self.assertEqual([m.value for m in self.read("bad-raw")],
                         [line.encode() for line in lines])

    def test_unknown_property_is_a_usage_error(self):
        for args in (["-X", "no.such.property=1", "produce", "-t", "usage"],
                     ["produce", "-t", "usage", "-X", "no.such.property=1"]):
            with self.subTest(args=args):
                rc, _, err = self.kpipe(*args, input=ndjson('{"a":1}'), timeout=20)
                self.assertEqual(rc, 2, err)
                self.assertIn("no.such.property", err)
        self.assertEqual(h.watermarks(self.bootstrap, "usage"), {0: (0, 0)})

    def test_usage_errors_exit_2(self):
        cases = {
            "unknown option": ["produce", "-t", "usage", "--no-such-option"],
            "missing topic": ["produce"],
            "bad compression": ["produce", "-t", "usage", "-z", "brotli"],
            "bad acks": ["produce", "-t", "usage", "--acks", "most"],
            "bad format": ["produce", "-t", "usage", "--format", "xml"],
            "unknown subcommand": ["no-such-subcommand"],
        }
        for name, args in cases.items():
            with self.subTest(name):
                rc, _, err = self.kpipe(*args, input=ndjson('{"a":1}'), timeout=20)
                self.assertEqual(rc, 2, "kpipe %s: stderr %s" % (" ".join(args), err))
                self.assertTrue(err.strip(), "no message on stderr")
        self.assertEqual(h.watermarks(self.bootstrap, "usage"), {0: (0, 0)})

    def test_unreachable_broker_fails_within_timeout(self):
        start = time.monotonic()
        rc, _, err = h.run_kpipe(["-b", "127.0.0.1:1", "--timeout", "3", "produce", "-t", "x"],
                                 input=ndjson('{"a":1}'), timeout=60)
        elapsed = time.monotonic() - start
        self.assertEqual(rc, 1, err)
        self.assertLess(elapsed, 15)
        lines = [line for line in err.splitlines() if line.strip()]
        self.assertTrue(lines, "stderr is empty")
        self.assertTrue(any("127.0.0.1:1" in line for line in lines),
                        "no stderr line names the broker: %r" % err)
        self.assertLessEqual(len(lines), 5, "stderr is not a short error: %r" % err)

    def test_compression_codecs(self):
        lines = ['{"id":%d,"text":"%s"}' % (i, "compressible " * 20) for i in range(500)]
        for codec in ("gzip", "lz4", "snappy", "zstd"):
            with self.subTest(codec=codec):
                topic = "comp-" + codec
                self.kpipe_ok("produce", "-t", topic, "-z", codec, "--key-field", "id",
                              input=ndjson(*lines))
                got = kcat_pairs(h.kcat_consume(self.bootstrap, topic, "%k\t%s\n"))
                self.assertSameMultiset(
                    got, [(str(i).encode(), line.encode()) for i, line in enumerate(lines)])

    def test_acks(self):
        lines = ['{"i":%d}' % i for i in range(50)]
        for acks in ("all", "1", "0"):
            with self.subTest(acks=acks):
                self.kpipe_ok("produce", "-t", "acks-" + acks, "--acks", acks,
                              input=ndjson(*lines))
                self.assertEqual([m.value for m in self.read("acks-" + acks)],
                                 [line.encode() for line in lines])

    def test_global_options_after_the_subcommand(self):
        rc, _, err = h.run_kpipe(["produce", "-t", "global-after", "-b", self.bootstrap,
                                  "--timeout", "10"], input=ndjson('{"after":true}'))
        self.assertEqual(rc, 0, err)
        self.assertEqual([m.value for m in self.read("global-after")], [b'{"after":true}'])

    def test_brokers_from_environment(self):
        rc, _, err = h.run_kpipe(["produce", "-t", "env-brokers"], input=ndjson('{"env":1}'),
                                 env={"KPIPE_BROKERS": self.bootstrap})
        self.assertEqual(rc, 0, err)
        self.assertEqual([m.value for m in self.read("env-brokers")], [b'{"env":1}'])

    def test_failed_records_are_counted_and_others_delivered(self):
        big = '{"big":"%s"}' % ("x" * 5000)
        rc, _, err = self.kpipe("-X", "message.max.bytes=2000", "produce", "-t", "too-big",
                                input=ndjson('{"i":1}', big, '{"i":3}'))
        self.assertEqual(rc, 1, err)
        self.assertRegex(err, r"\b1\b", "stderr does not say how many failed: %r" % err)
        self.assertEqual([m.value for m in self.read("too-big")], [b'{"i":1}', b'{"i":3}'])

    def test_nonexistent_partition_fails_every_record(self):
        rc, _, err = self.kpipe("produce", "-t", "no-partition", "-p", 9,
                                input=ndjson('{"i":1}', '{"i":2}', '{"i":3}'), timeout=30)
        self.assertEqual(rc, 1, err)
        self.assertRegex(err, r"\b3\b", "stderr does not say how many failed: %r" % err)
        self.assertEqual(h.watermarks(self.bootstrap, "no-partition"), {0: (0, 0)})


if __name__ == "__main__":
    h.main()

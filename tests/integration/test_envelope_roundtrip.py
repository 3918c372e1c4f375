"""`kpipe consume --envelope | kpipe produce --envelope` reproduces records byte for byte."""

import json
import subprocess
import tempfile

import kpipe_harness as h

TS = 1694479551000


def source_records():
    """Records covering every representation the envelope has, each with its own timestamp."""
    records = [
        {"key": b"json", "value": b'{"a":1}'},
        {"key": b"json-spaces", "value": b'{"a": 1, "b" : [1, 2 ,3], "c":{ }}'},
        {"key": b"json-array", "value": b"[1,2,3]"},
        {"key": b"json-dup-keys", "value": b'{"a":1,"a":2}'},
        {"key": b"json-numbers", "value": b'{"n":12345678901234567890123,"f":1.0e+10,"g":-0.0}'},
        {"key": b"json-escapes", "value": b'{"s":"\\u00e9\\n\\t\\"","t":"\xc3\xa9"}'},
        {"key": b"json-pretty", "value": b'{\n  "a": 1,\n  "b": [\n    2\n  ]\n}'},
        {"key": b"json-trailing-space", "value": b'{"a":1} '},
        {"key": b"json-leading-space", "value": b' {"a":1}'},
        {"key": b"json-crlf", "value": b'{"a":1}\r\n'},
        {"key": b"text", "value": b"hello world"},
        {"key": b"text-null", "value": b"null"},
        {"key": b"text-number", "value": b"42"},
        {"key": b"text-true", "value": b"true"},
        {"key": b"text-quoted", "value": b'"quoted"'},
        {"key": b"text-control", "value": b"a\tb\rc\x01d\x7f"},
        {"key": b"text-multiline", "value": b"line1\nline2\n"},
        {"key": b"text-unicode", "value": "h\u00e9llo \u2713 \u65e5\u672c \U0001f600".encode()},
        {"key": b"text-not-json", "value": b"{not json"},
        {"key": b"binary-all-bytes", "value": bytes(range(256))},
        {"key": b"binary-invalid-utf8", "value": b"\xff\xfe\xc3(\xa0\xa1"},
        {"key": b"binary-nul", "value": b"\x00"},
        {"key": b"empty", "value": b""},
        {"key": b"tombstone", "value": None},
        {"key": None, "value": b'{"no":"key"}'},
        {"key": None, "value": None},
        {"key": b"", "value": b"empty key"},
        {"key": b"\x00\xff\x80", "value": b"binary key"},
        {"key": '{"k":1}'.encode(), "value": b"json-looking key"},
        {"key": "\u00e9\u2713".encode(), "value": b"unicode key"},
        {"key": b"headers-order", "value": b"h",
         "headers": [("a", b"1"), ("b", b"2"), ("a", b"3"), ("c", b"4")]},
        {"key": b"headers-null", "value": b"h",
         "headers": [("n", None), ("e", b""), ("n", None)]},
        {"key": b"headers-binary", "value": b"h",
         "headers": [("bin", bytes(range(256))), ("bad", b"\xff"), ("u", "\u2713".encode())]},
        {"key": b"headers-json-value", "value": b"h",
         "headers": [("j", b'{"x":1}'), ("s", b" spaced ")]},
        {"key": b"headers-edge", "value": b"h",
         "headers": [("", b"empty name"), ("ctl", b"\x00\x01"), ("\u2713", b"unicode name")]},
        {"key": b"large", "value": ("x" * 200000).encode()},
    ]
    for i, rec in enumerate(records):
        rec["timestamp"] = TS + i * 1000 + 7
    # Timestamps need not increase, and may be far in the past or future.
    records[3]["timestamp"] = 1
    records[4]["timestamp"] = 4102444800000
    return records


def fields(msg):
    return {"key": msg.key, "value": msg.value, "headers": msg.headers,
            "timestamp": msg.timestamp, "timestamp_type": msg.timestamp_type}


class EnvelopeRoundTripTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {"src": 1, "copy": 1, "handmade": 1, "handmade-p": 4}
    # Kafka 4 rejects timestamps more than an hour ahead by default
    # (log.message.timestamp.after.max.ms); the year-2100 record must be kept as given.
    KAFKA_TOPIC_CONFIGS = {name: {"message.timestamp.after.max.ms": "9223372036854775807"}
                           for name in TOPICS}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.records = source_records()
        h.produce(cls.bootstrap, "src", cls.records)
        cls.source = h.read_topic(cls.bootstrap, "src")
        assert len(cls.source) == len(cls.records)

    def test_source_holds_what_was_produced(self):
        # Guards the test data itself: confluent-kafka stored every variant as given.
        for msg, rec in zip(self.source, self.records):
            self.assertEqual(fields(msg), {"key": rec["key"], "value": rec["value"],
                                           "headers": rec.get("headers", []),
                                           "timestamp": rec["timestamp"],
                                           "timestamp_type": "create"})

    def test_consume_pipe_produce_reproduces_every_record(self):
        with tempfile.TemporaryFile() as consume_err, tempfile.TemporaryFile() as produce_err:
            consumer = h.popen_kpipe(["-b", self.bootstrap, "consume", "-t", "src", "--envelope",
                                      "-e"], stdout=subprocess.PIPE, stderr=consume_err)
            producer = h.popen_kpipe(["-b", self.bootstrap, "produce", "--envelope", "-t",
                                      "copy"], stdin=consumer.stdout, stdout=subprocess.PIPE,
                                     stderr=produce_err)
            consumer.stdout.close()
            try:
                producer_out, _ = producer.communicate(timeout=60)
                consumer_rc = consumer.wait(10)
            finally:
                for proc in (consumer, producer):
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
            consume_err.seek(0)
            produce_err.seek(0)
            self.assertEqual(consumer_rc, 0, consume_err.read())
            self.assertEqual(producer.returncode, 0, produce_err.read())
        copy = self.read("copy")
        self.assertEqual(len(copy), len(self.source))
        for src, dst in zip(self.source, copy):
            with self.subTest(key=src.key, value=(src.value or b"")[:40]):
                self.assertEqual(fields(dst), fields(src))

    def test_dry_run_prints_the_envelopes_it_would_send(self):
        envelopes = self.kpipe_ok("consume", "-t", "src", "--envelope", "-e")
        out = self.kpipe_ok("produce", "--envelope", "-t", "copy-dry", "--dry-run",
                            input=envelopes)
        lines = out.splitlines()
        self.assertEqual(len(lines), len(self.source))
        for src, line in zip(self.source, lines):
            rec = h.envelope_record(line)
            with self.subTest(key=src.key):
                self.assertEqual({k: rec[k] for k in ("key", "value", "headers", "timestamp")},
                                 {k: v for k, v in fields(src).items() if k != "timestamp_type"})
        if h.partition_count(self.bootstrap, "copy-dry") is not None:
            self.assertEqual(self.read("copy-dry"), [], "--dry-run sent records")

    def test_handwritten_envelopes_are_produced_as_written(self):
        # Independent of `kpipe consume`: lines written here by the spec.
        lines = [
            # topic/partition/offset in the line are ignored.
            '{"topic":"elsewhere","partition":7,"offset":99,"timestamp":1694479551000,'
            '"timestamp_type":"create","key":"k","headers":[{"key":"h","value":"v"},'
            '{"key":"n","value":null},{"key":"b","value_b64":"AAE="}],"value":{"a": 1}}',
            '{"key":null,"headers":[],"value":"plain text","timestamp":1694479552000}',
            '{"key_b64":"AP8=","value_b64":"/wCA","timestamp":1694479553000}',
            '{"key":"tomb","value":null,"timestamp":1694479554000}',
            '{"key":"arr","value":[1, 2,3],"timestamp":1694479555000}',
            '{"key":"str-json","value":"{\\"a\\":1}","timestamp":1694479556000}',
            '{"key":"empty","value":"","timestamp":1694479557000}',
            h.envelope_line(key=b"built", value=b"\x00\x01", headers=[("x", b"\xfe")],
                            timestamp=1694479558000),
        ]
        self.kpipe_ok("produce", "--envelope", "-t", "handmade",
                      input=("\n".join(lines) + "\n").encode())
        got = [fields(m) for m in self.read("handmade")]
        create = "create"
        self.assertEqual(got, [
            {"key": b"k", "value": b'{"a": 1}', "timestamp": 1694479551000,
             "timestamp_type": create,
             "headers": [("h", b"v"), ("n", None), ("b", b"\x00\x01")]},
            {"key": None, "value": b"plain text", "headers": [], "timestamp": 1694479552000,
             "timestamp_type": create},
            {"key": b"\x00\xff", "value": b"\xff\x00\x80", "headers": [],
             "timestamp": 1694479553000, "timestamp_type": create},
            {"key": b"tomb", "value": None, "headers": [], "timestamp": 1694479554000,
             "timestamp_type": create},
            {"key": b"arr", "value": b"[1, 2,3]", "headers": [], "timestamp": 1694479555000,
             "timestamp_type": create},
            {"key": b"str-json", "value": b'{"a":1}', "headers": [],
             "timestamp": 1694479556000, "timestamp_type": create},
            {"key": b"empty", "value": b"", "headers": [], "timestamp": 1694479557000,
             "timestamp_type": create},
            {"key": b"built", "value": b"\x00\x01", "headers": [("x", b"\xfe")],
             "timestamp": 1694479558000, "timestamp_type": create},
        ])

    def test_partition_option_overrides_the_partitioner(self):
        lines = [h.envelope_line(key=b"k%d" % i, value=b"v%d" % i, partition=0,
                                 timestamp=TS + i) for i in range(20)]
        self.kpipe_ok("produce", "--envelope", "-t", "handmade-p", "-p", 3,
                      input=("\n".join(lines) + "\n").encode())
        msgs = self.read("handmade-p")
        self.assertEqual({m.partition for m in msgs}, {3})
        self.assertEqual([(m.key, m.value) for m in msgs],
                         [(b"k%d" % i, b"v%d" % i) for i in range(20)])


if __name__ == "__main__":
    h.main()

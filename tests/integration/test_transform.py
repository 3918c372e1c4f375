"""`kpipe transform`: the seed pipeline, the jq oracle, dead letters, filter errors, stdin.

Delivery guarantees (kill -9, --exactly-once, groups, signals) and the 100,000-record corrupted
run are in test_transform_delivery.py. Every result is checked with confluent-kafka or jq, not
with kpipe."""

import collections
import json
import os
import re
import signal
import subprocess
import tempfile
import time

import kpipe_harness as h

REPO_SETTINGS = os.path.join(h.REPO_ROOT, "examples", "kpipe.toml")

# The seed document's sample record and the output the reference pipeline makes of it.
SEED_IN = (b'{"user_id":"424cdd21-063a-43a7-b91b-7ca1a833afae","app_version":"2.3.0",'
           b'"device_type":"android","ip":"199.172.111.135","locale":"RU",'
           b'"device_id":"593-47-5928","timestamp":"1694479551"}')
SEED_OUT = (b'{"user_id":"424cdd21-063a-43a7-b91b-7ca1a833afae","locale":"RU",'
            b'"timestamp":"1694479551"}')
SEED_KEY = b"424cdd21-063a-43a7-b91b-7ca1a833afae"
SEED_TS = 1694479551000

VALUE_CONVERTER = "VALUE_CONVERTER"
TRANSFORMATION = "TRANSFORMATION"
INVALID_JSON = "kpipe.InvalidJson"
FILTER_ERROR = "kpipe.FilterError"
RECORD_TOO_LARGE = "kpipe.RecordTooLarge"
NULL_VALUE = "kpipe.NullValue"

# Filters for the stdin -> stdout differential check against `jq -c`: projections, selects,
# several outputs, none, string and number functions, dynamic keys, arithmetic.
DIFFERENTIAL_FILTERS = [
    ".",
    "{user_id, locale, timestamp}",
    ".user_id",
    'select(.device_type == "iOS") | {ip, v: .app_version}',
    ".locale, .device_type",
    "{id: .user_id, loc: (.locale | ascii_downcase), n: (.timestamp | tonumber)}",
    'if (.app_version | startswith("2.3")) then {user_id} '
    'elif .device_type == "android" then .ip else empty end',
    "del(.ip, .device_id) | keys",
    '[.locale, (.app_version | ltrimstr("2.")), has("ip"), has("nope"), length]',
    'select(.ip | test("^1[0-9][0-9]\\\\.")) | .ip',
    '.missing // "default"',
    ".timestamp | tonumber | todate",
    "{(.locale): .device_type}",
    "(.timestamp | tonumber) / 1000, (.timestamp | tonumber) + 1",
    '.device_type == "android" and (.locale | endswith("A")) | not',
]


def short(data, limit=80):
    """A bounded repr of a possibly huge value, for failure messages."""
    if data is None or len(data) <= limit:
        return repr(data)
    return "%r... (%d bytes)" % (data[:limit], len(data))


def lines_of(output):
    if not output:
        return []
    assert output.endswith(b"\n"), "output does not end with a newline: %r" % output[-100:]
    return output[:-1].split(b"\n")


class TransformTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {
        "user-login": 1, "processed-login": 1, "user-login-dlq": 1,
        "err-in": 1, "err-out": 1, "err-in-dlq": 1,
        "sel-in": 4, "sel-out": 4, "sel-in-dlq": 1,
        "bad-in": 1, "bad-out": 1, "bad-in-dlq": 1,
        "big-in": 2, "big-out": 1, "big-in-dlq": 1,
        "lim-in": 1, "lim-out": 1, "lim-in-dlq": 1,
        "mix-in": 2, "mix-out": 1, "mix-in-dlq": 1,
        "route-in": 2, "route-ios": 1, "route-android": 1, "route-in-dlq": 1,
    }
    # Kafka keeps at most 1 MB per record by default; the 10 MB record and its dead letter
    # need room (the mock broker has no such limit).
    KAFKA_TOPIC_CONFIGS = {name: {"max.message.bytes": str(16 * 1024 * 1024)}
                           for name in ("big-in", "big-in-dlq")}

    @classmethod
    def setUpClass(cls):
        h.require_subcommand("transform")
        super().setUpClass()

    # helpers ---------------------------------------------------------------------------------

    def transform(self, *args, timeout=h.RUN_TIMEOUT, expect_rc=0, input=None):
        """Runs `kpipe -b BOOTSTRAP transform ARGS`; checks the exit code and that a summary
        was printed; returns (stdout, stderr, summary)."""
        rc, out, err = self.kpipe("transform", *args, input=input, timeout=timeout)
        self.assertEqual(rc, expect_rc, "kpipe transform %s exited %d; stderr:\n%s"
                         % (" ".join(map(str, args)), rc, err[-3000:]))
        summary = h.transform_summary(err)
        self.assertIsNotNone(summary, "no summary line on stderr:\n%s" % err[-3000:])
        return out, err, summary

    def assertCounts(self, summary, **expected):
        self.assertEqual({k: summary[k] for k in expected}, expected, summary)

    def assertDeadLetter(self, dlq_msg, original, topic, stage, class_name,
                         message_pattern=None):
        """dlq_msg (a harness Message) is the dead letter of original (a harness Message read
        from topic): same key, value and headers, plus the Kafka Connect context headers."""
        self.assertEqual(dlq_msg.key, original.key)
        self.assertTrue(dlq_msg.value == original.value,
                        "dead letter value %s differs from the original %s"
                        % (short(dlq_msg.value), short(original.value)))
        context, others = h.split_dead_letter_headers(dlq_msg.headers)
        self.assertEqual(others, original.headers, "original headers not kept unchanged")
        for name in h.CONNECT_ERROR_HEADERS:
            self.assertEqual(len(context.get(name, [])), 1,
                             "dead letter needs exactly one %s header; has %r"
                             % (name, dlq_msg.headers))
        self.assertEqual(context["__connect.errors.topic"], [topic])
        self.assertEqual(context["__connect.errors.partition"], [str(original.partition)])
        self.assertEqual(context["__connect.errors.offset"], [str(original.offset)])
        self.assertEqual(context["__connect.errors.stage"], [stage])
        self.assertEqual(context["__connect.errors.exception.class.name"], [class_name])
        message = context["__connect.errors.exception.message"][0]
        self.assertTrue(message and message.strip(), "empty exception message")
        if message_pattern:
            self.assertRegex(message, re.compile(message_pattern, re.I),
                             "the message should name the cause")

    def origin(self, dlq_msg):
        context, _ = h.split_dead_letter_headers(dlq_msg.headers)
        return (int(context["__connect.errors.partition"][0]),
                int(context["__connect.errors.offset"][0]))

    # 1. the seed pipeline as one command ----------------------------------------------------

    def test_seed_sample_through_the_settings_files_pipeline(self):
        self.assertEqual(h.jq_each("{user_id, locale, timestamp}", [SEED_IN]),
                         [("ok", [SEED_OUT])], "the oracle disagrees with the seed document")
        self.produce("user-login", [{"key": SEED_KEY, "value": SEED_IN, "timestamp": SEED_TS,
                                     "headers": [("trace-id", b"seed-1")]}])
        rc, _, err = h.run_kpipe(["-F", REPO_SETTINGS, "-b", self.bootstrap, "transform",
                                  "--in", "user-login", "--out", "processed-login", "-e"])
        self.assertEqual(rc, 0, err)
        summary = h.transform_summary(err)
        self.assertIsNotNone(summary, err)
        self.assertCounts(summary, **{"in": 1, "out": 1, "filtered": 0, "dead_lettered": 0})

        out = self.read("processed-login")
        self.assertEqual(len(out), 1, out)
        self.assertEqual(out[0].value, SEED_OUT)
        self.assertEqual(out[0].key, SEED_KEY)
        self.assertEqual(out[0].headers, [("trace-id", b"seed-1")])
        self.assertEqual(out[0].timestamp, SEED_TS)
        self.assertEqual(h.total_records(self.bootstrap, "user-login-dlq"), 0)
        # The pipeline's group from the settings file holds the progress.
        self.assertEqual(h.committed_offsets(self.bootstrap, "kpipe-login", "user-login", [0]),
                         {0: 1})

    def test_output_key_header_and_topic_per_record(self):
        # The seed's pipeline keyed by user_id (one user's events stay on one partition) and
        # routed by device_type; the records are read back with confluent-kafka.
        events = [{"user_id": "u%d" % i, "device_type": "iOS" if i % 2 else "android",
                   "locale": "RU"} for i in range(10)]
        self.produce("route-in", [{"key": None, "value": json.dumps(e).encode()} for e in events])
        rc, _, err = h.run_kpipe(["-b", self.bootstrap, "transform", "--in", "route-in",
                                  "--out", "route-android", "-e",
                                  "--key", ".user_id", "--header", "device=.device_type",
                                  "--topic", 'if .device_type == "iOS" then "route-ios" '
                                             'else empty end',
                                  "{user_id, device_type}"])
        self.assertEqual(rc, 0, err)
        ios = self.read("route-ios")
        android = self.read("route-android")
        self.assertEqual(len(ios), 5, ios)
        self.assertEqual(len(android), 5, android)
        for message in ios + android:
            value = json.loads(message.value)
            self.assertEqual(message.key, value["user_id"].encode())
            self.assertIn(("device", value["device_type"].encode()), message.headers)
        self.assertTrue(all(json.loads(m.value)["device_type"] == "iOS" for m in ios))
        self.assertEqual(h.total_records(self.bootstrap, "route-in-dlq"), 0)

    # 2. the jq oracle ------------------------------------------------------------------------

    def test_stdin_to_stdout_equals_jq(self):
        values = [value for _, value in h.generated_login_events(500, 11)]
        data = b"\n".join(values) + b"\n"
        for program in DIFFERENTIAL_FILTERS:
            with self.subTest(filter=program):
                jq_rc, expected, jq_err = h.jq_c(program, data)
                self.assertEqual(jq_rc, 0, jq_err)
                rc, out, err = h.run_kpipe(["transform", "--in", "-", "--out", "-", program],
                                           input=data)
                self.assertEqual(rc, 0, err[-2000:])
                if out != expected:
                    got_lines, want_lines = lines_of(out), lines_of(expected)
                    first = next((i for i, (g, w) in enumerate(zip(got_lines, want_lines))
                                  if g != w), min(len(got_lines), len(want_lines)))
                    self.fail("output differs from jq -c: %d lines vs %d; first difference at "
                              "line %d: got %r, jq %r"
                              % (len(got_lines), len(want_lines), first + 1,
                                 got_lines[first] if first < len(got_lines) else None,
                                 want_lines[first] if first < len(want_lines) else None))
                summary = h.transform_summary(err)
                self.assertIsNotNone(summary, err)
                self.assertEqual(summary["in"], 500, summary)
                self.assertEqual(summary["out"], len(lines_of(expected)), summary)

    def test_envelope_on_stdin_and_stdout_keeps_key_headers_and_timestamp(self):
        events = h.generated_login_events(20, 12)
        lines = []
        for i, (key, value) in enumerate(events):
            headers = [("src", b"gen"), ("n", b"%d" % i), ("src", b"dup")]
            lines.append(h.envelope_line(key=key, value=value, headers=headers,
                                         timestamp=SEED_TS + i, topic="user-login",
                                         partition=0, offset=i))
        data = ("\n".join(lines) + "\n").encode()
        program = "{user_id, locale}, .ip"
        expected = h.jq_each(program, [value for _, value in events])
        rc, out, err = h.run_kpipe(["transform", "--in", "-", "--out", "-", "--envelope",
                                    program], input=data)
        self.assertEqual(rc, 0, err[-2000:])
        got = [h.envelope_record(line) for line in lines_of(out)]
        want = []
        for i, ((key, _), (status, outputs)) in enumerate(zip(events, expected)):
            self.assertEqual(status, "ok")
            for value in outputs:
                want.append((key, value, SEED_TS + i,
                             [("src", b"gen"), ("n", b"%d" % i), ("src", b"dup")]))
        self.assertEqual([(r["key"], r["value"], r["timestamp"], r["headers"]) for r in got],
                         want)

    # 3. the other sources and sinks: topic -> stdout, stdin -> topic --------------------------

    def test_topic_to_stdout_and_stdin_to_topic(self):
        events = h.generated_login_events(50, 13)
        program = 'select(.device_type != "iOS") | {user_id, locale}'
        expected = [out for status, outs in h.jq_each(program, [v for _, v in events])
                    for out in outs]
        self.produce("mix-in", [{"key": k, "value": v, "partition": 0} for k, v in events])

        out, _, summary = self.transform("--in", "mix-in", "--out", "-", "-e", program)
        self.assertEqual(lines_of(out), expected)
        self.assertCounts(summary, **{"in": 50, "out": len(expected),
                                      "filtered": 50 - len(expected), "dead_lettered": 0})

        # Envelope lines on stdout keep the key, so they go back through stdin -> topic.
        out, _, _ = self.transform("--in", "mix-in", "--out", "-", "--envelope", "-e", "-g",
                                   "mix-envelope", program)
        _, _, summary = self.transform("--in", "-", "--out", "mix-out", "--envelope", ".",
                                       input=out)
        self.assertCounts(summary, **{"in": len(expected), "out": len(expected)})
        written = self.read("mix-out")
        keys = {v: k for k, v in events}
        self.assertEqual([m.value for m in written], expected)
        self.assertEqual(len({m.key for m in written} - set(keys.values())), 0)

    # 4. filter runtime errors and filtered records -------------------------------------------

    def test_filter_runtime_error_is_dead_lettered_as_transformation(self):
        records = []
        for i in range(20):
            user_id = ("10%02d" % i) if i % 2 == 0 else ("abc-%d" % i)
            records.append({"key": b"k%d" % i, "headers": [("i", b"%d" % i)],
                            "value": b'{"user_id":"%s","locale":"RU"}' % user_id.encode()})
        self.produce("err-in", records)
        program = "{n: (.user_id | tonumber)}"
        oracle = h.jq_each(program, [r["value"] for r in records])
        self.assertEqual(sum(1 for status, _ in oracle if status == "error"), 10)

        _, _, summary = self.transform("--in", "err-in", "--out", "err-out", "-e", program)
        self.assertCounts(summary, **{"in": 20, "out": 10, "filtered": 0, "dead_lettered": 10})

        inputs = self.read("err-in")
        expected_out = [(m.key, outputs[0]) for m, (status, outputs) in zip(inputs, oracle)
                        if status == "ok"]
        self.assertEqual([(m.key, m.value) for m in self.read("err-out")], expected_out)
        failing = {m.offset: m for m, (status, _) in zip(inputs, oracle) if status == "error"}
        dead = self.read("err-in-dlq")
        self.assertEqual(sorted(self.origin(m)[1] for m in dead), sorted(failing))
        for msg in dead:
            self.assertDeadLetter(msg, failing[self.origin(msg)[1]], "err-in", TRANSFORMATION,
                                  FILTER_ERROR)

    def test_select_drops_records_as_filtered_not_dead_lettered(self):
        events = h.generated_login_events(1000, 13)
        self.produce("sel-in", [{"key": k, "value": v} for k, v in events])
        program = 'select(.device_type == "iOS")'
        oracle = h.jq_each(program, [v for _, v in events])
        expected = [(k, outputs[0]) for (k, _), (status, outputs) in zip(events, oracle)
                    if status == "ok" and outputs]
        self.assertTrue(0 < len(expected) < 1000, len(expected))

        _, _, summary = self.transform("--in", "sel-in", "--out", "sel-out", "-e", program)
        self.assertCounts(summary, **{"in": 1000, "out": len(expected),
                                      "filtered": 1000 - len(expected), "dead_lettered": 0})
        self.assertSameMultiset([(m.key, m.value) for m in self.read("sel-out")], expected)
        self.assertEqual(h.total_records(self.bootstrap, "sel-in-dlq"), 0)

    # 5. bad input ----------------------------------------------------------------------------

    def test_bad_values_are_dead_lettered_without_stalling(self):
        valid = SEED_IN
        cases = [
            # (name, value, class, pattern the message must match)
            ("nested", b"[" * 100000, INVALID_JSON, None),
            ("deep-closed", b"[" * 100000 + b"]" * 100000, INVALID_JSON, r"deep|depth|nest"),
            ("empty", b"", INVALID_JSON, r"empty"),
            ("bad-utf8", b'{"user_id":"\xc3\x28","locale":"RU"}', INVALID_JSON, r"utf-?8"),
            ("tombstone", None, NULL_VALUE, r"null|tombstone"),
            ("truncated", b'{"user_id":"x","locale":"R', INVALID_JSON, None),
            ("binary", b"\x00\x01\xfe\xff" * 8, INVALID_JSON, None),
        ]
        records = [{"key": name.encode(), "value": value, "headers": [("case", name.encode())]}
                   for name, value, _, _ in cases]
        records.append({"key": b"valid", "value": valid, "headers": [("case", b"valid")]})
        self.produce("bad-in", records)

        _, _, summary = self.transform("--in", "bad-in", "--out", "bad-out", "-e",
                                       "{user_id, locale}", timeout=60)
        self.assertCounts(summary, **{"in": len(records), "out": 1, "filtered": 0,
                                      "dead_lettered": len(cases)})

        out = self.read("bad-out")
        self.assertEqual([(m.key, m.value, m.headers) for m in out],
                         [(b"valid", h.jq_each("{user_id, locale}", [valid])[0][1][0],
                           [("case", b"valid")])])
        inputs = {m.offset: m for m in self.read("bad-in")}
        dead = self.read("bad-in-dlq")
        self.assertEqual(sorted(self.origin(m) for m in dead),
                         [(0, i) for i in range(len(cases))])
        for msg in dead:
            _, offset = self.origin(msg)
            name, _, class_name, pattern = cases[offset]
            with self.subTest(case=name):
                self.assertDeadLetter(msg, inputs[offset], "bad-in", VALUE_CONVERTER,
                                      class_name, pattern)

    def test_ten_megabyte_record_is_dead_lettered_and_the_next_one_processed(self):
        # Partition 0 holds only the 10 MB record: the embedded broker keeps about 5 MiB per
        # partition and would drop it once anything else is appended there.
        big = b'{"user_id":"big","pad":"' + b"x" * (10 * 1024 * 1024) + b'"}'
        self.produce("big-in", [{"key": b"big", "value": big, "partition": 0,
                                 "headers": [("size", b"10MB")]}],
                     extra={"message.max.bytes": 16 * 1024 * 1024})
        self.produce("big-in", [{"key": b"after", "value": b'{"user_id":"after"}',
                                 "partition": 1}])
        original = self.read("big-in")[0]
        self.assertTrue(original.value == big, "the broker did not keep the 10 MB record")

        _, _, summary = self.transform("--in", "big-in", "--out", "big-out", "-e",
                                       "{user_id}", timeout=90)
        self.assertCounts(summary, **{"in": 2, "out": 1, "filtered": 0, "dead_lettered": 1})
        self.assertEqual([(m.key, m.value) for m in self.read("big-out")],
                         [(b"after", b'{"user_id":"after"}')])
        dead = self.read("big-in-dlq")
        self.assertEqual(len(dead), 1)
        self.assertEqual(len(dead[0].value or b""), len(big))
        self.assertDeadLetter(dead[0], original, "big-in", VALUE_CONVERTER, RECORD_TOO_LARGE,
                              r"1048576|large")

    def test_max_record_bytes_limit_is_inclusive(self):
        def value_of_size(size, user_id):
            head = b'{"user_id":"%s","pad":"' % user_id
            return head + b"x" * (size - len(head) - 2) + b'"}'
        at_limit, over_limit = value_of_size(1000, b"at"), value_of_size(1001, b"over")
        self.assertEqual((len(at_limit), len(over_limit)), (1000, 1001))
        self.produce("lim-in", [{"key": b"at", "value": at_limit},
                                {"key": b"over", "value": over_limit}])
        _, _, summary = self.transform("--in", "lim-in", "--out", "lim-out", "-e",
                                       "--max-record-bytes", "1000", "{user_id}")
        self.assertCounts(summary, **{"in": 2, "out": 1, "dead_lettered": 1})
        self.assertEqual([(m.key, m.value) for m in self.read("lim-out")],
                         [(b"at", b'{"user_id":"at"}')])
        dead = self.read("lim-in-dlq")
        self.assertEqual(len(dead), 1)
        self.assertDeadLetter(dead[0], self.read("lim-in")[1], "lim-in", VALUE_CONVERTER,
                              RECORD_TOO_LARGE, r"1000")

    # 9. filter errors are usage errors, found before connecting ------------------------------

    UNREACHABLE = ["-b", "127.0.0.1:1", "--timeout", "3"]

    def run_unreachable(self, *args):
        start = time.monotonic()
        rc, out, err = h.run_kpipe(self.UNREACHABLE + ["transform"] + list(args), timeout=30)
        return rc, out, err, time.monotonic() - start

    def test_filter_syntax_error_exits_2_with_the_column_before_connecting(self):
        # The second '|' is at column 12 (counting from 1).
        program = ".user_id | | .locale"
        rc, out, err, elapsed = self.run_unreachable("--in", "a", "--out", "b", "-e", program)
        self.assertEqual(rc, 2, err)
        self.assertEqual(out, b"")
        # "column 12" in words, or compiler style "filter:1:12:".
        self.assertRegex(err, re.compile(r"column\s*:?\s*12\b|\b1:12\b", re.I),
                         "no column in: " + err)
        self.assertNotIn("127.0.0.1:1", err, "it tried the broker before parsing the filter")
        self.assertLess(elapsed, 3.0, "a parse error must not wait for the broker")

        filter_file = tempfile.NamedTemporaryFile("w", suffix=".jq", delete=False)
        filter_file.write("{user_id, locale: }\n")  # '}' at column 19
        filter_file.close()
        self.addCleanup(os.unlink, filter_file.name)
        rc, out, err, _ = self.run_unreachable("--in", "a", "--out", "b", "-e",
                                               "--filter-file", filter_file.name)
        self.assertEqual(rc, 2, err)
        self.assertRegex(err, re.compile(r"column\s*:?\s*19\b|\b1:19\b", re.I),
                         "no column in: " + err)

    def test_filters_that_cannot_compile_exit_2_naming_what_is_wrong(self):
        cases = [
            ('import "m" as m; .', r"import"),
            (". as $x | $y", r"\$y is not defined"),
            ("def f(g): g; f", r"f/0 is not defined"),
            ("reduce .[] as $x (0)", r"expected ';'"),
            ("@nope", r"@nope is not a valid format"),
        ]
        for program, pattern in cases:
            with self.subTest(filter=program):
                rc, _, err, _ = self.run_unreachable("--in", "a", "--out", "b", "-e", program)
                self.assertEqual(rc, 2, err)
                self.assertRegex(err, re.compile(pattern, re.I))
                self.assertNotIn("127.0.0.1:1", err)

    def test_the_whole_jq_language_on_stdin(self):
        # Each of these was refused by the first version; jq -c prints the same.
        cases = [
            ("reduce .tags[] as $t (0; . + 1)", '{"tags":["a","b"]}', "2"),
            ('"\\(.user_id):\\(.locale)"', '{"user_id":7,"locale":"fr"}', '"7:fr"'),
            (".ts |= tonumber", '{"ts":"12"}', '{"ts":12}'),
            ("with_entries(select(.value != null))", '{"a":null,"b":1}', '{"b":1}'),
            ('try fromjson catch "bad"', '"{x"', '"bad"'),
            ('.name | sub("\\\\s+$"; "")', '{"name":"ann  "}', '"ann"'),
            (".payload | @base64d | fromjson", '{"payload":"eyJhIjoxfQ=="}', '{"a":1}'),
            (".tags[2:4]", '{"tags":[0,1,2,3,4]}', "[2,3]"),
            ("del(..|nulls)", '{"a":null,"b":[1,null]}', '{"b":[1]}'),
            ('.ts | strftime("%Y-%m-%d")', '{"ts":1700000000}', '"2023-11-14"'),
            ('[paths(type == "number")]', '{"a":1,"b":{"c":2}}', '[["a"],["b","c"]]'),
            ("[limit(3; .[])]", "[1,2,3,4]", "[1,2,3]"),
            ("def double: . * 2; map(double)", "[1,2]", "[2,4]"),
        ]
        for program, line, expected in cases:
            with self.subTest(filter=program):
                proc = subprocess.run([h.kpipe_bin(), "transform", "--in", "-", "--out", "-", program],
                                      input=line + "\n", capture_output=True, text=True,
                                      timeout=30)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(proc.stdout.strip(), expected)

    def test_filter_parameters_as_jq_has_them(self):
        with tempfile.TemporaryDirectory() as tmp:
            values = os.path.join(tmp, "values.json")
            with open(values, "w") as f:
                f.write('{"a":1}\n2\n')
            raw = os.path.join(tmp, "raw.txt")
            with open(raw, "w") as f:
                f.write("line\n")
            proc = subprocess.run(
                [h.kpipe_bin(), "transform", "--in", "-", "--out", "-",
                 "--arg", "who", "ann", "--argjson", "limit", '{"n":2}',
                 "--slurpfile", "s", values, "--rawfile", "r", raw,
                 "{who: $who, n: $limit.n, s: $s, r: $r, named: ($ARGS.named | keys), u: .u}"],
                input='{"u":7}\n', capture_output=True, text=True, timeout=30)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout.strip(),
                             '{"who":"ann","n":2,"s":[{"a":1},2],"r":"line\\n",'
                             '"named":["limit","r","s","who"],"u":7}')
        rc, _, err, _ = self.run_unreachable("--in", "a", "--out", "b", "-e",
                                             "--argjson", "n", "{x", "$n")
        self.assertEqual(rc, 2, err)
        self.assertIn("--argjson n: invalid JSON", err)
        self.assertNotIn("127.0.0.1:1", err)

    def test_a_valid_filter_with_an_unreachable_broker_is_a_runtime_failure(self):
        # The counterpart of the two tests above: there, exit 2 came from the filter.
        rc, _, err, elapsed = self.run_unreachable("--in", "a", "--out", "b", "-e",
                                                   "{user_id}")
        self.assertEqual(rc, 1, err)
        self.assertIn("127.0.0.1:1", err)
        self.assertLess(elapsed, 20)

    # 11. stdin with bad lines ----------------------------------------------------------------

    STDIN_LINES = [
        (b'{"user_id":"a","v":"1"}', None),
        (b'{"user_id":"b","v":"x"}', (TRANSFORMATION, FILTER_ERROR)),
        (b"{bad json", (VALUE_CONVERTER, INVALID_JSON)),
        (b'{"user_id":"\xc3\x28","v":"2"}', (VALUE_CONVERTER, INVALID_JSON)),
        (b'{"user_id":"c","v":"2.5"}', None),
        (b"[[[[", (VALUE_CONVERTER, INVALID_JSON)),
    ]
    STDIN_FILTER = "{id: .user_id, v: (.v | tonumber)}"

    def stdin_expectations(self):
        good = [line for line, bad in self.STDIN_LINES if bad is None]
        rc, expected_out, err = h.jq_c(self.STDIN_FILTER, b"\n".join(good) + b"\n")
        self.assertEqual(rc, 0, err)
        self.assertEqual(h.jq_each(self.STDIN_FILTER, [self.STDIN_LINES[1][0]])[0][0], "error")
        data = b"\n".join(line for line, _ in self.STDIN_LINES) + b"\n"
        return data, expected_out

    def assertEnvelopeDeadLetters(self, lines):
        expected = collections.Counter((line, bad) for line, bad in self.STDIN_LINES if bad)
        got = collections.Counter()
        for line in lines:
            rec = h.envelope_record(line)
            context, _ = h.split_dead_letter_headers(rec["headers"])
            for name in h.CONNECT_ERROR_HEADERS:
                self.assertEqual(len(context.get(name, [])), 1,
                                 "envelope dead letter lacks %s: %r" % (name, line))
            self.assertTrue(context["__connect.errors.exception.message"][0].strip())
            got[(rec["value"], (context["__connect.errors.stage"][0],
                                context["__connect.errors.exception.class.name"][0]))] += 1
        self.assertEqual(got, expected)

    def test_sigint_while_waiting_on_stdin_stops_at_once(self):
        proc = h.KpipeProcess(["transform", "--in", "-", "--out", "-", "{user_id}"],
                              stdin=subprocess.PIPE)
        self.addCleanup(proc.cleanup)
        proc.proc.stdin.write(b'{"user_id":"u1"}\n{"user_id":"cut sh')
        proc.proc.stdin.flush()
        h.poll_until(lambda: proc.check_running() and proc.stdout_bytes(), timeout=10,
                     interval=0.05, what="the first output line")
        proc.proc.send_signal(signal.SIGINT)
        # stdin stays open: only the signal can end the run.
        rc = proc.wait(10)
        proc.proc.stdin.close()
        self.assertEqual(rc, 0, proc.stderr_text())
        self.assertEqual(proc.stdout_bytes(), b'{"user_id":"u1"}\n')
        summary = h.transform_summary(proc.stderr_text())
        self.assertEqual((summary["in"], summary["dead_lettered"]), (1, 0), summary)

    def test_stdin_dead_letters_go_to_the_dlq_file_and_exit_1(self):
        data, expected_out = self.stdin_expectations()
        dlq_file = os.path.join(tempfile.mkdtemp(dir=h._scratch_dir("dlq")), "dead.ndjson")
        rc, out, err = h.run_kpipe(["transform", "--in", "-", "--out", "-", "--dlq-file",
                                    dlq_file, self.STDIN_FILTER], input=data)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, expected_out)
        summary = h.transform_summary(err)
        self.assertIsNotNone(summary, err)
        self.assertCounts(summary, **{"in": 6, "out": 2, "filtered": 0, "dead_lettered": 4})
        with open(dlq_file, "rb") as f:
            self.assertEnvelopeDeadLetters(lines_of(f.read()))

    def test_stdin_dead_letters_without_a_dlq_file_go_to_stderr(self):
        data, expected_out = self.stdin_expectations()
        rc, out, err = h.run_kpipe(["transform", "--in", "-", "--out", "-", self.STDIN_FILTER],
                                   input=data)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, expected_out)
        envelopes = [line.encode() for line in err.splitlines() if line.startswith("{")]
        self.assertEnvelopeDeadLetters(envelopes)


if __name__ == "__main__":
    h.main()

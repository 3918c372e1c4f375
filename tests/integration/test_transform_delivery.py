"""`kpipe transform` delivery: 1% corrupted input at volume, kill -9 and restart (at least once
and --exactly-once), two processes in one group, SIGINT.

Inputs are written and every result is read with confluent-kafka; jq computes the expected
outputs."""

import collections
import signal
import time

import kpipe_harness as h

PROJECTION = "{user_id, locale, timestamp}"
# A transform group's next join waits for the previous member's session to time out on the
# embedded broker (45 s by default; after kill -9 the member never leaves): keep it short.
FAST_REJOIN = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]
# kpipe-transform(1): with --exactly-once a transaction is committed every 100 ms or 20,000
# records, so at most this many records can belong to the one transaction open at a crash.
TXN_MAX_RECORDS = 20000

CORRUPTIONS = ("invalid-json", "truncated", "binary", "empty", "bad-utf8", "null")


def corrupt(kind, value, i):
    if kind == "invalid-json":
        return b'{"user_id": oops, "n": %d,}' % i
    if kind == "truncated":
        return value[:len(value) // 2]
    if kind == "binary":
        return b"\x00\xff" + bytes((i * 131 + k * 17) % 256 for k in range(62))
    if kind == "empty":
        return b""
    if kind == "bad-utf8":
        assert b'"locale":"' in value
        return value.replace(b'"locale":"', b'"locale":"\xc3\x28', 1)
    if kind == "null":
        return None
    raise ValueError(kind)


class TransformDeliveryTest(h.KpipeTestCase):
    TOPICS = {
        "corrupt-in": 8, "corrupt-out": 8, "corrupt-in-dlq": 4,
        "kill-in": 8, "kill-out": 8, "kill-in-dlq": 2,
        "eos-in": 8, "eos-out": 8, "eos-in-dlq": 2,
        "share-in": 6, "share-out": 6, "share-in-dlq": 2,
        "sig-in": 4, "sig-out": 4, "sig-in-dlq": 2,
    }

    @classmethod
    def setUpClass(cls):
        h.require_subcommand("transform")
        super().setUpClass()

    # helpers ---------------------------------------------------------------------------------

    def background_transform(self, *args):
        proc = h.KpipeProcess(["-b", self.bootstrap] + FAST_REJOIN + ["transform"] + list(args))
        self.addCleanup(proc.cleanup)
        return proc

    def run_transform(self, *args, timeout=120):
        rc, _, err = self.kpipe(*(FAST_REJOIN + ["transform"] + list(args)), timeout=timeout)
        self.assertEqual(rc, 0, "kpipe transform %s exited %d; stderr:\n%s"
                         % (" ".join(args), rc, err[-3000:]))
        summary = h.transform_summary(err)
        self.assertIsNotNone(summary, "no summary on stderr:\n%s" % err[-3000:])
        return summary

    def expected_projection(self, records):
        """Counter of (key, jq -c output) for records (dicts with key and valid JSON value)."""
        oracle = h.jq_each(PROJECTION, [r["value"] for r in records])
        expected = collections.Counter()
        for rec, (status, outputs) in zip(records, oracle):
            self.assertEqual(status, "ok", rec)
            for out in outputs:
                expected[(rec["key"], out)] += 1
        return expected

    def output_counter(self, topic):
        return collections.Counter((m.key, m.value) for m in self.read(topic))

    def coverage_problems(self, got, expected):
        """What is wrong with outputs `got` for the inputs' `expected` outputs under
        at-least-once: missing records, or records that no input explains."""
        problems = []
        missing = expected - got
        if missing:
            problems.append("%d expected outputs missing, e.g. %r"
                            % (sum(missing.values()), list(missing)[:3]))
        unexplained = set(got) - set(expected)
        if unexplained:
            problems.append("%d outputs no input explains, e.g. %r"
                            % (len(unexplained), list(unexplained)[:3]))
        return problems

    def wait_for_output(self, proc, topic, at_least, timeout=60):
        h.poll_until(lambda: proc.check_running()
                     and h.total_records(self.bootstrap, topic) >= at_least,
                     timeout=timeout, interval=0.05,
                     what="%d records on %s" % (at_least, topic))

    def login_records(self, count, seed):
        return [{"key": k, "value": v} for k, v in h.generated_login_events(count, seed)]

    # 3. 100,000 records, 1% corrupted ---------------------------------------------------------

    def test_corrupted_one_percent_of_100k_goes_to_the_dlq_and_the_rest_through(self):
        count = 100000
        records, kinds = [], {}
        for i, (key, value) in enumerate(h.generated_login_events(count, 42)):
            rec = {"key": key, "value": value}
            if i % 7 == 0:
                rec["headers"] = [("trace", b"t%d" % i)]
            if i % 100 == 0:
                kinds[i] = CORRUPTIONS[(i // 100) % len(CORRUPTIONS)]
                rec["value"] = corrupt(kinds[i], value, i)
            records.append(rec)
        positions = self.produce("corrupt-in", records)
        corrupted = {positions[i]: kind for i, kind in kinds.items()}
        inputs = {(m.partition, m.offset): m for m in self.read("corrupt-in")}
        self.assertEqual(len(inputs), count)
        valid = [m for pos, m in sorted(inputs.items()) if pos not in corrupted]
        oracle = h.jq_each(PROJECTION, [m.value for m in valid])
        expected = collections.Counter()
        for m, (status, outputs) in zip(valid, oracle):
            self.assertEqual(status, "ok")
            for out in outputs:
                expected[(m.key, out, tuple(m.headers), m.timestamp)] += 1

        start = time.monotonic()
        summary = self.run_transform("--in", "corrupt-in", "--out", "corrupt-out", "-e",
                                     PROJECTION, timeout=180)
        h.report("100k with 1%% corrupted: transform -e took %.1f s; summary %s"
                 % (time.monotonic() - start, summary))
        self.assertEqual(summary, {"in": count, "out": count - len(corrupted), "filtered": 0,
                                   "dead_lettered": len(corrupted)})

        out = self.read("corrupt-out")
        dead = self.read("corrupt-in-dlq")
        self.assertEqual(len(out) + len(dead), count)
        self.assertSameMultiset([(m.key, m.value, tuple(m.headers), m.timestamp) for m in out],
                                expected, "output records (key, value, headers, timestamp)")

        problems, origins = [], []
        for msg in dead:
            context, others = h.split_dead_letter_headers(msg.headers)
            missing = [n for n in h.CONNECT_ERROR_HEADERS if len(context.get(n, [])) != 1]
            if missing:
                problems.append("dead letter %d/%d: headers %s not exactly once"
                                % (msg.partition, msg.offset, missing))
                continue
            pos = (int(context["__connect.errors.partition"][0]),
                   int(context["__connect.errors.offset"][0]))
            origins.append(pos)
            original = inputs.get(pos)
            kind = corrupted.get(pos)
            wanted_class = "kpipe.NullValue" if kind == "null" else "kpipe.InvalidJson"
            checks = [
                ("topic", context["__connect.errors.topic"][0], "corrupt-in"),
                ("is a corrupted record", kind is not None, True),
                ("key", msg.key, original.key if original else None),
                ("value", msg.value, original.value if original else None),
                ("headers", others, original.headers if original else None),
                ("stage", context["__connect.errors.stage"][0], "VALUE_CONVERTER"),
                ("class", context["__connect.errors.exception.class.name"][0], wanted_class),
                ("message", bool(context["__connect.errors.exception.message"][0].strip()),
                 True),
            ]
            for what, got, want in checks:
                if got != want:
                    problems.append("dead letter of %s (%s): %s is %r, expected %r"
                                    % (pos, kind, what, got, want))
        self.assertEqual(problems, [], "%d problems, e.g. %s" % (len(problems), problems[:5]))
        self.assertEqual(len(origins), len(set(origins)), "a record was dead-lettered twice")
        self.assertEqual(set(origins), set(corrupted))

    # 6. kill -9 mid-stream, restart: at least once -------------------------------------------

    def test_kill_9_and_restart_loses_nothing(self):
        records = self.login_records(50000, 6)
        expected = self.expected_projection(records)
        proc = self.background_transform("--in", "kill-in", "--out", "kill-out", "-g",
                                          "kill-grp", PROJECTION)
        producer = h.PacedProducer(self.bootstrap, "kill-in", records, rate=10000)
        producer.start()
        self.wait_for_output(proc, "kill-out", 2000)
        proc.kill9()
        at_kill = h.total_records(self.bootstrap, "kill-out")
        producer.finish()
        self.assertLess(at_kill, len(records), "the transform was not killed mid-stream")

        summary = self.run_transform("--in", "kill-in", "--out", "kill-out", "-g", "kill-grp",
                                     "-e", PROJECTION)
        got = self.output_counter("kill-out")
        h.report("kill -9 after %d outputs; restart %s; %d outputs for %d inputs (%d repeated)"
                 % (at_kill, summary, sum(got.values()), len(records),
                    sum(got.values()) - len(records)))
        self.assertEqual(self.coverage_problems(got, expected), [])
        partitions = h.end_offsets(self.bootstrap, "kill-in")
        self.assertEqual(h.committed_offsets(self.bootstrap, "kill-grp", "kill-in", partitions),
                         partitions)

    # 7. --exactly-once, kill -9, restart -----------------------------------------------------

    def test_exactly_once_kill_9_and_restart(self):
        records = self.login_records(50000, 7)
        expected = self.expected_projection(records)
        proc = self.background_transform("--in", "eos-in", "--out", "eos-out", "-g", "eos-grp",
                                          "--exactly-once", PROJECTION)
        producer = h.PacedProducer(self.bootstrap, "eos-in", records, rate=8000)
        producer.start()
        # Killed after more than a transaction's worth of output: a restart that did not resume
        # after the last committed transaction would repeat more than TXN_MAX_RECORDS.
        self.wait_for_output(proc, "eos-out", TXN_MAX_RECORDS + 5000)
        proc.kill9()
        at_kill = h.total_records(self.bootstrap, "eos-out")
        producer.finish()
        self.assertLess(at_kill, len(records), "the transform was not killed mid-stream")

        summary = self.run_transform("--in", "eos-in", "--out", "eos-out", "-g", "eos-grp",
                                     "--exactly-once", "-e", PROJECTION)
        got = self.output_counter("eos-out")
        total = sum(got.values())
        duplicates = total - len(records)
        h.report("--exactly-once: kill -9 after %d outputs; restart %s; %d outputs for %d inputs: "
                 "%d duplicates (the embedded broker does not hide the aborted transaction; "
                 "bound %d)" % (at_kill, summary, total, len(records), duplicates,
                                TXN_MAX_RECORDS))
        partitions = h.end_offsets(self.bootstrap, "eos-in")
        committed = h.committed_offsets(self.bootstrap, "eos-grp", "eos-in", partitions)
        problems = []
        if committed != partitions:
            problems.append("(a) committed offsets %s != input end offsets %s"
                            % (committed, partitions))
        problems += ["(b) " + p for p in self.coverage_problems(got, expected)]
        if duplicates > TXN_MAX_RECORDS:
            problems.append("(c) %d duplicates: more than one transaction's worth (%d)"
                            % (duplicates, TXN_MAX_RECORDS))
        # One replayed transaction repeats a record at most once.
        repeated = [k for k, n in got.items() if n > 2 * expected[k]]
        if repeated:
            problems.append("(c) %d outputs written more than twice per input, e.g. %r"
                            % (len(repeated), repeated[:3]))
        self.assertEqual(problems, [])

    # 8. two processes, one group -------------------------------------------------------------

    def test_two_processes_in_one_group_share_the_partitions(self):
        records = self.login_records(30000, 8)
        expected = self.expected_projection(records)
        self.produce("share-in", records)
        # Both join within the group's initial rebalance delay, so both get partitions.
        procs = [self.background_transform("--in", "share-in", "--out", "share-out", "-g",
                                           "share-grp", PROJECTION) for _ in range(2)]
        # Wait for every expected output, not for a record count: a rebalance (a member that
        # joins late on a loaded machine) repeats records, so the count can be reached first.
        h.poll_until(lambda: all(p.check_running() for p in procs)
                     and h.total_records(self.bootstrap, "share-out") >= len(records)
                     and not expected - self.output_counter("share-out"),
                     timeout=90, interval=0.5, what="every expected record on share-out")
        for p in procs:
            p.proc.send_signal(signal.SIGTERM)
        rcs = [p.wait(30) for p in procs]
        stderrs = [p.stderr_text() for p in procs]
        self.assertEqual(rcs, [0, 0], "\n---\n".join(e[-2000:] for e in stderrs))
        summaries = [h.transform_summary(e) for e in stderrs]
        h.report("two processes: summaries %s" % summaries)
        for summary, err in zip(summaries, stderrs):
            self.assertIsNotNone(summary, err[-2000:])
            self.assertGreater(summary["in"], 0, "one process got no partitions: %s"
                               % summaries)
        self.assertGreaterEqual(sum(s["in"] for s in summaries), len(records))
        self.assertEqual(self.coverage_problems(self.output_counter("share-out"), expected), [])
        partitions = h.end_offsets(self.bootstrap, "share-in")
        self.assertEqual(
            h.committed_offsets(self.bootstrap, "share-grp", "share-in", partitions),
            partitions)

    # 10. SIGINT --------------------------------------------------------------------------------

    def test_sigint_flushes_commits_and_exits_0(self):
        records = self.login_records(30000, 10)
        proc = self.background_transform("--in", "sig-in", "--out", "sig-out", "-g", "sig-grp",
                                          PROJECTION)
        producer = h.PacedProducer(self.bootstrap, "sig-in", records, rate=10000)
        producer.start()
        self.wait_for_output(proc, "sig-out", 1000)
        rc = proc.stop(signal.SIGINT, timeout=30)
        err = proc.stderr_text()
        producer.finish()
        self.assertEqual(rc, 0, err[-3000:])
        summary = h.transform_summary(err)
        self.assertIsNotNone(summary, err[-3000:])

        inputs = self.read("sig-in")
        outputs = self.read("sig-out")
        self.assertEqual(len(outputs), summary["out"], "records written != the summary's out")
        written = collections.Counter((m.key, m.value) for m in outputs)
        oracle = h.jq_each(PROJECTION, [m.value for m in inputs])
        partitions = sorted(h.end_offsets(self.bootstrap, "sig-in"))
        committed = h.committed_offsets(self.bootstrap, "sig-grp", "sig-in", partitions)
        h.report("SIGINT: summary %s; committed %s (sum %d)"
                 % (summary, committed, sum(c or 0 for c in committed.values())))
        self.assertGreater(sum(c or 0 for c in committed.values()), 0, "nothing was committed")
        self.assertLessEqual(sum(c or 0 for c in committed.values()), summary["in"])
        # At least once: below each committed offset, every input's output was written.
        covered = collections.Counter(
            (m.key, out) for m, (_, outs) in zip(inputs, oracle)
            if m.offset < (committed[m.partition] or 0) for out in outs)
        missing = covered - written
        self.assertFalse(missing, "committed past %d records whose output is missing, e.g. %r"
                         % (sum(missing.values()), list(missing)[:3]))


if __name__ == "__main__":
    h.main()

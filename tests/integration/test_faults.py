"""Fault injection: produce, consume, transform (at least once and --exactly-once) and
replay-dlq keep working while `kpipe broker --control` injects faults, and lose nothing.

Each scenario feeds records numbered 0..N-1 (unique values) in chunks; before each chunk after
the first, one fault is injected through the broker's control channel, once kpipe has shown
progress, so every fault hits a running kpipe. The faults, per round:
  * request errors: the next 3 requests of the API the subcommand depends on fail with a
    retriable Kafka error (Produce, Fetch, OffsetCommit, TxnOffsetCommit, ...),
  * a leader change: every partition of the topics involved moves to another broker,
  * added latency: broker 1 answers 150 ms late for 700 ms,
  * broker down: broker 2 closes its connections and refuses new ones for 1 s, then is back.
Afterwards an independent client (confluent-kafka) reads the output and counts each number:
  * lost (a number never seen): must be 0 everywhere;
  * duplicates: reported; at-least-once paths may repeat records. With --exactly-once the
    test requires 0 duplicates unless kpipe logged an aborted transaction: the embedded broker
    does not hide aborted records (shared/MOCK-BROKER.md), so only then may a repeat show here
    that a read-committed consumer of a real broker would not see. It also requires the
    group's committed offsets to equal the input's end offsets (committed in transactions via
    TxnOffsetCommit, which this broker accepts; what is checked is the committed offset the
    coordinator reports to an OffsetFetch).
Groups that commit (consume -g, transform, replay-dlq) must end with committed offsets at the
input's end offsets.

KPIPE_FAULTS_LONG=1 (ctest label `long`) runs three rounds with more records and more request
types failed; KPIPE_FAULTS_TRACE=1 prints when each fault is injected."""

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

import confluent_kafka

import kpipe_harness as h

LONG = os.environ.get("KPIPE_FAULTS_LONG") == "1"
ROUNDS = 3 if LONG else 1
CHUNK = 4000 if LONG else 600
# Short session timeouts: a consumer whose broker went down rejoins quickly. Auto-commits every
# 500 ms instead of 5 s: the test waits for the group to commit the end of the input, and a
# failed commit (OffsetCommit errors are injected) is only retried at the next interval.
FAST_GROUPS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
               "-X", "auto.commit.interval.ms=500"]
PROGRESS_TIMEOUT = 60

FIGURES = collections.OrderedDict()


def report(text):
    sys.stderr.write("    [%s] %s\n" % (time.strftime("%H:%M:%S"), text))
    sys.stderr.flush()


def value_of(run, n):
    return json.dumps({"run": run, "n": n}, separators=(",", ":")).encode()


def numbers(values, run):
    """Counter of the n of each JSON value of this run."""
    counts = collections.Counter()
    for value in values:
        obj = json.loads(value)
        if obj.get("run") == run:
            counts[obj["n"]] += 1
    return counts


def fault_plan(error_apis, topics, coordinators=(), long_error_apis=()):
    """The control commands of every round: each fault kind once per round (the long variant
    also fails the requests of long_error_apis)."""
    if LONG:
        error_apis = list(error_apis) + list(long_error_apis)
    plan = []
    for round in range(ROUNDS):
        for api, code in error_apis:
            plan.append("error api=%s code=%s count=3" % (api, code))
        for topic in topics:
            plan.append("leader topic=%s" % topic)
        for kind, key in coordinators:
            plan.append("coordinator %s=%s broker=%d" % (kind, key, 3 - round % 3))
        plan.append("rtt broker=1 ms=150 for=700ms")
        plan.append("down broker=2 for=1s")
    return plan


class FaultsTest(h.KpipeTestCase):
    TOPICS = {"f-produce": 4, "f-consume": 4, "f-alo-in": 4, "f-alo-out": 4, "f-alo-in-dlq": 1,
              "f-eos-in": 4, "f-eos-out": 4, "f-eos-in-dlq": 1, "f-dlq": 4, "f-replayed": 4,
              "f-abort-in": 4, "f-abort-out": 4, "f-abort-in-dlq": 1}
    BROKER_COUNT = 3

    @classmethod
    def setUpClass(cls):
        for name in ("produce", "consume", "transform", "replay-dlq"):
            h.require_subcommand(name)
        cls.broker = h.Broker(topics=cls.TOPICS, broker_count=cls.BROKER_COUNT, control=True)
        cls.bootstrap = cls.broker.bootstrap
        # The feeding producer: quiet (the faults make it log connection errors) and quick to
        # reconnect to a broker that comes back.
        cls.producer = confluent_kafka.Producer({
            "bootstrap.servers": cls.bootstrap, "linger.ms": 5, "enable.idempotence": True,
            "log_level": 2, "reconnect.backoff.max.ms": 200})

    @classmethod
    def tearDownClass(cls):
        cls.producer.flush(30)
        super().tearDownClass()
        report("figures: %s" % json.dumps(FIGURES))

    # helpers ---------------------------------------------------------------------------------

    def inject(self, command):
        reply = self.broker.control(command)
        self.assertEqual(reply, "ok", "control %r answered %r; broker stderr:\n%s"
                         % (command, reply, self.broker.stderr_text()[-2000:]))

    def feed(self, topic, run, first, count, headers=None):
        """Produces records first..first+count-1 of run with confluent-kafka (not faulted on
        purpose: it retries like any client, and idempotence keeps it exact)."""
        failures = []

        def on_delivery(err, _msg):
            if err is not None:
                failures.append(err)
        for n in range(first, first + count):
            while True:
                try:
                    self.producer.produce(topic, key=str(n).encode(), value=value_of(run, n),
                                          headers=headers(n) if headers else None,
                                          on_delivery=on_delivery)
                    break
                except BufferError:
                    self.producer.poll(0.05)
        self.assertEqual(self.producer.flush(60), 0, "the feeding producer timed out")
        self.assertEqual(failures, [])

    def drive(self, plan, feed_chunk, progress, proc):
        """Feeds a chunk; for each fault: waits until kpipe is half through the chunk, injects
        the fault, waits until kpipe is through the chunk (so its requests met the fault: the
        feeding producer is idle by then and takes none of the injected errors), feeds the next
        chunk. Returns the number of records fed."""
        fired_before = self.fired()
        self.started = time.monotonic()
        feed_chunk(0, CHUNK)
        fed = CHUNK
        for command in plan:
            self.wait_progress(proc, progress, fed - CHUNK // 2, "before '%s'" % command)
            self.trace(command)
            self.inject(command)
            self.wait_progress(proc, progress, fed, "after '%s'" % command)
            feed_chunk(fed, CHUNK)
            fed += CHUNK
        # Every fault fired (and each for= ended) as the broker's stderr says.
        undos = sum(" for=" in command for command in plan)
        h.poll_until(lambda: self.fired() - fired_before >= len(plan) + undos, timeout=10,
                     what="the broker to report %d fault firings" % (len(plan) + undos))
        return fed

    def fired(self):
        return self.broker.stderr_text().count("kpipe broker: fault at ")

    def wait_progress(self, proc, progress, target, what):
        # Each poll starts a client (a long-lived one keeps stale leaders after a leader
        # change): not too often, they compete with kpipe for the CPUs.
        h.poll_until(lambda: proc.check_running() and progress() >= target,
                     timeout=PROGRESS_TIMEOUT, interval=0.15,
                     what="kpipe progress to %d %s" % (target, what))

    def trace(self, what):
        if os.environ.get("KPIPE_FAULTS_TRACE"):
            report("%.2f s: %s" % (time.monotonic() - self.started, what))

    def check(self, name, counts, total, faults, allow_duplicates, note=""):
        lost = [n for n in range(total) if counts[n] == 0]
        unexpected = [n for n in counts if not 0 <= n < total]
        duplicates = sum(counts.values()) - total + len(lost)
        FIGURES[name] = {"faults": faults, "records": total, "lost": len(lost),
                         "duplicates": duplicates}
        report("%s: %d faults, %d records checked, %d lost, %d duplicates%s"
               % (name, faults, total, len(lost), duplicates, note))
        self.assertEqual(lost, [], "%s lost %d records, e.g. %r" % (name, len(lost), lost[:5]))
        self.assertEqual(unexpected, [])
        if not allow_duplicates:
            self.assertEqual(duplicates, 0, "%s wrote duplicates" % name)

    def wait_until_committed(self, proc, group, topic):
        """Waits until the group committed the end of its input: everything fed is processed
        and acknowledged (counting outputs would not do: duplicates could make up for records
        still to come)."""
        ends = h.end_offsets(self.bootstrap, topic)
        h.poll_until(lambda: proc.check_running()
                     and h.committed_offsets(self.bootstrap, group, topic, ends) == ends,
                     timeout=PROGRESS_TIMEOUT, interval=0.1,
                     what="group %s to commit the end of %s" % (group, topic))
        self.trace("all committed")

    def check_committed(self, group, topic):
        ends = h.end_offsets(self.bootstrap, topic)
        committed = h.committed_offsets(self.bootstrap, group, topic, ends)
        self.assertEqual(committed, ends, "group %s did not commit to the end of %s"
                         % (group, topic))

    def background(self, *args, stdin=subprocess.DEVNULL):
        verbose = ["-v"] if os.environ.get("KPIPE_FAULTS_TRACE") else []
        proc = h.KpipeProcess(["-b", self.bootstrap] + verbose + FAST_GROUPS + list(args),
                              stdin=stdin)
        self.addCleanup(proc.cleanup)
        return proc

    def stop(self, proc):
        rc = proc.stop(signal.SIGTERM, timeout=60)
        self.assertEqual(rc, 0, "kpipe %s exited %d; stderr:\n%s"
                         % (" ".join(proc.args), rc, proc.stderr_text()[-3000:]))

    def topic_numbers(self, topic, run):
        return numbers((m.value for m in self.read(topic)), run)

    # produce ---------------------------------------------------------------------------------

    def test_produce(self):
        run = "produce"
        plan = fault_plan([("Produce", "NOT_LEADER_OR_FOLLOWER")], ["f-produce"],
                          long_error_apis=[("Produce", "REQUEST_TIMED_OUT")])
        proc = self.background("produce", "-t", "f-produce", stdin=subprocess.PIPE)
        fed = 0
        # kpipe produce reads stdin: the test writes each chunk, then injects the next fault.
        fed_total = CHUNK * (len(plan) + 1)
        stdin = proc.proc.stdin

        def feed_chunk(first, count):
            stdin.write(b"".join(value_of(run, n) + b"\n" for n in range(first, first + count)))
            stdin.flush()

        fed = self.drive(plan, feed_chunk, lambda: h.total_records(self.bootstrap, "f-produce"),
                         proc)
        self.assertEqual(fed, fed_total)
        stdin.close()
        rc = proc.wait(60)
        self.assertEqual(rc, 0, proc.stderr_text()[-3000:])
        self.check("produce", self.topic_numbers("f-produce", run), fed, len(plan),
                   allow_duplicates=True)

    # consume ---------------------------------------------------------------------------------

    def test_consume(self):
        run = "consume"
        plan = fault_plan([("Fetch", "NOT_LEADER_OR_FOLLOWER"),
                           ("OffsetCommit", "COORDINATOR_NOT_AVAILABLE")], ["f-consume"],
                          [("group", "f-consume-grp")],
                          long_error_apis=[("Heartbeat", "NOT_COORDINATOR")])
        total = CHUNK * (len(plan) + 1)
        proc = self.background("consume", "-t", "f-consume", "-g", "f-consume-grp", "-c", total)

        def lines():
            return proc.stdout_bytes().count(b"\n")

        fed = self.drive(plan, lambda first, count: self.feed("f-consume", run, first, count),
                         lines, proc)
        rc = proc.wait(60)
        self.assertEqual(rc, 0, proc.stderr_text()[-3000:])
        self.check("consume", numbers(proc.stdout_bytes().splitlines(), run), fed, len(plan),
                   allow_duplicates=True)
        self.check_committed("f-consume-grp", "f-consume")

    # transform -------------------------------------------------------------------------------

    def transform_scenario(self, name, prefix, extra, error_apis, long_error_apis):
        run = name
        src, dst = prefix + "-in", prefix + "-out"
        group = prefix + "-grp"
        coordinators = [("group", group)]
        if "--exactly-once" in extra:
            coordinators.append(("txn", "kpipe-" + group))
        plan = fault_plan(error_apis, [src, dst], coordinators, long_error_apis)
        proc = self.background("transform", "--in", src, "--out", dst, "-g", group, *extra, ".")
        fed = self.drive(plan, lambda first, count: self.feed(src, run, first, count),
                         lambda: h.total_records(self.bootstrap, dst), proc)
        self.wait_until_committed(proc, group, src)
        self.stop(proc)
        if os.environ.get("KPIPE_FAULTS_TRACE"):
            with open("/tmp/kpipe-faults-%s.stderr" % prefix, "w") as f:
                f.write(proc.stderr_text())
        err = proc.stderr_text()
        summary = h.transform_summary(err)
        self.assertIsNotNone(summary, err[-3000:])
        self.assertEqual(summary["dead_lettered"], 0, err[-3000:])
        return run, dst, fed, len(plan), err

    def test_transform_at_least_once(self):
        run, dst, fed, faults, _ = self.transform_scenario(
            "transform", "f-alo", [],
            [("Produce", "NOT_LEADER_OR_FOLLOWER"), ("OffsetCommit", "REQUEST_TIMED_OUT")],
            [("Fetch", "NOT_LEADER_OR_FOLLOWER"), ("Heartbeat", "NOT_COORDINATOR")])
        self.check("transform", self.topic_numbers(dst, run), fed, faults, allow_duplicates=True)
        self.check_committed("f-alo-grp", "f-alo-in")

    def test_transform_exactly_once(self):
        run, dst, fed, faults, err = self.transform_scenario(
            "transform-eos", "f-eos", ["--exactly-once"],
            [("Produce", "NOT_LEADER_OR_FOLLOWER"),
             ("TxnOffsetCommit", "COORDINATOR_LOAD_IN_PROGRESS"),
             ("EndTxn", "COORDINATOR_LOAD_IN_PROGRESS")],
            [("Fetch", "NOT_LEADER_OR_FOLLOWER"),
             # Abortable: kpipe aborts the transaction and redoes the work (see also
             # test_transform_exactly_once_redoes_aborted_transactions).
             ("AddPartitionsToTxn", "TOPIC_AUTHORIZATION_FAILED"),
             ("AddPartitionsToTxn", "COORDINATOR_LOAD_IN_PROGRESS")])
        aborts = err.count("aborting and redoing the transaction")
        self.check("transform --exactly-once", self.topic_numbers(dst, run), fed, faults,
                   allow_duplicates=aborts > 0,
                   note=" (%d aborted transactions, whose records this broker does not hide)"
                   % aborts)
        self.check_committed("f-eos-grp", "f-eos-in")

    def test_transform_exactly_once_redoes_aborted_transactions(self):
        """Abortable transaction errors while records keep arriving: librdkafka then refuses
        sends into the failed transaction, and kpipe must abort it and redo the work (it used
        to exit 1 with "cannot send to 'out': Local: Erroneous state")."""
        run, src, dst, group = "abort", "f-abort-in", "f-abort-out", "f-abort-grp"
        proc = self.background("transform", "--in", src, "--out", dst, "-g", group,
                               "--exactly-once", ".")
        self.started = time.monotonic()
        self.feed(src, run, 0, 500)
        self.wait_progress(proc, lambda: h.total_records(self.bootstrap, dst), 500, "joined")
        total, step = 500 + 60 * 100, 100
        feeder = threading.Thread(target=self.paced_feed, args=(src, run, 500, total, step))
        feeder.start()
        # Several failed transactions while outputs flow in each of them.
        for target in (1000, 2200, 3400):
            self.wait_progress(proc, lambda: h.total_records(self.bootstrap, dst), target,
                               "between faults")
            self.inject("error api=AddPartitionsToTxn code=TOPIC_AUTHORIZATION_FAILED count=2")
        feeder.join(PROGRESS_TIMEOUT)
        self.assertEqual(self.feed_failures, [])
        self.wait_until_committed(proc, group, src)
        self.stop(proc)
        err = proc.stderr_text()
        aborts = err.count("aborting and redoing the transaction")
        self.assertGreater(aborts, 0, "no transaction was aborted:\n" + err[-3000:])
        self.check("transform --exactly-once, abortable errors", self.topic_numbers(dst, run),
                   total, 3, allow_duplicates=True,
                   note=" (%d aborted transactions, %d of them on a refused send)"
                   % (aborts, err.count("cannot send to")))
        self.check_committed(group, src)

    def paced_feed(self, topic, run, first, end, step):
        """Feeds records first..end-1 in steps of `step`, 20 ms apart (pacing: records keep
        arriving while faults are injected), with a producer of its own."""
        self.feed_failures = []
        producer = confluent_kafka.Producer({"bootstrap.servers": self.bootstrap,
                                             "linger.ms": 5, "enable.idempotence": True,
                                             "log_level": 2})

        def on_delivery(err, _msg):
            if err is not None:
                self.feed_failures.append(err)
        for start in range(first, end, step):
            for n in range(start, min(start + step, end)):
                producer.produce(topic, key=str(n).encode(), value=value_of(run, n),
                                 on_delivery=on_delivery)
            producer.poll(0)
            time.sleep(0.02)
        if producer.flush(60):
            self.feed_failures.append("flush timed out")

    # replay-dlq ------------------------------------------------------------------------------

    def test_replay_dlq(self):
        run = "replay-dlq"
        plan = fault_plan([("Produce", "NOT_LEADER_OR_FOLLOWER"),
                           ("OffsetCommit", "REQUEST_TIMED_OUT")], ["f-dlq", "f-replayed"],
                          [("group", "f-replay-grp")],
                          long_error_apis=[("Fetch", "NOT_LEADER_OR_FOLLOWER")])

        def headers(n):
            return [("__connect.errors.topic", b"f-origin"),
                    ("__connect.errors.partition", b"0"),
                    ("__connect.errors.offset", str(n).encode()),
                    ("__connect.errors.exception.message", b"rehearsed fault")]

        proc = self.background("replay-dlq", "--dlq", "f-dlq", "--to", "f-replayed",
                               "-g", "f-replay-grp", "-f")
        fed = self.drive(plan,
                         lambda first, count: self.feed("f-dlq", run, first, count, headers),
                         lambda: h.total_records(self.bootstrap, "f-replayed"), proc)
        self.wait_until_committed(proc, "f-replay-grp", "f-dlq")
        self.stop(proc)
        self.trace("stopped")
        self.check("replay-dlq", self.topic_numbers("f-replayed", run), fed, len(plan),
                   allow_duplicates=True)
        self.check_committed("f-replay-grp", "f-dlq")



class FaultOptionsTest(unittest.TestCase):
    """`kpipe broker --fault`: scheduled faults take effect and are reported; bad specs and
    control lines get one-line errors."""

    def test_scheduled_faults_fire_and_take_effect(self):
        broker = h.Broker(topics={"fo": 3}, broker_count=2, extra_args=[
            "--fault", "at=100ms leader topic=fo broker=2",
            "--fault", "at=100ms down broker=1 for=300ms",
            "--fault", "every=200ms rtt broker=2 ms=5 for=50ms"])
        self.addCleanup(broker.cleanup)
        h.poll_until(lambda: "end of 'broker 1 down for 300ms'" in broker.stderr_text(),
                     timeout=10, what="the end of the outage on the broker's stderr")
        err = broker.stderr_text()
        self.assertIn("leader of fo (every partition) moves to broker 2", err)
        self.assertGreaterEqual(err.count("broker 2 responds 5 ms late for 50ms"), 2, err)
        consumer = h._consumer(broker.bootstrap)
        try:
            topic = consumer.list_topics("fo", timeout=10).topics["fo"]
            self.assertEqual({p: m.leader for p, m in topic.partitions.items()},
                             {0: 2, 1: 2, 2: 2})
        finally:
            consumer.close()
        rc, _ = broker.stop()
        self.assertEqual(rc, 0)

    def test_bad_specs_are_usage_errors_naming_the_word(self):
        for spec, message in [
                ("at=5 down broker=1", "'at=5' needs a time with a unit, e.g. at=500ms"),
                ("down broker=3", "there is no broker 3; brokers are 1..1"),
                ("error api=Produce code=NOPE", "unknown Kafka error 'NOPE'"),
                ("leader", "'leader' needs topic=")]:
            rc, out, err = h.run_kpipe(["broker", "--fault", spec], timeout=30)
            self.assertEqual(rc, 2, err)
            self.assertEqual(out, b"")
            self.assertEqual(err.strip().count("\n"), 0, err)
            self.assertIn("--fault '%s': " % spec, err)
            self.assertIn(message, err)

    def test_control_answers_fault_specs(self):
        broker = h.Broker(broker_count=2, control=True)
        self.addCleanup(broker.cleanup)
        self.assertEqual(broker.control("error api=Fetch code=NOT_LEADER_OR_FOLLOWER count=2"),
                         "ok")
        self.assertIn("there is no broker 9", broker.control("down broker=9"))
        self.assertTrue(broker.control("down broker=9").startswith("error: "))
        self.assertIn("unknown word 'sideways'", broker.control("sideways broker=1"))
        h.poll_until(lambda: "the next 2 Fetch requests fail with NOT_LEADER_OR_FOLLOWER"
                     in broker.stderr_text(), timeout=5, what="the fault on stderr")
        rc, _ = broker.stop()
        self.assertEqual(rc, 0)

if __name__ == "__main__":
    h.main()

"""`kpipe transform` delivery on Apache Kafka: read_committed filtering and group rebalances.

The mock broker writes no transaction markers (aborted records stay visible), so only Kafka can
show what a read_committed consumer sees. Every input record is {"n": N} (every 50th is not
JSON and must be dead-lettered); every check reads the output and the dead-letter topic with an
independent confluent-kafka consumer. Runs only with KPIPE_PEER=kafka.

  * kill -9 loop: a producer feeds the input while `transform --exactly-once` is killed with
    SIGKILL KILLS times, each time after it has committed new output, and restarted; then a
    final run catches up (-e). read_committed: every N exactly once in output + dead letters,
    0 lost, 0 duplicated; read_uncommitted holds more (the killed runs' aborted transactions),
    which shows the filtering was needed.
  * two members, default options, --exactly-once: the second member joins while the first runs
    (neither may fence the other: each has its own transactional.id), then the first leaves on
    SIGTERM. Exactly once again.
  * two members at-least-once: the same join and leave; 0 lost, duplicates counted and bounded
    by what was in flight at a rebalance.
"""

import json
import os
import signal
import threading
import time
import unittest
import uuid

import confluent_kafka

import kpipe_harness as h

KILLS = int(os.environ.get("KPIPE_EOS_KILLS", "20"))
PARTITIONS = 4
FILTER = "{n}"


def input_value(n):
    return b"not json %d" % n if n % 50 == 49 else b'{"n":%d}' % n


def numbers_in(values):
    """N of each output value {"n":N} and each dead letter (its original value)."""
    out = []
    for value in values:
        if value.startswith(b"not json "):
            out.append(int(value[len(b"not json "):]))
        else:
            out.append(json.loads(value)["n"])
    return out


def read_all(bootstrap, topic, isolation):
    """Every record value of topic up to its (isolation-level) end: read_committed stops at the
    last stable offset, so the loop ends at the end offsets that consumer sees."""
    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": bootstrap, "group.id": "kpipe-it-reader-" + uuid.uuid4().hex,
        "enable.auto.commit": False, "auto.offset.reset": "earliest",
        "isolation.level": isolation, "enable.partition.eof": True, "fetch.wait.max.ms": 10})
    try:
        md = consumer.list_topics(topic, timeout=10).topics[topic]
        consumer.assign([confluent_kafka.TopicPartition(topic, p,
                                                        confluent_kafka.OFFSET_BEGINNING)
                         for p in md.partitions])
        at_eof, values = set(), []
        deadline = time.monotonic() + 120
        while len(at_eof) < len(md.partitions):
            if time.monotonic() > deadline:
                raise AssertionError("reading %s (%s) timed out" % (topic, isolation))
            for msg in consumer.consume(num_messages=10000, timeout=0.5):
                if msg.error():
                    if msg.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                        at_eof.add(msg.partition())
                        continue
                    raise AssertionError("reading %s: %s" % (topic, msg.error()))
                at_eof.discard(msg.partition())
                values.append(msg.value())
        return values
    finally:
        consumer.close()


class Feeder:
    """Produces input_value(0..count-1) to topic at about rate records/s in a thread."""

    def __init__(self, bootstrap, topic, count, rate):
        self.count, self.sent, self.error = count, 0, None
        self._producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap,
                                                   "enable.idempotence": True, "linger.ms": 5})
        self._thread = threading.Thread(target=self._run, args=(topic, rate), daemon=True)
        self._thread.start()

    def _run(self, topic, rate):
        try:
            start = time.monotonic()
            for n in range(self.count):
                # Paced by the clock, not by sleeping for a condition.
                while n > (time.monotonic() - start) * rate:
                    self._producer.poll(0.01)
                self._producer.produce(topic, value=input_value(n), key=b"%d" % n)
                self._producer.poll(0)
                self.sent = n + 1
            if self._producer.flush(60):
                self.error = "undelivered input records"
        except Exception as e:  # reported by join()
            self.error = repr(e)

    def done(self):
        return not self._thread.is_alive()

    def join(self, test):
        self._thread.join(120)
        test.assertFalse(self._thread.is_alive(), "feeder did not finish")
        test.assertIsNone(self.error)


class KafkaDeliveryTest(h.KpipeTestCase):
    KAFKA = True
    TOPICS = {}
    for prefix in ("kill", "pair", "alo"):
        TOPICS.update({prefix + "-in": PARTITIONS, prefix + "-out": PARTITIONS,
                       prefix + "-in-dlq": 1})

    @classmethod
    def setUpClass(cls):
        if h.PEER != "kafka":
            raise unittest.SkipTest("Kafka only: run with KPIPE_PEER=kafka")
        super().setUpClass()

    def transform(self, prefix, *extra):
        # A member killed with SIGKILL stays in the group until its session times out; 6 s
        # (Kafka's minimum) instead of librdkafka's 45 s keeps each restart's rebalance short.
        process = h.KpipeProcess(["-b", self.bootstrap, "-X", "fetch.wait.max.ms=10",
                                  "-X", "session.timeout.ms=6000",
                                  "-X", "heartbeat.interval.ms=500",
                                  "transform", "--in", prefix + "-in", "--out", prefix + "-out",
                                  "-g", prefix + "-group", FILTER] + list(extra))
        self.addCleanup(process.cleanup)
        return process

    def committed_total(self, prefix, isolation="read_committed"):
        return len(read_all(self.bootstrap, prefix + "-out", isolation)) + len(
            read_all(self.bootstrap, prefix + "-in-dlq", isolation))

    def delivered(self, prefix, isolation="read_committed"):
        return (numbers_in(read_all(self.bootstrap, prefix + "-out", isolation)) +
                numbers_in(read_all(self.bootstrap, prefix + "-in-dlq", isolation)))

    def out_end(self, prefix):
        """Records in the output log (committed or not); -1 while a new topic's leaders are
        still starting up (NOT_LEADER_FOR_PARTITION), so polls go on."""
        try:
            return h.total_records(self.bootstrap, prefix + "-out")
        except confluent_kafka.KafkaException:
            return -1

    def open_transaction(self, topic):
        """Whether some partition's last stable offset is below its high watermark."""
        ends = {}
        for isolation in ("read_committed", "read_uncommitted"):
            consumer = confluent_kafka.Consumer({
                "bootstrap.servers": self.bootstrap, "group.id": "kpipe-it-marks",
                "isolation.level": isolation})
            try:
                ends[isolation] = [consumer.get_watermark_offsets(
                    confluent_kafka.TopicPartition(topic, p), timeout=5)[1]
                    for p in range(PARTITIONS)]
            except confluent_kafka.KafkaException:
                return False
            finally:
                consumer.close()
        return any(c < u for c, u in zip(ends["read_committed"], ends["read_uncommitted"]))

    def assert_exactly_once(self, got, count):
        self.assertSameMultiset(got, range(count), "read_committed outputs + dead letters")

    def test_kill_9_loop_read_committed_sees_each_record_exactly_once(self):
        count = 30000
        feeder = Feeder(self.bootstrap, "kill-in", count, rate=1500)
        kills = 0
        # One stable transactional id, as a restarted pod would have: each restart fences the
        # killed run and aborts its open transaction at once.
        # Static membership (group.instance.id) lets the restart take the killed member's
        # place without waiting for its session to time out.
        eos = ["--exactly-once", "--transactional-id", "kpipe-it-kill",
               "-X", "group.instance.id=kpipe-it-kill"]
        while kills < KILLS:
            process = self.transform("kill", *eos)
            # Killed while a transaction holds records (last stable offset below the high
            # watermark), so every kill leaves an aborted transaction behind: an output end that
            # grew could be just the markers of the previous run's abort.
            h.poll_until(lambda: process.check_running() and self.open_transaction("kill-out"),
                         60, interval=0.02, what="an open transaction in run %d" % (kills + 1))
            process.kill9()
            kills += 1
        feeder.join(self)
        final = self.transform("kill", *eos, "-e")
        self.assertEqual(final.wait(180), 0, final.stderr_text()[-3000:])
        got = self.delivered("kill")
        self.assert_exactly_once(got, count)
        uncommitted = self.committed_total("kill", "read_uncommitted")
        print("kill -9 loop: %d kills, %d records, read_committed %d (0 lost, 0 duplicated), "
              "read_uncommitted %d (%d aborted)" % (kills, count, len(got), uncommitted,
                                                     uncommitted - len(got)))
        self.assertGreater(uncommitted, len(got),
                           "no aborted records in the log: the kills never hit an open "
                           "transaction, so read_committed filtering went unchecked")

    def rebalance_run(self, prefix, extra):
        count = 20000
        feeder = Feeder(self.bootstrap, prefix + "-in", count, rate=2000)
        first = self.transform(prefix, *extra)
        h.poll_until(lambda: first.check_running() and self.out_end(prefix) > 0, 60,
                     interval=0.05, what="output from the first member")
        second = self.transform(prefix, *extra)
        # Both members work: the output keeps growing while the second joins; neither exits
        # (a member fenced by the other would exit 1).
        mark = self.out_end(prefix)
        h.poll_until(lambda: first.check_running() and second.check_running() and
                     self.out_end(prefix) > mark + 2000, 60, interval=0.05,
                     what="output after the second member joined")
        self.assertEqual(first.stop(signal.SIGTERM, 60), 0, first.stderr_text()[-3000:])
        feeder.join(self)

        def caught_up():
            second.check_running()
            return len(set(self.delivered(prefix))) >= count
        h.poll_until(caught_up, 120, interval=0.2, what="the second member catching up")
        self.assertEqual(second.stop(signal.SIGTERM, 60), 0, second.stderr_text()[-3000:])
        return count, self.delivered(prefix)

    def test_two_members_exactly_once_with_default_options_do_not_fence(self):
        count, got = self.rebalance_run("pair", ["--exactly-once"])
        self.assert_exactly_once(got, count)

    def test_two_members_at_least_once_lose_nothing(self):
        count, got = self.rebalance_run("alo", [])
        self.assertEqual(set(got), set(range(count)), "lost records")
        duplicates = len(got) - count
        print("at-least-once rebalance: %d records, %d duplicates" % (count, duplicates))
        # Only what was in flight when a member left or a partition moved may repeat.
        self.assertLess(duplicates, count // 4)


if __name__ == "__main__":
    h.main()

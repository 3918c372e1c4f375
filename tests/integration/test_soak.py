"""Soak: `kpipe transform` at a high input rate on loopback while processes join and leave its
group (a seeded schedule of starts, SIGTERMs and the odd kill -9), a producer feeding the input
all along and an independent reader (confluent-kafka) following the output and dead-letter
topics. Checks that no input is lost (every sequence number is in the output, or for invalid
inputs in the dead-letter topic) and that the resident memory of the two processes that stay
for the whole soak does not grow.

Duplicates are expected and reported, not checked: besides kill -9, each rebalance here redoes
the work since the last commit, because the embedded broker refuses OffsetCommit while a
rebalance is in its joining phase (Kafka accepts it from the current generation), so the commit
kpipe makes when its partitions are revoked fails there ("Group rebalance in progress").

KPIPE_SOAK_LONG=1 runs the long variant (5 minutes; ctest label `long`); the default is the CI
variant (~35 s). KPIPE_SOAK_SEED replays a schedule.

In an AddressSanitizer build, RSS is reported but not checked (the sanitizer's quarantine of
freed memory grows it by hundreds of MiB); there LeakSanitizer checks the steady processes for
leaks when SIGTERM ends them (a report makes them exit non-zero), and the input rate is halved
to fit the slower build on two cores."""

import collections
import os
import random
import signal
import statistics
import threading
import time

import confluent_kafka

import kpipe_harness as h

LONG = os.environ.get("KPIPE_SOAK_LONG", "") not in ("", "0")
DURATION = 300.0 if LONG else (20.0 if h.sanitized_build() else 28.0)  # feeding, changes (s)
SANITIZED = h.sanitized_build()
RATE = 5000 if SANITIZED else 10000  # input records per second
PARTITIONS = 16
# RSS samples before this are warm-up (buffers, allocator arenas and librdkafka's queues
# reach their working size while the first rebalances happen).
WARM_UP = 60.0 if LONG else 8.0
SAMPLE_INTERVAL = 0.25
# The last third's median RSS may exceed the first third's (after warm-up) by this much; see
# rss_problems() for why.
RSS_SLACK_KIB = 4 * 1024
RSS_SLACK_RATIO = 0.25
SESSION = ["-X", "session.timeout.ms=3500", "-X", "heartbeat.interval.ms=250",
           "-X", "fetch.wait.max.ms=10", "-X", "auto.commit.interval.ms=1000"]
FILTER = "{seq, v: (.v + 1)}"
PAD = b"y" * 60


def invalid(seq):
    return seq % 997 == 5


def records():
    seq = 0
    while True:
        if invalid(seq):
            value = b'{"seq":%d,"v":' % seq
        else:
            value = b'{"seq":%d,"v":%d,"pad":"%s"}' % (seq, seq, PAD)
        yield {"key": b"%d" % seq, "value": value}
        seq += 1


def seed():
    explicit = os.environ.get("KPIPE_SOAK_SEED")
    return int(explicit) if explicit else random.SystemRandom().randrange(2 ** 32)


SEED = seed()


class Follower(threading.Thread):
    """Reads topics from the beginning by assign() as they grow, counting each sequence number.
    auto.offset.reset=error: a record the embedded broker dropped before it was read (retention)
    is an error, not a silent gap."""

    def __init__(self, bootstrap, topic):
        super().__init__(daemon=True)
        self.bootstrap, self.topic = bootstrap, topic
        self.counts = collections.Counter()
        self.positions = {}
        self.errors = []
        self.done = threading.Event()

    def run(self):
        consumer = confluent_kafka.Consumer({
            "bootstrap.servers": self.bootstrap, "group.id": "soak-follower",
            "enable.auto.commit": False, "auto.offset.reset": "error",
            "fetch.wait.max.ms": 10, "enable.partition.eof": False})
        try:
            md = consumer.list_topics(self.topic, timeout=10).topics[self.topic]
            consumer.assign([confluent_kafka.TopicPartition(self.topic, p, 0)
                             for p in md.partitions])
            while not self.done.is_set():
                for msg in consumer.consume(num_messages=5000, timeout=0.1):
                    if msg.error():
                        self.errors.append(str(msg.error()))
                        continue
                    value = msg.value() or b""
                    # Outputs are {"seq":N,"v":N+1}; dead letters keep the input value.
                    self.counts[int(value[7:value.index(b",")])] += 1
                    self.positions[msg.partition()] = msg.offset() + 1
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(repr(exc))
        finally:
            consumer.close()

    def caught_up(self, ends):
        return all(self.positions.get(p, 0) >= end for p, end in ends.items())


class SoakTest(h.KpipeTestCase):
    TOPICS = {"soak-in": PARTITIONS, "soak-out": PARTITIONS, "soak-in-dlq": 2}

    @classmethod
    def setUpClass(cls):
        h.require_subcommand("transform")
        super().setUpClass()

    def transform(self):
        proc = h.KpipeProcess(["-b", self.bootstrap] + SESSION +
                              ["transform", "--in", "soak-in", "--out", "soak-out",
                               "-g", "soak-grp", FILTER])
        self.addCleanup(proc.cleanup)
        return proc

    def rss_problems(self, name, samples, start):
        """Growth of one process's RSS: the median of the last third of the samples after
        warm-up against the median of the first third.

        The bound is max(4 MiB, 25%). A healthy transform here sits at 14-19 MiB and, over
        the runs measured, its thirds' medians differed by at most 1.4 MiB, also across kill -9
        stalls (the embedded broker returns one message set per partition per fetch, so a
        backlog never fills librdkafka's queues at once); medians ignore the short peaks while
        a backlog drains. The medians lie ~16 s apart in the CI variant (~160 s in the long
        one) and each steady process handles ~5,000 records/s, so growth of ~400 KiB/s, e.g. a
        leak of ~80 bytes per record, fails the CI variant, and ~25 KiB/s (~5 bytes per record,
        or per-rebalance leaks at that pace) the long one."""
        steady = [kib for t, kib in samples if t - start >= WARM_UP]
        if SANITIZED:
            h.report("%s RSS (AddressSanitizer build: not checked): %.1f MiB after warm-up, "
                     "%.1f MiB at the end" % (name, steady[0] / 1024 if steady else 0,
                                              steady[-1] / 1024 if steady else 0))
            return []
        if len(steady) < 9:
            return ["%s: only %d RSS samples after warm-up" % (name, len(steady))]
        third = len(steady) // 3
        first = statistics.median(steady[:third])
        last = statistics.median(steady[-third:])
        bound = first + max(RSS_SLACK_KIB, first * RSS_SLACK_RATIO)
        h.report("%s RSS: first-third median %.1f MiB, last-third median %.1f MiB "
                 "(bound %.1f MiB), min %.1f, max %.1f MiB, %d samples after %.0f s warm-up"
                 % (name, first / 1024, last / 1024, bound / 1024, min(steady) / 1024,
                    max(steady) / 1024, len(steady), WARM_UP))
        if last > bound:
            return ["%s: RSS grew from %.1f MiB to %.1f MiB (bound %.1f MiB)"
                    % (name, first / 1024, last / 1024, bound / 1024)]
        return []

    def test_rebalances_at_high_rate_lose_nothing_and_rss_stays_flat(self):
        rng = random.Random(SEED)
        h.report("soak: seed %d (KPIPE_SOAK_SEED=%d replays it), %s variant, %.0f s at %d "
                 "records/s" % (SEED, SEED, "long" if LONG else "CI", DURATION, RATE))
        followers = [Follower(self.bootstrap, "soak-out"), Follower(self.bootstrap,
                                                                      "soak-in-dlq")]
        for f in followers:
            f.start()
        feed = h.PacedProducer(self.bootstrap, "soak-in", records(), RATE)
        # Two processes stay for the whole soak; their RSS is sampled.
        steady = [self.transform(), self.transform()]
        start = time.monotonic()
        feed.start()
        samples = {p.proc.pid: [] for p in steady}
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.is_set():
                now = time.monotonic()
                for p in steady:
                    kib = h.rss_kib(p.proc.pid)
                    if kib is not None:
                        samples[p.proc.pid].append((now, kib))
                stop_sampling.wait(SAMPLE_INTERVAL)  # the sampling period

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        transients, leaving, events = [], [], collections.Counter()
        try:
            next_event = start + 4.0  # after the group's first join (3 s on this broker)
            while time.monotonic() < start + DURATION:
                for p in steady:
                    p.check_running()
                if time.monotonic() < next_event:
                    time.sleep(min(0.1, next_event - time.monotonic()))  # the schedule
                    continue
                next_event = time.monotonic() + rng.uniform(2.0, 5.0)
                # 2-4 members: a process that was told to leave counts until it has gone (its
                # final commit waits for the rebalance its leaving starts).
                present = len(transients) + sum(1 for p in leaving if p.running())
                if present < 2 and (not transients or rng.random() < 0.55):
                    transients.append(self.transform())
                    events["join"] += 1
                    continue
                if not transients:
                    continue
                proc = transients.pop(rng.randrange(len(transients)))
                if rng.random() < 0.25:
                    proc.kill9()
                    events["kill -9"] += 1
                else:
                    proc.proc.send_signal(signal.SIGTERM)
                    leaving.append(proc)
                    events["SIGTERM"] += 1
            for proc in transients:
                proc.proc.send_signal(signal.SIGTERM)
                leaving.append(proc)
                events["SIGTERM"] += 1
            for proc in leaving:
                rc = proc.wait(timeout=30)
                self.assertEqual(rc, 0, proc.stderr_text()[-3000:])
            feed.stop()
            feed.finish()
            produced = feed.produced
            fed_for = time.monotonic() - start

            # The two steady processes finish the input, then leave.
            def covered():
                for p in steady:
                    p.check_running()
                return all(f.caught_up(h.end_offsets(self.bootstrap, f.topic))
                           for f in followers) and \
                    h.committed_offsets(self.bootstrap, "soak-grp", "soak-in",
                                        range(PARTITIONS)) == \
                    h.end_offsets(self.bootstrap, "soak-in")
            h.poll_until(covered, timeout=60, interval=0.2,
                         what="the output to cover the input and the offsets to be committed")
        finally:
            stop_sampling.set()
            sampler.join(5)
        summaries = []
        for p in steady:
            rc = p.stop(signal.SIGTERM, timeout=30)
            err = p.stderr_text()
            self.assertEqual(rc, 0, err[-3000:])
            summaries.append(h.transform_summary(err))
        for f in followers:
            f.done.set()
            f.join(10)
            self.assertEqual(f.errors, [], "reading %s" % f.topic)

        out, dead = followers[0].counts, followers[1].counts
        lost = [s for s in range(produced) if not (dead if invalid(s) else out)[s]]
        stray = [s for s in set(out) | set(dead) if s >= produced or invalid(s) != (s in dead)]
        total = sum(out.values()) + sum(dead.values())
        h.report("soak: %d records fed in %.1f s (%.0f/s), %d checked, lost %d, duplicates %d, "
                 "dead letters %d; membership changes %s; steady processes' summaries %s"
                 % (produced, fed_for, produced / fed_for, produced, len(lost),
                    total - len(set(out) | set(dead)), len(dead), dict(events), summaries))
        problems = []
        if lost:
            problems.append("%d inputs lost, e.g. %s" % (len(lost), lost[:10]))
        if stray:
            problems.append("%d records no input explains, e.g. %s" % (len(stray), stray[:10]))
        for i, p in enumerate(steady):
            problems += self.rss_problems("steady process %d (pid %d)" % (i, p.proc.pid),
                                          samples[p.proc.pid], start)
        self.assertEqual(problems, [])


if __name__ == "__main__":
    h.main()

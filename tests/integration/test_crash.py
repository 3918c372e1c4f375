"""Crash tests: kill -9 at random moments over many runs of `kpipe transform` (at least once and
--exactly-once) and `kpipe replay-dlq`, restarting each time until the input is consumed, while
a producer keeps feeding the input. An independent client (confluent-kafka) then checks what the
runs left in the topics and in the group's committed offsets.

The kill schedule is seeded: the seed is printed, and KPIPE_CRASH_SEED replays it (the moments are
reproduced; what the processes had done by then depends on timing). KPIPE_CRASH_LONG=1 runs the
long variant (100 kills; ctest label `long`); the default is the CI variant (10 kills).

The three crash loops run concurrently against one broker: a restart after kill -9 spends ~6 s
waiting for the embedded broker to expire the dead member (see SESSION below), and the loops
overlap those waits.

Checked, per loop, with snapshots taken after every kill (the process is dead, so its committed
offsets are final) and after the last run:
  A. committed offsets never pass unprocessed records: every input below the group's committed
     offset at a kill has its output (or dead letter, or replay) in the log as it was then;
  B. committed offsets never go backwards, and after the last run equal the input's end offsets;
  C. a restarted run resumes at the committed offsets: nothing it writes comes from an input
     below the offsets committed when it started;
  D. in the end every valid input is in the output at least once with the right value, every
     invalid one is in the dead-letter topic with its error headers, nothing else is written;
  E. with --exactly-once, at each kill the killed run had processed at most one transaction's
     worth (TXN_MAX_RECORDS inputs) beyond the committed offsets. This is what the embedded
     broker lets us check: it does not hide aborted or unfinished transactions from
     read_committed consumers and does not store TxnOffsetCommit (kpipe commits the same
     offsets through the consumer after each transaction), so the output holds the committed
     transactions plus, per kill, the records of at most one transaction that a real broker
     would hide. Read-committed filtering itself is not checked here.
For replay-dlq: every dead letter under the replay limit is replayed to its origin topic at
least once, with kpipe-replay-count one higher; those at or over --max-replays (or with an
unreadable count) are never replayed; checks A-C hold for the dead-letter topic's offsets."""

import bisect
import collections
import json
import os
import random
import threading
import time

import kpipe_harness as h

LONG = os.environ.get("KPIPE_CRASH_LONG", "") not in ("", "0")
# Kills per loop: 4 + 3 + 3 = 10 in CI, 34 + 33 + 33 = 100 in the long variant.
KILLS = {"alo": 34, "eos": 33, "replay": 33} if LONG else {"alo": 4, "eos": 3, "replay": 3}
# Input records per second fed to each loop while it is being killed and restarted.
RATE = {"alo": 1500, "eos": 1500, "replay": 400} if LONG else {"alo": 3000, "eos": 3000,
                                                                "replay": 1000}
# The embedded broker keeps 5 MiB per partition: enough partitions that the long variant's
# inputs (dead letters carry ~300 bytes of headers) and outputs, duplicates included, fit.
PARTITIONS = 12 if LONG else 8

# The embedded broker holds a restarted member's join until the killed member's session has
# expired; its first join of a group waits 3 s, and a session shorter than that (plus the
# broker's 1 s expiry timer) expires the joining member itself, so the join never completes.
# 3.5 s is the shortest safe session: a restart then takes ~6 s instead of ~12 s at 6 s.
# Offsets are stored as outputs are acknowledged and committed by librdkafka's auto-commit,
# every 5 s by default: at 1 s, most kills come after some commits, so check A has work to do.
SESSION = ["-X", "session.timeout.ms=3500", "-X", "heartbeat.interval.ms=250",
           "-X", "fetch.wait.max.ms=10", "-X", "auto.commit.interval.ms=1000"]
# kpipe-transform(1): a transaction closes every 100 ms or 20,000 input records.
TXN_MAX_RECORDS = 20000
FILTER = "{seq, v: (.v + 1)}"
MAX_REPLAYS = 3
T0 = 1_700_000_000_000
PAD = b"x" * 40


def master_seed():
    explicit = os.environ.get("KPIPE_CRASH_SEED")
    return int(explicit) if explicit else random.SystemRandom().randrange(2 ** 32)


SEED = master_seed()


# --------------------------------------------------------------------------------------------
# inputs


def transform_kind(seq):
    """What input seq is: valid JSON, invalid JSON (dead letter at VALUE_CONVERTER) or a value
    the filter fails on (dead letter at TRANSFORMATION)."""
    if seq % 97 == 13:
        return "invalid"
    if seq % 89 == 7:
        return "filter-error"
    return "valid"


def transform_value(seq):
    kind = transform_kind(seq)
    if kind == "invalid":
        return b'{"seq": %d, oops' % seq
    if kind == "filter-error":
        return b'{"seq":%d,"v":"not a number","pad":"%s"}' % (seq, PAD)
    return b'{"seq":%d,"v":%d,"pad":"%s"}' % (seq, seq, PAD)


def transform_records():
    seq = 0
    while True:
        yield {"key": b"k%d" % seq, "value": transform_value(seq)}
        seq += 1


def seq_of_input(value):
    """The sequence number in an input value (also the invalid ones)."""
    return int(value.split(b'"seq"')[1].lstrip(b": ").split(b",")[0])


def replay_count_header(i):
    """The kpipe-replay-count a dead letter carries: none, below, at or over the limit, or
    unreadable."""
    slot = i % 10
    if slot < 6:
        return None
    if slot < 9:
        return str(slot - 6).encode()  # 0, 1, 2: replayed, count + 1
    return (b"3", b"7", b"x")[(i // 10) % 3]  # at/over --max-replays 3, or unreadable: kept


def replay_eligible(i):
    count = replay_count_header(i)
    return count is None or (count.isdigit() and int(count) < MAX_REPLAYS)


def replay_origin(i):
    return "orig-a" if i % 2 else "orig-b"


def replay_records():
    i = 0
    while True:
        headers = [("trace", b"t%d" % i),
                   ("__connect.errors.topic", replay_origin(i).encode()),
                   ("__connect.errors.partition", str(i % 8).encode()),
                   ("__connect.errors.offset", str(i).encode()),
                   ("__connect.errors.stage", b"TRANSFORMATION"),
                   ("__connect.errors.exception.class.name", b"kpipe.FilterError"),
                   ("__connect.errors.exception.message", b"boom %d" % (i % 3))]
        count = replay_count_header(i)
        if count is not None:
            headers.append(("kpipe-replay-count", count))
        yield {"key": b"r%d" % i, "value": b'{"id":%d}' % i, "headers": headers,
               "timestamp": T0 + i}
        i += 1


# --------------------------------------------------------------------------------------------
# one crash loop


Snapshot = collections.namedtuple("Snapshot", "committed marks")


class CrashLoop(threading.Thread):
    """Starts a kpipe subcommand, kills it with SIGKILL at a seeded random moment, snapshots
    the group's committed offsets and the output topics' end offsets, restarts it, `kills`
    times; then stops the feed and runs it once more to the end."""

    def __init__(self, name, bootstrap, kills, rate, args, final_args, input_topic,
                 output_topics, group, records):
        super().__init__(daemon=True)
        self.name, self.bootstrap, self.kills = name, bootstrap, kills
        self.args, self.final_args = args, final_args
        self.input_topic, self.output_topics, self.group = input_topic, output_topics, group
        self.rng = random.Random("%d-%s" % (SEED, name))
        # A fifth of the kills (at least one) hit start-up, at seeded positions; the rest come
        # while the process works.
        self.start_up_kills = set(self.rng.sample(range(kills), max(1, round(kills / 5))))
        self.feed = h.PacedProducer(bootstrap, input_topic, records, rate)
        self.snapshots = []  # after each kill, then after the final run
        self.moments = []    # (kind, seconds) of each kill
        self.final_summary = None
        self.final_stderr = ""
        self.error = None
        self.elapsed = 0.0

    def run(self):
        start = time.monotonic()
        try:
            self.feed.start()
            for _ in range(self.kills):
                self.crash_once()
            self.feed.stop()
            self.feed.finish()
            proc = h.KpipeProcess(["-b", self.bootstrap] + SESSION + self.final_args)
            try:
                rc = proc.wait(timeout=180)
                self.final_stderr = proc.stderr_text()
                if rc != 0:
                    raise AssertionError("the last run (%s) exited %d:\n%s"
                                         % (" ".join(proc.args), rc, self.final_stderr[-3000:]))
            finally:
                proc.cleanup()
            self.snapshots.append(self.snapshot())
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test method
            self.error = exc
            self.feed.stop()
        finally:
            self.elapsed = time.monotonic() - start

    def output_total(self):
        return sum(h.total_records(self.bootstrap, t) for t in self.output_topics)

    def crash_once(self):
        index = len(self.moments)
        before = self.output_total()
        proc = h.KpipeProcess(["-b", self.bootstrap] + SESSION + self.args)
        try:
            started = time.monotonic()
            if index in self.start_up_kills:
                # During start-up: connecting, joining the group, fencing (--exactly-once).
                moment = ("start-up", self.rng.uniform(0.05, 3.0))
                deadline = started + moment[1]
            else:
                # While it works: from its first output on, in bursts and steady state.
                moment = ("working", self.rng.uniform(0.0, 3.0))
                h.poll_until(lambda: proc.check_running() and self.output_total() > before,
                             timeout=60, interval=0.05,
                             what="the first output of a %s run" % self.name)
                deadline = time.monotonic() + moment[1]
            while time.monotonic() < deadline:
                proc.check_running()
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))  # the moment
            proc.check_running()
            proc.kill9()
            self.moments.append(moment)
        finally:
            proc.cleanup()
        self.snapshots.append(self.snapshot())

    def snapshot(self):
        """Committed offsets and output end offsets, read until two reads agree (a killed
        process's last produce requests may still be in the broker's socket buffer)."""
        def read():
            partitions = sorted(h.end_offsets(self.bootstrap, self.input_topic))
            committed = h.committed_offsets(self.bootstrap, self.group, self.input_topic,
                                            partitions)
            marks = {t: h.end_offsets(self.bootstrap, t) for t in self.output_topics}
            return Snapshot({p: c or 0 for p, c in committed.items()}, marks)
        previous = read()
        for _ in range(20):
            current = read()
            if current == previous:
                return current
            previous = current
        raise AssertionError("%s: the topics kept changing after the process was killed"
                             % self.name)


# --------------------------------------------------------------------------------------------
# the checks


def snapshot_index(snapshots, topic, partition, offset):
    """The first snapshot whose end offsets include (topic, partition, offset)."""
    ends = [s.marks[topic].get(partition, 0) for s in snapshots]
    return bisect.bisect_right(ends, offset)


def invariant_problems(loop, inputs, outputs, expected_present):
    """Checks A, B and C (module docstring) and, with --exactly-once, E.

    inputs: {(partition, offset)} of the input topic; outputs: [(topic, partition, offset,
    input position)] of every record the runs wrote; expected_present(position): whether that
    input must leave a record (replay-dlq leaves records over the limit in place)."""
    problems = []
    snaps = loop.snapshots
    kills = len(snaps) - 1
    partitions = sorted(snaps[-1].committed)
    # B: committed offsets move forward only, and finally cover the whole input.
    for p in partitions:
        series = [s.committed.get(p, 0) for s in snaps]
        if series != sorted(series):
            problems.append("B: partition %d committed offsets went backwards: %s" % (p, series))
    ends = collections.Counter(p for p, _ in inputs)
    final = {p: snaps[-1].committed.get(p, 0) for p in partitions}
    if final != {p: ends.get(p, 0) for p in partitions}:
        problems.append("B: final committed offsets %s != input end offsets %s"
                        % (final, dict(ends)))

    # A: below the committed offsets of snapshot k, every input's record was in the log at k.
    first_seen = {}
    for topic, partition, offset, pos in outputs:
        k = snapshot_index(snaps, topic, partition, offset)
        if pos not in first_seen or k < first_seen[pos]:
            first_seen[pos] = k
    passed = []
    for pos in sorted(inputs):
        if not expected_present(pos):
            continue
        series = [s.committed.get(pos[0], 0) for s in snaps]
        committed_at = bisect.bisect_right(series, pos[1])  # first k with committed > offset
        if committed_at < len(snaps) and first_seen.get(pos, len(snaps)) > committed_at:
            passed.append((pos, committed_at))
    if passed:
        problems.append("A: %d inputs were committed (at snapshot k) before their record was "
                        "written, e.g. %s" % (len(passed), passed[:5]))

    # C: run r (0-based; run r ends at snapshot r) writes only from inputs at or after the
    # offsets committed when it started (snapshot r-1).
    by_run = collections.defaultdict(list)
    for topic, partition, offset, pos in outputs:
        by_run[snapshot_index(snaps, topic, partition, offset)].append(pos)
    resumed_early = []
    for r, positions in sorted(by_run.items()):
        if r == 0:
            continue
        start = snaps[r - 1].committed if r - 1 < len(snaps) else {}
        for pos in positions:
            if pos[1] < start.get(pos[0], 0):
                resumed_early.append((r, pos, start.get(pos[0], 0)))
    if resumed_early:
        problems.append("C: %d records written by a restarted run from inputs below the offset "
                        "it started from, e.g. (run, input, committed) %s"
                        % (len(resumed_early), resumed_early[:5]))
    loop.beyond_committed = []
    for r in range(kills):
        beyond = {pos for pos in by_run.get(r, ())
                  if pos[1] >= snaps[r].committed.get(pos[0], 0)}
        loop.beyond_committed.append(len(beyond))
    return problems


def duplicates_of(outputs):
    seen = collections.Counter(pos for _, _, _, pos in outputs)
    return sum(n - 1 for n in seen.values())


# --------------------------------------------------------------------------------------------
# the test


class CrashTest(h.KpipeTestCase):
    TOPICS = {
        "alo-in": PARTITIONS, "alo-out": PARTITIONS, "alo-in-dlq": 4,
        "eos-in": PARTITIONS, "eos-out": PARTITIONS, "eos-in-dlq": 4,
        "dlq": PARTITIONS, "orig-a": PARTITIONS, "orig-b": PARTITIONS,
    }

    @classmethod
    def setUpClass(cls):
        h.require_subcommand("transform")
        h.require_subcommand("replay-dlq")
        super().setUpClass()
        h.report("crash test: seed %d (KPIPE_CRASH_SEED=%d replays it), %s variant, kills %s"
                 % (SEED, SEED, "long" if LONG else "CI", KILLS))
        transform = ["transform", "--in", "{0}-in", "--out", "{0}-out", "-g", "{0}-grp"]
        replay = ["replay-dlq", "--dlq", "dlq", "-g", "replay-grp",
                  "--max-replays", str(MAX_REPLAYS)]

        def args(template, name, *extra):
            return [a.format(name) for a in template] + list(extra)

        cls.loops = {
            "alo": CrashLoop("alo", cls.bootstrap, KILLS["alo"], RATE["alo"],
                             args(transform, "alo", FILTER),
                             args(transform, "alo", "-e", FILTER),
                             "alo-in", ["alo-out", "alo-in-dlq"], "alo-grp",
                             transform_records()),
            "eos": CrashLoop("eos", cls.bootstrap, KILLS["eos"], RATE["eos"],
                             args(transform, "eos", "--exactly-once", FILTER),
                             args(transform, "eos", "--exactly-once", "-e", FILTER),
                             "eos-in", ["eos-out", "eos-in-dlq"], "eos-grp",
                             transform_records()),
            "replay": CrashLoop("replay", cls.bootstrap, KILLS["replay"], RATE["replay"],
                                replay + ["--follow"], replay, "dlq", ["orig-a", "orig-b"],
                                "replay-grp", replay_records()),
        }
        start = time.monotonic()
        for loop in cls.loops.values():
            loop.start()
        for loop in cls.loops.values():
            loop.join(1200)
        h.report("crash loops done in %.1f s" % (time.monotonic() - start))

    def loop(self, name):
        loop = self.loops[name]
        if loop.is_alive():
            self.fail("the %s crash loop did not finish" % name)
        if loop.error is not None:
            raise loop.error
        return loop

    def describe(self, loop, records, outputs, extra=""):
        kinds = collections.Counter(kind for kind, _ in loop.moments)
        h.report("%s: seed %d, %d runs, %d kills (%s) in %.1f s; %d input records checked, "
                 "lost 0, %d duplicates; inputs processed beyond the committed offsets at each "
                 "kill %s%s"
                 % (loop.name, SEED, loop.kills + 1, loop.kills, dict(kinds), loop.elapsed,
                    records, duplicates_of(outputs), loop.beyond_committed, extra))

    def transform_checks(self, name, exactly_once):
        loop = self.loop(name)
        inputs = {}
        for m in self.read(loop.input_topic):
            inputs[(m.partition, m.offset)] = seq_of_input(m.value)
        seqs = sorted(inputs.values())
        self.assertEqual(seqs, list(range(loop.feed.produced)),
                         "the input topic does not hold each fed record once")
        position = {seq: pos for pos, seq in inputs.items()}
        outputs, problems = [], []
        got = collections.Counter()
        for m in self.read(loop.output_topics[0]):
            seq = json.loads(m.value)["seq"]
            if m.value != b'{"seq":%d,"v":%d}' % (seq, seq + 1) or \
                    transform_kind(seq) != "valid":
                problems.append("D: unexpected output %r" % m.value)
                continue
            got[seq] += 1
            outputs.append((m.topic, m.partition, m.offset, position[seq]))
        dead = collections.Counter()
        for m in self.read(loop.output_topics[1]):
            context, _ = h.split_dead_letter_headers(m.headers)
            pos = (int(context["__connect.errors.partition"][0]),
                   int(context["__connect.errors.offset"][0]))
            seq = inputs.get(pos)
            kind = transform_kind(seq) if seq is not None else None
            want = {"invalid": ("VALUE_CONVERTER", "kpipe.InvalidJson"),
                    "filter-error": ("TRANSFORMATION", "kpipe.FilterError")}.get(kind)
            have = (context["__connect.errors.stage"][0],
                    context["__connect.errors.exception.class.name"][0])
            if want != have or m.value != transform_value(seq) or \
                    context["__connect.errors.topic"][0] != loop.input_topic:
                problems.append("D: unexpected dead letter %r %r for %s (%s)"
                                % (m.value, have, pos, kind))
                continue
            dead[seq] += 1
            outputs.append((m.topic, m.partition, m.offset, pos))
        lost = [s for s in seqs if transform_kind(s) == "valid" and not got[s]]
        lost += [s for s in seqs if transform_kind(s) != "valid" and not dead[s]]
        if lost:
            problems.append("D: %d inputs have no output or dead letter, e.g. seq %s"
                            % (len(lost), lost[:10]))
        problems += invariant_problems(loop, set(inputs), outputs, lambda pos: True)
        if exactly_once:
            over = [(k, n) for k, n in enumerate(loop.beyond_committed) if n > TXN_MAX_RECORDS]
            if over:
                problems.append("E: kills after which more than one transaction (%d inputs) "
                                "was uncommitted: (kill, inputs) %s" % (TXN_MAX_RECORDS, over))
        self.describe(loop, len(inputs), outputs,
                      "; dead letters %d; last run %s"
                      % (sum(1 for s in seqs if transform_kind(s) != "valid"),
                         h.transform_summary(loop.final_stderr)))
        self.assertEqual(problems, [])

    def test_transform_at_least_once_survives_kill_9(self):
        self.transform_checks("alo", exactly_once=False)

    def test_transform_exactly_once_survives_kill_9(self):
        self.transform_checks("eos", exactly_once=True)

    def test_replay_dlq_survives_kill_9(self):
        loop = self.loop("replay")
        inputs = {}
        for m in self.read("dlq"):
            inputs[(m.partition, m.offset)] = json.loads(m.value)["id"]
        ids = sorted(inputs.values())
        self.assertEqual(ids, list(range(loop.feed.produced)))
        position = {i: pos for pos, i in inputs.items()}
        outputs, problems = [], []
        replayed = collections.Counter()
        for topic in loop.output_topics:
            for m in self.read(topic):
                i = json.loads(m.value)["id"]
                headers = dict(m.headers)
                count = replay_count_header(i)
                want_count = str(int(count or b"0") + 1).encode() if replay_eligible(i) else None
                if (not replay_eligible(i) or topic != replay_origin(i) or m.key != b"r%d" % i
                        or m.timestamp != T0 + i or headers.get("trace") != b"t%d" % i
                        or headers.get("kpipe-replay-count") != want_count
                        or int(want_count) > MAX_REPLAYS
                        or any(n.startswith("__connect.") for n in headers)):
                    problems.append("unexpected replay of dead letter %d on %s: %r %r"
                                    % (i, topic, m.value, m.headers))
                    continue
                replayed[i] += 1
                outputs.append((topic, m.partition, m.offset, position[i]))
        missing = [i for i in ids if replay_eligible(i) and not replayed[i]]
        if missing:
            problems.append("%d dead letters under the replay limit were not replayed, e.g. %s"
                            % (len(missing), missing[:10]))
        problems += invariant_problems(loop, set(inputs), outputs,
                                       lambda pos: replay_eligible(inputs[pos]))
        self.describe(loop, len(inputs), outputs,
                      "; left in place (at/over --max-replays or unreadable count) %d"
                      % sum(1 for i in ids if not replay_eligible(i)))
        self.assertEqual(problems, [])


if __name__ == "__main__":
    h.main()

"""Shared helpers for kpipe's integration tests.

Every test runs the real `kpipe` binary against `kpipe broker` (librdkafka's mock cluster on
real sockets) and checks the result with an independent client: Python confluent-kafka or kcat.

Conventions:
  * KPIPE_BIN names the binary (ctest sets it); otherwise build/cli/kpipe or build/kpipe under
    the repository root is used.
  * One broker per test class (KpipeTestCase.setUpClass), with the topics the class declares in
    TOPICS = {name: partitions}. The mock broker cannot create topics later except by
    auto-creation (4 partitions) on a producer's metadata request.
  * Scripts end with main(): unittest.main(exit=False) then os._exit(), because this Debian build
    of confluent-kafka can abort at interpreter exit after reading null header values.
"""

import base64
import collections
import ctypes
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import confluent_kafka

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# How long a broker may take to publish its bootstrap list, and to exit after a signal.
BROKER_START_TIMEOUT = 15.0
BROKER_STOP_TIMEOUT = 5.0
# Default bound for one kpipe invocation; a hang fails the test instead of the whole suite.
RUN_TIMEOUT = 60.0


def kpipe_bin():
    """The kpipe executable under test."""
    explicit = os.environ.get("KPIPE_BIN")
    if explicit:
        return explicit
    for candidate in ("build/cli/kpipe", "build/kpipe"):
        path = os.path.join(REPO_ROOT, candidate)
        if os.access(path, os.X_OK):
            return path
    raise unittest.SkipTest("kpipe binary not found: set KPIPE_BIN or build into build/")


def _die_with_parent():
    """preexec_fn: SIGTERM the child when the test process dies, so no broker is orphaned."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def clean_env(extra=None):
    """Environment for kpipe runs: no settings file or broker list leaks in from the host."""
    env = dict(os.environ)
    for name in ("KPIPE_BROKERS", "KPIPE_CONFIG", "KPIPE_PROFILE"):
        env.pop(name, None)
    env["XDG_CONFIG_HOME"] = _scratch_dir("xdg")
    if extra:
        env.update(extra)
    return env


_SCRATCH = None


def _scratch_dir(name):
    """A per-process temporary directory (also the cwd of kpipe runs: no ./kpipe.toml there)."""
    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = tempfile.mkdtemp(prefix="kpipe-it-")
    path = os.path.join(_SCRATCH, name)
    os.makedirs(path, exist_ok=True)
    return path


def poll_until(condition, timeout, interval=0.02, what="condition"):
    """Calls condition() until it returns a truthy value, or fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# kpipe broker


class Broker:
    """A running `kpipe broker` process."""

    def __init__(self, topics=None, broker_count=None, extra_args=(), bootstrap_file=True,
                 control=False):
        self.tmpdir = tempfile.mkdtemp(prefix="kpipe-broker-", dir=_scratch_dir("brokers"))
        # The bootstrap file gets a directory of its own so tests can see what else is written
        # there (an atomic write leaves nothing but the file).
        self.bootstrap_dir = os.path.join(self.tmpdir, "bootstrap-dir")
        os.makedirs(self.bootstrap_dir)
        self.bootstrap_file = (os.path.join(self.bootstrap_dir, "bootstrap")
                               if bootstrap_file else None)
        args = [kpipe_bin(), "broker"]
        if broker_count is not None:
            args += ["--broker-count", str(broker_count)]
        for name, partitions in (topics or {}).items():
            args += ["--topic", "%s:%d" % (name, partitions) if partitions else name]
        if self.bootstrap_file:
            args += ["--bootstrap-file", self.bootstrap_file]
        args += list(extra_args)
        if control:
            args.append("--control")
        self.args = args
        # With --control, stdout lines after the bootstrap list answer control commands.
        self.replies = queue.Queue() if control else None
        self.stderr_path = os.path.join(self.tmpdir, "stderr")
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE if control else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self._stderr,
            cwd=_scratch_dir("cwd"), env=clean_env(), preexec_fn=_die_with_parent)
        # The first stdout line is the bootstrap list; the rest is drained so the broker never
        # blocks on a full pipe.
        self._first_line = None
        self._first_line_seen = threading.Event()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        self.stdout_bootstrap = self._wait_for_stdout_line()
        self.file_bootstrap = self._wait_for_file() if self.bootstrap_file else None
        self.bootstrap = self.stdout_bootstrap

    def _read_stdout(self):
        first = self.proc.stdout.readline()
        self._first_line = first
        self._first_line_seen.set()
        if self.replies is not None:
            for line in iter(self.proc.stdout.readline, b""):
                self.replies.put(line.decode("utf-8", "replace").strip())
        for _ in iter(lambda: self.proc.stdout.read(65536), b""):
            pass

    def _wait_for_stdout_line(self):
        if not self._first_line_seen.wait(BROKER_START_TIMEOUT):
            self.kill()
            raise AssertionError("kpipe broker printed no bootstrap line within %.0f s; "
                                 "stderr: %s" % (BROKER_START_TIMEOUT, self.stderr_text()))
        line = self._first_line.decode("utf-8", "replace").strip()
        if not line:
            rc = self.proc.wait(BROKER_STOP_TIMEOUT)
            raise AssertionError("kpipe broker exited (rc=%s) without a bootstrap line; "
                                 "stderr: %s" % (rc, self.stderr_text()))
        return line

    def _wait_for_file(self):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("kpipe broker exited (rc=%s) before writing %s; stderr: %s"
                                     % (self.proc.returncode, self.bootstrap_file,
                                        self.stderr_text()))
            try:
                with open(self.bootstrap_file, "rb") as f:
                    # The file is written atomically: once it exists it is complete.
                    return f.read().decode("utf-8") or "<empty>"
            except FileNotFoundError:
                return None
        return poll_until(ready, BROKER_START_TIMEOUT, what="bootstrap file").strip()

    def control(self, command, timeout=10):
        """Sends one --control command; returns the broker's one-line answer."""
        self.proc.stdin.write((command + "\n").encode())
        self.proc.stdin.flush()
        return self.replies.get(timeout=timeout)

    def stderr_text(self):
        if not self._stderr.closed:
            self._stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=BROKER_STOP_TIMEOUT):
        """Sends sig and returns (exit code, seconds it took); kills it after timeout."""
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("kpipe broker did not exit within %.1f s of %s"
                                 % (timeout, signal.Signals(sig).name))
        finally:
            self._stderr.close()
        return rc, time.monotonic() - start

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        self.kill()
        self._reader.join(5)
        self.proc.stdout.close()
        if self.proc.stdin:
            self.proc.stdin.close()
        if not self._stderr.closed:
            self._stderr.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Apache Kafka, the second peer (scripts/kafka; ctest's `kafka` fixture starts it)

# Which peer KpipeTestCase classes run against: "mock" (`kpipe broker`, the default) or "kafka".
PEER = os.environ.get("KPIPE_PEER", "mock")


def kafka_settings():
    """scripts/kafka's DIR/env as a dict: bootstrap lists, CA and client certificate, users."""
    path = os.environ.get("KPIPE_KAFKA_ENV") or os.path.join(REPO_ROOT, "build", "kafka", "env")
    try:
        with open(path) as f:
            return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except FileNotFoundError:
        raise AssertionError("KPIPE_PEER=kafka but %s does not exist: start Kafka with "
                             "scripts/kafka start (ctest's kafka fixture does)" % path)


def _admin(bootstrap):
    from confluent_kafka.admin import AdminClient
    return AdminClient({"bootstrap.servers": bootstrap})


def _topic_leaders_ready(bootstrap, topics):
    md = _admin(bootstrap).list_topics(timeout=10)
    for name, partitions in topics.items():
        tmd = md.topics.get(name)
        if tmd is None or tmd.error is not None or len(tmd.partitions) != partitions:
            return False
        if any(p.leader < 0 for p in tmd.partitions.values()):
            return False
    return True


def recreate_topics(bootstrap, topics, replication=None, configs=None):
    """Deletes and creates topics {name: partitions} on Kafka (with topic configs
    {name: {key: value}}), waiting until each has leaders: every test class starts from empty
    topics, as it does on a fresh `kpipe broker`."""
    from confluent_kafka.admin import NewTopic
    topics = {name: partitions or 1 for name, partitions in topics.items()}
    admin = _admin(bootstrap)
    existing = set(admin.list_topics(timeout=10).topics)
    doomed = [name for name in topics if name in existing]
    if doomed:
        for future in admin.delete_topics(doomed, operation_timeout=30).values():
            future.result()
        poll_until(lambda: not set(doomed) & set(admin.list_topics(timeout=10).topics), 30,
                   interval=0.1, what="deletion of %s" % ", ".join(doomed))
    if not topics:
        return
    rf = replication or int(kafka_settings().get("KPIPE_KAFKA_BROKERS", "1"))
    new = [NewTopic(name, partitions, rf, config=(configs or {}).get(name, {}))
           for name, partitions in topics.items()]
    for name, future in admin.create_topics(new, operation_timeout=30).items():
        try:
            future.result()
        except confluent_kafka.KafkaException as e:
            # Deletion is asynchronous on the brokers: a topic just deleted may still exist.
            if e.args[0].code() != confluent_kafka.KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    poll_until(lambda: _topic_leaders_ready(bootstrap, topics), 30, interval=0.1,
               what="leaders for %s" % ", ".join(topics))


class KafkaPeer:
    """The running Apache Kafka cluster, with the Broker interface KpipeTestCase uses."""

    def __init__(self, topics=None, configs=None):
        self.settings = kafka_settings()
        self.bootstrap = self.settings["KPIPE_KAFKA_BOOTSTRAP"]
        recreate_topics(self.bootstrap, topics or {}, configs=configs)

    def stderr_text(self):
        return ""

    def stop(self, sig=signal.SIGTERM, timeout=BROKER_STOP_TIMEOUT):
        return 0, 0.0

    def cleanup(self):
        pass


# --------------------------------------------------------------------------------------------
# running kpipe


def run_kpipe(args, input=None, timeout=RUN_TIMEOUT, env=None):
    """Runs kpipe with args; returns (exit code, stdout bytes, stderr str).

    A run that outlives timeout is killed and fails the calling test with its stderr."""
    if isinstance(input, str):
        input = input.encode("utf-8")
    proc = subprocess.Popen(
        [kpipe_bin()] + [str(a) for a in args],
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=_scratch_dir("cwd"), env=clean_env(env), preexec_fn=_die_with_parent)
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("kpipe %s did not finish within %.0f s; stderr: %s"
                             % (" ".join(map(str, args)), timeout,
                                err.decode("utf-8", "replace")[-2000:]))
    return proc.returncode, out, err.decode("utf-8", "replace")


def popen_kpipe(args, **kwargs):
    """Starts kpipe with args (kwargs go to Popen); the caller owns the process."""
    kwargs.setdefault("cwd", _scratch_dir("cwd"))
    kwargs.setdefault("env", clean_env())
    kwargs.setdefault("preexec_fn", _die_with_parent)
    return subprocess.Popen([kpipe_bin()] + [str(a) for a in args], **kwargs)


# --------------------------------------------------------------------------------------------
# independent clients: confluent-kafka


Message = collections.namedtuple(
    "Message", "topic partition offset key value headers timestamp timestamp_type")

TIMESTAMP_TYPES = {
    confluent_kafka.TIMESTAMP_CREATE_TIME: "create",
    confluent_kafka.TIMESTAMP_LOG_APPEND_TIME: "log_append",
    confluent_kafka.TIMESTAMP_NOT_AVAILABLE: None,
}


def _consumer(bootstrap, group=None, extra=None):
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": group or "kpipe-it-reader-" + uuid.uuid4().hex,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "fetch.wait.max.ms": 10,
        "enable.partition.eof": False,
    }
    conf.update(extra or {})
    return confluent_kafka.Consumer(conf)


def partition_count(bootstrap, topic, timeout=10):
    consumer = _consumer(bootstrap)
    try:
        md = consumer.list_topics(topic, timeout=timeout)
        tmd = md.topics.get(topic)
        if tmd is None or tmd.error is not None:
            return None
        return len(tmd.partitions)
    finally:
        consumer.close()


def watermarks(bootstrap, topic, timeout=10):
    """{partition: (low, high)} for every partition of topic."""
    consumer = _consumer(bootstrap)
    try:
        md = consumer.list_topics(topic, timeout=timeout)
        tmd = md.topics[topic]
        if tmd.error is not None:
            raise AssertionError("topic %s: %s" % (topic, tmd.error))
        return {p: consumer.get_watermark_offsets(confluent_kafka.TopicPartition(topic, p),
                                                  timeout=timeout)
                for p in sorted(tmd.partitions)}
    finally:
        consumer.close()


def read_topic(bootstrap, topic, timeout=60, require_complete=True):
    """Every record of topic, read by assign() from the beginning up to each partition's high
    watermark, ordered by (partition, offset).

    With require_complete the log must start at offset 0 (nothing lost to the mock broker's
    retention), so a test that undersized its topic fails loudly instead of comparing less."""
    consumer = _consumer(bootstrap)
    try:
        md = consumer.list_topics(topic, timeout=10)
        tmd = md.topics[topic]
        if tmd.error is not None:
            raise AssertionError("topic %s: %s" % (topic, tmd.error))
        marks = {}
        for p in sorted(tmd.partitions):
            marks[p] = consumer.get_watermark_offsets(
                confluent_kafka.TopicPartition(topic, p), timeout=10)
            if require_complete and marks[p][0] != 0:
                raise AssertionError("topic %s partition %d starts at offset %d: records were "
                                     "dropped by retention" % (topic, p, marks[p][0]))
        pending = {p: high for p, (low, high) in marks.items() if high > low}
        consumer.assign([confluent_kafka.TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING)
                         for p in pending])
        out = []
        deadline = time.monotonic() + timeout
        while pending:
            if time.monotonic() > deadline:
                raise AssertionError("reading %s timed out; still waiting for %s"
                                     % (topic, pending))
            for msg in consumer.consume(num_messages=10000, timeout=0.5):
                if msg.error():
                    raise AssertionError("reading %s: %s" % (topic, msg.error()))
                p = msg.partition()
                if p not in pending or msg.offset() >= marks[p][1]:
                    continue
                ts_type, ts = msg.timestamp()
                out.append(Message(msg.topic(), p, msg.offset(), msg.key(), msg.value(),
                                   list(msg.headers() or []), ts, TIMESTAMP_TYPES.get(ts_type)))
                if msg.offset() + 1 >= pending[p]:
                    del pending[p]
        out.sort(key=lambda m: (m.partition, m.offset))
        return out
    finally:
        consumer.close()


def committed_offsets(bootstrap, group, topic, partitions, timeout=10):
    """{partition: committed offset or None} of group on topic."""
    consumer = _consumer(bootstrap, group=group)
    try:
        tps = consumer.committed([confluent_kafka.TopicPartition(topic, p) for p in partitions],
                                 timeout=timeout)
        result = {}
        for tp in tps:
            if tp.error:
                raise AssertionError("committed(%s): %s" % (group, tp.error))
            result[tp.partition] = tp.offset if tp.offset >= 0 else None
        return result
    finally:
        consumer.close()


def produce(bootstrap, topic, records, timeout=60, extra=None):
    """Produces records with confluent-kafka; each record is a dict with value and optionally
    key, headers (list of (name, bytes|None)), partition, timestamp (ms).

    Returns [(partition, offset)] in input order; fails if any delivery failed."""
    conf = {"bootstrap.servers": bootstrap, "linger.ms": 5, "enable.idempotence": True}
    conf.update(extra or {})
    producer = confluent_kafka.Producer(conf)
    results = [None] * len(records)
    errors = []

    def on_delivery(index):
        def report(err, msg):
            if err is not None:
                errors.append((index, err))
            else:
                results[index] = (msg.partition(), msg.offset())
        return report

    for i, rec in enumerate(records):
        kwargs = {"value": rec.get("value"), "key": rec.get("key"), "on_delivery": on_delivery(i)}
        if rec.get("headers") is not None:
            kwargs["headers"] = rec["headers"]
        if rec.get("partition") is not None:
            kwargs["partition"] = rec["partition"]
        if rec.get("timestamp") is not None:
            kwargs["timestamp"] = rec["timestamp"]
        while True:
            try:
                producer.produce(topic, **kwargs)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(timeout)
    if remaining or errors:
        raise AssertionError("confluent-kafka produce to %s: %d undelivered, errors %s"
                             % (topic, remaining, errors[:5]))
    return results


# --------------------------------------------------------------------------------------------
# independent clients: kcat


def kcat(args, input=None, timeout=RUN_TIMEOUT):
    """Runs kcat; returns stdout bytes, failing on a non-zero exit."""
    proc = subprocess.run(["kcat"] + list(args), input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError("kcat %s failed (rc=%d): %s"
                             % (" ".join(args), proc.returncode,
                                proc.stderr.decode("utf-8", "replace")[-2000:]))
    return proc.stdout


def kcat_consume(bootstrap, topic, fmt, extra=()):
    """All records of topic formatted by kcat's -f FMT."""
    return kcat(["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-o", "beginning",
                 "-X", "fetch.wait.max.ms=10", "-f", fmt] + list(extra))


def kcat_produce(bootstrap, topic, data, extra=()):
    """Produces newline-delimited data with kcat -P (extra: e.g. -K, -H, -p, -z)."""
    return kcat(["-P", "-b", bootstrap, "-t", topic] + list(extra), input=data)


# --------------------------------------------------------------------------------------------
# the envelope format


def envelope_members(line):
    """Parses one envelope line; returns (parsed dict, {member: raw JSON text of its value}).

    The raw text lets tests check that a JSON value is embedded byte for byte."""
    if isinstance(line, bytes):
        line = line.decode("utf-8")
    decoder = json.JSONDecoder()
    parsed = json.loads(line)
    raw = {}
    ws = " \t\r\n"
    i = 0
    while line[i] in ws:
        i += 1
    assert line[i] == "{", "envelope line is not a JSON object: %r" % line[:200]
    i += 1
    while True:
        while line[i] in ws:
            i += 1
        if line[i] == "}":
            break
        assert line[i] == '"', "unexpected %r in envelope line %r" % (line[i], line[:200])
        name, i = json.decoder.scanstring(line, i + 1)
        while line[i] in ws:
            i += 1
        assert line[i] == ":"
        i += 1
        while line[i] in ws:
            i += 1
        _, end = decoder.raw_decode(line, i)
        raw[name] = line[i:end]
        i = end
        while line[i] in ws:
            i += 1
        if line[i] == ",":
            i += 1
    return parsed, raw


def _b64(text):
    return base64.b64decode(text.encode("ascii"), validate=True)


def envelope_record(line):
    """Decodes an envelope line into a dict of Kafka-level fields:
    topic, partition, offset, timestamp, timestamp_type, key (bytes|None),
    headers [(name, bytes|None)], value (bytes|None)."""
    obj, raw = envelope_members(line)
    if "key_b64" in obj:
        key = _b64(obj["key_b64"])
    else:
        key = obj.get("key")
        if key is not None:
            key = key.encode("utf-8")
    headers = []
    for h in obj.get("headers", []):
        if "value_b64" in h:
            headers.append((h["key"], _b64(h["value_b64"])))
        elif h.get("value") is None:
            headers.append((h["key"], None))
        else:
            headers.append((h["key"], h["value"].encode("utf-8")))
    if "value_b64" in obj:
        value = _b64(obj["value_b64"])
    elif obj.get("value") is None:
        value = None
    elif isinstance(obj["value"], str):
        value = obj["value"].encode("utf-8")
    else:
        # Embedded JSON: its bytes are the raw text in the line.
        value = raw["value"].encode("utf-8")
    return {
        "topic": obj.get("topic"), "partition": obj.get("partition"),
        "offset": obj.get("offset"), "timestamp": obj.get("timestamp"),
        "timestamp_type": obj.get("timestamp_type"),
        "key": key, "headers": headers, "value": value,
    }


def envelope_line(key=None, value=None, headers=(), timestamp=None, topic="t", partition=0,
                  offset=0):
    """Builds an envelope line by the spec (used to feed `kpipe produce --envelope`)."""
    obj = {"topic": topic, "partition": partition, "offset": offset}
    if timestamp is not None:
        obj["timestamp"] = timestamp
        obj["timestamp_type"] = "create"
    obj.update(_text_or_b64("key", key))
    obj["headers"] = [dict({"key": k}, **_text_or_b64("value", v)) for k, v in headers]
    obj.update(_text_or_b64("value", value))
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _text_or_b64(name, data):
    if data is None:
        return {name: None}
    try:
        return {name: data.decode("utf-8")}
    except UnicodeDecodeError:
        return {name + "_b64": base64.b64encode(data).decode("ascii")}


# --------------------------------------------------------------------------------------------
# kpipe transform: background runs, summaries, dead letters, the jq oracle


class KpipeProcess:
    """A kpipe run in the background (e.g. a transform without -e, stopped by a signal).

    stdout and stderr go to files, so the process never blocks on a full pipe."""

    def __init__(self, args, env=None, stdin=subprocess.DEVNULL):
        self.args = [str(a) for a in args]
        self.tmpdir = tempfile.mkdtemp(prefix="kpipe-run-", dir=_scratch_dir("runs"))
        self._stdout = open(os.path.join(self.tmpdir, "stdout"), "wb")
        self._stderr = open(os.path.join(self.tmpdir, "stderr"), "wb")
        self.proc = popen_kpipe(self.args, stdin=stdin, stdout=self._stdout,
                                stderr=self._stderr, env=clean_env(env))

    def running(self):
        return self.proc.poll() is None

    def _read(self, name):
        handle = self._stdout if name == "stdout" else self._stderr
        if not handle.closed:
            handle.flush()
        with open(os.path.join(self.tmpdir, name), "rb") as f:
            return f.read()

    def stdout_bytes(self):
        return self._read("stdout")

    def stderr_text(self):
        return self._read("stderr").decode("utf-8", "replace")

    def check_running(self):
        """Fails the test if the process has exited (for use inside polling loops)."""
        if not self.running():
            raise AssertionError("kpipe %s exited early (rc=%s); stderr:\n%s"
                                 % (" ".join(self.args), self.proc.returncode,
                                    self.stderr_text()[-3000:]))
        return True

    def wait(self, timeout=RUN_TIMEOUT):
        """Waits for the exit; returns the exit code. A process that outlives timeout is killed
        and fails the calling test."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("kpipe %s did not exit within %.0f s; stderr:\n%s"
                                 % (" ".join(self.args), timeout, self.stderr_text()[-3000:]))

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        """Sends sig and waits for the exit; returns the exit code."""
        if self.running():
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def kill9(self):
        if self.running():
            self.proc.kill()
        self.proc.wait()

    def cleanup(self):
        self.kill9()
        for handle in (self._stdout, self._stderr):
            if not handle.closed:
                handle.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def require_subcommand(name):
    """Fails (for setUpClass) unless `kpipe NAME --help` succeeds in this build."""
    rc, _, _ = run_kpipe([name, "--help"], timeout=30)
    if rc != 0:
        raise AssertionError("this kpipe build has no `%s` subcommand (`%s %s --help` fails)"
                             % (name, kpipe_bin(), name))


TRANSFORM_SUMMARY = re.compile(
    r"kpipe transform: in (\d+), out (\d+), filtered (\d+), dead-lettered (\d+)")


def transform_summary(stderr):
    """The counts of the last `kpipe transform: in N, out N, filtered N, dead-lettered N` line
    in stderr as a dict (in, out, filtered, dead_lettered), or None when there is none."""
    found = TRANSFORM_SUMMARY.findall(stderr)
    if not found:
        return None
    return dict(zip(("in", "out", "filtered", "dead_lettered"), map(int, found[-1])))


def end_offsets(bootstrap, topic, timeout=10):
    """{partition: high watermark} of topic."""
    return {p: high for p, (_, high) in watermarks(bootstrap, topic, timeout).items()}


def total_records(bootstrap, topic, timeout=10):
    """How many records topic holds (sum over partitions of high - low watermark)."""
    return sum(high - low for low, high in watermarks(bootstrap, topic, timeout).values())


CONNECT_ERROR_HEADERS = (
    "__connect.errors.topic", "__connect.errors.partition", "__connect.errors.offset",
    "__connect.errors.stage", "__connect.errors.exception.class.name",
    "__connect.errors.exception.message")


def split_dead_letter_headers(headers):
    """Splits a dead letter's headers into ({__connect.errors.* name: [str values]}, the other
    headers in order)."""
    context, others = {}, []
    for name, value in headers:
        if name.startswith("__connect.errors."):
            context.setdefault(name, []).append(
                None if value is None else value.decode("utf-8", "replace"))
        else:
            others.append((name, value))
    return context, others


def generated_login_events(count, seed):
    """[(key bytes, value bytes)] of `kpipe produce --generate user-login --dry-run`: the seed's
    login events, the raw JSON text of each value."""
    rc, out, err = run_kpipe(["produce", "--generate", "user-login", "--count", count,
                              "--seed", seed, "-t", "generated", "--dry-run"], timeout=120)
    if rc != 0:
        raise AssertionError("kpipe produce --generate --dry-run exited %d: %s" % (rc, err))
    events = []
    for line in out.splitlines():
        rec = envelope_record(line)
        events.append((rec["key"], rec["value"]))
    if len(events) != count:
        raise AssertionError("the generator printed %d events, not %d" % (len(events), count))
    return events


def jq_c(program, data, timeout=120):
    """Runs `jq -c PROGRAM` on data (bytes); returns (exit code, stdout bytes, stderr str)."""
    proc = subprocess.run(["jq", "-c", program], input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def jq_each(program, values, timeout=120):
    """jq as the oracle, one JSON value at a time: for each value (bytes, valid single-line
    JSON) either ("ok", [each output as `jq -c` prints it, bytes]) or ("error", jq's message).

    One jq process for all values; `tojson` prints what `jq -c` prints."""
    wrapped = 'try {"ok": [(%s) | tojson]} catch {"error": tostring}' % program
    rc, out, err = jq_c(wrapped, b"\n".join(values) + b"\n", timeout=timeout)
    if rc != 0:
        raise AssertionError("jq %r failed (rc=%d): %s" % (wrapped, rc, err[-2000:]))
    results = []
    for line in out.splitlines():
        obj = json.loads(line)
        if "ok" in obj:
            results.append(("ok", [text.encode("utf-8") for text in obj["ok"]]))
        else:
            results.append(("error", obj["error"]))
    if len(results) != len(values):
        raise AssertionError("jq gave %d results for %d values" % (len(results), len(values)))
    return results


# --------------------------------------------------------------------------------------------
# background load and measurements


def report(text):
    """A measurement worth seeing in the ctest log."""
    sys.stderr.write("    [%s] %s\n" % (time.strftime("%H:%M:%S"), text))
    sys.stderr.flush()


class PacedProducer(threading.Thread):
    """Produces records with confluent-kafka at about `rate` records/s in a background thread,
    so a consumer can be stopped or killed while its input is still arriving.

    records is a sequence or any iterable (an endless generator feeds until stop()); each record
    is a dict with value and optionally key, headers and timestamp. `produced` counts the
    records handed to the producer so far; finish() fails on any undelivered one."""

    def __init__(self, bootstrap, topic, records, rate, batch=500):
        super().__init__(daemon=True)
        self.bootstrap, self.topic, self.records = bootstrap, topic, records
        self.rate, self.batch = rate, batch
        self.failures = []
        self.produced = 0
        self._stop_event = threading.Event()

    def stop(self):
        """Ends production after the current batch (for endless record iterables)."""
        self._stop_event.set()

    def run(self):
        try:
            producer = confluent_kafka.Producer({"bootstrap.servers": self.bootstrap,
                                                 "linger.ms": 5, "enable.idempotence": True})

            def on_delivery(err, _msg):
                if err is not None:
                    self.failures.append(err)

            records = iter(self.records)
            start = time.monotonic()
            exhausted = False
            while not exhausted and not self._stop_event.is_set():
                delay = start + self.produced / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)  # pacing, not waiting for a condition
                for _ in range(self.batch):
                    rec = next(records, None)
                    if rec is None:
                        exhausted = True
                        break
                    kwargs = {"key": rec.get("key"), "value": rec.get("value"),
                              "on_delivery": on_delivery}
                    if rec.get("headers") is not None:
                        kwargs["headers"] = rec["headers"]
                    if rec.get("timestamp") is not None:
                        kwargs["timestamp"] = rec["timestamp"]
                    while True:
                        try:
                            producer.produce(self.topic, **kwargs)
                            break
                        except BufferError:
                            producer.poll(0.05)
                    self.produced += 1
                producer.poll(0)
            remaining = producer.flush(60)
            if remaining:
                self.failures.append("%d records undelivered" % remaining)
        except Exception as exc:  # noqa: BLE001 - reported by finish()
            self.failures.append(repr(exc))

    def finish(self, timeout=90):
        """Waits for the thread (call stop() first for an endless feed); fails on any failed
        delivery."""
        self.join(timeout)
        if self.is_alive():
            raise AssertionError("the paced producer did not finish within %.0f s" % timeout)
        if self.failures:
            raise AssertionError("producing to %s failed: %s" % (self.topic, self.failures[:5]))


_SANITIZED = None


def sanitized_build():
    """Whether the kpipe under test is built with AddressSanitizer (its runtime holds freed
    memory in a quarantine, so resident memory says nothing about leaks: LeakSanitizer does,
    at exit)."""
    global _SANITIZED
    if _SANITIZED is None:
        with open(kpipe_bin(), "rb") as f:
            _SANITIZED = b"__asan_init" in f.read()
    return _SANITIZED


def rss_kib(pid):
    """The resident set size of process pid in KiB (VmRSS of /proc/PID/status), or None once it
    has exited."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


# --------------------------------------------------------------------------------------------
# the test base class


class KpipeTestCase(unittest.TestCase):
    """Starts one `kpipe broker` per test class with the topics in TOPICS; with
    KPIPE_PEER=kafka, runs the class against Apache Kafka instead (topics recreated empty)
    when it declares KAFKA = True, and skips it otherwise."""

    TOPICS = {}
    BROKER_COUNT = None
    # Whether the class's behaviour is the same on both peers (see the README's table).
    KAFKA = False
    # Topic configs on Kafka, {topic: {key: value}}, where a test needs more than Kafka's
    # defaults allow (the mock broker has no topic configs and no such limits).
    KAFKA_TOPIC_CONFIGS = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if PEER == "kafka":
            if not cls.KAFKA:
                raise unittest.SkipTest("mock-only class (KAFKA = False)")
            cls.broker = KafkaPeer(topics=cls.TOPICS, configs=cls.KAFKA_TOPIC_CONFIGS)
        else:
            cls.broker = Broker(topics=cls.TOPICS, broker_count=cls.BROKER_COUNT)
        cls.bootstrap = cls.broker.bootstrap

    @classmethod
    def tearDownClass(cls):
        broker = cls.__dict__.get("broker")
        if broker is not None:
            try:
                rc, _ = broker.stop()
                if rc != 0:
                    raise AssertionError("kpipe broker exited %s on SIGTERM; stderr: %s"
                                         % (rc, broker.stderr_text()[-2000:]))
            finally:
                broker.cleanup()
        super().tearDownClass()

    def kpipe(self, *args, input=None, timeout=RUN_TIMEOUT, env=None):
        """Runs `kpipe -b BOOTSTRAP ARGS...`; returns (rc, stdout bytes, stderr str)."""
        return run_kpipe(["-b", self.bootstrap] + list(args), input=input, timeout=timeout,
                         env=env)

    def kpipe_ok(self, *args, input=None, timeout=RUN_TIMEOUT, env=None):
        """Like kpipe() but fails the test unless the exit code is 0; returns stdout bytes."""
        rc, out, err = self.kpipe(*args, input=input, timeout=timeout, env=env)
        self.assertEqual(rc, 0, "kpipe %s exited %d; stderr:\n%s"
                         % (" ".join(map(str, args)), rc, err[-3000:]))
        return out

    def assertSameMultiset(self, got, expected, what="records"):
        """Compares two iterables as multisets, reporting sizes and a few differences (an
        assertEqual diff of 100,000 records is unreadable)."""
        got, expected = collections.Counter(got), collections.Counter(expected)
        if got == expected:
            return
        missing = list((expected - got).elements())
        extra = list((got - expected).elements())
        self.fail("%s differ: got %d, expected %d; %d missing, e.g. %r; %d unexpected, e.g. %r"
                  % (what, sum(got.values()), sum(expected.values()), len(missing),
                     missing[:3], len(extra), extra[:3]))

    def read(self, topic, **kwargs):
        return read_topic(self.bootstrap, topic, **kwargs)

    def produce(self, topic, records, **kwargs):
        return produce(self.bootstrap, topic, records, **kwargs)


def main():
    """Runs the calling script's tests and exits by os._exit (see the module docstring)."""
    try:
        program = unittest.main(exit=False, verbosity=2)
        ok = program.result.wasSuccessful()
    except BaseException:  # noqa: BLE001 - any crash in the runner is a failure
        import traceback
        traceback.print_exc()
        ok = False
    sys.stdout.flush()
    sys.stderr.flush()
    if _SCRATCH is not None:
        shutil.rmtree(_SCRATCH, ignore_errors=True)
    os._exit(0 if ok else 1)

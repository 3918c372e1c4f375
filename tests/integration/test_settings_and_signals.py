"""Settings files, profiles and secrets; SIGINT/SIGTERM in produce and consume.

Checked with confluent-kafka, not with kpipe."""

import os
import re
import signal
import subprocess
import tempfile
import time

import kpipe_harness as h


class SettingsTest(h.KpipeTestCase):
    TOPICS = {"settings": 2, "secrets": 1}
    SECRET = "s3cr3t-Pa55word-never-shown"

    def settings_file(self, text):
        handle = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
        handle.write(text)
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def test_profile_supplies_the_brokers(self):
        path = self.settings_file('default_profile = "dev"\n[profiles.dev]\nbrokers = "%s"\n'
                                  % self.bootstrap)
        rc, _, err = h.run_kpipe(["-F", path, "produce", "-t", "settings"],
                                 input=b'{"from":"profile"}\n')
        self.assertEqual(rc, 0, err)
        self.assertEqual([m.value for m in self.read("settings")], [b'{"from":"profile"}'])

    def test_command_line_wins_over_the_profile(self):
        path = self.settings_file('[profiles.default]\nbrokers = "127.0.0.1:1"\n')
        rc, _, err = h.run_kpipe(["-F", path, "-b", self.bootstrap, "--timeout", "5",
                                  "consume", "-t", "settings", "-e"])
        self.assertEqual(rc, 0, err)

    def test_secrets_from_files_are_used_and_never_printed(self):
        secret_file = self.settings_file(self.SECRET + "\n")
        path = self.settings_file(
            '[profiles.secure]\nbrokers = "%s"\n[profiles.secure.properties]\n'
            '"sasl.password" = "@%s"\n"sasl.username" = "kpipe"\n' % (self.bootstrap, secret_file))
        rc, _, err = h.run_kpipe(["-F", path, "--profile", "secure", "-vv", "produce", "-t",
                                  "secrets"], input=b'{"a":1}\n')
        self.assertEqual(rc, 0, err)
        self.assertIn("sasl.password", err)  # the -vv dump names it...
        self.assertIn("[redacted]", err)     # ...without its value
        self.assertNotIn(self.SECRET, err)

    def test_secret_from_the_environment(self):
        path = self.settings_file('[profiles.env]\nbrokers = "%s"\n[profiles.env.properties]\n'
                                  '"sasl.password" = "env:KPIPE_TEST_SECRET"\n' % self.bootstrap)
        rc, _, err = h.run_kpipe(["-F", path, "--profile", "env", "-vv", "consume", "-t",
                                  "secrets", "-e"], env={"KPIPE_TEST_SECRET": self.SECRET})
        self.assertEqual(rc, 0, err)
        self.assertNotIn(self.SECRET, err)
        rc, _, err = h.run_kpipe(["-F", path, "--profile", "env", "consume", "-t", "secrets",
                                  "-e"])
        self.assertEqual(rc, 1, err)  # the variable is not set
        self.assertIn("KPIPE_TEST_SECRET", err)

    def test_unknown_profile_is_a_usage_error_listing_the_known_ones(self):
        path = self.settings_file('[profiles.dev]\nbrokers = "%s"\n[profiles.prod]\n'
                                  'brokers = "%s"\n' % (self.bootstrap, self.bootstrap))
        rc, _, err = h.run_kpipe(["-F", path, "--profile", "staging", "consume", "-t", "x",
                                  "-e"])
        self.assertEqual(rc, 2, err)
        self.assertIn("staging", err)
        self.assertIn("dev", err)
        self.assertIn("prod", err)

    def test_settings_file_errors_name_the_line(self):
        path = self.settings_file('[profiles.dev]\nbrokerz = "x"\n')
        rc, _, err = h.run_kpipe(["-F", path, "consume", "-t", "x", "-e"])
        self.assertEqual(rc, 2, err)
        self.assertIn("brokerz", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)


class SignalTest(h.KpipeTestCase):
    TOPICS = {"endless": 8, "signals": 2}

    def test_sigterm_stops_an_endless_generator_with_every_record_acknowledged(self):
        proc = h.popen_kpipe(["-b", self.bootstrap, "-v", "produce", "--generate", "user-login",
                              "--rate", "2000", "-t", "endless"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        h.poll_until(lambda: sum(high for _, high in
                                 h.watermarks(self.bootstrap, "endless").values()) > 100,
                     timeout=30, what="records to arrive")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        err = err.decode()
        self.assertEqual(proc.returncode, 0, err)
        produced = re.search(r"produced (\d+) records, (\d+) acknowledged", err)
        self.assertIsNotNone(produced, err)
        self.assertEqual(produced.group(1), produced.group(2))
        total = sum(high for _, high in h.watermarks(self.bootstrap, "endless").values())
        self.assertEqual(total, int(produced.group(1)))

    def test_sigint_stops_a_group_consumer_after_committing_what_it_printed(self):
        self.produce("signals", [{"value": b"%d" % i, "key": b"k%d" % (i % 5)}
                                 for i in range(200)])
        proc = h.popen_kpipe(["-b", self.bootstrap, "consume", "-t", "signals", "-g", "sig",
                              "-X", "session.timeout.ms=6000", "-X",
                              "heartbeat.interval.ms=500"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = [proc.stdout.readline() for _ in range(200)]
        self.assertEqual(len(set(lines)), 200)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        committed = h.committed_offsets(self.bootstrap, "sig", "signals", [0, 1])
        marks = h.watermarks(self.bootstrap, "signals")
        self.assertEqual(committed, {p: high for p, (_, high) in marks.items()})


if __name__ == "__main__":
    h.main()

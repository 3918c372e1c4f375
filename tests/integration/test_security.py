"""Secrets never printed, SASL against the mock cluster, and the metrics endpoint's address.

Every client subcommand runs at -vvv (librdkafka's debug=all too) with a profile whose secret
properties come from a file (@/path) and the environment (env:NAME); the secret texts must
appear nowhere in stdout, stderr (text and JSON logs) or the /metrics scrape. librdkafka 2.0's
mock cluster (`kpipe broker`) does not implement SaslHandshake, so SASL is checked up to that
point: kpipe sends the handshake and stops at once with a one-line explanation. A bad unsecured
JWT config (OAUTHBEARER for development) is a usage error that does not quote it."""

import os
import socket
import time
import urllib.request

import kpipe_harness as h

PASSWORD = "Pw-from-a-file-7f3a"          # sasl.password = @file
KEY_PASSWORD = "Key-pw-from-env-91c2"     # ssl.key.password, ssl.keystore.password = env:NAME
OAUTH_SECRET = "oauth-secret-5e8d"        # inside sasl.oauthbearer.config = @file
SECRETS = (PASSWORD, KEY_PASSWORD, OAUTH_SECRET)
ENV = {"KPIPE_TEST_KEY_PASSWORD": KEY_PASSWORD}
FAIL_FAST = 6.0


def listening_address(port):
    """The IPv4 address (dotted) listening on `port`, from /proc/net/tcp; None if none."""
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:
                return socket.inet_ntoa(bytes.fromhex(address)[::-1])
    return None


def non_loopback_address():
    """An IPv4 address of this host outside 127.0.0.0/8, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for UDP connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SecurityTest(h.KpipeTestCase):
    TOPICS = {"sec-in": 1, "sec-out": 1, "sec-dlq": 1}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        directory = h._scratch_dir("security")
        cls.password_file = os.path.join(directory, "sasl-password")
        with open(cls.password_file, "w") as f:
            f.write(PASSWORD + "\n")
        cls.oauth_file = os.path.join(directory, "oauth-config")
        with open(cls.oauth_file, "w") as f:
            f.write("principal=kpipe extension_traceId=%s\n" % OAUTH_SECRET)
        cls.bad_oauth_file = os.path.join(directory, "bad-oauth-config")
        with open(cls.bad_oauth_file, "w") as f:
            f.write("principal=kpipe lifeSeconds=%s\n" % OAUTH_SECRET)
        secret_properties = (
            '"sasl.username" = "kpipe"\n'
            '"sasl.password" = "@%s"\n'
            '"ssl.key.password" = "env:KPIPE_TEST_KEY_PASSWORD"\n'
            '"ssl.keystore.password" = "env:KPIPE_TEST_KEY_PASSWORD"\n'
            '"sasl.oauthbearer.config" = "@%s"\n' % (cls.password_file, cls.oauth_file))
        cls.settings = os.path.join(directory, "kpipe.toml")
        with open(cls.settings, "w") as f:
            f.write('[profiles.plain]\nbrokers = "%s"\n[profiles.plain.properties]\n'
                    '"security.protocol" = "plaintext"\n"debug" = "all"\n%s'
                    '[profiles.sasl]\nbrokers = "%s"\n[profiles.sasl.properties]\n'
                    '"security.protocol" = "sasl_plaintext"\n"sasl.mechanism" = "PLAIN"\n%s'
                    '[profiles.oauth]\nbrokers = "%s"\n[profiles.oauth.properties]\n'
                    '"security.protocol" = "sasl_plaintext"\n"sasl.mechanism" = "OAUTHBEARER"\n'
                    '"enable.sasl.oauthbearer.unsecure.jwt" = true\n'
                    '"sasl.oauthbearer.config" = "@%s"\n'
                    % (cls.bootstrap, secret_properties, cls.bootstrap, secret_properties,
                       cls.bootstrap, cls.bad_oauth_file))
        h.produce(cls.bootstrap, "sec-in", [{"value": b'{"user_id":"u1"}'}])
        h.produce(cls.bootstrap, "sec-dlq", [{"value": b'{"user_id":"u2"}'}])

    def run_profile(self, profile, log_format, command, input=None):
        rc, out, err = h.run_kpipe(["-F", self.settings, "--profile", profile, "-vvv",
                                    "--timeout", "20", "--log-format", log_format] + command,
                                   input=input, env=ENV)
        for secret in SECRETS:
            self.assertNotIn(secret.encode(), out, "%s %s: stdout" % (profile, command[0]))
            self.assertNotIn(secret, err, "%s %s (%s): stderr" % (profile, command[0],
                                                                   log_format))
        return rc, err

    COMMANDS = (
        (["produce", "-t", "sec-in"], b'{"user_id":"u3"}\n'),
        (["consume", "-t", "sec-in", "-e"], None),
        (["transform", "--in", "sec-in", "--out", "sec-out", "-e", "{user_id}"], None),
        (["replay-dlq", "--dlq", "sec-dlq", "--to", "sec-in"], None),
        (["topic-check", "sec-in"], None),
    )

    def test_every_subcommand_at_vvv_prints_no_secret(self):
        for index, (command, input) in enumerate(self.COMMANDS):
            log_format = ("text", "json")[index % 2]
            rc, err = self.run_profile("plain", log_format, command, input)
            self.assertEqual(rc, 0, err[-3000:])
            # The dump names the secret properties, and librdkafka's debug output ran.
            self.assertIn("sasl.password", err)
            self.assertIn("[redacted]", err)
            self.assertIn("librdkafka", err)

    def test_sasl_against_the_mock_cluster_stops_at_the_handshake(self):
        for index, (command, input) in enumerate(self.COMMANDS):
            started = time.monotonic()
            rc, err = self.run_profile("sasl", ("json", "text")[index % 2], command, input)
            self.assertNotEqual(rc, 0, err[-3000:])
            self.assertLess(time.monotonic() - started, FAIL_FAST, err[-3000:])
            self.assertIn("does not accept SASL", err.strip().splitlines()[-1])

    def test_tls_to_the_plaintext_mock_says_so_at_once(self):
        started = time.monotonic()
        rc, out, err = self.kpipe("-X", "security.protocol=ssl", "--timeout", "20",
                                  "topic-check", "sec-in")
        self.assertNotEqual(rc, 0, err)
        self.assertLess(time.monotonic() - started, FAIL_FAST, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("does not speak TLS", err)

    def test_a_bad_unsecured_jwt_config_is_a_usage_error_without_its_value(self):
        # librdkafka 2.0.2 would quote it in an error event, then crash on its refresh retry.
        for log_format in ("text", "json"):
            started = time.monotonic()
            rc, err = self.run_profile("oauth", log_format, ["topic-check", "sec-in"])
            self.assertEqual(rc, 2, err[-3000:])
            self.assertLess(time.monotonic() - started, FAIL_FAST, err[-3000:])
            self.assertIn("lifeSeconds must be a positive whole number", err)

    def test_metrics_port_alone_binds_loopback_and_shows_no_secret(self):
        port = free_port()
        run = h.KpipeProcess(["-F", self.settings, "--profile", "plain", "-vvv", "--metrics",
                              str(port), "consume", "-t", "sec-in"], env=ENV)
        try:
            address = h.poll_until(lambda: run.check_running() and listening_address(port),
                                   15, what="the metrics endpoint to listen")
            self.assertEqual(address, "127.0.0.1")
            outside = non_loopback_address()
            if outside is not None:
                with socket.socket() as probe:
                    probe.settimeout(2)
                    self.assertNotEqual(probe.connect_ex((outside, port)), 0,
                                        "the metrics port answers on %s" % outside)
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                        timeout=5) as response:
                scrape = response.read().decode("utf-8")
            self.assertIn("kpipe_records_in_total", scrape)
            for secret in SECRETS:
                self.assertNotIn(secret, scrape)
            self.assertEqual(run.stop(), 0, run.stderr_text()[-3000:])
            for secret in SECRETS:
                self.assertNotIn(secret, run.stderr_text())
                self.assertNotIn(secret.encode(), run.stdout_bytes())
        finally:
            run.cleanup()


if __name__ == "__main__":
    h.main()

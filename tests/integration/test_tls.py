"""TLS against a local endpoint: `openssl s_server` with a certificate from a test CA this test
creates. kpipe refuses an untrusted certificate, or one that does not name the host, quickly and
in one line that names the cause and the setting; with the right CA (and, for mutual TLS, a
client certificate whose key password comes from a file) it gets past TLS and sends Kafka's
first request, which s_server prints. No Kafka broker is involved: s_server never answers."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import kpipe_harness as h

# Long enough that a kpipe which retried a TLS failure until --timeout would fail the test.
TIMEOUT = 20
FAIL_FAST = 6.0


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def new_key(name, cwd):
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", name, cwd=cwd)


def signed_certificate(name, subject, san, ca, cwd, client=False):
    """name.key and name.pem, signed by ca (ca.key, ca.pem)."""
    new_key(name + ".key", cwd)
    openssl("req", "-new", "-key", name + ".key", "-subj", subject, "-out", name + ".csr",
            cwd=cwd)
    with open(os.path.join(cwd, name + ".ext"), "w") as ext:
        ext.write("subjectAltName=%s\n" % san)
        if client:
            ext.write("extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem",
            cwd=cwd)


def self_signed_ca(name, subject, cwd):
    new_key(name + ".key", cwd)
    openssl("req", "-x509", "-new", "-key", name + ".key", "-subj", subject, "-days", "2",
            "-out", name + ".pem", cwd=cwd)


def listening_ports():
    """Local ports in LISTEN state on IPv4 (from /proc/net/tcp), as {port: address hex}."""
    ports = {}
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == "0A":
                ports[int(port, 16)] = address
    return ports


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TlsServer:
    """openssl s_server on 127.0.0.1; what a client sends after the handshake goes to stdout."""

    def __init__(self, directory, cert, key, extra=()):
        self.port = free_port()
        self.output_path = os.path.join(directory, "s_server-%d.out" % self.port)
        self._output = open(self.output_path, "wb")
        # stdin stays open: s_server stops at end of input.
        self.proc = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:%d" % self.port, "-cert", cert,
             "-key", key] + list(extra),
            cwd=directory, stdin=subprocess.PIPE, stdout=self._output,
            stderr=subprocess.STDOUT, preexec_fn=h._die_with_parent)
        h.poll_until(lambda: self.port in listening_ports() or self.proc.poll() is not None,
                     10, what="s_server to listen")
        if self.proc.poll() is not None:
            raise AssertionError("s_server exited: %s" % self.output())

    def output(self):
        self._output.flush()
        with open(self.output_path, "rb") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self._output.close()


class TlsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if shutil.which("openssl") is None:
            raise unittest.SkipTest("the openssl command is not installed")
        cls.dir = tempfile.mkdtemp(prefix="kpipe-tls-")
        self_signed_ca("ca", "/CN=kpipe test CA", cls.dir)
        self_signed_ca("other-ca", "/CN=some other CA", cls.dir)
        signed_certificate("server", "/CN=localhost", "IP:127.0.0.1,DNS:localhost", "ca",
                           cls.dir)
        signed_certificate("elsewhere", "/CN=kafka.example", "DNS:kafka.example", "ca", cls.dir)
        signed_certificate("client", "/CN=kpipe", "DNS:kpipe", "ca", cls.dir, client=True)
        # The client key encrypted with a password that kpipe reads from a file.
        cls.key_password = "key-pass-%d" % os.getpid()
        cls.password_file = os.path.join(cls.dir, "key-password")
        with open(cls.password_file, "w") as f:
            f.write(cls.key_password + "\n")
        openssl("pkey", "-in", "client.key", "-aes256", "-passout", "file:key-password",
                "-out", "client.enc.key", cwd=cls.dir)
        path = lambda name: os.path.join(cls.dir, name)
        cls.server = TlsServer(cls.dir, path("server.pem"), path("server.key"))
        cls.elsewhere = TlsServer(cls.dir, path("elsewhere.pem"), path("elsewhere.key"))
        cls.mutual = TlsServer(cls.dir, path("server.pem"), path("server.key"),
                               ["-Verify", "1", "-CAfile", path("ca.pem")])
        cls.settings = path("kpipe.toml")
        with open(cls.settings, "w") as f:
            f.write('[profiles.tls.properties]\n'
                    '"security.protocol" = "SSL"\n'
                    '"ssl.ca.location" = "%s"\n'
                    '[profiles.other-ca.properties]\n'
                    '"security.protocol" = "SSL"\n'
                    '"ssl.ca.location" = "%s"\n'
                    '[profiles.no-ca.properties]\n'
                    '"security.protocol" = "SSL"\n'
                    '[profiles.mtls.properties]\n'
                    '"security.protocol" = "SSL"\n'
                    '"ssl.ca.location" = "%s"\n'
                    '"ssl.certificate.location" = "%s"\n'
                    '"ssl.key.location" = "%s"\n'
                    '"ssl.key.password" = "@%s"\n'
                    % (path("ca.pem"), path("other-ca.pem"), path("ca.pem"), path("client.pem"),
                       path("client.enc.key"), cls.password_file))

    @classmethod
    def tearDownClass(cls):
        for name in ("server", "elsewhere", "mutual"):
            server = cls.__dict__.get(name)
            if server is not None:
                server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def refused(self, server, profile, expected):
        """Runs topic-check through `profile`; it must fail fast with one line naming
        `expected` (the cause) and the setting to fix."""
        started = time.monotonic()
        rc, out, err = h.run_kpipe(["-F", self.settings, "--profile", profile, "-b",
                                    "127.0.0.1:%d" % server.port, "--timeout", TIMEOUT,
                                    "topic-check", "t"], timeout=TIMEOUT + 20)
        elapsed = time.monotonic() - started
        self.assertNotEqual(rc, 0, err)
        self.assertLess(elapsed, FAIL_FAST, "a TLS failure waited for --timeout: " + err)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertIn("TLS handshake with 127.0.0.1:%d failed" % server.port, lines[0])
        self.assertIn(expected, lines[0])
        self.assertNotIn(self.key_password, err)
        return lines[0]

    def accepted(self, server, profile):
        """kpipe, through `profile`, completes the TLS handshake and sends Kafka's ApiVersions
        request (it names the client software, librdkafka), which s_server prints."""
        before = server.output().count(b"librdkafka")
        run = h.KpipeProcess(["-F", self.settings, "--profile", profile, "-vv", "-b",
                              "127.0.0.1:%d" % server.port, "--timeout", TIMEOUT, "consume",
                              "-t", "t"])
        try:
            h.poll_until(lambda: run.check_running()
                         and server.output().count(b"librdkafka") > before,
                         10, what="the Kafka request through TLS")
            err = run.stderr_text()
            self.assertNotIn("TLS handshake", err)
            self.assertNotIn("certificate verify failed", err)
            self.assertNotIn(self.key_password, err)
        finally:
            run.cleanup()

    def test_no_ca_is_refused(self):
        line = self.refused(self.server, "no-ca", "certificate verify failed")
        self.assertIn("ssl.ca.location", line)

    def test_another_ca_is_refused(self):
        self.refused(self.server, "other-ca", "certificate verify failed")

    def test_a_certificate_for_another_host_is_refused(self):
        # The right CA, but the certificate names kafka.example: endpoint identification is on.
        self.refused(self.elsewhere, "tls", "certificate verify failed")

    def test_the_right_ca_reaches_the_kafka_handshake(self):
        self.accepted(self.server, "tls")

    def test_mutual_tls_needs_the_client_certificate(self):
        line = self.refused(self.mutual, "tls", "certificate")
        self.assertIn("ssl.certificate.location", line)
        self.accepted(self.mutual, "mtls")


if __name__ == "__main__":
    h.main()

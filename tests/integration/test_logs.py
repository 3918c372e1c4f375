"""`--log-format json`: every stderr line is one JSON object a log pipeline can index; the text
format stays as it was; secrets never reach stderr in either format."""

import datetime
import json

import kpipe_harness as h

SECRET = "hunter2"
SEED_IN = (b'{"user_id":"424cdd21-063a-43a7-b91b-7ca1a833afae","app_version":"2.3.0",'
           b'"device_type":"android","ip":"199.172.111.135","locale":"RU",'
           b'"device_id":"593-47-5928","timestamp":"1694479551"}')


def json_lines(test, stderr):
    """Parses every stderr line; fails the test on any line that is not a JSON object."""
    records = []
    for line in stderr.splitlines():
        try:
            record = json.loads(line)
        except ValueError as error:
            test.fail("stderr line is not JSON (%s): %r" % (error, line))
        test.assertIsInstance(record, dict, line)
        for field in ("time", "level", "subcommand", "message"):
            test.assertIn(field, record, line)
        # RFC 3339 UTC with milliseconds.
        test.assertRegex(record["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line)
        datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        records.append(record)
    return records


class LogFormatTest(h.KpipeTestCase):
    TOPICS = {"logs-in": 1, "logs-out": 1, "logs-in-dlq": 1}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        h.produce(cls.bootstrap, "logs-in", [{"value": SEED_IN}, {"value": b"{not json"},
                                              {"value": SEED_IN}])

    def transform(self, *extra):
        return h.run_kpipe(["-b", self.bootstrap] + list(extra) +
                           ["transform", "--in", "logs-in", "--out", "logs-out", "-e",
                            "-g", "logs-%s" % "-".join(extra).replace(" ", ""),
                            "{user_id}"])

    def test_json_transform_lines_parse_and_name_the_dead_letter(self):
        rc, _, err = self.transform("-v", "--log-format", "json")
        self.assertEqual(rc, 0, err)
        records = json_lines(self, err)
        self.assertTrue(records, "no log lines at -v")
        self.assertTrue(all(r["subcommand"] == "transform" for r in records), err)
        dead = [r for r in records if r.get("dlq") == "logs-in-dlq"]
        self.assertEqual(len(dead), 1, err)
        self.assertEqual(dead[0]["level"], "info")
        self.assertEqual(dead[0]["topic"], "logs-in")
        self.assertEqual(dead[0]["partition"], 0)
        self.assertEqual(dead[0]["offset"], 1)
        self.assertIn("error", dead[0])
        summaries = [r for r in records if "dead_lettered" in r]
        self.assertEqual(len(summaries), 1, err)
        self.assertEqual((summaries[0]["in"], summaries[0]["out"],
                          summaries[0]["dead_lettered"]), (3, 2, 1))
        self.assertIsInstance(summaries[0]["seconds"], float)
        self.assertTrue(summaries[0]["message"].startswith("in 3, out 2, "), summaries[0])

    def test_json_dead_letters_from_stdin_name_the_line(self):
        rc, out, err = h.run_kpipe(["-v", "--log-format", "json", "transform", "--in", "-",
                                    "--out", "-", "--dlq-file", "/dev/null", "{user_id}"],
                                   input=SEED_IN + b"\n" + b'{"user_id":\n')
        self.assertEqual(rc, 1, err)  # dead letters from stdin
        dead = [r for r in json_lines(self, err) if "error_class" in r]
        self.assertEqual(len(dead), 1, err)
        self.assertEqual((dead[0]["line"], dead[0]["dlq"]), (2, "/dev/null"), err)
        self.assertNotIn("topic", dead[0])

    def test_text_format_is_unchanged(self):
        rc, _, err = self.transform()
        self.assertEqual(rc, 0, err)
        self.assertRegex(err, r"^kpipe transform: in 3, out 2, filtered 0, dead-lettered 1, "
                              r"[0-9.]+s, [0-9]+ records/s\n$")
        rc, _, err = self.transform("-v", "--log-format", "text")
        self.assertEqual(rc, 0, err)
        self.assertIn("kpipe transform: logs-in partition 0 offset 1: invalid JSON", err)
        self.assertIn("; dead-lettered to logs-in-dlq\n", err)
        for line in err.splitlines():
            self.assertTrue(line.startswith("kpipe transform: "), line)

    def test_librdkafka_lines_carry_the_facility(self):
        rc, _, err = self.transform("-vvv", "--log-format", "json", "-X", "debug=broker")
        self.assertEqual(rc, 0, err)
        librdkafka = [r for r in json_lines(self, err) if r.get("source") == "librdkafka"]
        self.assertTrue(librdkafka, err[-2000:])
        self.assertTrue(all(r.get("facility") for r in librdkafka), err[-2000:])

    def test_unreachable_broker_error_is_json(self):
        rc, _, err = h.run_kpipe(["-b", "127.0.0.1:1", "--timeout", "2", "--log-format", "json",
                                  "consume", "-t", "x", "-e"])
        self.assertEqual(rc, 1, err)
        records = json_lines(self, err)
        self.assertTrue(records, err)
        final = records[-1]
        self.assertEqual(final["level"], "error", err)
        self.assertEqual(final["subcommand"], "consume", err)
        self.assertEqual(final["exit_code"], 1, err)
        self.assertIn("127.0.0.1:1", final["message"])

    def test_usage_error_after_logging_starts_is_json(self):
        rc, _, err = h.run_kpipe(["--log-format", "json", "transform", "--in", "a", "--out", "b",
                                  "--filter-file", "/nonexistent/filter.jq"])
        self.assertEqual(rc, 2, err)
        self.assertEqual(json_lines(self, err)[-1]["exit_code"], 2)

    def test_unknown_log_format_is_a_usage_error(self):
        rc, _, err = h.run_kpipe(["--log-format", "xml", "consume", "-t", "x"])
        self.assertEqual(rc, 2, err)
        self.assertIn("--log-format", err)

    def test_sasl_password_never_reaches_stderr(self):
        secret_args = ["-X", "security.protocol=sasl_plaintext", "-X", "sasl.mechanism=PLAIN",
                       "-X", "sasl.username=alice", "-X", "sasl.password=" + SECRET,
                       "-X", "debug=conf,security,broker"]
        for log_format in ("text", "json"):
            for command in (["consume", "-t", "logs-in", "-e", "-c", "1"],
                            ["transform", "--in", "logs-in", "--out", "logs-out", "-e",
                             "{user_id}"]):
                rc, _, err = h.run_kpipe(["-b", self.bootstrap, "--timeout", "2", "-vvv",
                                          "--log-format", log_format] + secret_args + command)
                self.assertTrue(err, "no stderr at -vvv")
                self.assertNotIn(SECRET, err, "%s %s leaked the password" % (log_format,
                                                                               command[0]))
                if log_format == "json":
                    json_lines(self, err)
        # The secret from the environment, by reference, is not printed either.
        rc, _, err = h.run_kpipe(["-b", "127.0.0.1:1", "--timeout", "1", "-vvv",
                                  "-X", "sasl.password=env:KPIPE_TEST_SECRET",
                                  "consume", "-t", "x", "-e"],
                                 env={"KPIPE_TEST_SECRET": SECRET})
        self.assertNotIn(SECRET, err)


if __name__ == "__main__":
    h.main()

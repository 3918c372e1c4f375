/* The Kafka client ceiling for scripts/bench: consume from one topic in a consumer group and
 * produce every record unchanged (key, value, timestamp and headers, as kpipe transform forwards
 * them) to another topic, with no parsing; commit the input offsets once their output is
 * delivered (at-least-once: about once a second and at the end it flushes the producer, then
 * commits what it has consumed). Uses the same librdkafka tuning as kpipe's transform so the
 * comparison is about the work kpipe does per record.
 *
 *   passthrough BOOTSTRAP IN_TOPIC OUT_TOPIC GROUP COUNT
 *
 * Exits 0 after COUNT records are delivered and their offsets committed. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 2000

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long delivered;
static long failed;

static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
    (void)rk;
    (void)opaque;
    if (message->err) {
        if (failed++ == 0) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(message->err));
    } else {
        ++delivered;
    }
}

static void set(rd_kafka_conf_t* conf, const char* name, const char* value) {
    char reason[512];
    if (rd_kafka_conf_set(conf, name, value, reason, sizeof reason) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s=%s: %s\n", name, value, reason);
        exit(2);
    }
}

static rd_kafka_t* create(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
    char reason[512];
    rd_kafka_t* handle = rd_kafka_new(type, conf, reason, sizeof reason);
    if (!handle) {
        fprintf(stderr, "cannot create client: %s\n", reason);
        exit(1);
    }
    return handle;
}

int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s BOOTSTRAP IN_TOPIC OUT_TOPIC GROUP COUNT\n", argv[0]);
        return 2;
    }
    const char* bootstrap = argv[1];
    const char* in_topic = argv[2];
    const char* out_topic = argv[3];
    const long total = atol(argv[5]);

    rd_kafka_conf_t* pconf = rd_kafka_conf_new();
    set(pconf, "bootstrap.servers", bootstrap);
    set(pconf, "linger.ms", "5");
    set(pconf, "batch.num.messages", "10000");
    set(pconf, "queue.buffering.max.messages", "500000");
    set(pconf, "queue.buffering.max.kbytes", "1048576");
    set(pconf, "enable.idempotence", "true");
    rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
    rd_kafka_t* producer = create(RD_KAFKA_PRODUCER, pconf);

    rd_kafka_conf_t* cconf = rd_kafka_conf_new();
    set(cconf, "bootstrap.servers", bootstrap);
    set(cconf, "group.id", argv[4]);
    set(cconf, "auto.offset.reset", "earliest");
    set(cconf, "enable.auto.commit", "false");
    set(cconf, "fetch.wait.max.ms", "100");
    set(cconf, "queued.min.messages", "100000");
    rd_kafka_t* consumer = create(RD_KAFKA_CONSUMER, cconf);
    rd_kafka_poll_set_consumer(consumer);

    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, in_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        fprintf(stderr, "cannot subscribe: %s\n", rd_kafka_err2str(err));
        return 1;
    }
    rd_kafka_topic_t* out = rd_kafka_topic_new(producer, out_topic, NULL);
    rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(consumer);
    rd_kafka_message_t* batch[BATCH];
    long consumed = 0;
    double last_commit = now();
    while (consumed < total) {
        ssize_t n = rd_kafka_consume_batch_queue(queue, 100, batch, BATCH);
        for (ssize_t i = 0; i < n; ++i) {
            rd_kafka_message_t* message = batch[i];
            if (!message->err) {
                /* The record unchanged, as kpipe forwards it: key, value, timestamp, headers. */
                rd_kafka_headers_t* headers = NULL;
                rd_kafka_headers_t* input_headers = NULL;
                if (rd_kafka_message_headers(message, &input_headers) ==
                        RD_KAFKA_RESP_ERR_NO_ERROR &&
                    rd_kafka_header_cnt(input_headers) > 0)
                    headers = rd_kafka_headers_copy(input_headers);
                rd_kafka_resp_err_t error;
                while ((error = rd_kafka_producev(
                            producer, RD_KAFKA_V_RKT(out), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_KEY(message->key, message->key_len),
                            RD_KAFKA_V_VALUE(message->payload, message->len),
                            RD_KAFKA_V_TIMESTAMP(rd_kafka_message_timestamp(message, NULL)),
                            RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END)) != 0) {
                    if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        fprintf(stderr, "produce: %s\n", rd_kafka_err2str(error));
                        return 1;
                    }
                    rd_kafka_poll(producer, 10);
                }
                ++consumed;
            }
            rd_kafka_message_destroy(message);
        }
        rd_kafka_poll(producer, 0);
        if (now() - last_commit > 1.0) {
            /* Offsets are stored as messages are handed out; commit them once delivered. */
            rd_kafka_flush(producer, -1);
            rd_kafka_commit(consumer, NULL, 1);
            last_commit = now();
        }
    }
    rd_kafka_flush(producer, -1);
    rd_kafka_commit(consumer, NULL, 0);
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_topic_destroy(out);
    rd_kafka_destroy(producer);
    if (failed != 0 || delivered != total) {
        fprintf(stderr, "%ld of %ld records delivered, %ld failed\n", delivered, total, failed);
        return 1;
    }
    return 0;
}

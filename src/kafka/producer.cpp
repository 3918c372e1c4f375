#include "kafka/producer.hpp"

#include "kafka/client_config.hpp"

namespace kpipe::kafka {
namespace {

// Throughput defaults a user gets without flags; any of them can be overridden with -X.
const PropertyList producer_defaults = {
    {"linger.ms", "5"},
    {"batch.num.messages", "10000"},
    {"queue.buffering.max.messages", "500000"},
    {"queue.buffering.max.kbytes", "1048576"},
    {"enable.idempotence", "true"},
};

// librdkafka tells an empty value from a null one by the pointer alone, and an empty
// string_view may carry a null pointer.
const char* bytes_of(const std::optional<std::string_view>& bytes) {
    static const char empty[] = "";
    if (!bytes) return nullptr;
    return bytes->data() != nullptr ? bytes->data() : empty;
}

extern "C" void count_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void*) {
    auto* events = static_cast<ClientEvents*>(rd_kafka_opaque(handle));
    auto* state = static_cast<Producer::DeliveryState*>(events->owner);
    const char* error = nullptr;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++state->counts.acknowledged;
    } else {
        error = rd_kafka_err2str(message->err);
        if (state->counts.failed++ == 0) {
            state->counts.first_failure =
                std::string(rd_kafka_topic_name(message->rkt)) + ": " + error;
        }
    }
    if (auto* observer = client_observer()) {
        observer->delivered(rd_kafka_message_latency(message), error != nullptr);
    }
    if (state->listener != nullptr) state->listener->delivered(message->_private, error);
}

}  // namespace

Producer::Producer(Client client, std::unique_ptr<DeliveryState> state)
    : state_(std::move(state)), client_(std::move(client)) {
    client_.events().owner = state_.get();
}

Expected<Producer> Producer::create(const config::ClientSettings& settings,
                                    DeliveryListener* listener) {
    auto conf = build_conf(settings, producer_defaults);
    if (!conf) return conf.error();
    rd_kafka_conf_set_dr_msg_cb(conf->get(), count_delivery);
    auto client = Client::create(Client::Role::producer, std::move(*conf), settings.brokers);
    if (!client) return client.error();
    auto state = std::make_unique<DeliveryState>();
    state->listener = listener;
    return Producer(std::move(*client), std::move(state));
}

Status Producer::send(const record::RecordView& record, void* tag) {
    rd_kafka_headers_t* headers = nullptr;
    if (!record.headers.empty()) {
        headers = rd_kafka_headers_new(record.headers.size());
        for (const auto& header : record.headers) {
            rd_kafka_header_add(headers, header.name.data(),
                                static_cast<ssize_t>(header.name.size()), bytes_of(header.value),
                                header.value ? static_cast<ssize_t>(header.value->size()) : 0);
        }
    }
    rd_kafka_topic_t* topic = topic_handle(record.topic);
    if (topic == nullptr) {
        if (headers != nullptr) rd_kafka_headers_destroy(headers);
        return Error{"cannot send to '" + std::string(record.topic) +
                     "': " + error_text(rd_kafka_last_error())};
    }
    while (true) {
        auto error = rd_kafka_producev(
            client_.handle(), RD_KAFKA_V_RKT(topic),
            RD_KAFKA_V_PARTITION(record.partition < 0 ? RD_KAFKA_PARTITION_UA : record.partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(bytes_of(record.key), (record.key ? record.key->size() : 0)),
            RD_KAFKA_V_VALUE(const_cast<char*>(bytes_of(record.value)),
                             (record.value ? record.value->size() : 0)),
            RD_KAFKA_V_TIMESTAMP(record.timestamp_ms < 0 ? 0 : record.timestamp_ms),
            RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(tag), RD_KAFKA_V_END);
        if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++state_->counts.sent;
            return ok();
        }
        if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(client_.handle(), 100);
            continue;
        }
        if (headers != nullptr) rd_kafka_headers_destroy(headers);
        return Error{"cannot send to '" + std::string(record.topic) + "': " + error_text(error)};
    }
}

rd_kafka_topic_t* Producer::topic_handle(std::string_view name) {
    for (const auto& [known, handle] : topics_) {
        if (known == name) return handle.get();
    }
    // Topic-level settings come from the client's default topic configuration, as when
    // producing by name.
    std::string owned(name);
    TopicPtr handle{rd_kafka_topic_new(client_.handle(), owned.c_str(), nullptr)};
    auto* raw = handle.get();
    if (raw == nullptr) return nullptr;
    topics_.emplace_back(std::move(owned), std::move(handle));
    return raw;
}

namespace {

std::optional<Producer::TransactionError> transaction_result(rd_kafka_error_t* error,
                                                             const char* step) {
    if (error == nullptr) return std::nullopt;
    Producer::TransactionError result{std::string(step) + ": " + rd_kafka_error_string(error),
                                      rd_kafka_error_txn_requires_abort(error) != 0};
    if (rd_kafka_error_is_fatal(error)) result.abortable = false;
    rd_kafka_error_destroy(error);
    return result;
}

int milliseconds(std::chrono::milliseconds timeout) {
    return static_cast<int>(timeout.count());
}

}  // namespace

std::optional<Producer::TransactionError> Producer::init_transactions(
    std::chrono::milliseconds timeout) {
    return transaction_result(rd_kafka_init_transactions(client_.handle(), milliseconds(timeout)),
                              "cannot start transactions");
}

std::optional<Producer::TransactionError> Producer::begin_transaction() {
    return transaction_result(rd_kafka_begin_transaction(client_.handle()),
                              "cannot begin a transaction");
}

std::optional<Producer::TransactionError> Producer::send_offsets_to_transaction(
    const std::vector<TopicPartition>& next_offsets,
    const rd_kafka_consumer_group_metadata_t& group, std::chrono::milliseconds timeout) {
    if (next_offsets.empty()) return std::nullopt;
    PartitionListPtr list{rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size()))};
    for (const auto& next : next_offsets) {
        rd_kafka_topic_partition_list_add(list.get(), next.topic.c_str(), next.partition)->offset =
            next.offset;
    }
    return transaction_result(rd_kafka_send_offsets_to_transaction(client_.handle(), list.get(),
                                                                   &group, milliseconds(timeout)),
                              "cannot add the input offsets to the transaction");
}

std::optional<Producer::TransactionError> Producer::commit_transaction(
    std::chrono::milliseconds timeout) {
    return transaction_result(rd_kafka_commit_transaction(client_.handle(), milliseconds(timeout)),
                              "cannot commit the transaction");
}

std::optional<Producer::TransactionError> Producer::abort_transaction(
    std::chrono::milliseconds timeout) {
    return transaction_result(rd_kafka_abort_transaction(client_.handle(), milliseconds(timeout)),
                              "cannot abort the transaction");
}

bool Producer::flush(std::chrono::milliseconds timeout) {
    rd_kafka_flush(client_.handle(), static_cast<int>(timeout.count()));
    return pending() == 0;
}

}  // namespace kpipe::kafka

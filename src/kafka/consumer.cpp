#include "kafka/consumer.hpp"

#include "kafka/client_config.hpp"
#include "log/structured_log.hpp"

namespace kpipe::kafka {
namespace {

// Partition EOF events drive -e; offsets are stored by kpipe only once a record is handled.
const PropertyList consumer_defaults = {
    {"enable.partition.eof", "true"},  {"enable.auto.offset.store", "false"},
    {"auto.offset.reset", "earliest"}, {"fetch.wait.max.ms", "100"},
    {"queued.min.messages", "100000"},
};

PartitionListPtr to_list(const std::vector<TopicPartition>& partitions) {
    PartitionListPtr list{rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()))};
    for (const auto& partition : partitions) {
        rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition)
            ->offset = partition.offset;
    }
    return list;
}

std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t& list) {
    std::vector<TopicPartition> partitions;
    for (int i = 0; i < list.cnt; ++i) {
        const auto& element = list.elems[i];
        partitions.push_back({element.topic, element.partition, element.offset});
    }
    return partitions;
}

record::TimestampType timestamp_type_of(rd_kafka_timestamp_type_t type) {
    switch (type) {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME:
            return record::TimestampType::create_time;
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
            return record::TimestampType::log_append_time;
        default:
            return record::TimestampType::not_available;
    }
}

// Eager rebalancing: the listener finishes work on revoked partitions before they go.
extern "C" void handle_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* listener = *static_cast<RebalanceListener**>(static_cast<ClientEvents*>(opaque)->owner);
    if (auto* observer = client_observer()) {
        observer->rebalanced(error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, partitions->cnt);
    }
    if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(handle, partitions);
        if (listener != nullptr) listener->assigned(from_list(*partitions));
    } else {
        if (listener != nullptr) listener->revoking(from_list(*partitions));
        rd_kafka_assign(handle, nullptr);
    }
}

}  // namespace

void log_consumer_error(const rd_kafka_message_t& message) {
    const std::string reason = rd_kafka_message_errstr(&message);
    log::Fields fields;
    if (message.rkt != nullptr) {
        fields.push_back({"topic", std::string(rd_kafka_topic_name(message.rkt))});
        fields.push_back({"partition", std::int64_t{message.partition}});
    }
    fields.push_back({"error", reason});
    log::write(spdlog::level::info, "consumer: " + reason, fields);
}

record::RecordView view_of(const rd_kafka_message_t& message,
                           std::vector<record::HeaderView>& headers) {
    auto* mutable_message = const_cast<rd_kafka_message_t*>(&message);
    headers.clear();
    rd_kafka_headers_t* message_headers = nullptr;
    if (rd_kafka_message_headers(mutable_message, &message_headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get_all(message_headers, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
            record::HeaderView header{name, std::nullopt};
            if (value != nullptr)
                header.value = std::string_view(static_cast<const char*>(value), size);
            headers.push_back(header);
        }
    }
    record::RecordView view;
    view.topic = message.rkt != nullptr ? rd_kafka_topic_name(message.rkt) : "";
    view.partition = message.partition;
    view.offset = message.offset;
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    view.timestamp_ms = rd_kafka_message_timestamp(&message, &type);
    view.timestamp_type = timestamp_type_of(type);
    if (message.key != nullptr) {
        view.key = std::string_view(static_cast<const char*>(message.key), message.key_len);
    }
    if (message.payload != nullptr) {
        view.value = std::string_view(static_cast<const char*>(message.payload), message.len);
    }
    view.headers = headers;
    return view;
}

Consumer::Consumer(Client client, QueuePtr queue, bool in_group, RebalanceListener* listener)
    : listener_(std::make_unique<RebalanceListener*>(listener)),
      client_(std::move(client)),
      queue_(std::move(queue)),
      in_group_(in_group) {
    client_.events().owner = listener_.get();
}

Consumer::~Consumer() {
    if (queue_ != nullptr) close();
}

Expected<Consumer> Consumer::create(const config::ClientSettings& settings,
                                    const std::optional<std::string>& group,
                                    RebalanceListener* listener) {
    PropertyList defaults = consumer_defaults;
    // librdkafka needs a group id even for assign(); without -g nothing is ever committed.
    defaults.emplace_back("group.id", group.value_or("kpipe-assign"));
    defaults.emplace_back("enable.auto.commit", group ? "true" : "false");
    auto conf = build_conf(settings, defaults);
    if (!conf) return conf.error();
    rd_kafka_conf_set_rebalance_cb(conf->get(), handle_rebalance);
    auto client = Client::create(Client::Role::consumer, std::move(*conf), settings.brokers);
    if (!client) return client.error();
    rd_kafka_poll_set_consumer(client->handle());
    QueuePtr queue{rd_kafka_queue_get_consumer(client->handle())};
    return Consumer(std::move(*client), std::move(queue), group.has_value(), listener);
}

Expected<std::vector<TopicPartition>> Consumer::partitions_of(
    const std::vector<std::string>& topics, std::chrono::milliseconds timeout) {
    std::vector<TopicPartition> partitions;
    for (const auto& topic : topics) {
        rd_kafka_topic_t* handle = rd_kafka_topic_new(client_.handle(), topic.c_str(), nullptr);
        auto reply = client_.metadata(false, handle, timeout);
        rd_kafka_topic_destroy(handle);
        if (!reply) return reply.error();
        const rd_kafka_metadata_t* metadata = reply->get();
        // Kafka answers a topic the principal may not describe with this error, not with
        // "unknown topic": saying "does not exist" would send the user to the wrong fix.
        if (metadata->topic_cnt == 1 &&
            metadata->topics[0].err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
            return Error{"not authorized to read topic '" + topic + "' at " + client_.brokers() +
                         "; ask for a Read and Describe ACL on it for this principal (or check "
                         "sasl.username / the client certificate)"};
        }
        if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
            metadata->topics[0].partition_cnt == 0) {
            return Error{"topic '" + topic + "' does not exist at " + client_.brokers() +
                         "; check the name (or create it first)"};
        }
        for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
            partitions.push_back({topic, metadata->topics[0].partitions[i].id});
        }
    }
    return partitions;
}

Expected<Watermarks> Consumer::watermarks(const TopicPartition& partition,
                                          std::chrono::milliseconds timeout) {
    Watermarks marks;
    auto error = rd_kafka_query_watermark_offsets(client_.handle(), partition.topic.c_str(),
                                                  partition.partition, &marks.low, &marks.high,
                                                  static_cast<int>(timeout.count()));
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error{"cannot read the offsets of " + partition.topic + "/" +
                     std::to_string(partition.partition) + ": " + error_text(error)};
    }
    return marks;
}

Status Consumer::resolve_timestamps(std::vector<TopicPartition>& partitions,
                                    std::chrono::milliseconds timeout) {
    auto list = to_list(partitions);
    auto error =
        rd_kafka_offsets_for_times(client_.handle(), list.get(), static_cast<int>(timeout.count()));
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error{"cannot look up offsets by timestamp: " + error_text(error)};
    }
    for (int i = 0; i < list->cnt; ++i) {
        if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return Error{"cannot look up offsets by timestamp in " +
                         std::string(list->elems[i].topic) + ": " + error_text(list->elems[i].err)};
        }
        // -1: no record at or after the timestamp, so start at the end.
        partitions[i].offset =
            list->elems[i].offset < 0 ? RD_KAFKA_OFFSET_END : list->elems[i].offset;
    }
    return ok();
}

Status Consumer::assign(const std::vector<TopicPartition>& partitions) {
    auto list = to_list(partitions);
    if (auto error = rd_kafka_assign(client_.handle(), list.get()); error) {
        return Error{"cannot assign partitions: " + error_text(error)};
    }
    return ok();
}

Status Consumer::subscribe(const std::vector<std::string>& topics) {
    std::vector<TopicPartition> partitions;
    for (const auto& topic : topics) partitions.push_back({topic, RD_KAFKA_PARTITION_UA});
    auto list = to_list(partitions);
    if (auto error = rd_kafka_subscribe(client_.handle(), list.get()); error) {
        return Error{"cannot subscribe: " + error_text(error)};
    }
    return ok();
}

std::vector<TopicPartition> Consumer::assignment() const {
    rd_kafka_topic_partition_list_t* list = nullptr;
    if (rd_kafka_assignment(client_.handle(), &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
    PartitionListPtr owned{list};
    return from_list(*list);
}

void Consumer::poll_batch(std::vector<MessagePtr>& batch, std::size_t max,
                          std::chrono::milliseconds timeout) {
    batch.clear();
    raw_batch_.resize(max);
    auto count = rd_kafka_consume_batch_queue(queue_.get(), static_cast<int>(timeout.count()),
                                              raw_batch_.data(), max);
    for (ssize_t i = 0; i < count; ++i) batch.emplace_back(raw_batch_[static_cast<size_t>(i)]);
}

Status Consumer::store_offsets(std::span<const MessagePtr> messages) {
    if (!in_group_ || messages.empty()) return ok();
    PartitionListPtr list{rd_kafka_topic_partition_list_new(4)};
    for (const auto& message : messages) {
        if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
        const char* topic = rd_kafka_topic_name(message->rkt);
        auto* entry = rd_kafka_topic_partition_list_find(list.get(), topic, message->partition);
        if (entry == nullptr) {
            entry = rd_kafka_topic_partition_list_add(list.get(), topic, message->partition);
        }
        entry->offset = message->offset + 1;
    }
    if (list->cnt == 0) return ok();
    if (auto error = rd_kafka_offsets_store(client_.handle(), list.get()); error) {
        return Error{"cannot store offsets: " + error_text(error)};
    }
    return ok();
}

Status Consumer::store_offsets(const std::vector<TopicPartition>& next_offsets) {
    if (!in_group_ || next_offsets.empty()) return ok();
    auto list = to_list(next_offsets);
    if (auto error = rd_kafka_offsets_store(client_.handle(), list.get()); error) {
        return Error{"cannot store offsets: " + error_text(error)};
    }
    return ok();
}

Status Consumer::commit(const std::vector<TopicPartition>& next_offsets) {
    if (!in_group_ || next_offsets.empty()) return ok();
    auto list = to_list(next_offsets);
    auto error = rd_kafka_commit(client_.handle(), list.get(), 0);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        return Error{"cannot commit offsets: " + error_text(error)};
    }
    return ok();
}

GroupMetadataPtr Consumer::group_metadata() const {
    return GroupMetadataPtr{rd_kafka_consumer_group_metadata(client_.handle())};
}

std::vector<TopicPartition> Consumer::positions() const {
    auto assigned = assignment();
    if (assigned.empty()) return assigned;
    auto list = to_list(assigned);
    rd_kafka_position(client_.handle(), list.get());
    return from_list(*list);
}

Expected<std::vector<TopicPartition>> Consumer::committed(std::chrono::milliseconds timeout) const {
    auto offsets = committed(assignment(), timeout);
    if (!offsets) return offsets;
    for (auto& offset : *offsets) {
        if (offset.offset < 0) offset.offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    return offsets;
}

Expected<std::vector<TopicPartition>> Consumer::committed(
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) const {
    if (partitions.empty()) return partitions;
    auto list = to_list(partitions);
    if (auto error =
            rd_kafka_committed(client_.handle(), list.get(), static_cast<int>(timeout.count()));
        error) {
        return Error{"cannot read the group's committed offsets: " + error_text(error)};
    }
    return from_list(*list);
}

Status Consumer::seek(const std::vector<TopicPartition>& offsets,
                      std::chrono::milliseconds timeout) {
    if (offsets.empty()) return ok();
    auto list = to_list(offsets);
    if (auto* error = rd_kafka_seek_partitions(client_.handle(), list.get(),
                                               static_cast<int>(timeout.count()))) {
        std::string message = rd_kafka_error_string(error);
        rd_kafka_error_destroy(error);
        return Error{"cannot rewind the input: " + message};
    }
    return ok();
}

Status Consumer::commit() {
    if (!in_group_) return ok();
    auto error = rd_kafka_commit(client_.handle(), nullptr, 0);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        return Error{"cannot commit offsets: " + error_text(error)};
    }
    return ok();
}

void Consumer::close() {
    if (closed_) return;
    closed_ = true;
    queue_.reset();
    rd_kafka_consumer_close(client_.handle());
}

}  // namespace kpipe::kafka

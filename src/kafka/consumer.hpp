#pragma once
// A consumer that reads in batches from explicitly assigned partitions (no group) or from a
// subscription (consumer group), storing offsets only for records the caller has finished with.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "kafka/client.hpp"
#include "kafka/topic_partition.hpp"
#include "record/record.hpp"

namespace kpipe::kafka {

struct Watermarks {
    std::int64_t low = 0;
    std::int64_t high = 0;
};

// Reads a message's fields as a RecordView; `headers` is filled and must outlive the view.
// An error the consumer reports and gets past (e.g. a lost connection): one -v line with the
// topic and partition it is about, when it names one.
void log_consumer_error(const rd_kafka_message_t& message);

record::RecordView view_of(const rd_kafka_message_t& message,
                           std::vector<record::HeaderView>& headers);

// Told about group rebalances, on the thread that polls the consumer, before partitions are
// taken away (so work on them can be finished and committed) and after new ones are assigned.
class RebalanceListener {
  public:
    virtual ~RebalanceListener() = default;
    virtual void revoking(const std::vector<TopicPartition>& partitions) = 0;
    virtual void assigned(const std::vector<TopicPartition>& partitions) = 0;
};

class Consumer {
  public:
    // `group`: consumer group id, or nullopt to read by assignment only (nothing committed).
    // `listener` (optional, not owned) must outlive the consumer.
    static Expected<Consumer> create(const config::ClientSettings& settings,
                                     const std::optional<std::string>& group,
                                     RebalanceListener* listener = nullptr);

    Consumer(Consumer&&) = default;
    Consumer& operator=(Consumer&&) = default;
    ~Consumer();

    // The partitions of each topic; an error names a topic that does not exist.
    Expected<std::vector<TopicPartition>> partitions_of(const std::vector<std::string>& topics,
                                                        std::chrono::milliseconds timeout);
    Expected<Watermarks> watermarks(const TopicPartition& partition,
                                    std::chrono::milliseconds timeout);
    // Replaces each partition's offset (a timestamp in ms) by the first offset at or after it.
    Status resolve_timestamps(std::vector<TopicPartition>& partitions,
                              std::chrono::milliseconds timeout);

    Status assign(const std::vector<TopicPartition>& partitions);
    Status subscribe(const std::vector<std::string>& topics);
    // The partitions currently assigned (by assign() or by the group).
    std::vector<TopicPartition> assignment() const;

    // Fills `batch` with up to `max` messages (events included: check message->err), waiting
    // at most `timeout` for the first. Earlier contents of `batch` are released.
    void poll_batch(std::vector<MessagePtr>& batch, std::size_t max,
                    std::chrono::milliseconds timeout);

    // Marks every record in `messages` (and all before it in its partition) as processed, so
    // the group commits past it; events in the batch are skipped. No-op without a group.
    Status store_offsets(std::span<const MessagePtr> messages);
    // Stores explicit next-offsets (what the group resumes from) for the next commit.
    Status store_offsets(const std::vector<TopicPartition>& next_offsets);
    // Commits synchronously: the stored offsets, or `next_offsets` when given.
    Status commit();
    Status commit(const std::vector<TopicPartition>& next_offsets);
    // The group's metadata, for sending offsets within a producer transaction.
    GroupMetadataPtr group_metadata() const;
    // Next offsets of the assigned partitions (what has been handed out so far).
    std::vector<TopicPartition> positions() const;
    // The group's committed offsets for the assigned partitions (beginning where none).
    Expected<std::vector<TopicPartition>> committed(std::chrono::milliseconds timeout) const;
    // The group's committed offsets for any partitions, assigned or not (RD_KAFKA_OFFSET_INVALID
    // where the group committed none): lag can be read without joining the group.
    Expected<std::vector<TopicPartition>> committed(const std::vector<TopicPartition>& partitions,
                                                    std::chrono::milliseconds timeout) const;
    // Moves the assigned partitions back to these offsets (after an aborted transaction).
    Status seek(const std::vector<TopicPartition>& offsets, std::chrono::milliseconds timeout);
    // Leaves the group (committing stored offsets) and stops fetching.
    void close();

    Client& client() { return client_; }

  private:
    Consumer(Client client, QueuePtr queue, bool in_group, RebalanceListener* listener);

    std::unique_ptr<RebalanceListener*> listener_;  // stable address for the callback
    Client client_;
    QueuePtr queue_;
    bool in_group_ = false;
    bool closed_ = false;
    std::vector<rd_kafka_message_t*> raw_batch_;
};

}  // namespace kpipe::kafka

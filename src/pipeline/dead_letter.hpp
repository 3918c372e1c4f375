#pragma once
// Dead-letter records: the original key, value and headers, plus context headers in Kafka
// Connect's convention (string values), so Connect-aware tooling and replay-dlq read them.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "record/record.hpp"

namespace kpipe::pipeline {

// Where processing failed, in Kafka Connect's stage names.
enum class FailureStage { value_converter, transformation, produce };

struct DeadLetterCause {
    FailureStage stage;
    std::string_view class_name;  // e.g. "kpipe.InvalidJson"
    std::string_view message;
};

inline constexpr std::string_view kInvalidJsonClass = "kpipe.InvalidJson";
inline constexpr std::string_view kFilterErrorClass = "kpipe.FilterError";
inline constexpr std::string_view kRecordTooLargeClass = "kpipe.RecordTooLarge";
inline constexpr std::string_view kNullValueClass = "kpipe.NullValue";

// Builds the dead-letter version of a record; reuses its buffers across records.
class DeadLetterBuilder {
  public:
    // The returned view points into `original` and into this builder; valid until the next call.
    record::RecordView build(const record::RecordView& original, std::string_view dlq_topic,
                             const DeadLetterCause& cause);

  private:
    std::array<std::string, 2> numbers_;  // partition and offset as text
    std::vector<record::HeaderView> headers_;
};

std::string_view stage_name(FailureStage stage);

// One -v line per dead letter, with the record's topic, partition and offset as fields (a
// line read from stdin: its line number). destination: the DLQ topic, or the file or stream.
void log_dead_letter(const record::RecordView& original, std::string_view destination,
                     const DeadLetterCause& cause);

}  // namespace kpipe::pipeline

#include "pipeline/dead_letter.hpp"

#include <spdlog/fmt/fmt.h>

#include "log/structured_log.hpp"

namespace kpipe::pipeline {

std::string_view stage_name(FailureStage stage) {
    switch (stage) {
        case FailureStage::value_converter:
            return "VALUE_CONVERTER";
        case FailureStage::transformation:
            return "TRANSFORMATION";
        case FailureStage::produce:
            return "KAFKA_PRODUCE";
    }
    return "UNKNOWN";
}

record::RecordView DeadLetterBuilder::build(const record::RecordView& original,
                                            std::string_view dlq_topic,
                                            const DeadLetterCause& cause) {
    numbers_[0] = std::to_string(original.partition);
    numbers_[1] = std::to_string(original.offset);
    headers_.assign(original.headers.begin(), original.headers.end());
    headers_.push_back({"__connect.errors.topic", original.topic});
    headers_.push_back({"__connect.errors.partition", numbers_[0]});
    headers_.push_back({"__connect.errors.offset", numbers_[1]});
    headers_.push_back({"__connect.errors.stage", stage_name(cause.stage)});
    headers_.push_back({"__connect.errors.exception.class.name", cause.class_name});
    headers_.push_back({"__connect.errors.exception.message", cause.message});
    record::RecordView dead = original;
    dead.topic = dlq_topic;
    dead.partition = -1;
    dead.headers = headers_;
    return dead;
}

void log_dead_letter(const record::RecordView& original, std::string_view destination,
                     const DeadLetterCause& cause) {
    // Plain lines from stdin have no topic: the transform numbers them as offsets.
    const bool stdin_line = original.topic == "-";
    auto fields = stdin_line
                      ? log::Fields{{"line", std::int64_t{original.offset}}}
                      : log::record_fields(original.topic, original.partition, original.offset);
    fields.push_back({"error", std::string(cause.message)});
    fields.push_back({"error_class", std::string(cause.class_name)});
    fields.push_back({"dlq", std::string(destination)});
    const auto where = stdin_line ? fmt::format("stdin line {}", original.offset)
                                  : fmt::format("{} partition {} offset {}", original.topic,
                                                original.partition, original.offset);
    log::write(spdlog::level::info,
               fmt::format("{}: {}; dead-lettered to {}", where, cause.message, destination),
               fields);
}

}  // namespace kpipe::pipeline

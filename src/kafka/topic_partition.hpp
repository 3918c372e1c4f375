#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>

namespace kpipe::kafka {

struct TopicPartition {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = RD_KAFKA_OFFSET_INVALID;  // a concrete offset or RD_KAFKA_OFFSET_*
};

}  // namespace kpipe::kafka

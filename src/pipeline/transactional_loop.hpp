#pragma once
// `kpipe transform --exactly-once`: outputs, dead letters and the input offsets
// they cover are committed together in one Kafka transaction, so a restart
// neither loses nor repeats.

#include "common/expected.hpp"
#include "config/client_settings.hpp"
#include "pipeline/record_processor.hpp"
#include "pipeline/transform.hpp"

namespace kpipe::pipeline {

Expected<TransformSummary> run_transactional(const TransformOptions& options,
                                             const config::ClientSettings& settings,
                                             RecordProcessor& processor);

}  // namespace kpipe::pipeline

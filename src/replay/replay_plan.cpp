#include "replay/replay_plan.hpp"

namespace kpipe::replay {
namespace {

Expected<std::optional<filter::Filter>> compile(const std::optional<std::string>& source,
                                                const std::vector<filter::FilterVariable>& variables,
                                                std::string_view what) {
    if (!source) return std::optional<filter::Filter>{};
    auto compiled = filter::Filter::compile(*source, variables);
    if (!compiled) {
        return usage_error(std::string(what) + ": " + compiled.error().message);
    }
    return std::optional<filter::Filter>(std::move(*compiled));
}

bool truthy(std::string_view json) {
    return json != "false" && json != "null";
}

}  // namespace

Expected<ReplayPlanner> ReplayPlanner::create(const ReplayOptions& options) {
    auto where = compile(options.where, options.variables, "--where");
    if (!where) return where.error();
    auto transform = compile(options.filter, options.variables, "FILTER");
    if (!transform) return transform.error();
    return ReplayPlanner(options, std::move(*where), std::move(*transform));
}

const Decision& ReplayPlanner::decide(const record::RecordView& record) {
    const auto& options = *options_;
    decision_ = Decision{};
    decision_.error_message = error_message(record.headers);
    if ((options.since_ms && record.timestamp_ms < *options.since_ms) ||
        (options.until_ms && record.timestamp_ms >= *options.until_ms)) {
        return decision_;  // skipped
    }
    if (options.error_contains &&
        (!decision_.error_message ||
         decision_.error_message->find(*options.error_contains) == std::string_view::npos)) {
        return decision_;  // skipped
    }

    auto origin = find_origin(record.headers);
    const bool need_origin = !options.to || options.same_partition;
    if (need_origin && !origin) {
        decision_.fate = Fate::unroutable;
        decision_.reason = origin.error().message;
        return decision_;
    }
    if (need_origin && !*origin) {
        decision_.fate = Fate::unroutable;
        decision_.reason = "no origin headers (Connect, Streams or Spring); give --to TOPIC";
        return decision_;
    }
    if (options.same_partition && !(*origin)->partition) {
        decision_.fate = Fate::unroutable;
        decision_.reason = "no origin partition header, needed by --same-partition";
        return decision_;
    }
    if (options.to) {
        decision_.target = *options.to;
    } else {
        origin_topic_ = (*origin)->topic;
        decision_.target = origin_topic_;
    }
    if (options.same_partition) decision_.partition = *(*origin)->partition;

    auto count = replay_count(record.headers);
    if (!count) {
        decision_.fate = Fate::over_limit;
        decision_.reason = count.error().message + "; left in place so it cannot loop";
        return decision_;
    }
    if (*count >= options.max_replays) {
        decision_.fate = Fate::over_limit;
        decision_.reason = "replayed " + std::to_string(*count) + " times already (--max-replays " +
                           std::to_string(options.max_replays) + ")";
        return decision_;
    }
    decision_.next_count = *count + 1;

    if (where_) {
        if (!apply(*where_, record, "--where")) return decision_;
        if (outputs_.size() == 0 || !truthy(outputs_[0])) return decision_;  // skipped
    }
    if (transform_) {
        if (!apply(*transform_, record, "FILTER")) return decision_;
        if (outputs_.size() == 0) return decision_;  // skipped
    }
    decision_.fate = Fate::replay;
    return decision_;
}

bool ReplayPlanner::apply(filter::Filter& filter, const record::RecordView& record,
                          const char* what) {
    outputs_.clear();
    if (!record.value) {
        decision_.fate = Fate::filter_error;
        decision_.reason = std::string(what) + ": the value is null (a tombstone), not JSON";
        return false;
    }
    if (auto failure = filter.apply(*record.value, outputs_)) {
        decision_.fate = Fate::filter_error;
        decision_.reason = std::string(what) + ": " + failure->message;
        return false;
    }
    return true;
}

std::size_t ReplayPlanner::output_count() const {
    return transform_ ? outputs_.size() : 1;
}

record::RecordView ReplayPlanner::output(const record::RecordView& input, std::size_t index) {
    record::RecordView output = input;
    output.topic = decision_.target;
    output.partition = decision_.partition;
    if (transform_) output.value = outputs_[index];
    output.headers = headers_.build(input.headers, options_->keep_headers, decision_.next_count);
    return output;
}

}  // namespace kpipe::replay

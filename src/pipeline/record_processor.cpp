#include "pipeline/record_processor.hpp"

namespace kpipe::pipeline {

std::optional<DeadLetterCause> RecordProcessor::check(const record::RecordView& input) {
    outputs_.clear();
    if (!input.value) {
        return DeadLetterCause{FailureStage::value_converter, kNullValueClass,
                               "the record has no value (a tombstone); transform needs JSON"};
    }
    if (input.value->size() > max_record_bytes_) {
        message_ = "the value is " + std::to_string(input.value->size()) +
                   " bytes, over --max-record-bytes " + std::to_string(max_record_bytes_) +
                   "; raise it to process such records";
        return DeadLetterCause{FailureStage::value_converter, kRecordTooLargeClass, message_};
    }
    return std::nullopt;
}

std::optional<DeadLetterCause> RecordProcessor::result(const record::RecordView& input,
                                                       std::optional<filter::Failure> failure) {
    if (!failure) {
        if (shape_.empty() || outputs_.size() == 0) return std::nullopt;
        auto error = shape_.shape(input, outputs_);
        if (!error) return std::nullopt;
        outputs_.clear();
        message_ = std::move(*error);
        return DeadLetterCause{FailureStage::transformation, kFilterErrorClass, message_};
    }
    message_ = std::move(failure->message);
    if (failure->kind == filter::FailureKind::invalid_json) {
        return DeadLetterCause{FailureStage::value_converter, kInvalidJsonClass, message_};
    }
    return DeadLetterCause{FailureStage::transformation, kFilterErrorClass, message_};
}

std::optional<DeadLetterCause> RecordProcessor::process(const record::RecordView& input,
                                                        filter::Padding padding) {
    if (auto cause = check(input)) return cause;
    return result(input, filter_.apply(*input.value, outputs_, padding));
}

std::optional<DeadLetterCause> RecordProcessor::process_line(const record::RecordView& input,
                                                             std::string_view block,
                                                             std::uint64_t block_id) {
    if (auto cause = check(input)) return cause;
    return result(input, filter_.apply_line(*input.value, block, block_id, outputs_));
}

record::RecordView RecordProcessor::output_record(const record::RecordView& input,
                                                  std::string_view topic, std::size_t index) const {
    record::RecordView output = input;
    output.topic = topic;
    output.value = outputs_[index];
    if (!shape_.empty()) shape_.apply(index, output);
    return output;
}

}  // namespace kpipe::pipeline

#pragma once
// Runs the filter on one record's value and says what becomes of it: outputs,
// nothing (filtered), or a dead letter with its cause.

#include <optional>
#include <string>

#include "filter/filter.hpp"
#include "pipeline/dead_letter.hpp"
#include "pipeline/output_shape.hpp"
#include "record/record.hpp"

namespace kpipe::pipeline {

class RecordProcessor {
  public:
    RecordProcessor(filter::Filter filter, std::size_t max_record_bytes,
                    OutputShape shape = OutputShape())
        : filter_(std::move(filter)), max_record_bytes_(max_record_bytes),
          shape_(std::move(shape)) {}

    // nullopt: outputs() holds the record's outputs (none when the filter dropped
    // it).
    // `padding` says whether the value may be parsed in place (see filter::Padding).
    std::optional<DeadLetterCause> process(const record::RecordView& input,
                                           filter::Padding padding = filter::Padding::none);
    // process() for a line of newline-delimited input (see filter::Filter::apply_line).
    std::optional<DeadLetterCause> process_line(const record::RecordView& input,
                                                std::string_view block, std::uint64_t block_id);
    const filter::FilterOutputs& outputs() const { return outputs_; }

    // The output record for outputs()[index]: the input's key, headers and timestamp, unless
    // --key, --header or --topic set them.
    record::RecordView output_record(const record::RecordView& input, std::string_view topic,
                                     std::size_t index) const;

  private:
    std::optional<DeadLetterCause> check(const record::RecordView& input);
    std::optional<DeadLetterCause> result(const record::RecordView& input,
                                          std::optional<filter::Failure> failure);

    filter::Filter filter_;
    std::size_t max_record_bytes_;
    OutputShape shape_;
    filter::FilterOutputs outputs_;
    std::string message_;
};

}  // namespace kpipe::pipeline

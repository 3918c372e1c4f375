#include "pipeline/output_shape.hpp"

#include <simdjson.h>

namespace kpipe::pipeline {

namespace {

Expected<filter::Filter> compile_one(const std::string& source, const std::string& option,
                                     const std::vector<filter::FilterVariable>& variables) {
    auto compiled = filter::Filter::compile(source, variables);
    if (!compiled) return usage_error(option + ": " + compiled.error().message);
    return compiled;
}

}  // namespace

// A JSON string's contents, or the JSON text itself for any other value. The parser and its
// padded buffer are reused: this runs once per output record.
std::string OutputShape::text_of(std::string_view json) {
    if (json.empty() || json.front() != '"') return std::string(json);
    padded_.assign(json);
    padded_.append(simdjson::SIMDJSON_PADDING, '\0');
    std::string_view decoded;
    simdjson::ondemand::document doc;
    if (parser_.iterate(simdjson::padded_string_view(padded_.data(), json.size(), padded_.size()))
                .get(doc) != simdjson::SUCCESS ||
        doc.get_string().get(decoded) != simdjson::SUCCESS) {
        return std::string(json);
    }
    return std::string(decoded);
}

Expected<OutputShape> OutputShape::compile(const OutputShapeOptions& options,
                                           const std::vector<filter::FilterVariable>& variables) {
    OutputShape shape;
    if (options.key) {
        auto key = compile_one(*options.key, "--key", variables);
        if (!key) return key.error();
        shape.key_.emplace(std::move(*key));
    }
    if (options.topic) {
        auto topic = compile_one(*options.topic, "--topic", variables);
        if (!topic) return topic.error();
        shape.topic_.emplace(std::move(*topic));
    }
    for (const std::string& header : options.headers) {
        const std::size_t eq = header.find('=');
        if (eq == std::string::npos || eq == 0) {
            return usage_error("--header '" + header + "': expected NAME=EXPR, e.g. user=.user_id");
        }
        const std::string name = header.substr(0, eq);
        auto compiled = compile_one(header.substr(eq + 1), "--header " + name, variables);
        if (!compiled) return compiled.error();
        shape.headers_.emplace_back(name, std::move(*compiled));
    }
    return shape;
}

std::optional<std::string> OutputShape::evaluate(filter::Filter& filter, std::string_view value,
                                                 std::string_view option,
                                                 std::optional<std::string>& out) {
    out.reset();
    if (auto failure = filter.apply(value, scratch_)) {
        return std::string(option) + ": " + failure->message;
    }
    if (scratch_.size() > 0) out = text_of(scratch_[0]);
    return std::nullopt;
}

std::optional<std::string> OutputShape::shape(const record::RecordView& input,
                                              const filter::FilterOutputs& outputs) {
    computed_.resize(outputs.size());
    header_views_.resize(outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        Computed& c = computed_[i];
        c.headers.clear();
        if (key_) {
            if (auto error = evaluate(*key_, outputs[i], "--key", c.key)) return error;
        }
        if (topic_) {
            if (auto error = evaluate(*topic_, outputs[i], "--topic", c.topic)) return error;
            if (c.topic && c.topic->empty()) return std::string("--topic: the topic name is empty");
        }
        for (auto& [name, header_filter] : headers_) {
            std::optional<std::string> value;
            if (auto error = evaluate(header_filter, outputs[i], "--header " + name, value)) {
                return error;
            }
            if (value) c.headers.emplace_back(name, std::move(*value));
        }
        // The input's headers, less those replaced, then the new ones.
        auto& views = header_views_[i];
        views.clear();
        for (const record::HeaderView& h : input.headers) {
            bool replaced = false;
            for (const auto& added : c.headers) replaced = replaced || added.first == h.name;
            if (!replaced) views.push_back(h);
        }
        for (const auto& [name, value] : c.headers) views.push_back({name, value});
    }
    return std::nullopt;
}

void OutputShape::apply(std::size_t index, record::RecordView& output) const {
    const Computed& c = computed_[index];
    if (key_ && c.key) output.key = *c.key;
    if (topic_ && c.topic) output.topic = *c.topic;
    if (!headers_.empty()) output.headers = header_views_[index];
}

}  // namespace kpipe::pipeline

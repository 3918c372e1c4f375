#include "produce/line_decoder.hpp"

#include "produce/json_quick_check.hpp"

namespace kpipe::produce {

bool LineDecoder::is_blank(std::string_view line) const {
    if (options_.format == InputFormat::raw) return false;
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

Status LineDecoder::decode(std::string_view line, record::RecordView& out) {
    out.key.reset();
    out.headers = {};
    out.timestamp_ms = -1;
    if (options_.format == InputFormat::envelope) return decode_envelope(line, out);
    if (!line.empty() && line.back() == '\r' && options_.format == InputFormat::json) {
        line.remove_suffix(1);  // CRLF input
    }
    if (options_.key_delimiter) {
        const auto at = line.find(*options_.key_delimiter);
        if (at == std::string_view::npos) {
            return Error{"no key delimiter '" + *options_.key_delimiter + "' in the line"};
        }
        out.key = line.substr(0, at);
        line.remove_prefix(at + options_.key_delimiter->size());
    }
    out.value = line;
    if (options_.format == InputFormat::json) return decode_json(line, out);
    return ok();
}

Status LineDecoder::decode_json(std::string_view line, record::RecordView& out) {
    // Most lines are plain enough to be checked without building a document; a key field needs
    // the document, and anything unusual or invalid gets simdjson's verdict and message.
    if (!options_.key_field && quick_json_check(line) == QuickCheck::valid) return ok();
    // The caller guarantees readable padding after the line, so parse it in place.
    simdjson::dom::element document;
    if (auto error = parser_.parse(line.data(), line.size(), false).get(document)) {
        return Error{std::string("invalid JSON (") + simdjson::error_message(error) + ")"};
    }
    if (!options_.key_field) return ok();
    simdjson::dom::element field;
    if (document.at_key(*options_.key_field).get(field) != simdjson::SUCCESS) {
        return Error{"no key field '" + *options_.key_field + "' in the JSON object"};
    }
    if (field.is_string()) {
        key_.assign(field.get_string().value_unsafe());
    } else {
        key_ = simdjson::minify(field);
    }
    out.key = key_;
    return ok();
}

Status LineDecoder::decode_envelope(std::string_view line, record::RecordView& out) {
    if (auto decoded = envelope_decoder_.decode(line, envelope_record_); !decoded) {
        return decoded.error();
    }
    const auto& record = envelope_record_;
    if (record.key) out.key = *record.key;
    out.value.reset();
    if (record.value) out.value = *record.value;
    out.timestamp_ms = record.timestamp_ms;
    envelope_headers_.clear();
    for (const auto& header : record.headers) {
        record::HeaderView view{header.name, std::nullopt};
        if (header.value) view.value = *header.value;
        envelope_headers_.push_back(view);
    }
    out.headers = envelope_headers_;
    return ok();
}

}  // namespace kpipe::produce

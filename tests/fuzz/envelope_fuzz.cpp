// The envelope codec and its base64. The first input byte picks a property (by its value mod 3):
// - decode an arbitrary line; when it is accepted, encoding the record and decoding that gives
//   the same record, and encoding is then stable;
// - build a record from the input, encode it, decode it: the same record comes back;
// - base64: decoding an encoding gives the bytes back; decoding arbitrary text either fails
//   with the output cleared or gives bytes whose encoding decodes to them again.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "record/base64.hpp"
#include "record/envelope.hpp"

namespace {

using kpipe::fuzz::check;
using kpipe::fuzz::check_equal;
using kpipe::fuzz::fail;
using kpipe::record::Header;
using kpipe::record::HeaderView;
using kpipe::record::Record;
using kpipe::record::RecordView;
using kpipe::record::TimestampType;

// The encoder writes any negative timestamp as null, which reads back as -1.
std::int64_t normalized_timestamp(std::int64_t timestamp) {
    return timestamp < 0 ? -1 : timestamp;
}

struct OwnedView {
    std::vector<HeaderView> headers;
    RecordView view;
};

void view_of(const Record& record, OwnedView& owned) {
    owned.headers.clear();
    for (const Header& header : record.headers) {
        owned.headers.push_back(HeaderView{header.name, header.value});
    }
    owned.view = RecordView{};
    owned.view.topic = record.topic;
    owned.view.partition = record.partition;
    owned.view.offset = record.offset;
    owned.view.timestamp_ms = record.timestamp_ms;
    owned.view.timestamp_type = record.timestamp_type;
    if (record.key) owned.view.key = *record.key;
    if (record.value) owned.view.value = *record.value;
    owned.view.headers = owned.headers;
}

void check_same(const RecordView& expected, const Record& actual, std::string_view envelope) {
    const auto same_optional = [](std::optional<std::string_view> a,
                                  const std::optional<std::string>& b) {
        return a.has_value() == b.has_value() && (!a || *a == *b);
    };
    bool same = expected.topic == actual.topic && expected.partition == actual.partition &&
                expected.offset == actual.offset &&
                normalized_timestamp(expected.timestamp_ms) == actual.timestamp_ms &&
                expected.timestamp_type == actual.timestamp_type &&
                same_optional(expected.key, actual.key) &&
                same_optional(expected.value, actual.value) &&
                expected.headers.size() == actual.headers.size();
    for (std::size_t i = 0; same && i < expected.headers.size(); ++i) {
        same = expected.headers[i].name == actual.headers[i].name &&
               same_optional(expected.headers[i].value, actual.headers[i].value);
    }
    if (!same) fail("record read back from its envelope differs", "", envelope);
}

kpipe::record::EnvelopeEncoder& encoder() {
    static kpipe::record::EnvelopeEncoder instance;
    return instance;
}

kpipe::record::EnvelopeDecoder& decoder() {
    static kpipe::record::EnvelopeDecoder instance;
    return instance;
}

void round_trip(const RecordView& view) {
    std::string envelope;
    encoder().encode(view, envelope);
    check(envelope.find('\n') == std::string::npos, "an envelope is one line");
    Record decoded;
    auto status = decoder().decode(envelope, decoded);
    if (!status) fail("an encoded envelope decodes", "", status.error().message);
    check_same(view, decoded, envelope);

    OwnedView owned;
    view_of(decoded, owned);
    std::string again;
    encoder().encode(owned.view, again);
    check_equal(envelope, again, "encoding a decoded envelope gives the same line");
}

void decode_line(std::string_view line) {
    Record record;
    if (!decoder().decode(line, record)) return;
    OwnedView owned;
    view_of(record, owned);
    round_trip(owned.view);
}

std::optional<std::string> maybe_bytes(FuzzedDataProvider& input) {
    if (input.ConsumeBool()) return std::nullopt;
    return input.ConsumeRandomLengthString(64);
}

void encode_record(FuzzedDataProvider& input) {
    Record record;
    // Kafka topic names are [a-zA-Z0-9._-]; the encoder relies on that.
    static constexpr std::string_view topic_chars =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    const std::size_t topic_length = input.ConsumeIntegralInRange<std::size_t>(0, 12);
    for (std::size_t i = 0; i < topic_length; ++i) {
        record.topic +=
            topic_chars[input.ConsumeIntegralInRange<std::size_t>(0, topic_chars.size() - 1)];
    }
    record.partition = input.ConsumeIntegral<std::int32_t>();
    record.offset = input.ConsumeIntegral<std::int64_t>();
    record.timestamp_ms = input.ConsumeIntegral<std::int64_t>();
    record.timestamp_type = input.PickValueInArray(
        {TimestampType::not_available, TimestampType::create_time, TimestampType::log_append_time});
    record.key = maybe_bytes(input);
    const std::size_t header_count = input.ConsumeIntegralInRange<std::size_t>(0, 4);
    for (std::size_t i = 0; i < header_count; ++i) {
        Header header;
        header.name = input.ConsumeRandomLengthString(32);
        header.value = maybe_bytes(input);
        record.headers.push_back(std::move(header));
    }
    if (!input.ConsumeBool()) record.value = input.ConsumeRemainingBytesAsString();
    OwnedView owned;
    view_of(record, owned);
    round_trip(owned.view);
}

void base64(std::string_view bytes) {
    std::string encoded;
    kpipe::record::append_base64(bytes, encoded);
    check(encoded.size() == (bytes.size() + 2) / 3 * 4, "base64 length");
    std::string decoded = "junk";
    check(kpipe::record::decode_base64(encoded, decoded), "an encoding decodes");
    check_equal(bytes, decoded, "base64 round trip");

    std::string from_text = "junk";
    if (!kpipe::record::decode_base64(bytes, from_text)) {
        check(from_text.empty(), "a failed decode clears its output");
        return;
    }
    check(from_text.size() <= bytes.size(), "decoded bytes are fewer than the text");
    std::string reencoded;
    kpipe::record::append_base64(from_text, reencoded);
    check(reencoded.size() == bytes.size(), "re-encoding has the text's length");
    std::string redecoded;
    check(kpipe::record::decode_base64(reencoded, redecoded), "re-encoding decodes");
    check_equal(from_text, redecoded, "base64 text round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest = kpipe::fuzz::as_text(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0:  // '{' % 3 == 0: an envelope line is its own seed
            decode_line(kpipe::fuzz::as_text(data, size));
            break;
        case 1: {
            FuzzedDataProvider input(data + 1, size - 1);
            encode_record(input);
            break;
        }
        default:
            base64(rest);
            break;
    }
    return 0;
}

// The envelope codec per record: encoding what `kpipe consume --envelope` writes and decoding
// what `kpipe produce --envelope` reads, on seed events with a key and a header.
#include <benchmark/benchmark.h>

#include <array>
#include <string>
#include <vector>

#include "record/envelope.hpp"
#include "seed_documents.hpp"

namespace {

const std::array<kpipe::record::HeaderView, 1> kHeaders = {
    kpipe::record::HeaderView{"source", std::string_view("bench")}};

kpipe::record::RecordView view_of(const kpipe::bench::SeedEvent& event, std::int64_t offset) {
    kpipe::record::RecordView view;
    view.topic = "logins";
    view.partition = 3;
    view.offset = offset;
    view.timestamp_ms = 1694479551000 + offset;
    view.timestamp_type = kpipe::record::TimestampType::create_time;
    view.key = event.key;
    view.value = event.value;
    view.headers = kHeaders;
    return view;
}

void BM_Envelope_Encode(benchmark::State& state) {
    const auto& events = kpipe::bench::seed_events();
    kpipe::record::EnvelopeEncoder encoder;
    std::string out;
    std::size_t next = 0;
    for (auto _ : state) {
        out.clear();
        encoder.encode(view_of(events[next], static_cast<std::int64_t>(next)), out);
        next = (next + 1) % events.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Envelope_Decode(benchmark::State& state) {
    const auto& events = kpipe::bench::seed_events();
    kpipe::record::EnvelopeEncoder encoder;
    std::vector<std::string> lines(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        encoder.encode(view_of(events[i], static_cast<std::int64_t>(i)), lines[i]);
    }
    kpipe::record::EnvelopeDecoder decoder;
    kpipe::record::Record record;
    std::size_t next = 0;
    for (auto _ : state) {
        if (!decoder.decode(lines[next], record)) {
            state.SkipWithError("envelope does not decode");
            return;
        }
        next = (next + 1) % lines.size();
        benchmark::DoNotOptimize(record.value->data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(BM_Envelope_Encode);
BENCHMARK(BM_Envelope_Decode);

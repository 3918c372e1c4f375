// The filter language per record: compiled once, applied to seed documents. The fast path
// (projections behind an optional select) and the general evaluator (everything else).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "filter/filter.hpp"
#include "seed_documents.hpp"

namespace {

void apply_filter(benchmark::State& state, const char* source, bool expect_fast_path) {
    auto compiled = kpipe::filter::Filter::compile(source);
    if (!compiled) {
        state.SkipWithError("filter does not compile");
        return;
    }
    if (compiled->uses_fast_path() != expect_fast_path) {
        state.SkipWithError(expect_fast_path ? "filter unexpectedly on the general path"
                                             : "filter unexpectedly on the fast path");
        return;
    }
    const auto& events = kpipe::bench::seed_events();
    kpipe::filter::FilterOutputs outputs;
    std::size_t next = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        const auto& document = events[next].value;
        next = (next + 1) % events.size();
        if (compiled->apply(document, outputs)) {
            state.SkipWithError("filter failed on a seed document");
            return;
        }
        bytes += document.size();
        benchmark::DoNotOptimize(outputs.size());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_FastPath_Projection(benchmark::State& state) {
    apply_filter(state, "{user_id, locale, timestamp}", true);
}
void BM_FastPath_SelectProjection(benchmark::State& state) {
    apply_filter(state, R"(select(.device_type == "iOS") | {user_id, locale, timestamp})", true);
}
void BM_FastPath_Identity(benchmark::State& state) {
    apply_filter(state, ".", true);
}
void BM_General_Projection(benchmark::State& state) {
    // A projection kept off the fast path by a computed field.
    apply_filter(state, "{user_id, locale, t: (.timestamp | tonumber)}", false);
}
void BM_General_StringFunctions(benchmark::State& state) {
    apply_filter(state,
                 R"(select(.locale | test("^[A-Z]{2}$")) | {id: .user_id, )"
                 R"(os: (.device_type | ascii_downcase), t: (.timestamp | tonumber | todate)})",
                 false);
}
void BM_General_ObjectRewrite(benchmark::State& state) {
    apply_filter(state, R"(del(.ip) | [keys[] | ascii_upcase] | map(length))", false);
}

}  // namespace

BENCHMARK(BM_FastPath_Projection);
BENCHMARK(BM_FastPath_SelectProjection);
BENCHMARK(BM_FastPath_Identity);
BENCHMARK(BM_General_Projection);
BENCHMARK(BM_General_StringFunctions);
BENCHMARK(BM_General_ObjectRewrite);

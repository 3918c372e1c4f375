#include "metrics/registry.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cmath>

namespace kpipe::metrics {

void Histogram::observe(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // clocks of two hosts disagree; NaN too
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin());
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e6)),
                          std::memory_order_relaxed);
}

std::array<std::uint64_t, Histogram::kBounds.size() + 1> Histogram::cumulative() const {
    std::array<std::uint64_t, kBounds.size() + 1> result{};
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        total += buckets_[i].load(std::memory_order_relaxed);
        result[i] = total;
    }
    return result;
}

namespace {

// The text format escapes backslash and newline everywhere, double quotes in label values.
std::string escape(std::string_view text, bool quotes) {
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        if (c == '\\' || c == '\n' || (quotes && c == '"')) escaped += '\\';
        escaped += c == '\n' ? 'n' : c;
    }
    return escaped;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    return escape(value, true);
}

std::string escape_help(std::string_view help) {
    return escape(help, false);
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        return fmt::format("{}", static_cast<long long>(value));
    }
    return fmt::format("{}", value);
}

void TextWriter::family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name,
                   escape_help(help), name, type);
}

void TextWriter::sample(std::string_view name, const Labels& labels, double value) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (i > 0) text_ += ',';
            fmt::format_to(std::back_inserter(text_), "{}=\"{}\"", labels[i].first,
                           escape_label_value(labels[i].second));
        }
        text_ += '}';
    }
    text_ += ' ';
    text_ += format_value(value);
    text_ += '\n';
}

void TextWriter::histogram(std::string_view name, const Labels& labels,
                           const Histogram& histogram) {
    const auto cumulative = histogram.cumulative();
    const std::string bucket_name = std::string(name) + "_bucket";
    for (std::size_t i = 0; i < cumulative.size(); ++i) {
        const std::string bound =
            i < Histogram::kBounds.size() ? format_value(Histogram::kBounds[i]) : "+Inf";
        auto with_le = labels;
        with_le.emplace_back("le", bound);
        sample(bucket_name, with_le, static_cast<double>(cumulative[i]));
    }
    sample(std::string(name) + "_sum", labels, histogram.sum());
    sample(std::string(name) + "_count", labels, static_cast<double>(histogram.count()));
}

}  // namespace kpipe::metrics

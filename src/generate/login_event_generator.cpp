#include "generate/login_event_generator.hpp"

#include <charconv>
#include <string_view>

namespace kpipe::generate {
namespace {

// Uniform in [0, bound). Our own mapping because std::uniform_int_distribution differs between
// standard libraries; rejecting the 2^64 mod bound lowest outputs removes modulo bias.
template <class Gen>
std::uint64_t uniform_below(Gen& gen, std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        const std::uint64_t r = gen();
        if (r >= threshold) return r % bound;
    }
}

// SplitMix64's finaliser: turns (seed, user index) into a well-mixed, independent stream seed.
constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Per-user attributes come from their own small stream, so a user is a function of (seed, index)
// alone and does not depend on which events happened to create it first.
struct SplitMix64 {
    std::uint64_t state;
    std::uint64_t operator()() {
        state += 0x9e3779b97f4a7c15ULL;
        return mix64(state);
    }
};

constexpr std::string_view kDeviceTypes[] = {"android", "iOS"};
constexpr unsigned kAndroidPercent = 60;

// The 50 US states (the seed's own data is mostly these) plus countries; DE and IN double as
// Germany and India.
constexpr std::string_view kLocales[] = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL",
    "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT",
    "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
    "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "RU", "BR",
    "GB", "FR", "JP", "CN", "MX", "ES", "IT", "PL", "UA", "TR", "KR", "AU", "NG"};

struct WeightedVersion {
    std::string_view version;
    unsigned percent;
};
// Most users run a recent release, with a long tail of older ones, as in a real install base.
constexpr WeightedVersion kAppVersions[] = {{"2.3.0", 38}, {"2.2.1", 22}, {"2.2.0", 12},
                                            {"2.1.0", 10}, {"2.0.2", 8},  {"1.9.4", 6},
                                            {"1.8.0", 4}};

constexpr unsigned total_version_percent() {
    unsigned total = 0;
    for (const auto& v : kAppVersions) total += v.percent;
    return total;
}
static_assert(total_version_percent() == 100);

// First octets of public unicast space: 1..223 without 10/8 (private) and 127/8 (loopback).
constexpr auto kFirstOctets = [] {
    std::array<std::uint8_t, 221> octets{};
    std::size_t n = 0;
    for (unsigned a = 1; a <= 223; ++a) {
        if (a != 10 && a != 127) octets[n++] = static_cast<std::uint8_t>(a);
    }
    return octets;
}();

// Blocks below the first octet that do not look like a public client address.
constexpr bool is_reserved(unsigned a, unsigned b) {
    return (a == 172 && b >= 16 && b <= 31)       // private 172.16/12
           || (a == 192 && b == 168)              // private 192.168/16
           || (a == 169 && b == 254)              // link-local
           || (a == 100 && b >= 64 && b <= 127);  // carrier-grade NAT 100.64/10
}

// Upper bound of a value's length, reserved once so appends never reallocate afterwards.
constexpr std::size_t kValueCapacity = 256;

void append_number(std::string& out, std::int64_t n) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, res.ptr);
}

void write_digits(char* out, std::uint64_t n, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + n % 10);
        n /= 10;
    }
}

}  // namespace

LoginEventGenerator::LoginEventGenerator(std::uint64_t seed, std::int64_t start_epoch_seconds)
    : seed_(seed), now_(start_epoch_seconds), rng_(seed), users_(kPopulationSize) {}

const LoginEventGenerator::User& LoginEventGenerator::user(std::size_t index) {
    User& u = users_[index];
    if (u.created) return u;

    SplitMix64 gen{mix64(seed_ ^ mix64(index + 1))};

    const std::uint64_t hi = gen();
    const std::uint64_t lo = gen();
    std::array<std::uint8_t, 16> bytes{};
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
        bytes[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
    }
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    constexpr char kHex[] = "0123456789abcdef";
    std::size_t pos = 0;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) u.user_id[pos++] = '-';
        u.user_id[pos++] = kHex[bytes[i] >> 4];
        u.user_id[pos++] = kHex[bytes[i] & 0x0f];
    }

    write_digits(u.device_id.data(), uniform_below(gen, 1000), 3);
    u.device_id[3] = '-';
    write_digits(u.device_id.data() + 4, uniform_below(gen, 100), 2);
    u.device_id[6] = '-';
    write_digits(u.device_id.data() + 7, uniform_below(gen, 10000), 4);

    u.device_type = uniform_below(gen, 100) < kAndroidPercent ? 0 : 1;
    u.locale = static_cast<std::uint8_t>(uniform_below(gen, std::size(kLocales)));

    auto pick = uniform_below(gen, 100);
    std::uint8_t version = 0;
    while (pick >= kAppVersions[version].percent) {
        pick -= kAppVersions[version].percent;
        ++version;
    }
    u.app_version = version;

    u.created = true;
    return u;
}

void LoginEventGenerator::append_ip(std::string& out) {
    unsigned a = 0;
    unsigned b = 0;
    // Redraw the pair rather than nudging b, so the allowed space stays uniformly covered.
    do {
        a = kFirstOctets[uniform_below(rng_, kFirstOctets.size())];
        b = static_cast<unsigned>(rng_() & 0xff);
    } while (is_reserved(a, b));
    const unsigned c = static_cast<unsigned>(rng_() & 0xff);
    const unsigned d = 1 + static_cast<unsigned>(uniform_below(rng_, 254));  // no .0 or .255

    append_number(out, a);
    out.push_back('.');
    append_number(out, b);
    out.push_back('.');
    append_number(out, c);
    out.push_back('.');
    append_number(out, d);
}

void LoginEventGenerator::next(std::string& key, std::string& value) {
    key.clear();
    value.clear();
    value.reserve(kValueCapacity);

    const User& u = user(uniform_below(rng_, kPopulationSize));
    const std::string_view user_id(u.user_id.data(), u.user_id.size());
    key.append(user_id);

    value.append(R"({"user_id":")");
    value.append(user_id);
    value.append(R"(","app_version":")");
    value.append(kAppVersions[u.app_version].version);
    value.append(R"(","device_type":")");
    value.append(kDeviceTypes[u.device_type]);
    value.append(R"(","ip":")");
    append_ip(value);
    value.append(R"(","locale":")");
    value.append(kLocales[u.locale]);
    value.append(R"(","device_id":")");
    value.append(u.device_id.data(), u.device_id.size());
    value.append(R"(","timestamp":")");
    append_number(value, now_);
    value.append(R"("})");

    now_ += static_cast<std::int64_t>(uniform_below(rng_, 3));
}

}  // namespace kpipe::generate

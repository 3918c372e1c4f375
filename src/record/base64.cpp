#include "record/base64.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace kpipe::record {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> table{};
    table.fill(kInvalid);
    for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
    return table;
}
constexpr std::array<std::uint8_t, 256> kDecodeTable = make_decode_table();

std::uint8_t sextet(char c) {
    return kDecodeTable[static_cast<unsigned char>(c)];
}

}  // namespace

void append_base64(std::string_view bytes, std::string& out) {
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t full_groups = bytes.size() / 3;
    const std::size_t remainder = bytes.size() % 3;

    const std::size_t start = out.size();
    out.resize(start + (full_groups + (remainder != 0)) * 4);
    char* dst = out.data() + start;

    for (std::size_t i = 0; i < full_groups; ++i, in += 3, dst += 4) {
        const std::uint32_t group =
            (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
        dst[0] = kAlphabet[group >> 18];
        dst[1] = kAlphabet[(group >> 12) & 0x3f];
        dst[2] = kAlphabet[(group >> 6) & 0x3f];
        dst[3] = kAlphabet[group & 0x3f];
    }
    if (remainder == 1) {
        dst[0] = kAlphabet[in[0] >> 2];
        dst[1] = kAlphabet[(in[0] & 0x03) << 4];
        dst[2] = '=';
        dst[3] = '=';
    } else if (remainder == 2) {
        dst[0] = kAlphabet[in[0] >> 2];
        dst[1] = kAlphabet[((in[0] & 0x03) << 4) | (in[1] >> 4)];
        dst[2] = kAlphabet[(in[1] & 0x0f) << 2];
        dst[3] = '=';
    }
}

bool decode_base64(std::string_view text, std::string& out) {
    out.clear();
    if (text.empty()) return true;
    if (text.size() % 4 != 0) return false;

    const std::size_t padding = text.back() != '=' ? 0 : text[text.size() - 2] != '=' ? 1 : 2;
    const std::size_t groups = text.size() / 4;
    out.resize(groups * 3 - padding);
    char* dst = out.data();
    const char* src = text.data();

    // All groups but the last carry three whole bytes; '=' there is rejected by the table.
    for (std::size_t i = 0; i + 1 < groups; ++i, src += 4, dst += 3) {
        const std::uint8_t a = sextet(src[0]), b = sextet(src[1]), c = sextet(src[2]),
                           d = sextet(src[3]);
        if ((a | b | c | d) & 0x80) {
            out.clear();
            return false;
        }
        const std::uint32_t group =
            (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
        dst[0] = static_cast<char>(group >> 16);
        dst[1] = static_cast<char>((group >> 8) & 0xff);
        dst[2] = static_cast<char>(group & 0xff);
    }

    const std::uint8_t a = sextet(src[0]), b = sextet(src[1]);
    const std::uint8_t c = padding >= 2 ? 0 : sextet(src[2]);
    const std::uint8_t d = padding >= 1 ? 0 : sextet(src[3]);
    if ((a | b | c | d) & 0x80) {
        out.clear();
        return false;
    }
    const std::uint32_t group =
        (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
    dst[0] = static_cast<char>(group >> 16);
    if (padding < 2) dst[1] = static_cast<char>((group >> 8) & 0xff);
    if (padding < 1) dst[2] = static_cast<char>(group & 0xff);
    return true;
}

}  // namespace kpipe::record

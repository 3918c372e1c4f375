#include "filter/native_table.hpp"

#include <algorithm>
#include <array>

namespace kpipe::filter {

namespace {

constexpr NativeSpec natives[] = {
    {"empty", 0, Builtin::empty},
    {"error", 0, Builtin::error},
    {"error", 1, Builtin::error},
    {"not", 0, Builtin::not_},
    {"select", 1, Builtin::select},
    {"has", 1, Builtin::has},
    {"length", 0, Builtin::length},
    {"tostring", 0, Builtin::tostring},
    {"tonumber", 0, Builtin::tonumber},
    {"ascii_downcase", 0, Builtin::ascii_downcase},
    {"ascii_upcase", 0, Builtin::ascii_upcase},
    {"test", 1, Builtin::test},
    {"test", 2, Builtin::test},
    {"startswith", 1, Builtin::startswith},
    {"endswith", 1, Builtin::endswith},
    {"ltrimstr", 1, Builtin::ltrimstr},
    {"rtrimstr", 1, Builtin::rtrimstr},
    {"del", 1, Builtin::del},
    {"todate", 0, Builtin::todate},
    {"fromdate", 0, Builtin::fromdate},
    {"keys", 0, Builtin::keys},
    {"map", 1, Builtin::map},
    {"type", 0, Builtin::type},
    {"path", 1, Builtin::path},
    {"getpath", 1, Builtin::getpath},
    {"setpath", 2, Builtin::setpath},
    {"delpaths", 1, Builtin::delpaths},
    {"range", 2, Builtin::range},
    {"range", 3, Builtin::range},
    {"limit", 2, Builtin::limit},
    {"first", 1, Builtin::first},
    {"last", 1, Builtin::last},
    {"isempty", 1, Builtin::isempty},
    {"until", 2, Builtin::until},
    {"add", 0, Builtin::add},
    {"keys_unsorted", 0, Builtin::keys_unsorted},
    {"contains", 1, Builtin::contains},
    {"sort", 0, Builtin::sort},
    {"_sort_by_impl", 1, Builtin::sort_by_impl},
    {"_group_by_impl", 1, Builtin::group_by_impl},
    {"_unique_by_impl", 1, Builtin::unique_by_impl},
    {"_min_by_impl", 1, Builtin::min_by_impl},
    {"_max_by_impl", 1, Builtin::max_by_impl},
    {"min", 0, Builtin::min},
    {"max", 0, Builtin::max},
    {"unique", 0, Builtin::unique},
    {"tojson", 0, Builtin::tojson},
    {"fromjson", 0, Builtin::fromjson},
    {"explode", 0, Builtin::explode},
    {"implode", 0, Builtin::implode},
    {"split", 1, Builtin::split},
    {"indices", 1, Builtin::indices},
    {"utf8bytelength", 0, Builtin::utf8bytelength},
    {"trim", 0, Builtin::trim},
    {"ltrim", 0, Builtin::ltrim},
    {"rtrim", 0, Builtin::rtrim},
    {"infinite", 0, Builtin::infinite},
    {"nan", 0, Builtin::nan},
    {"isinfinite", 0, Builtin::isinfinite},
    {"isnan", 0, Builtin::isnan},
    {"isnormal", 0, Builtin::isnormal},
    {"now", 0, Builtin::now},
    {"mktime", 0, Builtin::mktime},
    {"gmtime", 0, Builtin::gmtime},
    {"localtime", 0, Builtin::localtime},
    {"strftime", 1, Builtin::strftime},
    {"strflocaltime", 1, Builtin::strflocaltime},
    {"strptime", 1, Builtin::strptime},
    {"builtins", 0, Builtin::builtins},
    {"input_line_number", 0, Builtin::input_line_number},
    {"input_filename", 0, Builtin::input_filename},
    {"_match_impl", 3, Builtin::match_impl},
    {"sub", 2, Builtin::sub},
    {"sub", 3, Builtin::sub},
    {"gsub", 2, Builtin::sub},
    {"gsub", 3, Builtin::sub},
    {"tostream", 0, Builtin::tostream},
    {"input", 0, Builtin::input},
    {"debug", 0, Builtin::debug},
    {"stderr", 0, Builtin::stderr_},
    {"halt", 0, Builtin::halt},
    {"halt_error", 1, Builtin::halt_error},
    {"format", 1, Builtin::format},
    // libm, as jq exposes it.
    {"acos", 0, Builtin::math},
    {"acosh", 0, Builtin::math},
    {"asin", 0, Builtin::math},
    {"asinh", 0, Builtin::math},
    {"atan", 0, Builtin::math},
    {"atanh", 0, Builtin::math},
    {"cbrt", 0, Builtin::math},
    {"ceil", 0, Builtin::math},
    {"cos", 0, Builtin::math},
    {"cosh", 0, Builtin::math},
    {"exp", 0, Builtin::math},
    {"exp10", 0, Builtin::math},
    {"exp2", 0, Builtin::math},
    {"expm1", 0, Builtin::math},
    {"fabs", 0, Builtin::math},
    {"floor", 0, Builtin::math},
    {"gamma", 0, Builtin::math},
    {"j0", 0, Builtin::math},
    {"j1", 0, Builtin::math},
    {"lgamma", 0, Builtin::math},
    {"log", 0, Builtin::math},
    {"log10", 0, Builtin::math},
    {"log1p", 0, Builtin::math},
    {"log2", 0, Builtin::math},
    {"logb", 0, Builtin::math},
    {"nearbyint", 0, Builtin::math},
    {"pow10", 0, Builtin::math},
    {"rint", 0, Builtin::math},
    {"round", 0, Builtin::math},
    {"significand", 0, Builtin::math},
    {"sin", 0, Builtin::math},
    {"sinh", 0, Builtin::math},
    {"sqrt", 0, Builtin::math},
    {"tan", 0, Builtin::math},
    {"tanh", 0, Builtin::math},
    {"tgamma", 0, Builtin::math},
    {"trunc", 0, Builtin::math},
    {"y0", 0, Builtin::math},
    {"y1", 0, Builtin::math},
    {"frexp", 0, Builtin::math},
    {"modf", 0, Builtin::math},
    {"lgamma_r", 0, Builtin::math},
    {"atan2", 2, Builtin::math},
    {"copysign", 2, Builtin::math},
    {"drem", 2, Builtin::math},
    {"fdim", 2, Builtin::math},
    {"fmax", 2, Builtin::math},
    {"fmin", 2, Builtin::math},
    {"fmod", 2, Builtin::math},
    {"hypot", 2, Builtin::math},
    {"ldexp", 2, Builtin::math},
    {"nextafter", 2, Builtin::math},
    {"nexttoward", 2, Builtin::math},
    {"pow", 2, Builtin::math},
    {"scalb", 2, Builtin::math},
    {"scalbln", 2, Builtin::math},
    {"fma", 3, Builtin::math},
};

}  // namespace

const NativeSpec* find_native(std::string_view name, int arity) {
    for (const NativeSpec& spec : natives) {
        if (spec.name == name && spec.arity == arity) return &spec;
    }
    return nullptr;
}

std::string native_arities(std::string_view name) {
    std::vector<int> arities;
    for (const NativeSpec& spec : natives) {
        if (spec.name == name) arities.push_back(spec.arity);
    }
    if (arities.empty()) return {};
    std::string out;
    for (std::size_t i = 0; i < arities.size(); ++i) {
        if (i > 0) out += i + 1 == arities.size() ? " or " : ", ";
        out += std::to_string(arities[i]);
    }
    return out + (arities.size() == 1 && arities[0] == 1 ? " argument" : " arguments");
}

std::vector<std::string> native_signatures() {
    std::vector<std::string> out;
    for (const NativeSpec& spec : natives) {
        if (spec.name.front() == '_') continue;
        out.push_back(std::string(spec.name) + "/" + std::to_string(spec.arity));
    }
    return out;
}

}  // namespace kpipe::filter

#include "filter/arguments.hpp"

#include <simdjson.h>

#include <fstream>
#include <iterator>

#include "filter/json_writer.hpp"

namespace kpipe::filter {

namespace {

Expected<std::string> read_file(const std::string& path, const std::string& origin) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return usage_error(origin + ": cannot read '" + path + "'");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Status check_name(const std::string& name, const std::string& option) {
    const bool valid =
        !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
            std::string::npos;
    if (!valid) {
        return usage_error(option + " '" + name +
                           "': a variable name is letters, digits and _, not starting with a digit");
    }
    return ok();
}

}  // namespace

Expected<std::vector<FilterVariable>> filter_variables(const FilterArgumentOptions& options) {
    std::vector<FilterVariable> out;
    for (const auto& [name, value] : options.arg) {
        if (auto status = check_name(name, "--arg"); !status) return status.error();
        std::string json;
        write_json_string(value, json);
        out.push_back({name, std::move(json), "--arg " + name});
    }
    for (const auto& [name, value] : options.argjson) {
        if (auto status = check_name(name, "--argjson"); !status) return status.error();
        out.push_back({name, value, "--argjson " + name});
    }
    for (const auto& [name, path] : options.slurpfile) {
        const std::string origin = "--slurpfile " + name;
        if (auto status = check_name(name, "--slurpfile"); !status) return status.error();
        auto text = read_file(path, origin);
        if (!text) return text.error();
        simdjson::dom::parser parser;
        simdjson::dom::document_stream stream;
        std::string array = "[";
        const simdjson::padded_string padded(*text);
        if (parser.parse_many(padded).get(stream) == simdjson::SUCCESS) {
            bool first = true;
            for (auto document : stream) {
                simdjson::dom::element element;
                if (document.get(element) != simdjson::SUCCESS) {
                    return usage_error(origin + ": '" + path + "' is not a sequence of JSON values");
                }
                if (!first) array += ',';
                first = false;
                array += simdjson::minify(element);
            }
        } else {
            return usage_error(origin + ": '" + path + "' is not a sequence of JSON values");
        }
        array += ']';
        out.push_back({name, std::move(array), origin});
    }
    for (const auto& [name, path] : options.rawfile) {
        const std::string origin = "--rawfile " + name;
        if (auto status = check_name(name, "--rawfile"); !status) return status.error();
        auto text = read_file(path, origin);
        if (!text) return text.error();
        std::string json;
        write_json_string(*text, json);
        out.push_back({name, std::move(json), origin});
    }
    return out;
}

}  // namespace kpipe::filter

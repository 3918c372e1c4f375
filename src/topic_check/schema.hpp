#pragma once
// The subset of JSON Schema that --schema checks: `type`, `required` and `properties.X.type`
// (string, number, integer, boolean, object, array, null, or a list of those). Other keywords
// are listed as unsupported (annotations such as title or description are simply ignored).

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace kpipe::topic_check {

// A set of JSON types, one bit per JSON Schema type name.
using JsonTypes = unsigned;

struct FieldRule {
    std::string name{};
    JsonTypes types = 0;  // 0: any type
};

struct JsonSchema {
    JsonTypes types = 0;  // of the whole document; 0: any
    std::vector<std::string> required{};
    std::vector<FieldRule> properties{};
    std::vector<std::string> unsupported{};  // keywords not checked, e.g. "properties.ip.format"
};

// Parses a schema document; errors are usage errors naming the problem.
Expected<JsonSchema> parse_schema(std::string_view text);
Expected<JsonSchema> load_schema(const std::string& path);

// Why `value` is not one valid JSON document (matching `schema` when given); nullopt when it is.
std::optional<std::string> check_json_record(simdjson::dom::parser& parser, std::string_view value,
                                             const JsonSchema* schema);

}  // namespace kpipe::topic_check

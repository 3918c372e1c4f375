#include "topic_check/schema.hpp"

#include <spdlog/fmt/fmt.h>

#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

namespace kpipe::topic_check {
namespace {

constexpr std::array<std::string_view, 7> type_names = {"string", "number", "integer", "boolean",
                                                        "object", "array",  "null"};
constexpr JsonTypes bit(std::size_t index) {
    return 1u << index;
}
constexpr JsonTypes number_bit = bit(1);
constexpr JsonTypes integer_bit = bit(2);

// Keywords that describe rather than constrain: not checked, and not worth a warning.
constexpr std::array<std::string_view, 7> annotations = {
    "$schema", "$id", "title", "description", "$comment", "examples", "default"};

bool is_annotation(std::string_view keyword) {
    for (auto annotation : annotations) {
        if (keyword == annotation) return true;
    }
    return false;
}

Expected<JsonTypes> parse_types(simdjson::dom::element element, const std::string& where) {
    const auto one = [&where](std::string_view name) -> Expected<JsonTypes> {
        for (std::size_t i = 0; i < type_names.size(); ++i) {
            if (name == type_names[i]) return bit(i);
        }
        return usage_error(
            fmt::format("--schema: {} has unknown type '{}'; use string, number, "
                        "integer, boolean, object, array or null",
                        where, name));
    };
    std::string_view name;
    if (element.get_string().get(name) == simdjson::SUCCESS) return one(name);
    simdjson::dom::array list;
    if (element.get_array().get(list) != simdjson::SUCCESS) {
        return usage_error("--schema: " + where + " must be a type name or a list of them");
    }
    JsonTypes types = 0;
    for (auto item : list) {
        if (item.get_string().get(name) != simdjson::SUCCESS) {
            return usage_error("--schema: " + where + " must be a type name or a list of them");
        }
        auto parsed = one(name);
        if (!parsed) return parsed.error();
        types |= *parsed;
    }
    return types;
}

JsonTypes type_of(simdjson::dom::element element) {
    switch (element.type()) {
        case simdjson::dom::element_type::STRING:
            return bit(0);
        case simdjson::dom::element_type::INT64:
        case simdjson::dom::element_type::UINT64:
            return number_bit | integer_bit;
        case simdjson::dom::element_type::DOUBLE: {
            const double value = element.get_double().value_unsafe();
            return number_bit | (std::floor(value) == value ? integer_bit : 0);
        }
        case simdjson::dom::element_type::BOOL:
            return bit(3);
        case simdjson::dom::element_type::OBJECT:
            return bit(4);
        case simdjson::dom::element_type::ARRAY:
            return bit(5);
        case simdjson::dom::element_type::NULL_VALUE:
            return bit(6);
    }
    return 0;
}

std::string_view type_name(simdjson::dom::element element) {
    const auto types = type_of(element);
    if (types & integer_bit) return "integer";
    for (std::size_t i = 0; i < type_names.size(); ++i) {
        if (types & bit(i)) return type_names[i];
    }
    return "unknown";
}

std::string describe_types(JsonTypes types) {
    std::string text;
    for (std::size_t i = 0; i < type_names.size(); ++i) {
        if (types & bit(i)) text += (text.empty() ? "" : " or ") + std::string(type_names[i]);
    }
    return text;
}

}  // namespace

Expected<JsonSchema> parse_schema(std::string_view text) {
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    if (auto error = parser.parse(text.data(), text.size()).get(document)) {
        return usage_error(std::string("--schema: not valid JSON (") +
                           simdjson::error_message(error) + "); give a JSON Schema document");
    }
    simdjson::dom::object root;
    if (document.get_object().get(root) != simdjson::SUCCESS) {
        return usage_error("--schema: the schema must be a JSON object");
    }
    JsonSchema schema;
    for (auto [key, value] : root) {
        if (key == "type") {
            auto types = parse_types(value, "type");
            if (!types) return types.error();
            schema.types = *types;
        } else if (key == "required") {
            simdjson::dom::array names;
            if (value.get_array().get(names) != simdjson::SUCCESS) {
                return usage_error("--schema: required must be a list of field names");
            }
            for (auto name : names) {
                std::string_view field;
                if (name.get_string().get(field) != simdjson::SUCCESS) {
                    return usage_error("--schema: required must be a list of field names");
                }
                schema.required.emplace_back(field);
            }
        } else if (key == "properties") {
            simdjson::dom::object properties;
            if (value.get_object().get(properties) != simdjson::SUCCESS) {
                return usage_error("--schema: properties must be an object");
            }
            for (auto [name, rule] : properties) {
                simdjson::dom::object keywords;
                if (rule.get_object().get(keywords) != simdjson::SUCCESS) {
                    return usage_error("--schema: properties." + std::string(name) +
                                       " must be an object");
                }
                FieldRule field{std::string(name)};
                for (auto [keyword, setting] : keywords) {
                    if (keyword == "type") {
                        auto types = parse_types(setting, "properties." + field.name + ".type");
                        if (!types) return types.error();
                        field.types = *types;
                    } else if (!is_annotation(keyword)) {
                        schema.unsupported.push_back("properties." + field.name + "." +
                                                     std::string(keyword));
                    }
                }
                schema.properties.push_back(std::move(field));
            }
        } else if (!is_annotation(key)) {
            schema.unsupported.emplace_back(key);
        }
    }
    return schema;
}

Expected<JsonSchema> load_schema(const std::string& path) {
    std::ifstream file(path);
    if (!file) return usage_error("--schema: cannot read '" + path + "'; check the path");
    std::ostringstream text;
    text << file.rdbuf();
    return parse_schema(text.str());
}

std::optional<std::string> check_json_record(simdjson::dom::parser& parser, std::string_view value,
                                             const JsonSchema* schema) {
    simdjson::dom::element document;
    if (auto error = parser.parse(value.data(), value.size()).get(document)) {
        return std::string("not valid JSON (") + simdjson::error_message(error) + ")";
    }
    if (schema == nullptr) return std::nullopt;
    if (schema->types != 0 && (type_of(document) & schema->types) == 0) {
        return fmt::format("is {}, expected {}", type_name(document),
                           describe_types(schema->types));
    }
    simdjson::dom::object object;
    if (document.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
    for (const auto& name : schema->required) {
        if (object.at_key(name).error() != simdjson::SUCCESS) {
            return "missing required field '" + name + "'";
        }
    }
    for (const auto& field : schema->properties) {
        simdjson::dom::element member;
        if (field.types == 0 || object.at_key(field.name).get(member) != simdjson::SUCCESS)
            continue;
        if ((type_of(member) & field.types) == 0) {
            return fmt::format("field '{}' is {}, expected {}", field.name, type_name(member),
                               describe_types(field.types));
        }
    }
    return std::nullopt;
}

}  // namespace kpipe::topic_check

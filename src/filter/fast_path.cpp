#include "filter/fast_path.hpp"

#include <algorithm>
#include <cstring>

#include "filter/builtins.hpp"
#include "filter/json_reader.hpp"
#include "filter/json_writer.hpp"

namespace kpipe::filter {

namespace {

using simdjson::ondemand::json_type;

// The keys of a plain path like .a.b."c" (no `?`, literal string keys), or nullopt.
std::optional<std::vector<std::string>> as_path(const Node& node) {
    if (node.kind == NodeKind::identity) return std::vector<std::string>{};
    if (node.kind != NodeKind::index || node.optional) return std::nullopt;
    const Node& key = node.child(1);
    if (!key.is_literal() || !key.literal.is_string()) return std::nullopt;
    auto path = as_path(node.child(0));
    if (!path) return std::nullopt;
    path->push_back(key.literal.as_string());
    return path;
}

bool is_scalar_literal(const Node& node) {
    return node.is_literal() && !node.literal.is_array() && !node.literal.is_object();
}

bool is_comparison(BinaryOp op) {
    return op == BinaryOp::equal || op == BinaryOp::not_equal || op == BinaryOp::less ||
           op == BinaryOp::less_equal || op == BinaryOp::greater || op == BinaryOp::greater_equal;
}

bool is_hex_lower(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int hex_value(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

// Contents of a string token (quotes stripped); On-Demand tokens carry trailing whitespace.
std::string_view string_contents(std::string_view token) {
    token = trim_trailing_whitespace(token);
    return token.size() >= 2 ? token.substr(1, token.size() - 2) : std::string_view();
}

int order(int r) {
    return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

bool comparison_holds(BinaryOp op, int r, bool equal) {
    switch (op) {
        case BinaryOp::equal:
            return equal;
        case BinaryOp::not_equal:
            return !equal;
        case BinaryOp::less:
            return r < 0;
        case BinaryOp::less_equal:
            return r <= 0;
        case BinaryOp::greater:
            return r > 0;
        default:
            return r >= 0;
    }
}

}  // namespace

bool is_canonical_json_string(std::string_view content) {
    if (content.find('\\') == std::string_view::npos &&
        content.find('\x7f') == std::string_view::npos) {
        return true;
    }
    for (std::size_t i = 0; i < content.size(); ++i) {
        const char c = content[i];
        if (c == 0x7f) return false;  // jq prints DEL as \u007f
        if (c != '\\') continue;
        if (i + 1 >= content.size()) return false;
        const char e = content[i + 1];
        if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
            ++i;
            continue;
        }
        if (e != 'u' || i + 5 >= content.size()) return false;
        int code = 0;
        for (std::size_t k = i + 2; k < i + 6; ++k) {
            if (!is_hex_lower(content[k])) return false;
            code = code * 16 + hex_value(content[k]);
        }
        const bool short_form =
            code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t';
        if (!((code < 0x20 && !short_form) || code == 0x7f)) return false;
        i += 5;
    }
    return true;
}

std::optional<FastPath> FastPath::plan(const Node& root) {
    FastPath fast;
    fast.trie_.emplace_back();
    const Node* projection = &root;
    auto is_select = [](const Node& n) {
        return n.kind == NodeKind::call && n.builtin == Builtin::select;
    };
    if (root.kind == NodeKind::pipe && is_select(root.child(0))) {
        if (!fast.plan_condition(root.child(0).child(0), fast.root_condition_)) return std::nullopt;
        projection = &root.child(1);
    } else if (is_select(root)) {
        if (!fast.plan_condition(root.child(0), fast.root_condition_)) return std::nullopt;
        fast.output_identity_ = true;
        projection = nullptr;
    }
    if (projection != nullptr && !fast.plan_projection(*projection)) return std::nullopt;
    fast.slots_.resize(fast.slot_paths_.size());
    return fast;
}

int FastPath::slot_for(const std::vector<std::string>& path) {
    int node = 0;
    for (const std::string& key : path) {
        auto& children = trie_[static_cast<std::size_t>(node)].children;
        auto found = std::find_if(children.begin(), children.end(),
                                  [&](const auto& child) { return child.first == key; });
        if (found != children.end()) {
            node = found->second;
            continue;
        }
        const int next = static_cast<int>(trie_.size());
        children.emplace_back(key, next);
        trie_.emplace_back();  // invalidates `children`; not used again
        node = next;
    }
    TrieNode& leaf = trie_[static_cast<std::size_t>(node)];
    if (leaf.slot < 0) {
        leaf.slot = static_cast<int>(slot_paths_.size());
        slot_paths_.push_back(path);
    }
    return leaf.slot;
}

bool FastPath::plan_condition(const Node& node, int& index) {
    Condition condition;
    if (node.kind == NodeKind::and_ || node.kind == NodeKind::or_) {
        condition.type = node.kind == NodeKind::and_ ? Condition::Type::and_ : Condition::Type::or_;
        if (!plan_condition(node.child(0), condition.lhs)) return false;
        if (!plan_condition(node.child(1), condition.rhs)) return false;
    } else if (node.kind == NodeKind::binary && is_comparison(node.op)) {
        const bool literal_left = is_scalar_literal(node.child(0));
        const Node& path_node = node.child(literal_left ? 1 : 0);
        const Node& literal_node = node.child(literal_left ? 0 : 1);
        const auto path = as_path(path_node);
        if (!path || path->empty() || !is_scalar_literal(literal_node)) return false;
        condition.type = Condition::Type::compare;
        condition.slot = slot_for(*path);
        condition.op = node.op;
        condition.literal = literal_node.literal;
        condition.literal_on_left = literal_left;
    } else if (node.kind == NodeKind::call && node.builtin == Builtin::has &&
               node.child(0).is_literal() && node.child(0).literal.is_string()) {
        condition.type = Condition::Type::has;
        condition.slot = slot_for({node.child(0).literal.as_string()});
    } else if (const auto path = as_path(node); path && !path->empty()) {
        condition.type = Condition::Type::truthy;
        condition.slot = slot_for(*path);
    } else {
        return false;
    }
    index = static_cast<int>(conditions_.size());
    conditions_.push_back(std::move(condition));
    return true;
}

bool FastPath::plan_projection(const Node& node) {
    if (node.kind == NodeKind::identity) {
        output_identity_ = true;
        return true;
    }
    if (const auto path = as_path(node)) {
        pieces_.push_back(Piece{"", slot_for(*path)});
        return true;
    }
    if (node.kind != NodeKind::object) return false;
    std::vector<std::string> seen;
    std::string text = "{";
    for (std::size_t i = 0; i < node.children.size(); i += 2) {
        const Node& key = node.child(i);
        const Node& value = node.child(i + 1);
        if (!key.is_literal() || !key.literal.is_string()) return false;
        if (std::find(seen.begin(), seen.end(), key.literal.as_string()) != seen.end())
            return false;
        seen.push_back(key.literal.as_string());
        if (i > 0) text.push_back(',');
        write_json_string(key.literal.as_string(), text);
        text.push_back(':');
        if (is_scalar_literal(value)) {
            write_json(value.literal, text);
            continue;
        }
        const auto path = as_path(value);
        if (!path || path->empty()) return false;
        pieces_.push_back(Piece{std::move(text), slot_for(*path)});
        text.clear();
    }
    text.push_back('}');
    pieces_.push_back(Piece{std::move(text), -1});
    return true;
}

void FastPath::reset_below(int trie_node) {
    for (const auto& [key, child] : trie_[static_cast<std::size_t>(trie_node)].children) {
        const TrieNode& node = trie_[static_cast<std::size_t>(child)];
        if (node.slot >= 0) slots_[static_cast<std::size_t>(node.slot)] = Slot{};
        reset_below(child);
    }
}

void FastPath::mark_error_below(int trie_node) {
    for (const auto& [key, child] : trie_[static_cast<std::size_t>(trie_node)].children) {
        const TrieNode& node = trie_[static_cast<std::size_t>(child)];
        if (node.slot >= 0) slots_[static_cast<std::size_t>(node.slot)].state = Slot::State::error;
        mark_error_below(child);
    }
}

// Strings must be consumed, not just peeked at: On-Demand skips an unread string followed by ':'
// as if it were a key, which would let `{"a":"b":1}` through.
bool FastPath::consume_string(simdjson::ondemand::value& value, std::string_view* decoded) {
    if (!has_backslash_) {
        simdjson::ondemand::raw_json_string raw;
        return !value.get_raw_json_string().get(raw);
    }
    const std::string_view contents = string_contents(value.raw_json_token());
    if (contents.find('\\') == std::string_view::npos) {
        // Stage 1 already checked UTF-8 and control characters; nothing to unescape.
        simdjson::ondemand::raw_json_string raw;
        return !value.get_raw_json_string().get(raw);
    }
    std::string_view text;
    if (value.get_string().get(text)) return false;
    if (decoded != nullptr) *decoded = text;
    return true;
}

bool FastPath::validate(simdjson::ondemand::value value, int depth) {
    json_type type;
    if (value.type().get(type)) return false;
    switch (type) {
        case json_type::array: {
            if (depth + 1 > max_input_depth) return false;
            simdjson::ondemand::array array;
            if (value.get_array().get(array)) return false;
            for (auto element : array) {
                simdjson::ondemand::value item;
                if (element.get(item) || !validate(item, depth + 1)) return false;
            }
            return true;
        }
        case json_type::object: {
            if (depth + 1 > max_input_depth) return false;
            simdjson::ondemand::object object;
            if (value.get_object().get(object)) return false;
            for (auto result : object) {
                simdjson::ondemand::field field;
                std::string_view key;
                if (std::move(result).get(field)) return false;
                if (has_backslash_ && !field_key(field, key)) return false;  // checks escapes
                if (!validate(field.value(), depth + 1)) return false;
            }
            return true;
        }
        case json_type::string:
            return consume_string(value);
        default:
            return is_valid_atom(type, trim_trailing_whitespace(value.raw_json_token()));
    }
}

bool FastPath::capture(simdjson::ondemand::value value, int slot_index, int depth) {
    Slot& slot = slots_[static_cast<std::size_t>(slot_index)];
    slot = Slot{};
    json_type type;
    if (value.type().get(type)) return false;
    switch (type) {
        case json_type::string: {
            slot.raw = trim_trailing_whitespace(value.raw_json_token());
            const std::string_view contents = string_contents(slot.raw);
            slot.text = contents;
            if (!consume_string(value, &slot.text)) return false;
            slot.kind = Kind::string;
            slot.verbatim = (!has_backslash_ && !has_delete_) || is_canonical_json_string(contents);
            break;
        }
        case json_type::number:
        case json_type::boolean:
        case json_type::null: {
            slot.raw = trim_trailing_whitespace(value.raw_json_token());
            if (!is_valid_atom(type, slot.raw)) return false;
            slot.kind = type == json_type::number ? Kind::number
                        : type == json_type::null ? Kind::null
                        : slot.raw == "true"      ? Kind::true_
                                                  : Kind::false_;
            slot.verbatim = true;  // number text is preserved on both paths
            break;
        }
        case json_type::array:
        case json_type::object: {
            if (depth + 1 > max_input_depth) return false;
            const char* begin = value.raw_json_token().data();
            const char* end = begin;
            slot.verbatim = scan_verbatim(begin, document_end_, end);
            slot.raw = std::string_view(begin, static_cast<std::size_t>(end - begin));
            slot.kind = type == json_type::array ? Kind::array : Kind::object;
            if (!validate(value, depth)) return false;
            break;
        }
        default:
            return false;
    }
    slot.state = Slot::State::present;
    return true;
}

bool FastPath::field_key(simdjson::ondemand::field& field, std::string_view& key) {
    // Most keys have no escapes: compare their raw bytes and skip unescaping.
    const char* begin = field.key().raw();
    const auto* quote = static_cast<const char*>(
        std::memchr(begin, '"', static_cast<std::size_t>(document_end_ - begin)));
    if (quote != nullptr &&
        std::memchr(begin, '\\', static_cast<std::size_t>(quote - begin)) == nullptr) {
        key = std::string_view(begin, static_cast<std::size_t>(quote - begin));
        return true;
    }
    return !field.unescaped_key().get(key);
}

int FastPath::find_child(simdjson::ondemand::field& field, int trie_node) {
    const auto& children = trie_[static_cast<std::size_t>(trie_node)].children;
    if (!has_backslash_) {
        // Without escapes a key's raw bytes are the key, ending at the first quote.
        const char* begin = field.key().raw();
        const auto available = static_cast<std::size_t>(document_end_ - begin);
        for (const auto& [name, index] : children) {
            if (name.size() < available && begin[name.size()] == '"' &&
                std::memcmp(begin, name.data(), name.size()) == 0) {
                return index;
            }
        }
        return kNoChild;
    }
    std::string_view key;
    if (!field_key(field, key)) return kInvalidKey;
    for (const auto& [name, index] : children) {
        if (name == key) return index;
    }
    return kNoChild;
}

bool FastPath::scan_object(simdjson::ondemand::object object, int trie_node, int depth) {
    for (auto result : object) {
        simdjson::ondemand::field field;
        if (std::move(result).get(field)) return false;
        const int child = find_child(field, trie_node);
        if (child == kInvalidKey) return false;
        simdjson::ondemand::value value = field.value();
        if (child < 0) {
            if (!validate(value, depth)) return false;
            continue;
        }
        const TrieNode& node = trie_[static_cast<std::size_t>(child)];
        if (node.children.empty()) {
            if (!capture(value, node.slot, depth)) return false;
            continue;
        }
        // A later duplicate of this key replaces everything captured beneath the earlier one.
        reset_below(child);
        json_type type;
        if (value.type().get(type)) return false;
        if (type != json_type::object) {
            // .a.b on null is null (slots stay missing); on anything else it is an error.
            if (type != json_type::null) mark_error_below(child);
            const bool valid =
                node.slot >= 0 ? capture(value, node.slot, depth) : validate(value, depth);
            if (!valid) return false;
            continue;
        }
        if (depth + 1 > max_input_depth) return false;
        if (node.slot >= 0) {
            Slot& slot = slots_[static_cast<std::size_t>(node.slot)];
            const char* begin = value.raw_json_token().data();
            const char* end = begin;
            slot = Slot{};
            slot.verbatim = scan_verbatim(begin, document_end_, end);
            slot.raw = std::string_view(begin, static_cast<std::size_t>(end - begin));
            slot.kind = Kind::object;
            slot.state = Slot::State::present;
        }
        simdjson::ondemand::object nested;
        if (value.get_object().get(nested) || !scan_object(nested, child, depth + 1)) return false;
    }
    return true;
}

bool FastPath::scan_verbatim(const char* begin, const char* limit, const char*& end) {
    levels_.clear();
    keys_.clear();
    const char* p = begin;
    end = begin;
    do {
        if (p >= limit) return false;
        const char c = *p;
        switch (c) {
            case '{':
            case '[':
                levels_.emplace_back(c == '{', keys_.size());
                ++p;
                break;
            case '}':
            case ']': {
                if (levels_.empty()) return false;
                const std::size_t first_key = levels_.back().second;
                if (levels_.back().first && keys_.size() - first_key > 1) {
                    // Duplicate keys collapse on the general path, so raw bytes would differ.
                    sorted_keys_.assign(keys_.begin() + static_cast<std::ptrdiff_t>(first_key),
                                        keys_.end());
                    std::sort(sorted_keys_.begin(), sorted_keys_.end());
                    if (std::adjacent_find(sorted_keys_.begin(), sorted_keys_.end()) !=
                        sorted_keys_.end()) {
                        return false;
                    }
                }
                keys_.resize(first_key);
                levels_.pop_back();
                ++p;
                break;
            }
            case '"': {
                const char* q = p + 1;
                for (;;) {
                    q = static_cast<const char*>(
                        std::memchr(q, '"', static_cast<std::size_t>(limit - q)));
                    if (q == nullptr) return false;
                    // The quote ends the string unless an odd number of backslashes precede it.
                    std::size_t backslashes = 0;
                    while (q - backslashes > p + 1 &&
                           q[-1 - static_cast<std::ptrdiff_t>(backslashes)] == '\\') {
                        ++backslashes;
                    }
                    if (backslashes % 2 == 0) break;
                    ++q;
                }
                const std::string_view contents(p + 1, static_cast<std::size_t>(q - p - 1));
                if (!is_canonical_json_string(contents)) return false;
                p = q + 1;
                if (!levels_.empty() && levels_.back().first && p < limit && *p == ':') {
                    keys_.push_back(contents);
                }
                break;
            }
            case ',':
            case ':':
                ++p;
                break;
            case ' ':
            case '\t':
            case '\n':
            case '\r':
                return false;  // jq -c prints no whitespace
            default:
                while (p < limit && *p != ',' && *p != ']' && *p != '}' && *p != ':' && *p != ' ' &&
                       *p != '\t' && *p != '\n' && *p != '\r') {
                    ++p;
                }
                break;
        }
    } while (!levels_.empty());
    end = p;
    return true;
}

std::optional<bool> FastPath::evaluate(int index) {
    const Condition& condition = conditions_[static_cast<std::size_t>(index)];
    switch (condition.type) {
        case Condition::Type::and_:
        case Condition::Type::or_: {
            const bool is_and = condition.type == Condition::Type::and_;
            const auto lhs = evaluate(condition.lhs);
            if (!lhs) return std::nullopt;
            if (*lhs != is_and) return !is_and;
            return evaluate(condition.rhs);
        }
        default:
            break;
    }
    const Slot& slot = slots_[static_cast<std::size_t>(condition.slot)];
    if (slot.state == Slot::State::error) return std::nullopt;
    const bool present = slot.state == Slot::State::present;
    if (condition.type == Condition::Type::has) return present;
    const Kind kind = present ? slot.kind : Kind::null;
    if (condition.type == Condition::Type::truthy) {
        return kind != Kind::null && kind != Kind::false_;
    }
    // compare: jq's order across kinds, then within numbers and strings.
    const Value& literal = condition.literal;
    int r;
    bool equal;
    if (kind != literal.kind()) {
        r = kind < literal.kind() ? -1 : 1;
        equal = false;
    } else if (kind == Kind::number) {
        const double x = parse_json_number(slot.raw);
        const double y = literal.as_number();
        r = x < y ? -1 : (x == y ? 0 : 1);
        equal = x == y;
    } else if (kind == Kind::string) {
        r = order(slot.text.compare(literal.as_string()));
        equal = r == 0;
    } else {
        r = 0;
        equal = true;
    }
    if (condition.literal_on_left) r = -r;
    return comparison_holds(condition.op, r, equal);
}

void FastPath::begin_record(std::string_view json, bool has_backslash, bool has_delete) {
    document_begin_ = json.data();
    document_end_ = json.data() + json.size();
    // Most records have neither; then strings need no unescaping and print as they are.
    has_backslash_ = has_backslash;
    has_delete_ = has_delete;
    for (Slot& slot : slots_) slot = Slot{};
}

bool FastPath::walk(simdjson::ondemand::document& document) {
    json_type type;
    if (document.type().get(type) || type != json_type::object) return false;
    simdjson::ondemand::object root;
    if (document.get_object().get(root)) return false;
    return scan_object(root, 0, 1);
}

FastPath::Outcome FastPath::run(simdjson::ondemand::parser& parser,
                                simdjson::padded_string_view json, FilterOutputs& outputs) {
    begin_record(json, std::memchr(json.data(), '\\', json.size()) != nullptr,
                 std::memchr(json.data(), '\x7f', json.size()) != nullptr);
    simdjson::ondemand::document document;
    if (parser.iterate(json).get(document)) return Outcome::use_general_path;
    if (!walk(document)) return Outcome::use_general_path;
    const char* location = nullptr;
    if (!document.current_location().get(location)) return Outcome::use_general_path;
    return finish(outputs);
}

bool FastPath::walk_streamed(simdjson::ondemand::document& document, std::string_view line,
                             bool has_backslash, bool has_delete, const char*& next) {
    begin_record(line, has_backslash, has_delete);
    if (!walk(document)) return false;
    if (document.current_location().get(next)) next = nullptr;
    return true;
}

FastPath::Outcome FastPath::finish(FilterOutputs& outputs) {
    if (root_condition_ >= 0) {
        const auto selected = evaluate(root_condition_);
        if (!selected) return Outcome::use_general_path;
        if (!*selected) return Outcome::done;
    }

    std::string& out = outputs.bytes_;
    const std::size_t mark = out.size();
    if (output_identity_) {
        const char* begin = document_begin_;
        while (begin < document_end_ && is_json_whitespace(*begin)) ++begin;
        const char* end = begin;
        if (!scan_verbatim(begin, document_end_, end)) return Outcome::use_general_path;
        out.append(begin, static_cast<std::size_t>(end - begin));
    } else {
        for (const Piece& piece : pieces_) {
            out += piece.text;
            if (piece.slot < 0) continue;
            const Slot& slot = slots_[static_cast<std::size_t>(piece.slot)];
            if (slot.state == Slot::State::error ||
                (slot.state == Slot::State::present && !slot.verbatim)) {
                out.resize(mark);
                return Outcome::use_general_path;
            }
            if (slot.state == Slot::State::present) {
                out += slot.raw;
            } else {
                out += "null";
            }
        }
    }
    outputs.end_output();
    return Outcome::done;
}

}  // namespace kpipe::filter

#pragma once
// The hot path for the filters pipelines use most: projections
//   .a   .a.b   {a, b: .c.d, "k": .e, lit: "constant"}   .
// optionally behind  select(C) |  where C combines `.path OP literal`, `literal OP .path`, `.path`
// (truthiness) and has("key") with and/or. It walks the record once with simdjson On-Demand
// (validating every value, so invalid input is caught as on the general path) and copies the raw
// bytes of the needed fields into the output: no DOM, no Value tree, no allocation once the
// buffers have grown.
//
// A record defers to the general path whenever copying bytes might differ from jq's output or an
// error is possible: input that is not an object, a field that is not valid JSON, a string whose
// escapes jq would print differently, a nested value with whitespace or duplicate keys, a path
// through a non-object. The general path then produces the output or the error.

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filter/ast.hpp"
#include "filter/filter.hpp"

namespace kpipe::filter {

class FastPath {
  public:
    // The plan for `root`, or nullopt when the filter is not of a shape handled here.
    static std::optional<FastPath> plan(const Node& root);

    enum class Outcome { done, use_general_path };

    // `json` must be padded. On `done`, `outputs` holds the record's outputs (zero or one).
    Outcome run(simdjson::ondemand::parser& parser, simdjson::padded_string_view json,
                FilterOutputs& outputs);

    // For a document of an iterate_many stream, which must hold `line`'s bytes (padded): walks
    // and checks it, setting `next` to where the stream's next document starts (nullptr at the
    // end). When it returns true, finish() gives the outcome; the caller checks first that the
    // document ended within `line`. The caller says whether the line holds a '\\' or a DEL.
    bool walk_streamed(simdjson::ondemand::document& document, std::string_view line,
                       bool has_backslash, bool has_delete, const char*& next);
    Outcome finish(FilterOutputs& outputs);

  private:
    void begin_record(std::string_view json, bool has_backslash, bool has_delete);
    bool walk(simdjson::ondemand::document& document);

    // A field path the filter reads, e.g. .a.b; captured while scanning.
    struct Slot {
        enum class State { missing, present, error };
        State state = State::missing;
        Kind kind = Kind::null;
        std::string_view raw;   // the value's JSON text as in the input
        std::string_view text;  // strings: decoded contents
        bool verbatim = false;  // raw is exactly what jq would print
    };
    // Trie over the needed paths; node 0 is the top-level object.
    struct TrieNode {
        std::vector<std::pair<std::string, int>> children;  // key -> node
        int slot = -1;                                      // value needed whole
    };
    struct Condition {
        enum class Type { and_, or_, compare, truthy, has };
        Type type = Type::truthy;
        int lhs = -1;  // sub-conditions for and/or
        int rhs = -1;
        int slot = -1;
        BinaryOp op = BinaryOp::equal;
        Value literal;
        bool literal_on_left = false;
    };
    // One piece of the output: fixed JSON text, then optionally a slot's raw value.
    struct Piece {
        std::string text;
        int slot = -1;
    };

    int slot_for(const std::vector<std::string>& path);
    bool plan_condition(const Node& node, int& index);
    bool plan_projection(const Node& node);

    bool scan_object(simdjson::ondemand::object object, int trie_node, int depth);
    bool field_key(simdjson::ondemand::field& field, std::string_view& key);
    // The trie child of `trie_node` named by the field's key, kNoChild, or kInvalidKey.
    static constexpr int kNoChild = -1;
    static constexpr int kInvalidKey = -2;
    int find_child(simdjson::ondemand::field& field, int trie_node);
    bool capture(simdjson::ondemand::value value, int slot, int depth);
    bool validate(simdjson::ondemand::value value, int depth);
    bool consume_string(simdjson::ondemand::value& value, std::string_view* decoded = nullptr);
    void reset_below(int trie_node);
    void mark_error_below(int trie_node);
    // Scans a container's bytes from its opening bracket: sets `end` past the closing one and
    // returns whether jq would print those bytes unchanged.
    bool scan_verbatim(const char* begin, const char* limit, const char*& end);
    std::optional<bool> evaluate(int condition);

    std::vector<TrieNode> trie_;
    std::vector<std::vector<std::string>> slot_paths_;
    std::vector<Slot> slots_;
    std::vector<Condition> conditions_;
    int root_condition_ = -1;
    bool output_identity_ = false;
    std::vector<Piece> pieces_;

    // Scratch reused across records.
    const char* document_begin_ = nullptr;
    const char* document_end_ = nullptr;
    bool has_backslash_ = false;  // the record contains a '\\'
    bool has_delete_ = false;     // the record contains a DEL (0x7f), which jq escapes
    std::vector<std::pair<bool, std::size_t>> levels_;  // (is object, first key) per depth
    std::vector<std::string_view> keys_;
    std::vector<std::string_view> sorted_keys_;
};

// Whether `content` (a JSON string's bytes between the quotes) is exactly how jq would escape its
// decoded value.
bool is_canonical_json_string(std::string_view content);

}  // namespace kpipe::filter

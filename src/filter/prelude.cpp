#include "filter/prelude.hpp"

#include <cstdio>
#include <cstdlib>

namespace kpipe::filter {

namespace {

// jq 1.7.1's builtin.jq, less what is native here (see native_table.cpp). Where jq 1.6 defines a
// builtin differently, this is 1.7.1's definition; tests/data/filter/README.md lists the cases.
constexpr std::string_view prelude_source = R"jq(
def error(msg): msg | error;
def halt_error: halt_error(5);
def todateiso8601: strftime("%Y-%m-%dT%H:%M:%SZ");
def fromdateiso8601: strptime("%Y-%m-%dT%H:%M:%SZ") | mktime;
def date: todate;
def dateadd(u; n): . + n;
def datesub(u; n): . - n;
def match(re; mode): _match_impl(re; mode; false) | .[];
def match($val): ($val | type) as $vt
  | if $vt == "string" then match($val; null)
    elif $vt == "array" and ($val | length) > 1 then match($val[0]; $val[1])
    elif $vt == "array" and ($val | length) > 0 then match($val[0]; null)
    else error($vt + " not a string or array") end;
def capture(re; mods): match(re; mods)
  | reduce (.captures | .[] | select(.name != null) | {key: .name, value: .string}) as $pair
      ({}; . + {($pair.key): $pair.value});
def capture($val): ($val | type) as $vt
  | if $vt == "string" then capture($val; null)
    elif $vt == "array" and ($val | length) > 1 then capture($val[0]; $val[1])
    elif $vt == "array" and ($val | length) > 0 then capture($val[0]; null)
    else error($vt + " not a string or array") end;
def scan($re; $flags): match($re; "g" + $flags)
  | if (.captures | length > 0) then [.captures | .[] | .string] else .string end;
def scan($re): scan($re; null);
def _nwise($n): def n: if length <= $n then . else .[0:$n], (.[$n:] | n) end; n;
def _nwise(a; $n): a | _nwise($n);
def split($re; flags): . as $s
  | [match($re; "g" + flags) | (.offset, .offset + .length)] as $ms
  | [[0] + $ms + [$s | length] | _nwise(2) | $s[.[0]:.[1]]];
def splits($re; flags): split($re; flags) | .[];
def splits($re): splits($re; null);
def values: select(. != null);
def nulls: select(. == null);
def booleans: select(type == "boolean");
def numbers: select(type == "number");
def strings: select(type == "string");
def arrays: select(type == "array");
def objects: select(type == "object");
def iterables: select(type | . == "array" or . == "object");
def scalars: select(type | . != "array" and . != "object");
def finites: select(isinfinite or isnan | not);
def normals: select(isnormal);
def join($x): reduce .[] as $i (null;
    (if . == null then "" else . + $x end)
    + ($i | if . == null then "" elif type == "string" then . else tojson end)) // "";
def _flatten($x): reduce .[] as $i ([];
    if $i | type == "array" and $x != 0 then . + ($i | _flatten($x - 1)) else . + [$i] end);
def flatten($x): if $x < 0 then error("flatten depth must not be negative") else _flatten($x) end;
def flatten: _flatten(-1);
def recurse(f): def r: ., (f | r); r;
def recurse(f; cond): def r: ., (f | select(cond) | r); r;
def recurse: recurse(.[]?);
def recurse_down: recurse;
def to_entries: [keys_unsorted[] as $k | {key: $k, value: .[$k]}];
def from_entries: reduce .[] as $x ({};
    . + {($x | if .key == null then .k // .name // .Name // .K // .Key else .key end
              | if type == "string" then . else tojson end):
         ($x | if has("value") then .value else .v end)});
def with_entries(f): to_entries | map(f) | from_entries;
def map_values(f): .[] |= f;
def paths: path(..) | select(length > 0);
def paths(node_filter): . as $dot | paths | select(. as $p | $dot | getpath($p) | node_filter);
def leaf_paths: paths(scalars);
def pick(pathexps): . as $top
  | reduce path(pathexps) as $p (null; setpath($p; $top | getpath($p)));
def any(generator; condition): isempty(first(generator | condition or empty)) | not;
def all(generator; condition): isempty(first(generator | condition and empty));
def any(condition): any(.[]; condition);
def all(condition): all(.[]; condition);
def any: any(.);
def all: all(.);
def in(xs): . as $x | xs | has($x);
def inside(xs): . as $x | xs | contains($x);
def first: .[0];
def last: .[-1];
def nth($n): .[$n];
def nth($n; f): if $n < 0 then error("Out of bounds negative array index")
                else last(limit($n + 1; f)) end;
def while(cond; update): def _while: if cond then ., (update | _while) else empty end; _while;
def repeat(f): def _repeat: ., (f | _repeat); _repeat;
def range($x): range(0; $x);
def sort_by(f): _sort_by_impl(map([f]));
def group_by(f): _group_by_impl(map([f]));
def unique_by(f): [group_by(f)[] | .[0]];
def min_by(f): _min_by_impl(map([f]));
def max_by(f): _max_by_impl(map([f]));
def reverse: if type == "string" then explode | reverse | implode
             else [.[length - 1 - range(0; length)]] end;
def index($i): indices($i) | .[0];
def rindex($i): indices($i) | .[-1:][0];
def combinations: if length == 0 then []
                  else .[0][] as $x | (.[1:] | combinations) as $w | [$x] + $w end;
def combinations(n): . as $dot | [range(n)] | map($dot) | combinations;
def walk(f): def w: if type == "object" then map_values(w)
                    elif type == "array" then map(w) else . end | f; w;
def env: $ENV;
def transpose: if . == [] then []
               else . as $in | (map(length) | max) as $max
                 | [range(0; $max) as $j | [range(0; $in | length) as $i | $in[$i][$j]]] end;
def INDEX(stream; idx_expr): reduce stream as $row ({}; .[$row | idx_expr | tostring] |= $row);
def INDEX(idx_expr): INDEX(.[]; idx_expr);
def IN(s): any(s == .; .);
def IN(src; s): any(src == s; .);
def fromstream(f): {x: null, e: false} as $init
  | foreach f as $i ($init;
      if .e then $init else . end
      | if $i | length == 2
        then setpath(["e"]; $i[0] | length == 0) | setpath(["x"] + $i[0]; $i[1])
        else setpath(["e"]; $i[0] | length == 1) end;
      if .e then .x else empty end);
def truncate_stream(stream): . as $n | null | stream | . as $input
  | if (.[0] | length) > $n then setpath([0]; .[0][$n:]) else empty end;
def inputs: empty;
def debug(msg): (msg | debug | empty), .;
def abs: if type == "number" and . < 0 then - . else . end;
def toarray: if type == "array" then . else [.] end;
def have_literal_numbers: true;
def have_decnum: false;
def get_search_list: [];
def bsearch($target):
  if length == 0 then -1
  elif length == 1 then (if $target == .[0] then 0 elif $target < .[0] then -1 else -2 end)
  else . as $in
    | [0, length - 1, null]
    | until(.[0] > .[1];
        if .[2] != null then (.[1] = -1)
        else (((.[1] + .[0]) / 2) | floor) as $mid
          | $in[$mid] as $monkey
          | if ($monkey == $target) then (.[2] = $mid)
            elif (.[0] == .[1]) then (.[1] = -1)
            elif ($monkey < $target) then (.[0] = ($mid + 1))
            else (.[1] = ($mid - 1)) end
        end)
    | if .[2] == null then (if ($in[.[0]] < $target) then (-2 - .[0]) else (-1 - .[0]) end)
      else .[2] end
  end;
def ascii: [.] | implode;
)jq";

}  // namespace

const Node* Prelude::find(std::string_view name, int arity) const {
    const auto found = index_.find(std::pair<std::string, int>(std::string(name), arity));
    return found == index_.end() ? nullptr : found->second;
}

void Prelude::declare(const std::string& name, int arity, const Node* definition) {
    index_[{name, arity}] = definition;
}

void Prelude::add(NodePtr definition) {
    definitions_.push_back(std::move(definition));
}

std::vector<std::string> Prelude::signatures() const {
    std::vector<std::string> out;
    for (const auto& [key, node] : index_) {
        if (key.first.empty() || key.first[0] == '_') continue;
        out.push_back(key.first + "/" + std::to_string(key.second));
    }
    return out;
}

const Prelude& prelude() {
    static const Prelude compiled = [] {
        Prelude p;
        if (auto status = parse_prelude(prelude_source, p); !status) {
            std::fprintf(stderr, "kpipe: internal error in the jq prelude: %s\n",
                         status.error().message.c_str());
            std::abort();
        }
        return p;
    }();
    return compiled;
}

}  // namespace kpipe::filter

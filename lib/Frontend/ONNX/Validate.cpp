//===- Validate.cpp - checks before the ONNX library sees a model --------===//

#include "Validate.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"

#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>

using namespace dlc::onnx_frontend;

namespace {

std::string count(int64_t n, const char *what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::string nodeName(const onnx::NodeProto &node, size_t index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}

const char *attrTypeName(onnx::AttributeProto::AttributeType t) {
  switch (t) {
  case onnx::AttributeProto::FLOAT:
    return "a float";
  case onnx::AttributeProto::INT:
    return "an int";
  case onnx::AttributeProto::STRING:
    return "a string";
  case onnx::AttributeProto::TENSOR:
    return "a tensor";
  case onnx::AttributeProto::GRAPH:
    return "a graph";
  case onnx::AttributeProto::FLOATS:
    return "floats";
  case onnx::AttributeProto::INTS:
    return "ints";
  case onnx::AttributeProto::STRINGS:
    return "strings";
  case onnx::AttributeProto::TENSORS:
    return "tensors";
  case onnx::AttributeProto::GRAPHS:
    return "graphs";
  default:
    return "of another kind";
  }
}

/// The kind an attribute holds: its declared type, or for old files that
/// leave it unset, the one field that is filled.
onnx::AttributeProto::AttributeType attrKind(const onnx::AttributeProto &a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED)
    return a.type();
  if (a.has_f())
    return onnx::AttributeProto::FLOAT;
  if (a.has_i())
    return onnx::AttributeProto::INT;
  if (a.has_s())
    return onnx::AttributeProto::STRING;
  if (a.has_t())
    return onnx::AttributeProto::TENSOR;
  if (a.has_g())
    return onnx::AttributeProto::GRAPH;
  if (a.floats_size())
    return onnx::AttributeProto::FLOATS;
  if (a.ints_size())
    return onnx::AttributeProto::INTS;
  if (a.strings_size())
    return onnx::AttributeProto::STRINGS;
  if (a.tensors_size())
    return onnx::AttributeProto::TENSORS;
  if (a.graphs_size())
    return onnx::AttributeProto::GRAPHS;
  return onnx::AttributeProto::UNDEFINED;
}

/// DepthToSpace's and SpaceToDepth's block size: its square fits in int64.
constexpr int64_t kMaxBlockSize = (int64_t(1) << 31) - 1;

/// One graph's checks; subgraphs (If, Loop, Scan bodies) are walked too, as
/// ONNX shape inference walks them.
class Validator {
public:
  Validator(int64_t opset, const llvm::StringMap<int64_t> &domainVersions,
            bool strict, std::vector<std::string> &errors)
      : opset(opset), domainVersions(domainVersions), strict(strict),
        errors(errors) {}

  void graph(const onnx::GraphProto &g, bool topLevel);

private:
  void node(const onnx::NodeProto &n, const std::string &name,
            const std::map<std::string, int64_t> &ranks);
  void schemaChecks(const onnx::NodeProto &n, const std::string &where);
  void windowChecks(const onnx::NodeProto &n, const std::string &where,
                    const std::map<std::string, int64_t> &ranks);
  void valueInfo(const onnx::ValueInfoProto &vi, const char *what);
  void fail(const std::string &message) { errors.push_back(message); }

  int64_t opset;
  const llvm::StringMap<int64_t> &domainVersions;
  bool strict;
  std::vector<std::string> &errors;
};

} // namespace

void Validator::valueInfo(const onnx::ValueInfoProto &vi, const char *what) {
  if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
    return;
  int64_t count = 1;
  bool overflow = false;
  for (const auto &d : vi.type().tensor_type().shape().dim()) {
    if (!d.has_dim_value())
      continue;
    if (d.dim_value() < 0) {
      fail(std::string(what) + " '" + vi.name() + "' has a negative dim (" +
           std::to_string(d.dim_value()) + ")");
      return;
    }
    overflow |=
        llvm::MulOverflow(count, d.dim_value(), count) || count > kMaxElements;
  }
  if (overflow)
    fail(std::string(what) + " '" + vi.name() +
         "' has more than 2^40 elements");
}

void Validator::schemaChecks(const onnx::NodeProto &n,
                             const std::string &where) {
  bool defaultDomain = n.domain().empty() || n.domain() == "ai.onnx";
  int64_t version = defaultDomain ? opset : domainVersions.lookup(n.domain());
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      n.op_type(), static_cast<int>(version), defaultDomain ? "" : n.domain());
  int numInputs = n.input_size();
  if (!schema) {
    // Ops dlc imports that are newer than the library: their arity here,
    // every input required. Others without a schema are reported
    // unsupported by the importer (and left alone by the library).
    struct Own {
      const char *op;
      int inputs, outputs;
    };
    static const Own own[] = {{"Gelu", 1, 1}, {"GroupNormalization", 3, 1}};
    for (const Own &o : own) {
      if (!defaultDomain || n.op_type() != o.op)
        continue;
      if (numInputs != o.inputs)
        fail(where + ": has " + count(numInputs, "input") + ", takes " +
             std::to_string(o.inputs));
      for (int i = 0; i < numInputs && i < o.inputs; ++i)
        if (n.input(i).empty())
          fail(where + ": input " + std::to_string(i) + " is required");
      if (n.output_size() != o.outputs)
        fail(where + ": has " + count(n.output_size(), "output") + ", gives " +
             std::to_string(o.outputs));
    }
    return;
  }
  // Trailing empty names are omitted optional inputs (an empty name at the
  // end of a variadic list is a hole, reported below).
  const auto &formals = schema->inputs();
  auto formalOf = [&](int i) -> const onnx::OpSchema::FormalParameter * {
    if (formals.empty())
      return nullptr;
    if (i < static_cast<int>(formals.size()))
      return &formals[i];
    const auto &last = formals.back();
    return last.GetOption() == onnx::OpSchema::Variadic ? &last : nullptr;
  };
  while (numInputs > 0 && n.input(numInputs - 1).empty() &&
         (!formalOf(numInputs - 1) ||
          formalOf(numInputs - 1)->GetOption() == onnx::OpSchema::Optional))
    --numInputs;
  if (numInputs < schema->min_input())
    fail(where + ": has " + count(numInputs, "input") + ", needs at least " +
         std::to_string(schema->min_input()));
  else if (strict && numInputs > schema->max_input())
    fail(where + ": has " + count(numInputs, "input") + ", takes at most " +
         std::to_string(schema->max_input()));
  // Only optional inputs may be omitted (an empty name); a variadic list
  // (the last formal) has no holes.
  for (int i = 0; i < numInputs; ++i) {
    const onnx::OpSchema::FormalParameter *formal = formalOf(i);
    if (!formal)
      break;
    if (formal->GetOption() != onnx::OpSchema::Optional && n.input(i).empty())
      fail(where + ": input " + std::to_string(i) + " ('" + formal->GetName() +
           "') is required");
  }
  if (n.output_size() < schema->min_output())
    fail(where + ": has " + count(n.output_size(), "output") +
         ", needs at least " + std::to_string(schema->min_output()));
  else if (strict && n.output_size() > schema->max_output())
    fail(where + ": has " + count(n.output_size(), "output") +
         ", gives at most " + std::to_string(schema->max_output()));
  const auto &attrs = schema->attributes();
  llvm::StringSet<> seen;
  for (const auto &a : n.attribute()) {
    if (!seen.insert(a.name()).second) {
      fail(where + ": attribute '" + a.name() + "' is given twice");
      continue;
    }
    auto it = attrs.find(a.name());
    if (it == attrs.end()) {
      if (strict && a.ref_attr_name().empty())
        fail(where + ": has no attribute '" + a.name() + "'");
      continue;
    }
    auto kind = attrKind(a);
    if (a.ref_attr_name().empty() && kind != onnx::AttributeProto::UNDEFINED &&
        kind != it->second.type)
      fail(where + ": attribute '" + a.name() + "' must be " +
           attrTypeName(it->second.type) + ", not " + attrTypeName(kind));
  }
  for (const auto &[name, attr] : attrs)
    if (attr.required && !seen.contains(name))
      fail(where + ": attribute '" + name + "' is required");
}

/// Windowed ops (convs, pools): whether `op` is one, and which input is its
/// weight (-1: none checked).
bool isWindowOp(llvm::StringRef op, bool &conv, int &weightIndex) {
  conv = op == "Conv" || op == "ConvTranspose" || op == "ConvInteger" ||
         op == "QLinearConv" || op == "DeformConv";
  bool pool = op == "MaxPool" || op == "AveragePool" || op == "LpPool" ||
              op == "MaxUnpool" || op == "MaxRoiPool" || op == "Col2Im";
  weightIndex = !conv ? -1 : op == "QLinearConv" ? 3 : 1;
  return conv || pool;
}

/// What is wrong with a windowed op's input ranks (-1: unknown), or empty.
std::string windowRankProblem(int64_t xRank, const std::string &weight,
                              int64_t wRank) {
  if (xRank >= 0 && xRank < 3)
    return "input 'X' has rank " + std::to_string(xRank) +
           ", needs N x C x spatial dims (rank 3 or more)";
  if (wRank >= 0 && wRank < 3)
    return "weight '" + weight + "' has rank " + std::to_string(wRank) +
           ", needs rank 3 or more";
  if (wRank >= 0 && xRank >= 0 && wRank != xRank)
    return "weight '" + weight + "' has rank " + std::to_string(wRank) +
           " but the input has rank " + std::to_string(xRank);
  return "";
}

void Validator::windowChecks(const onnx::NodeProto &n, const std::string &where,
                             const std::map<std::string, int64_t> &ranks) {
  bool conv;
  int weightIndex;
  if (!isWindowOp(n.op_type(), conv, weightIndex))
    return;
  auto rankOf = [&](int i) -> int64_t {
    if (i < 0 || i >= n.input_size())
      return -1;
    auto it = ranks.find(n.input(i));
    return it == ranks.end() ? -1 : it->second;
  };
  int64_t xRank = rankOf(0);
  std::string problem = windowRankProblem(
      xRank,
      weightIndex >= 0 && weightIndex < n.input_size() ? n.input(weightIndex)
                                                       : "",
      rankOf(weightIndex));
  if (!problem.empty())
    fail(where + ": " + problem);
  int64_t spatial = xRank >= 3 ? xRank - 2 : -1;
  for (const auto &a : n.attribute()) {
    llvm::StringRef name = a.name();
    bool positive =
        name == "strides" || name == "dilations" || name == "kernel_shape";
    bool nonNegative = name == "pads" || name == "output_padding";
    if (!positive && !nonNegative)
      continue;
    for (int64_t v : a.ints())
      if (positive ? v <= 0 : v < 0) {
        fail(where + ": attribute '" + name.str() + "' has " +
             std::to_string(v) + ", must be " +
             (positive ? "positive" : "non-negative"));
        break;
      }
    int64_t want = name == "pads" ? 2 * spatial : spatial;
    if (spatial > 0 && a.ints_size() != want && name != "output_padding")
      fail(where + ": " + name.str() + " has " + std::to_string(a.ints_size()) +
           " values, expected " + std::to_string(want) + " for " +
           std::to_string(spatial) + " spatial dims");
  }
}

void Validator::node(const onnx::NodeProto &n, const std::string &name,
                     const std::map<std::string, int64_t> &ranks) {
  bool defaultDomain = n.domain().empty() || n.domain() == "ai.onnx";
  int64_t version = defaultDomain ? opset : domainVersions.lookup(n.domain());
  std::string where = "node '" + name + "' (" +
                      (defaultDomain ? "" : n.domain() + "::") + n.op_type() +
                      ", opset " + std::to_string(version) + ")";
  size_t before = errors.size();
  schemaChecks(n, where);
  if (errors.size() == before)
    windowChecks(n, where, ranks);
  // The library squares the block size (and divides by the square).
  if (errors.size() == before && defaultDomain &&
      (n.op_type() == "DepthToSpace" || n.op_type() == "SpaceToDepth"))
    for (const auto &a : n.attribute())
      if (a.name() == "blocksize" && (a.i() < 1 || a.i() > kMaxBlockSize))
        fail(where + ": attribute 'blocksize' is " + std::to_string(a.i()) +
             ", must be in [1, " + std::to_string(kMaxBlockSize) + "]");
  // The library's LayerNormalization inference sizes its statistics'
  // shapes by the axis before checking it (an axis of -2^48 exhausted
  // memory, campaign seed 1904); no tensor has more than 64 dims.
  if (errors.size() == before && defaultDomain &&
      n.op_type() == "LayerNormalization")
    for (const auto &a : n.attribute())
      if (a.name() == "axis" && (a.i() < -64 || a.i() > 64))
        fail(where + ": attribute 'axis' is " + std::to_string(a.i()) +
             ", must be in [-64, 64]");
}

void Validator::graph(const onnx::GraphProto &g, bool topLevel) {
  // Ranks known before shape inference: initializers and declared types.
  std::map<std::string, int64_t> ranks;
  auto noteRank = [&](const onnx::ValueInfoProto &vi) {
    if (vi.type().has_tensor_type() && vi.type().tensor_type().has_shape())
      ranks[vi.name()] = vi.type().tensor_type().shape().dim_size();
  };
  for (const auto &vi : g.input())
    noteRank(vi);
  for (const auto &vi : g.value_info())
    noteRank(vi);
  for (const auto &t : g.initializer())
    ranks[t.name()] = t.dims_size();

  for (const auto &vi : g.input())
    valueInfo(vi, "graph input");
  for (const auto &vi : g.output())
    valueInfo(vi, "graph output");
  for (const auto &vi : g.value_info())
    valueInfo(vi, "value");

  // Every name is defined once: by a graph input, an initializer or a node.
  std::map<std::string, std::string> producer;
  for (const auto &vi : g.input())
    producer.emplace(vi.name(), "graph input");
  for (const auto &t : g.initializer()) {
    auto [it, inserted] = producer.emplace(t.name(), "initializer");
    if (!inserted && it->second != "graph input")
      fail("initializer '" + t.name() + "' is defined twice");
    else if (!inserted)
      it->second = "initializer";
  }
  for (const auto &t : g.initializer())
    for (int64_t d : t.dims())
      if (d < 0) {
        fail("initializer '" + t.name() + "' has a negative dim (" +
             std::to_string(d) + ")");
        break;
      }
  for (const auto &[index, n] : llvm::enumerate(g.node())) {
    std::string name = nodeName(n, index);
    node(n, name, ranks);
    for (const auto &out : n.output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.emplace(out, "node '" + name + "'");
      if (!inserted)
        fail("value '" + out + "' is defined by both " + it->second +
             " and node '" + name + "'");
    }
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        graph(a.g(), /*topLevel=*/false);
      for (const auto &sub : a.graphs())
        graph(sub, /*topLevel=*/false);
    }
  }
  // A subgraph may return values of the enclosing scope.
  if (topLevel)
    for (const auto &out : g.output())
      if (!producer.count(out.name()))
        fail("graph output '" + out.name() + "' is not produced by any node");
}

void dlc::onnx_frontend::validateModel(
    const onnx::ModelProto &model, int64_t opset,
    const llvm::StringMap<int64_t> &domainVersions, bool strict,
    std::vector<std::string> &errors) {
  Validator(opset, domainVersions, strict, errors)
      .graph(model.graph(), /*topLevel=*/true);
}

std::string dlc::onnx_frontend::findBadNumericLiteral(llvm::StringRef text) {
  // The ONNX parser's literal syntax: -?[0-9.]+([eE][+-]?[0-9]+)?, converted
  // with std::stoll (integers) or std::stof (floats), which throw when the
  // value does not fit.
  int line = 1, column = 1;
  auto isIdent = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      column = 1;
      ++i;
      continue;
    }
    if (c == '#') { // comment to the end of the line
      while (i < text.size() && text[i] != '\n')
        ++i;
      continue;
    }
    if (c == '"') { // string literal
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') {
        if (text[j] == '\n') {
          ++line;
          column = 0;
        }
        ++j;
        ++column;
      }
      column += 2;
      i = j + 1;
      continue;
    }
    bool starts = (std::isdigit(static_cast<unsigned char>(c)) || c == '-') &&
                  (i == 0 || !isIdent(text[i - 1]));
    if (!starts) {
      if (isIdent(c)) { // skip a whole identifier (conv1, float16)
        while (i < text.size() && isIdent(text[i])) {
          ++i;
          ++column;
        }
        continue;
      }
      ++i;
      ++column;
      continue;
    }
    size_t j = i + 1;
    bool isFloat = false, point = false;
    while (
        j < text.size() &&
        (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) {
      if (text[j] == '.') {
        if (point)
          break;
        point = isFloat = true;
      }
      ++j;
    }
    if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
      isFloat = true;
      ++j;
      if (j < text.size() && (text[j] == '+' || text[j] == '-'))
        ++j;
      while (j < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[j])))
        ++j;
    }
    std::string literal = text.substr(i, j - i).str();
    std::string where =
        "line " + std::to_string(line) + ", column " + std::to_string(column);
    errno = 0;
    char *end = nullptr;
    if (isFloat) {
      float f = std::strtof(literal.c_str(), &end);
      (void)f;
      if (end == literal.c_str())
        return where + ": '" + literal + "' is not a number";
      if (errno == ERANGE)
        return where + ": number '" + literal +
               "' does not fit in a 32-bit float";
    } else {
      long long v = std::strtoll(literal.c_str(), &end, 10);
      (void)v;
      if (end == literal.c_str() && literal != "-")
        return where + ": '" + literal + "' is not a number";
      if (literal == "-")
        return where + ": '-' is not followed by a number";
      if (errno == ERANGE)
        return where + ": integer '" + literal + "' does not fit in 64 bits";
    }
    column += static_cast<int>(j - i);
    i = j;
  }
  return {};
}

/// The range of an 'axis' attribute of a default-domain op whose first input
/// has rank `rank`: [-r, r-1] for most, [-r, r] for Flatten, [-r-1, r] for
/// OneHot (an axis of the output, one rank more).
std::pair<int64_t, int64_t> axisRange(llvm::StringRef op, int64_t rank) {
  if (op == "Flatten")
    return {-rank, rank};
  if (op == "OneHot")
    return {-rank - 1, rank};
  return {-rank, rank - 1};
}

void dlc::onnx_frontend::guardLibraryShapeInference() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Every default-domain schema, every version: (name, version) from a
    // copy, then the registry's own object.
    for (const onnx::OpSchema &copy :
         onnx::OpSchemaRegistry::get_all_schemas_with_history()) {
      if (!copy.domain().empty())
        continue;
      std::string op = copy.Name();
      const onnx::OpSchema *schema =
          onnx::OpSchemaRegistry::Schema(op, copy.since_version());
      if (!schema || schema->since_version() != copy.since_version() ||
          !schema->has_type_and_shape_inference_function())
        continue;
      bool conv;
      int weightIndex;
      bool window = isWindowOp(op, conv, weightIndex);
      onnx::InferenceFunction inner =
          schema->GetTypeAndShapeInferenceFunction();
      // The default of an 'axis' attribute, checked like a given one.
      std::optional<int64_t> axisDefault;
      auto axisIt = schema->attributes().find("axis");
      if (axisIt != schema->attributes().end() &&
          axisIt->second.type == onnx::AttributeProto::INT &&
          axisIt->second.default_value.has_i())
        axisDefault = axisIt->second.default_value.i();
      // Which formal inputs take tensors only (the last one stands for the
      // rest of a variadic list).
      std::vector<bool> tensorOnly, required;
      for (const auto &param : schema->inputs())
        required.push_back(param.GetOption() == onnx::OpSchema::Single);
      for (const auto &param : schema->inputs())
        tensorOnly.push_back(
            !param.GetTypes().empty() &&
            llvm::all_of(param.GetTypes(), [](const std::string *type) {
              return llvm::StringRef(*type).starts_with("tensor(");
            }));
      // The registry hands out const schemas, but they are its own mutable
      // objects; this runs once, before any inference.
      const_cast<onnx::OpSchema *>(schema)->TypeAndShapeInferenceFunction(
          [inner, op, window, weightIndex, tensorOnly, required,
           axisDefault](onnx::InferenceContext &ctx) {
            // A required input without a type (its producer's inference
            // failed, or the library keeps no type for it): some ops'
            // inference reads it without looking. dl's own inference
            // decides instead.
            for (size_t i = 0; i < ctx.getNumInputs() && i < required.size();
                 ++i)
              if (required[i] && !ctx.getInputType(i))
                fail_type_inference("input ", i, " has no type");
            // A map or sequence where the op takes a tensor: the library
            // reads its tensor type without looking.
            for (size_t i = 0; i < ctx.getNumInputs() && !tensorOnly.empty();
                 ++i) {
              const onnx::TypeProto *t = ctx.getInputType(i);
              if (t && t->value_case() != onnx::TypeProto::kTensorType &&
                  t->value_case() != onnx::TypeProto::VALUE_NOT_SET &&
                  tensorOnly[std::min(i, tensorOnly.size() - 1)])
                fail_type_inference("input ", i,
                                    " is not a tensor, and the op takes one");
            }
            auto rank = [&](int i) -> int64_t {
              if (i < 0 || size_t(i) >= ctx.getNumInputs())
                return -1;
              const onnx::TypeProto *t = ctx.getInputType(i);
              if (!t || !t->has_tensor_type() || !t->tensor_type().has_shape())
                return -1;
              return t->tensor_type().shape().dim_size();
            };
            int64_t r0 = rank(0);
            std::string problem;
            if (window)
              problem = windowRankProblem(r0, "W", rank(weightIndex));
            // MaxUnpool's indices have the shape of its input.
            if (problem.empty() && op == "MaxUnpool" && r0 >= 0 &&
                rank(1) >= 0 && rank(1) != r0)
              problem = "indices 'I' have rank " + std::to_string(rank(1)) +
                        " but the input has rank " + std::to_string(r0);
            const onnx::AttributeProto *axis = ctx.getAttribute("axis");
            std::optional<int64_t> axisValue = axisDefault;
            if (axis)
              axisValue = axis->type() == onnx::AttributeProto::INT
                              ? std::optional<int64_t>(axis->i())
                              : std::nullopt;
            if (problem.empty() && r0 >= 0 && axisValue) {
              auto [lo, hi] = axisRange(op, r0);
              if (*axisValue < lo || *axisValue > hi)
                problem = "attribute 'axis' is " + std::to_string(*axisValue) +
                          ", outside [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "] for an input of rank " +
                          std::to_string(r0);
            }
            if (!problem.empty())
              fail_shape_inference(problem);
            inner(ctx);
          });
    }
  });
}

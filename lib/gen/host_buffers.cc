#include "gen/host_buffers.h"

#include <algorithm>

#include <fmt/format.h>

namespace wasmiot::gen {

// ---- Buffer arguments of exports (manifest "host_buffers")

bool TakesHostBuffers(const Manifest& m, const Signature& signature) {
  return m.host_buffers && signature.TakesBuffers();
}

std::string HostBufferDefines(const Manifest& m) {
  if (!m.host_buffers || m.host_buffers->kind != HostBufferKind::kReserved) return "";
  return fmt::format(
      "/* Where the export wrappers put buffer arguments (manifest \"host_buffers\"): a\n"
      " * region of the module's memory modules keep free. */\n"
      "#define WASMIOT_HOST_BUFFERS_ADDRESS {}u\n#define WASMIOT_HOST_BUFFERS_BYTES {}u\n",
      m.host_buffers->address, m.host_buffers->bytes);
}

namespace {
// Words filled into lines of at most `width` characters.
std::vector<std::string> Wrap(std::string_view text, size_t width = 80) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find(' ', start), text.size());
    std::string_view word = text.substr(start, end - start);
    if (!lines.back().empty() && lines.back().size() + 1 + word.size() > width) lines.emplace_back();
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += word;
    start = end + 1;
  }
  return lines;
}
}  // namespace

std::vector<std::string> HostBufferConventionDoc(const Manifest& m) {
  if (!m.host_buffers) return {};
  const HostBuffers& hb = *m.host_buffers;
  const std::string fill =
      "copies in what the module reads (zeros for a buffer it only writes), passes their addresses, and on "
      "WASMIOT_OK copies back what the module writes. ";
  const std::string null = "A pointer NULL with a length is WASMIOT_NO_HOST_BUFFER (NULL with 0 is fine).";
  std::string text;
  if (hb.kind == HostBufferKind::kReserved) {
    text = "A buffer parameter is the host's memory (manifest \"host_buffers\": reserved). The wrapper places the "
           "call's buffers one after another in the region [WASMIOT_HOST_BUFFERS_ADDRESS, + "
           "WASMIOT_HOST_BUFFERS_BYTES) of the module's memory, each at an 8-aligned offset from its start, " +
           fill +
           "If they do not fit, or the region is not inside the module's memory, the wrapper returns "
           "WASMIOT_NO_HOST_BUFFER before the module runs. " + null;
  } else {
    text = fmt::format(
        "A buffer parameter is the host's memory (manifest \"host_buffers\": allocator). The wrapper gets each "
        "buffer from the module's export \"{}\", called under the budgets as every export is (a trap there is "
        "the wrapper's status; 0 (no room) or a range outside the module's memory is WASMIOT_NO_HOST_BUFFER), ",
        hb.alloc);
    text += fill;
    text += hb.free.empty()
                ? "The module does not get them back (host_buffers names no \"free\"). "
                : fmt::format("Then it gives each buffer back to \"{}\", the last first, whatever the call's status "
                              "(and on any earlier exit): a trap there turns WASMIOT_OK into that trap, though the "
                              "bytes are already copied back. ",
                              hb.free);
    text += null;
  }
  return Wrap(text);
}

std::vector<std::string> HostBufferParamDoc(const Signature& signature) {
  std::vector<std::string> out;
  for (const Param& p : signature.params) {
    if (!p.is_pointer) continue;
    std::string_view what = p.access == BufferAccess::kRead    ? "reads (copied in)"
                            : p.access == BufferAccess::kWrite ? "writes (zeros go in; copied back on WASMIOT_OK)"
                                                               : "reads and writes (copied in, and back on WASMIOT_OK)";
    std::vector<std::string> lines =
        Wrap(fmt::format("`{}`: `{}` bytes of host memory the module {}.", SymbolPart(p.name),
                         SymbolPart(p.length_name), what));
    for (size_t i = 0; i < lines.size(); ++i) out.push_back(i ? "  " + lines[i] : lines[i]);
  }
  return out;
}

namespace {

// The shared C, with $context_param, $context, $alloc and $free (the wrappers
// of the allocator's exports) for each runtime and manifest to fill in.
constexpr std::string_view kBufferCommon = R"C(
/* ---- Buffer arguments (manifest "host_buffers") ---- */

/* One buffer argument of an export: the host's memory and its place in the module's. */
typedef struct wasmiot_buffer {
  const uint8_t* in; /* copied in (the module reads it), or NULL: zeros go in */
  uint8_t* out;      /* copied back on WASMIOT_OK (the module writes it), or NULL */
  uint32_t length;
  uint32_t address;  /* in the module's memory, once placed */
} wasmiot_buffer;

static wasmiot_buffer wasmiot_buffer_of(const uint8_t* in, uint8_t* out, uint32_t length) {
  wasmiot_buffer buffer;
  buffer.in = in;
  buffer.out = out;
  buffer.length = length;
  buffer.address = 0;
  return buffer;
}

/* False when a buffer is NULL but has a length. */
static bool wasmiot_buffers_given(const wasmiot_buffer* buffers, uint32_t count) {
  uint32_t i;
  for (i = 0; i < count; ++i) {
    if (!buffers[i].in && !buffers[i].out && buffers[i].length) return false;
  }
  return true;
}
)C";

constexpr std::string_view kBuffersInOut = R"C(
/* Each placed buffer checked against the module's memory and filled: the host's
 * bytes, or zeros, so that no stale bytes of the module's come back as written. */
static wasmiot_status wasmiot_buffers_in($context_param, const wasmiot_buffer* buffers, uint32_t count) {
  uint32_t i;
  for (i = 0; i < count; ++i) {
    uint8_t* native = NULL;
    if (!wasmiot_guest_range($context, buffers[i].address, buffers[i].length, &native)) return WASMIOT_NO_HOST_BUFFER;
    if (buffers[i].length == 0) continue;
    if (buffers[i].in) {
      memcpy(native, buffers[i].in, buffers[i].length);
    } else {
      memset(native, 0, buffers[i].length);
    }
  }
  return WASMIOT_OK;
}

/* What the module wrote, into the host's memory: each buffer found again, as the
 * module's memory may have grown and moved during the call. */
static wasmiot_status wasmiot_buffers_out($context_param, const wasmiot_buffer* buffers, uint32_t count) {
  uint32_t i;
  for (i = 0; i < count; ++i) {
    uint8_t* native = NULL;
    if (!buffers[i].out || buffers[i].length == 0) continue;
    if (!wasmiot_guest_range($context, buffers[i].address, buffers[i].length, &native)) return WASMIOT_NO_HOST_BUFFER;
    memcpy(buffers[i].out, native, buffers[i].length);
  }
  return WASMIOT_OK;
}
)C";

constexpr std::string_view kPlaceReserved = R"C(
/* Places the buffers one after another in the reserved region, each at an 8-aligned
 * offset from its start, and fills them; WASMIOT_NO_HOST_BUFFER when one is NULL with
 * a length, they do not fit, or the region is not inside the module's memory. */
static wasmiot_status wasmiot_buffers_place($context_param, wasmiot_buffer* buffers, uint32_t count) {
  uint64_t offset = 0;
  uint32_t i;
  if (!wasmiot_buffers_given(buffers, count)) return WASMIOT_NO_HOST_BUFFER;
  for (i = 0; i < count; ++i) {
    offset = (offset + 7u) / 8u * 8u;
    if (buffers[i].length > WASMIOT_HOST_BUFFERS_BYTES || offset > WASMIOT_HOST_BUFFERS_BYTES - buffers[i].length) {
      return WASMIOT_NO_HOST_BUFFER;
    }
    buffers[i].address = (uint32_t)(WASMIOT_HOST_BUFFERS_ADDRESS + offset);
    offset += buffers[i].length;
  }
  return wasmiot_buffers_in($context, buffers, count);
}
)C";

// Only with a free export.
constexpr std::string_view kRelease = R"C(
/* Gives every buffer the allocator gave back to the module's free export, the last
 * first; the first trap there replaces a WASMIOT_OK status. */
static wasmiot_status wasmiot_buffers_release($context_param, const wasmiot_buffer* buffers, uint32_t count,
    wasmiot_status status) {
  while (count > 0) {
    wasmiot_status freed;
    --count;
    if (buffers[count].address == 0) continue;
    freed = $free($context, (int32_t)buffers[count].address);
    if (status == WASMIOT_OK) status = freed;
  }
  return status;
}
)C";

constexpr std::string_view kPlaceAllocator = R"C(
/* Gets each buffer from the module's allocator export (its trap is the status; 0,
 * no room, is WASMIOT_NO_HOST_BUFFER) and fills them; on failure gives back what
 * it got, when the module has a free export. */
static wasmiot_status wasmiot_buffers_place($context_param, wasmiot_buffer* buffers, uint32_t count) {
  wasmiot_status status = wasmiot_buffers_given(buffers, count) ? WASMIOT_OK : WASMIOT_NO_HOST_BUFFER;
  uint32_t i;
  for (i = 0; i < count && status == WASMIOT_OK; ++i) {
    int32_t address = 0;
    status = $alloc($context, (int32_t)buffers[i].length, &address);
    buffers[i].address = (uint32_t)address;
    if (status == WASMIOT_OK && address == 0) status = WASMIOT_NO_HOST_BUFFER;
  }
  if (status == WASMIOT_OK) status = wasmiot_buffers_in($context, buffers, count);
)C";

constexpr std::string_view kFinish = R"C(
/* After the call: on WASMIOT_OK, what the module wrote copied back$released. */
static wasmiot_status wasmiot_buffers_finish($context_param, const wasmiot_buffer* buffers, uint32_t count,
    wasmiot_status status) {
  if (status == WASMIOT_OK) status = wasmiot_buffers_out($context, buffers, count);
  return $finish;
}
)C";

// `text` with each $token replaced (the longer first: $context_param before $context).
std::string Fill(std::string_view text, const std::vector<std::pair<std::string_view, std::string>>& tokens) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    auto token = tokens.end();
    if (text[i] == '$') {
      token = std::find_if(tokens.begin(), tokens.end(),
                           [&](const auto& t) { return text.substr(i, t.first.size()) == t.first; });
    }
    if (token == tokens.end()) {
      out += text[i++];
    } else {
      out += token->second;
      i += token->first.size();
    }
  }
  return out;
}

}  // namespace

std::string HostBufferSupport(const Manifest& m, const Names& names, const HostCallContext& context) {
  bool used = false;
  for (const ExportNames& e : names.exports) used |= TakesHostBuffers(m, e.spec->signature);
  if (!used) return "";
  const HostBuffers& hb = *m.host_buffers;
  bool frees = hb.kind == HostBufferKind::kAllocator && !hb.free.empty();
  std::string c(kBufferCommon);
  c += "\n" + context.guest_range;
  c += kBuffersInOut;
  if (frees) c += kRelease;
  if (hb.kind == HostBufferKind::kReserved) {
    c += kPlaceReserved;
  } else {
    c += kPlaceAllocator;
    if (frees) c += "  if (status != WASMIOT_OK) (void)wasmiot_buffers_release($context, buffers, count, status);\n";
    c += "  return status;\n}\n";
  }
  c += kFinish;
  return Fill(c, {{"$context_param", context.param},
                  {"$context", context.arg},
                  {"$alloc", "wasmiot_call_" + SymbolPart(hb.alloc)},
                  {"$free", "wasmiot_call_" + SymbolPart(hb.free)},
                  {"$released", frees ? ";\n * then every buffer given back, whatever the status" : ""},
                  {"$finish", frees ? "wasmiot_buffers_release(" + context.arg + ", buffers, count, status)" : "status"}});
}

std::string HostBufferWrapper(const ExportNames& e, const HostCallContext& context, const std::string& missing) {
  const Signature& s = e.spec->signature;
  std::string fill, args = context.arg;
  size_t count = 0;
  for (const Param& p : s.params) {
    std::string name = SymbolPart(p.name);
    if (!p.is_pointer) {
      args += ", " + name;
      continue;
    }
    std::string length = SymbolPart(p.length_name);
    fill += fmt::format("  wasmiot_buffers[{}] = wasmiot_buffer_of({}, {}, {});\n", count,
                        p.access == BufferAccess::kWrite ? "NULL" : name,
                        p.access == BufferAccess::kRead ? "NULL" : name, length);
    args += fmt::format(", wasmiot_buffers[{}].address, {}", count++, length);
  }
  std::string c = fmt::format("\nwasmiot_status wasmiot_call_{}({}) {{\n", e.c_name, WrapperParams(s, context.param, true));
  c += fmt::format("  wasmiot_buffer wasmiot_buffers[{}];\n  wasmiot_status wasmiot_result;\n", count);
  if (!s.results.empty()) {
    c += fmt::format("  {} wasmiot_value = 0;\n", CType(s.results[0].type));
    args += ", &wasmiot_value";
  }
  c += fmt::format("  if ({}) return WASMIOT_MISSING_EXPORT;\n", missing);
  c += fill;
  c += fmt::format("  wasmiot_result = wasmiot_buffers_place({}, wasmiot_buffers, {});\n", context.arg, count);
  c += "  if (wasmiot_result != WASMIOT_OK) return wasmiot_result;\n";
  c += fmt::format("  wasmiot_result = wasmiot_raw_{}({});\n", e.c_name, args);
  c += fmt::format("  wasmiot_result = wasmiot_buffers_finish({}, wasmiot_buffers, {}, wasmiot_result);\n",
                   context.arg, count);
  if (!s.results.empty()) {
    c += fmt::format("  if (wasmiot_result == WASMIOT_OK && {0}) *{0} = wasmiot_value;\n", SymbolPart(s.results[0].name));
  }
  return c + "  return wasmiot_result;\n}\n";
}

std::string ExportWrapperDeclarations(const Manifest& manifest, const Names& names, const std::string& first) {
  std::string h;
  for (const ExportNames& e : names.exports) {
    const Signature& s = e.spec->signature;
    std::vector<std::string> doc = CommentLines(e.spec->doc);
    doc.insert(doc.begin(), fmt::format("Calls export \"{}\" ({}).", e.spec->name, e.spec->required ? "required" : "optional"));
    bool host_memory = TakesHostBuffers(manifest, s);
    if (host_memory) {
      std::vector<std::string> more = HostBufferParamDoc(s);
      doc.insert(doc.end(), more.begin(), more.end());
    }
    h += "\n" + CDocComment(doc);
    h += fmt::format("wasmiot_status wasmiot_call_{}({});\n", e.c_name, WrapperParams(s, first, host_memory));
  }
  return h;
}

}  // namespace wasmiot::gen

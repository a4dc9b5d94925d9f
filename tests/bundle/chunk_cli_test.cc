// wasmiot chunk, assemble and inspect on chunk streams and folders: the
// command-line side of issue 4's chunk attacks and faults.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bundle/bundle.h"
#include "bundle/chunk_files.h"
#include "bundle/chunks.h"
#include "keys/keys.h"
#include "support/file_io.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;
namespace fs = std::filesystem;

namespace {

// A key, a checked module, and bundles signed for the thermostat.
struct Release {
  Release() {
    WriteBytes(module, WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat")));
    REQUIRE(RunWasmiot({"keygen", "-o", dir.File("k")}).exit_code == 0);
  }
  // Signs the module into `name`.
  std::string Sign(const std::string& name, int seq, int chunk_size = 64) {
    std::vector<std::string> args = {"sign", module, "--key", dir.File("k.key"), "-m", device, "--version",
                                     "1.0.0", "--seq", std::to_string(seq), "--chunk-size",
                                     std::to_string(chunk_size), "-o", dir.File(name)};
    RunResult r = RunWasmiot(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return dir.File(name);
  }
  RunResult Assemble(const std::string& input, const std::string& out, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"assemble", input, "-p", dir.File("k.pub.pem"), "-o", out};
    args.insert(args.end(), more.begin(), more.end());
    return RunWasmiot(args);
  }
  std::vector<std::string> ChunkFiles(const std::string& folder) const {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(folder)) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    return files;
  }
  bool Valid(const std::string& schema, const std::string& json) { return MatchesSchema(schema, json, dir); }

  TempDir dir;
  std::string module = dir.File("t.wasm");
  std::string device = SourceDir() + "/templates/thermostat/device.json";
};

}  // namespace

TEST_CASE("chunk writes a folder and a stream, assemble rebuilds the module from either") {
  Release r;
  std::string bundle = r.Sign("t.bundle", 7);
  std::string folder = r.dir.File("t.chunks"), stream = r.dir.File("t.stream");
  RunResult c = RunWasmiot({"chunk", bundle, "-o", folder, "--stream", stream});
  INFO(c.err);
  REQUIRE(c.exit_code == 0);
  CHECK_THAT(c.out, Catch::Contains("9 frames (header, 2 table parts, 6 chunks of 64 bytes)"));
  // One of a kind is said so: the module fits one 1024-byte chunk.
  RunResult one = RunWasmiot({"chunk", r.Sign("one.bundle", 8, 1024), "--stream", r.dir.File("one.stream")});
  CHECK_THAT(one.out, Catch::Contains("3 frames (header, 1 table part, 1 chunk of 1024 bytes)"));
  std::vector<std::string> files = r.ChunkFiles(folder);
  REQUIRE(files.size() == 9);
  CHECK(fs::path(files[0]).filename() == "000000.chunk");
  CHECK(fs::path(files[8]).filename() == "000008.chunk");
  Bytes concatenated;
  for (const std::string& f : files) {
    Bytes b = ReadBytes(f);
    concatenated.insert(concatenated.end(), b.begin(), b.end());
  }
  CHECK(concatenated == ReadBytes(stream));

  for (const std::string& input : {folder, stream}) {
    std::string out = r.dir.File("out.wasm");
    fs::remove(out);
    RunResult a = r.Assemble(input, out, {"-m", r.device, "--installed-seq", "6"});
    INFO(a.err);
    CHECK(a.exit_code == 0);
    CHECK_THAT(a.out, Catch::Contains("360 payload bytes from 9 frames, verified: wasm 1.0.0 (sequence 7)"));
    CHECK(ReadBytes(out) == ReadBytes(r.module));
  }
  // Chunking is reproducible.
  std::string again = r.dir.File("again.stream");
  REQUIRE(RunWasmiot({"chunk", bundle, "--stream", again}).exit_code == 0);
  CHECK(ReadBytes(again) == ReadBytes(stream));

  // inspect describes both; every JSON document matches its schema.
  RunResult inspect = RunWasmiot({"inspect", folder});
  CHECK(inspect.exit_code == 0);
  CHECK_THAT(inspect.out, Catch::Contains("wasmiot chunk folder, 9 frames"));
  CHECK_THAT(inspect.out, Catch::Contains("6 of 6 chunks of 64 bytes"));
  nlohmann::json j = nlohmann::json::parse(RunWasmiot({"inspect", stream, "--json"}).out);
  CHECK(j["kind"] == "chunk-stream");
  CHECK(j["chunks"]["table_ok"] == true);
  CHECK(j["chunks"]["missing_chunks"].empty());
  CHECK(j["bundle"]["sequence"] == 7);
  CHECK(r.Valid("inspect-output.schema.json", j.dump()));
  CHECK(r.Valid("inspect-output.schema.json", RunWasmiot({"inspect", folder, "--json"}).out));
  CHECK(r.Valid("chunk-output.schema.json", RunWasmiot({"chunk", bundle, "--stream", again, "--json"}).out));
  CHECK(r.Valid("assemble-output.schema.json", r.Assemble(stream, r.dir.File("o.wasm"), {"--json"}).out));
  CHECK(r.Valid("assemble-output.schema.json", r.Assemble(stream, r.dir.File("o.wasm"), {"--json", "--installed-seq", "7"}).out));
}

TEST_CASE("chunk overhead at 1 KiB chunks stays under 3% of the payload") {
  Release r;
  // 200 KiB of AOT code, signed through the library: `sign` would compile
  // the module itself, and the thermostat module is not that large.
  REQUIRE(InitCrypto().ok());
  Bytes code = PseudoRandomBytes(200 * 1024, 9);
  WriteBytes(r.dir.File("lib.a"), code);
  Diagnostics diagnostics;
  Result<Manifest> manifest = LoadManifest(r.device, diagnostics);
  REQUIRE(manifest.ok());
  Result<LoadedKey> key = ParseKey(ReadBytes(r.dir.File("k.key")), std::nullopt);
  REQUIRE(key.ok());
  BundleSpec spec;
  spec.payload = code;
  spec.kind = WASMIOT_PAYLOAD_AOT;
  spec.target = "cortex-m4f";
  spec.module_digest = HashSha256(code.data(), 1);
  spec.sequence = 3;
  spec.manifest = &*manifest;
  Result<Bytes> built = BuildBundle(spec, *key->secret);
  REQUIRE(built.ok());
  std::string bundle = r.dir.File("m4.bundle");
  WriteBytes(bundle, *built);
  RunResult c = RunWasmiot({"chunk", bundle, "--stream", r.dir.File("m4.stream"), "--json"});
  REQUIRE(c.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(c.out);
  CHECK(j["chunks"] == 200);
  CHECK(j["per_chunk_overhead_percent"].get<double>() == Approx(100.0 * 25 / 1024));
  // 200 x (9 + 16) + 209 (header frame) + 4 x 9 (table frame headers) bytes.
  CHECK(j["overhead_bytes"] == 200 * 25 + 209 + 4 * 9);
  CHECK(j["overhead_percent"].get<double>() < 3.0);
  RunResult a = r.Assemble(r.dir.File("m4.stream"), r.dir.File("lib.out"), {"--kind", "aot", "--target", "cortex-m4f"});
  INFO(a.err);
  CHECK(a.exit_code == 0);
  CHECK(ReadBytes(r.dir.File("lib.out")) == ReadBytes(r.dir.File("lib.a")));

  // The same through the library: a folder and a stream, the same figures.
  ChunkRequest request;
  request.bundle_path = bundle;
  request.output_dir = r.dir.File("m4.chunks");
  request.stream_path = r.dir.File("m4-lib.stream");
  Diagnostics d;
  Result<ChunkReport> report = WriteChunks(request, d);
  INFO(DiagnosticsText(d));
  REQUIRE(report.ok());
  CHECK(report->chunks == 200);
  CHECK(report->frames == 1 + report->table_parts + 200);
  CHECK(report->overhead_bytes == j["overhead_bytes"].get<uint64_t>());
  CHECK(ReadBytes(request.stream_path) == ReadBytes(r.dir.File("m4.stream")));
  CHECK(std::filesystem::exists(r.dir.File("m4.chunks/000000.chunk")));
  Diagnostics again;
  CHECK_FALSE(WriteChunks(request, again).ok());
  CHECK_THAT(DiagnosticsText(again), Catch::Contains("holds chunk files already; ask to replace them [output-exists]"));
  request.replace_chunks = true;
  Diagnostics replaced;
  CHECK(WriteChunks(request, replaced).ok());
}

TEST_CASE("assemble takes frames in any order, with the same result") {
  Release r;
  std::string stream = r.dir.File("t.stream");
  REQUIRE(RunWasmiot({"chunk", r.Sign("t.bundle", 7), "--stream", stream}).exit_code == 0);
  std::string folder = r.dir.File("shuffled");
  fs::create_directory(folder);
  REQUIRE(RunWasmiot({"chunk", r.Sign("t.bundle", 7), "-o", r.dir.File("ordered")}).exit_code == 0);
  std::vector<std::string> files = r.ChunkFiles(r.dir.File("ordered"));
  std::mt19937 rng(7);
  std::shuffle(files.begin(), files.end(), rng);
  std::reverse(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i) fs::copy_file(files[i], folder + "/" + fmt::format("{:03}.chunk", i));
  RunResult a = r.Assemble(folder, r.dir.File("out.wasm"), {"--json"});
  INFO(a.out);
  CHECK(a.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(a.out);
  CHECK(j["outcomes"]["accepted"].get<int>() + j["outcomes"]["complete"].get<int>() == 9);
  CHECK(ReadBytes(r.dir.File("out.wasm")) == ReadBytes(r.module));
  RunResult ordered = r.Assemble(r.dir.File("ordered"), r.dir.File("out2.wasm"), {"--json"});
  nlohmann::json o = nlohmann::json::parse(ordered.out);
  CHECK(o["outcomes"] == j["outcomes"]);
  CHECK(o["passes"] == j["passes"]);
}

TEST_CASE("assemble: a set holding every good frame completes in any order, whatever else it holds") {
  Release r;
  std::string newer = r.dir.File("newer"), older = r.dir.File("older");
  REQUIRE(RunWasmiot({"chunk", r.Sign("new.bundle", 7), "-o", newer}).exit_code == 0);
  REQUIRE(RunWasmiot({"chunk", r.Sign("old.bundle", 5), "-o", older}).exit_code == 0);
  std::vector<Bytes> frames;
  for (const std::string& dir : {newer, older}) {
    for (const std::string& f : r.ChunkFiles(dir)) frames.push_back(ReadBytes(f));
  }
  // A second, damaged copy of the newer bundle's table part (frame 1): it conflicts with the
  // good one, and whichever the receiver takes first, the table must end up right.
  Bytes bad_table = ReadBytes(newer + "/000001.chunk");
  bad_table.back() ^= 0x40;
  frames.push_back(bad_table);
  std::mt19937 rng(11);
  for (int round = 0; round < 12; ++round) {
    std::shuffle(frames.begin(), frames.end(), rng);
    std::string folder = r.dir.File(fmt::format("mixed{}", round));
    fs::create_directory(folder);
    for (size_t i = 0; i < frames.size(); ++i) WriteBytes(folder + fmt::format("/{:03}.chunk", i), frames[i]);
    std::string out = r.dir.File(fmt::format("out{}.wasm", round));
    RunResult a = r.Assemble(folder, out, {"--json"});
    INFO("round " << round << "\n" << a.out << a.err);
    REQUIRE(a.exit_code == 0);
    nlohmann::json j = nlohmann::json::parse(a.out);
    CHECK(j["header"]["sequence"] == 7);
    CHECK(ReadBytes(out) == ReadBytes(r.module));
  }
}

TEST_CASE("assemble: missing chunks write nothing, --slot resumes") {
  Release r;
  std::string all = r.dir.File("all");
  REQUIRE(RunWasmiot({"chunk", r.Sign("t.bundle", 7), "-o", all}).exit_code == 0);
  std::vector<std::string> files = r.ChunkFiles(all);
  std::string first = r.dir.File("first"), second = r.dir.File("second");
  fs::create_directory(first);
  fs::create_directory(second);
  for (size_t i = 0; i < files.size(); ++i) {
    fs::copy_file(files[i], (i < 5 ? first : second) + "/" + fs::path(files[i]).filename().string());
  }
  std::string out = r.dir.File("out.wasm"), slot = r.dir.File("device.slot");
  RunResult partial = r.Assemble(first, out, {"--slot", slot});
  CHECK(partial.exit_code == 1);
  CHECK(r.Valid("assemble-output.schema.json", r.Assemble(first, out, {"--json"}).out));
  CHECK_THAT(partial.err, Catch::Contains("4 of 6 chunks missing: 2-5 [chunks-incomplete]"));
  CHECK_FALSE(fs::exists(out));
  REQUIRE(fs::exists(slot));
  // Without the slot the second half alone is nothing.
  CHECK(r.Assemble(second, out).exit_code == 1);
  RunResult rest = r.Assemble(second, out, {"--slot", slot, "--json"});
  INFO(rest.out);
  CHECK(rest.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(rest.out);
  CHECK(j["resumed"] == "accepted");
  CHECK(ReadBytes(out) == ReadBytes(r.module));
  CHECK(r.Valid("assemble-output.schema.json", rest.out));

  // A damaged slot: a stored chunk changed behind the device's back counts as
  // missing again; a slot of garbage holds nothing to resume; neither stops a
  // full set of frames.
  Bytes stored = ReadBytes(slot);
  stored[stored.size() - 10] ^= 1;  // in the last chunk
  WriteBytes(slot, stored);
  RunResult damaged = r.Assemble(first, out, {"--slot", slot});
  CHECK(damaged.exit_code == 1);
  CHECK_THAT(damaged.err, Catch::Contains("1 of 6 chunks missing: 5 [chunks-incomplete]"));
  WriteText(slot, "not a slot at all");
  RunResult garbage = r.Assemble(all, out, {"--slot", slot, "--json"});
  CHECK(garbage.exit_code == 0);
  CHECK(nlohmann::json::parse(garbage.out)["resumed"] == "idle");
  CHECK(r.Assemble(all, out, {"--slot", r.dir.path()}).exit_code == 3);  // a folder is no slot
}

TEST_CASE("assemble refuses corrupt, conflicting, foreign and unauthenticated frames") {
  Release r;
  std::string folder = r.dir.File("t.chunks");
  REQUIRE(RunWasmiot({"chunk", r.Sign("t.bundle", 7), "-o", folder}).exit_code == 0);
  std::string out = r.dir.File("out.wasm");

  SECTION("a bit flipped in one chunk: only that chunk is refused; a good copy completes it") {
    Bytes chunk = ReadBytes(folder + "/000004.chunk");
    chunk[30] ^= 0x04;
    WriteBytes(folder + "/000004.chunk", chunk);
    RunResult bad = r.Assemble(folder, out);
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Catch::Contains(folder + "/000004.chunk:0x0: warning: frame 4 does not match its signed digest [chunk-corrupt]"));
    CHECK_THAT(bad.err, Catch::Contains("1 of 6 chunks missing: 1 [chunks-incomplete]"));
    CHECK_FALSE(fs::exists(out));
    chunk[30] ^= 0x04;
    WriteBytes(folder + "/000009.chunk", chunk);  // the sender resends it
    RunResult good = r.Assemble(folder, out);
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.err, Catch::Contains("[chunk-corrupt]"));
    CHECK(ReadBytes(out) == ReadBytes(r.module));
  }
  SECTION("a duplicate with other bytes is refused, an identical one ignored") {
    fs::copy_file(folder + "/000005.chunk", folder + "/000010.chunk");
    Bytes chunk = ReadBytes(folder + "/000005.chunk");
    chunk.back() ^= 1;
    WriteBytes(folder + "/000011.chunk", chunk);
    RunResult a = r.Assemble(folder, out, {"--json"});
    CHECK(a.exit_code == 0);
    nlohmann::json j = nlohmann::json::parse(a.out);
    CHECK(j["outcomes"]["duplicate"] == 1);
    CHECK(j["outcomes"]["conflict"] == 1);
  }
  SECTION("two bundles' frames interleaved: the newer is assembled, the older's frames are foreign") {
    std::string older = r.dir.File("older");
    REQUIRE(RunWasmiot({"chunk", r.Sign("old.bundle", 5), "-o", older}).exit_code == 0);
    for (const std::string& f : r.ChunkFiles(older)) {
      fs::copy_file(f, folder + "/" + fs::path(f).stem().string() + "b.chunk");  // 000000b.chunk after 000000.chunk
    }
    RunResult a = r.Assemble(folder, out, {"--json"});
    CHECK(a.exit_code == 0);
    nlohmann::json j = nlohmann::json::parse(a.out);
    CHECK(j["header"]["sequence"] == 7);
    CHECK(j["outcomes"]["busy"] == 1);
    CHECK(j["outcomes"]["foreign"] == 8);
    CHECK(ReadBytes(out) == ReadBytes(r.module));
  }
  SECTION("unknown key, wrong device, rollback: refused before any payload") {
    REQUIRE(RunWasmiot({"keygen", "-o", r.dir.File("other")}).exit_code == 0);
    RunResult unknown = RunWasmiot({"assemble", folder, "-p", r.dir.File("other.pub.pem"), "-o", out});
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.err, Catch::Contains("which is not among the trusted keys [bundle-unknown-key]"));
    CHECK_THAT(unknown.err, !Catch::Contains("warning"));
    RunResult camera = r.Assemble(folder, out, {"-m", SourceDir() + "/templates/motion-detector/device.json"});
    CHECK(camera.exit_code == 1);
    CHECK_THAT(camera.err, Catch::Contains("[bundle-wrong-device]"));
    RunResult rollback = r.Assemble(folder, out, {"--installed-seq", "7"});
    CHECK(rollback.exit_code == 1);
    CHECK_THAT(rollback.err, Catch::Contains("sequence 7 is not above the installed 7 [bundle-rollback]"));
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("chunk and assemble: bad inputs and outputs") {
  Release r;
  std::string bundle = r.Sign("t.bundle", 7);
  std::string stream = r.dir.File("t.stream");
  REQUIRE(RunWasmiot({"chunk", bundle, "--stream", stream}).exit_code == 0);
  std::string out = r.dir.File("out.wasm");

  CHECK(RunWasmiot({"chunk", bundle}).exit_code == 2);  // nowhere to write
  CHECK(RunWasmiot({"chunk", bundle, "--stream", bundle}).exit_code == 2);
  CHECK(r.Assemble(stream, stream).exit_code == 2);
  CHECK(r.Assemble(r.dir.File("missing"), out).exit_code == 3);

  // A bundle whose payload does not match its header is not chunked.
  Bytes broken = ReadBytes(bundle);
  broken.back() ^= 1;
  WriteBytes(r.dir.File("broken.bundle"), broken);
  RunResult b = RunWasmiot({"chunk", r.dir.File("broken.bundle"), "-o", r.dir.File("broken")});
  CHECK(b.exit_code == 1);
  CHECK_THAT(b.err, Catch::Contains("not a sound bundle (payload-mismatch)"));
  CHECK_FALSE(fs::exists(r.dir.File("broken")));

  // Output folders: others' files are never touched; old chunks only with --force.
  std::string used = r.dir.File("used");
  fs::create_directory(used);
  WriteText(used + "/notes.txt", "mine");
  CHECK(RunWasmiot({"chunk", bundle, "-o", used, "--force"}).exit_code == 1);
  CHECK(ReadText(used + "/notes.txt") == "mine");
  std::string chunks = r.dir.File("chunks");
  REQUIRE(RunWasmiot({"chunk", bundle, "-o", chunks}).exit_code == 0);
  WriteText(chunks + "/999999.chunk", "stale");
  CHECK(RunWasmiot({"chunk", bundle, "-o", chunks}).exit_code == 1);
  CHECK(RunWasmiot({"chunk", bundle, "-o", chunks, "--force"}).exit_code == 0);
  CHECK_FALSE(fs::exists(chunks + "/999999.chunk"));
  CHECK(r.ChunkFiles(chunks).size() == 9);
  // --force swaps the folder whole: the old inode goes, nothing of it is left beside it.
  struct stat old_dir {};
  REQUIRE(stat(chunks.c_str(), &old_dir) == 0);
  CHECK(RunWasmiot({"chunk", bundle, "-o", chunks, "--force"}).exit_code == 0);
  struct stat new_dir {};
  REQUIRE(stat(chunks.c_str(), &new_dir) == 0);
  CHECK(new_dir.st_ino != old_dir.st_ino);  // both existed at once, so they differ
  CHECK(r.ChunkFiles(chunks).size() == 9);
  // A staging folder left by a killed run (its pid is gone) is removed by the next run.
  RunResult dead = Run({"sh", "-c", "echo $$"});
  std::string pid = dead.out.substr(0, dead.out.find('\n'));
  std::string stale = chunks + ".tmp-" + pid + "-AbCdEf";
  fs::create_directory(stale);
  WriteText(stale + "/000001.chunk", "half of an old run");
  CHECK(RunWasmiot({"chunk", bundle, "-o", chunks, "--force"}).exit_code == 0);
  CHECK_FALSE(fs::exists(stale));
  for (const auto& e : fs::directory_iterator(r.dir.path())) {
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  }

  // A stream cut inside a frame: refused with the offset of that frame.
  Bytes s = ReadBytes(stream);
  WriteBytes(r.dir.File("cut.stream"), Bytes(s.begin(), s.end() - 5));
  RunResult cut = r.Assemble(r.dir.File("cut.stream"), out);
  CHECK(cut.exit_code == 1);
  CHECK_THAT(cut.err, Catch::Contains("cut.stream:0x2b0: error: a frame of 40 data bytes runs past the end [chunks-malformed]"));
  RunResult cut_inspect = RunWasmiot({"inspect", r.dir.File("cut.stream")});
  CHECK(cut_inspect.exit_code == 1);
  CHECK_THAT(cut_inspect.err, Catch::Contains("[chunks-malformed]"));
  // Trailing garbage after the last frame is a frame of unknown type.
  Bytes trailing = s;
  trailing.push_back(0x42);
  WriteBytes(r.dir.File("trailing.stream"), trailing);
  CHECK_THAT(r.Assemble(r.dir.File("trailing.stream"), out).err, Catch::Contains("[chunks-malformed]"));
  // Folders: none, an empty chunk file, a file that is not one frame.
  std::string empty = r.dir.File("empty");
  fs::create_directory(empty);
  RunResult none = r.Assemble(empty, out);
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("the folder holds no .chunk files [chunks-missing]"));
  REQUIRE(RunWasmiot({"chunk", bundle, "-o", r.dir.File("odd")}).exit_code == 0);
  WriteText(r.dir.File("odd") + "/000003.chunk", "");
  RunResult odd = r.Assemble(r.dir.File("odd"), out);
  CHECK(odd.exit_code == 1);
  CHECK_THAT(odd.err, Catch::Contains("000003.chunk:0x0: warning: not one whole chunk frame; skipped [chunk-malformed]"));
  CHECK_FALSE(fs::exists(out));
  // Without the header frame, inspect cannot name the bundle.
  fs::remove(r.dir.File("odd") + "/000000.chunk");
  RunResult headless = RunWasmiot({"inspect", r.dir.File("odd"), "--json"});
  CHECK(headless.exit_code == 1);
  CHECK(r.Valid("inspect-output.schema.json", headless.out));
}

TEST_CASE("assemble reads a stream frame by frame and stops at what a bundle can hold") {
  TempDir dir;
  REQUIRE(RunWasmiot({"keygen", "-o", dir.File("k")}).exit_code == 0);
  // More empty chunk frames than any bundle has: refused once the count is passed.
  Bytes frame(WASMIOT_FRAME_HEADER_SIZE, 0);
  frame[WASMIOT_FRAME_OFF_TYPE] = WASMIOT_FRAME_CHUNK;
  Bytes stream;
  for (uint64_t i = 0; i <= kMaxFrames; ++i) stream.insert(stream.end(), frame.begin(), frame.end());
  WriteBytes(dir.File("many.stream"), stream);
  RunResult many = RunWasmiot({"assemble", dir.File("many.stream"), "-p", dir.File("k.pub.pem"), "-o", dir.File("out")});
  CHECK(many.exit_code == 1);
  CHECK_THAT(many.err, Catch::Contains("[stream-too-large]"));
  CHECK_FALSE(std::filesystem::exists(dir.File("out")));
  // A 4 GiB file (sparse: zeros) is refused at its first frame, without reading it whole.
  std::string huge = dir.File("huge.stream");
  REQUIRE(Run({"truncate", "-s", "4G", huge}).exit_code == 0);
  RunResult junk = RunWasmiot({"assemble", huge, "-p", dir.File("k.pub.pem"), "-o", dir.File("out")});
  CHECK(junk.exit_code == 1);
  CHECK_THAT(junk.err, Catch::Contains(huge + ":0x0: error: unknown frame type 0x00 [chunks-malformed]"));
}

TEST_CASE("inspect: a bundle's header is shown as not verified, and a truncated or inconsistent bundle fails") {
  Release r;
  std::string bundle = r.Sign("t.bundle", 7);
  RunResult good = RunWasmiot({"inspect", bundle});
  INFO(good.out << good.err);
  CHECK(good.exit_code == 0);
  CHECK(good.err.empty());
  CHECK_THAT(good.out, Catch::StartsWith(bundle + ": wasmiot bundle, format 2 (header not verified)\n"));
  CHECK_THAT(good.out, Catch::Contains("  integrity:  size, chunk table and payload match the header's digests\n"
                                       "  signature:  NOT VERIFIED: inspect has no key"));
  nlohmann::json j = nlohmann::json::parse(RunWasmiot({"inspect", bundle, "--json"}).out);
  CHECK(j["exit_code"] == 0);
  CHECK(j["header_verified"] == false);
  CHECK(j["bundle"]["sequence"] == 7);
  CHECK(r.Valid("inspect-output.schema.json", j.dump()));

  Bytes b = ReadBytes(bundle);
  auto variant = [&](const std::string& name, Bytes bytes) {
    std::string path = r.dir.File(name);
    WriteBytes(path, bytes);
    return path;
  };
  Bytes flipped = b;
  flipped.back() ^= 0x01;
  Bytes table = b;
  table[WASMIOT_BUNDLE_TABLE_OFFSET] ^= 0x01;
  Bytes longer = b;
  longer.push_back(0);
  const std::pair<std::string, std::string> broken[] = {
      {variant("cut.bundle", Bytes(b.begin(), b.end() - 1)), "bundle-truncated"},
      {variant("cut-table.bundle", Bytes(b.begin(), b.begin() + WASMIOT_BUNDLE_TABLE_OFFSET + 3)), "bundle-truncated"},
      {variant("longer.bundle", longer), "bundle-trailing-data"},
      {variant("table.bundle", table), "bundle-table-mismatch"},
      {variant("payload.bundle", flipped), "bundle-payload-mismatch"},
  };
  for (const auto& [path, code] : broken) {
    INFO(path);
    RunResult bad = RunWasmiot({"inspect", path});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Catch::StartsWith(path + ": error: ") && Catch::EndsWith("[" + code + "]\n"));
    // The header it carries is still described, as not verified, without the integrity line.
    CHECK_THAT(bad.out, Catch::Contains("(header not verified)") && Catch::Contains("NOT VERIFIED"));
    CHECK_THAT(bad.out, !Catch::Contains("integrity:"));
    nlohmann::json d = nlohmann::json::parse(RunWasmiot({"inspect", path, "--json"}).out);
    CHECK(d["exit_code"] == 1);
    CHECK(d["diagnostics"][0]["code"] == code);
    CHECK(d["header_verified"] == false);
    CHECK(r.Valid("inspect-output.schema.json", d.dump()));
  }
  // Cut inside the header: nothing to describe.
  std::string stub = variant("stub.bundle", Bytes(b.begin(), b.begin() + 100));
  RunResult cut = RunWasmiot({"inspect", stub});
  CHECK(cut.exit_code == 1);
  CHECK_THAT(cut.err, Catch::Contains("[bundle-truncated]"));
  CHECK(cut.out.empty());
  CHECK(r.Valid("inspect-output.schema.json", RunWasmiot({"inspect", stub, "--json"}).out));
}

#include "build_progress.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "output.h"

namespace wasmiot::tool {
namespace {

std::string StepName(const StepReport& s) { return s.detail.empty() ? s.step : s.step + " " + s.detail; }

}  // namespace

BuildProgress::BuildProgress() : spinner_([this] { Spin(); }) {}

BuildProgress::~BuildProgress() {
  stop_ = true;
  spinner_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  ClearLine();
}

BuildObserver BuildProgress::Observer() {
  BuildObserver o;
  o.started = [this](const StepReport& s) { Started(s); };
  o.finished = [this](const StepReport& s) { Finished(s); };
  return o;
}

void BuildProgress::ClearLine() {
  if (!line_shown_) return;
  std::fputs("\r\033[K", stderr);  // carriage return, erase to the end of the line
  line_shown_ = false;
}

void BuildProgress::Started(const StepReport& s) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (s.status == StepStatus::kBuilt) running_.insert(StepName(s));
}

void BuildProgress::Finished(const StepReport& s) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(StepName(s));
  ClearLine();
  if (s.status == StepStatus::kUpToDate) {
    PrintError("  {:<44} up to date\n", StepName(s));
  } else {
    PrintError("  {:<44} {} {:.2f} s\n", StepName(s), StepStatusName(s.status), s.seconds);
  }
}

// Every 100 ms: a spinner and the steps running, when any runs longer.
void BuildProgress::Spin() {
  static constexpr const char* kFrames[] = {"|", "/", "-", "\\"};
  for (unsigned tick = 0; !stop_; ++tick) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_.empty()) continue;
    std::string names;
    for (const std::string& r : running_) names += (names.empty() ? "" : ", ") + r;
    ClearLine();
    PrintError("  {} {}", kFrames[tick % 4], names.substr(0, 70));
    std::fflush(stderr);
    line_shown_ = true;
  }
}

}  // namespace wasmiot::tool

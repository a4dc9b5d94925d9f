// `wasmiot build`'s progress on a terminal: a line per step as it ends, and
// while steps run (AOT targets in parallel, scenarios) a spinner line naming
// them, redrawn in place. Only for a terminal: the caller decides.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "workflow/build.h"

namespace wasmiot::tool {

class BuildProgress {
 public:
  BuildProgress();
  ~BuildProgress();  // stops the spinner and clears its line
  BuildProgress(const BuildProgress&) = delete;
  BuildProgress& operator=(const BuildProgress&) = delete;

  // Callbacks for BuildProject; this object must outlive the build.
  BuildObserver Observer();

 private:
  void Started(const StepReport& step);
  void Finished(const StepReport& step);
  void Spin();
  void ClearLine();  // with mutex_ held

  std::mutex mutex_;
  std::set<std::string> running_;
  bool line_shown_ = false;
  std::atomic<bool> stop_{false};
  std::thread spinner_;
};

}  // namespace wasmiot::tool

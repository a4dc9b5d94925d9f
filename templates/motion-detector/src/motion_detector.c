// Motion detection module for the acme/camera-m320 device
// (device.json).
//
// Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//
// Corrected from the book chapter:
//  - read_camera_frame gets the buffer's length, and its result (bytes written)
//    is checked: a short or failed capture is logged and not compared.
//  - The very first frame only primes the detector. The chapter compared it
//    against an all-zero "previous frame" and raised a false alert at boot.
//  - No 76800-byte copy per frame: the two frames are used alternately
//    (ping-pong), so "previous" is just the other buffer.
//  - analyze_region clamps the rectangle to the frame (negative or huge
//    x, y, w, h are fine, and x + w cannot overflow), returns 0 for an empty
//    rectangle instead of dividing by zero, and measures the percentage over
//    the clamped area. The chapter also wrapped columns past the right edge
//    into the next row, because it only bounds-checked the flat index.
//
// Memory: two static 320x240 frames (150 KiB of .bss, no data segment) plus a
// 16 KiB stack fit the device's 4-page (256 KiB) memory.
#include <stdint.h>

// The host functions (env_*) and the exports, generated from device.json.
#include "wasmiot_guest.h"

enum {
  kWidth = 320,
  kHeight = 240,
  kPixels = kWidth * kHeight,
  kPixelThreshold = 30,  // a pixel "changed" if |current - previous| > 30
  kAlertPercent = 5,     // alert when more than 5% of the pixels changed
};

// ---- Pure computation (no imports; usable in a native baseline) ----------

// Number of pixels in rows [y0, y1) and columns [x0, x1) whose absolute
// difference between `a` and `b` exceeds kPixelThreshold. Both frames are
// row-major with a stride of kWidth. The caller guarantees the bounds.
static uint32_t CountChanged(const uint8_t* a, const uint8_t* b,
                             int32_t x0, int32_t y0, int32_t x1, int32_t y1) {
  uint32_t changed = 0;
  for (int32_t row = y0; row < y1; ++row) {
    const uint8_t* ra = a + row * kWidth;
    const uint8_t* rb = b + row * kWidth;
    for (int32_t col = x0; col < x1; ++col) {
      int32_t diff = (int32_t)ra[col] - (int32_t)rb[col];
      if (diff < 0) diff = -diff;
      changed += diff > kPixelThreshold;
    }
  }
  return changed;
}

// changed * 100 / total, rounded down; 0 when total is 0. At most
// 76800 * 100, so the product fits in 32 bits.
static int32_t Percent(uint32_t changed, uint32_t total) {
  return total == 0 ? 0 : (int32_t)(changed * 100u / total);
}

// Clamps [start, start + extent) to [0, limit) without overflow; stores the
// clamped half-open range in *lo, *hi (empty when *lo >= *hi).
static void ClampSpan(int32_t start, int32_t extent, int32_t limit,
                      int32_t* lo, int32_t* hi) {
  int64_t first = start;
  int64_t end = (int64_t)start + (extent > 0 ? extent : 0);
  if (first < 0) first = 0;
  if (end > limit) end = limit;
  if (first > end) first = end;
  *lo = (int32_t)first;
  *hi = (int32_t)end;
}

// ---- Device state ---------------------------------------------------------

static uint8_t frames[2][kPixels];
static int32_t latest = 0;       // index of the most recent good frame
static int32_t have_latest = 0;  // frames[latest] holds a good frame
static int32_t have_pair = 0;    // frames[1 - latest] holds the frame before it

static void LogText(const char* text) {
  uint32_t n = 0;
  while (text[n]) ++n;
  env_log((const uint8_t*)text, n);
}

void init(void) {
  latest = 0;
  have_latest = 0;
  have_pair = 0;
  LogText("motion detector ready (320x240, threshold 30, alert > 5%)");
}

// Captures a frame, compares it with the previous one, and returns the
// percentage (0..100) of changed pixels; alerts when it exceeds 5%. Returns 0
// for the priming frame and when the capture fails.
int32_t detect_motion(void) {
  int32_t next = 1 - latest;  // overwrite the older of the two frames
  int32_t written = env_read_camera_frame(frames[next], kPixels, kWidth, kHeight);
  if (written != kPixels) {
    // frames[next] is now garbage, so there is no longer a valid pair.
    have_pair = 0;
    LogText("camera frame capture failed or short; frame skipped");
    return 0;
  }
  int32_t percent = 0;
  if (have_latest) {
    percent = Percent(CountChanged(frames[next], frames[latest], 0, 0, kWidth, kHeight),
                      kPixels);
    if (percent > kAlertPercent) env_trigger_alert(percent);
  }
  have_pair = have_latest;
  have_latest = 1;
  latest = next;
  return percent;
}

// Percentage (0..100) of changed pixels between the last two good frames
// inside the rectangle at (x, y) of size w x h, clamped to the frame. Returns
// 0 when the clamped rectangle is empty or there is no pair of frames yet.
int32_t analyze_region(int32_t x, int32_t y, int32_t w, int32_t h) {
  int32_t x0, x1, y0, y1;
  if (!have_pair) return 0;
  ClampSpan(x, w, kWidth, &x0, &x1);
  ClampSpan(y, h, kHeight, &y0, &y1);
  if (x0 >= x1 || y0 >= y1) return 0;
  uint32_t area = (uint32_t)(x1 - x0) * (uint32_t)(y1 - y0);
  return Percent(CountChanged(frames[latest], frames[1 - latest], x0, y0, x1, y1), area);
}

// Predictive maintenance module for the acme/pump-monitor-p2 device
// (device.json).
//
// Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//
// Each call of analyze_equipment_health reads one vibration and one bearing
// temperature sample into two 100-entry ring buffers, then classifies the pump
// from the averages and linear-regression trends over the filled part:
// 0 healthy, 1 degrading (maintenance soon), 2 failing (maintenance now).
//
// Corrected from the book chapter:
//  - Statistics cover only the samples actually collected. The chapter averaged
//    over all 100 slots, zeros included, so for the first 99 calls averages were
//    too low and its "trend" saw a rise from zero to the real level.
//  - The trend is a least-squares slope over the samples in time order. The
//    chapter compared array halves, which stop being "older" and "newer" as
//    soon as the ring index wraps.
//  - It returns the urgency the manifest documents (0/1/2), not a 0..100 score.
//  - schedule_maintenance is called only when the urgency changes to a
//    non-zero level, not on every call while the pump stays unhealthy.
//  - NaN or infinite readings are dropped instead of poisoning 100 samples.
#include <stdint.h>

// The host functions (env_*) and the exports, generated from device.json.
#include "wasmiot_guest.h"

enum { kHealthy = 0, kDegrading = 1, kFailing = 2 };
enum { kHistorySize = 100 };

// Vibration severity, RMS velocity in mm/s, from the ISO 10816-3 evaluation
// zones for pumps above 15 kW with a separate driver (group 3) on a rigid
// foundation (the same values apply to groups 2 and 4 on flexible ones):
// above 4.5 is zone C ("unsatisfactory for long-term continuous operation":
// plan maintenance), above 7.1 is zone D ("severe enough to cause damage":
// act now).
static const float kVibrationDegrading = 4.5f;
static const float kVibrationFailing = 7.1f;
// Bearing temperature, C: 80 is a common alarm setting for rolling-element
// bearing housings; 70 gives a 10 K early warning below it (grease life falls
// quickly above about 70 C).
static const float kTemperatureDegrading = 70.0f;
static const float kTemperatureFailing = 80.0f;
// Trends, per sample: a rising vibration of 0.02 mm/s per sample is +2 mm/s
// over a full window, about the width of a whole ISO zone; a rising temperature
// of 0.1 K per sample is +10 K over the window. A slope from fewer than 20
// samples is too noisy to act on, so trends wait for 20 samples.
static const float kVibrationSlopeDegrading = 0.02f;
static const float kTemperatureSlopeDegrading = 0.1f;
enum { kMinTrendSamples = 20 };

// ---- Pure computation (no imports; usable in a native baseline) ----------

static int IsFinite(float value) { return value == value && (value - value) == 0.0f; }

// Mean of the first `count` entries (order does not matter); 0 when empty.
static float Average(const float* values, int32_t count) {
  float sum = 0.0f;
  for (int32_t i = 0; i < count; ++i) sum += values[i];
  return count > 0 ? sum / (float)count : 0.0f;
}

// Least-squares slope, in units per sample, of the `count` ring entries that
// start at index `oldest` (in time order, wrapping at kHistorySize). With the
// sample index centred, x_i = i - (n - 1) / 2, the slope is
// sum(x_i * y_i) / sum(x_i^2), and sum(x_i^2) = n (n^2 - 1) / 12.
static float TrendSlope(const float* ring, int32_t oldest, int32_t count) {
  if (count < 2) return 0.0f;
  float centre = (float)(count - 1) * 0.5f;
  float sum_xy = 0.0f;
  int32_t at = oldest;
  for (int32_t i = 0; i < count; ++i) {
    sum_xy += ((float)i - centre) * ring[at];
    if (++at == kHistorySize) at = 0;
  }
  float n = (float)count;
  return sum_xy / (n * (n * n - 1.0f) / 12.0f);
}

// Urgency from the window statistics and the thresholds above.
static int32_t Classify(float vibration_avg, float temperature_avg, float vibration_slope,
                        float temperature_slope, int32_t count) {
  if (vibration_avg > kVibrationFailing || temperature_avg > kTemperatureFailing)
    return kFailing;
  if (vibration_avg > kVibrationDegrading || temperature_avg > kTemperatureDegrading)
    return kDegrading;
  if (count >= kMinTrendSamples && (vibration_slope > kVibrationSlopeDegrading ||
                                    temperature_slope > kTemperatureSlopeDegrading))
    return kDegrading;
  return kHealthy;
}

// ---- Device state and entry point ----------------------------------------

static float vibration_history[kHistorySize];
static float temperature_history[kHistorySize];
static int32_t next_slot = 0;  // where the next sample goes
static int32_t filled = 0;     // samples held, at most kHistorySize
static int32_t last_urgency = kHealthy;

int32_t analyze_equipment_health(void) {
  float vibration = env_read_vibration_sensor();
  float temperature = env_read_temperature();
  // Keep the two series aligned: a bad reading on either drops the pair, and
  // the answer stays what the history already says.
  if (!IsFinite(vibration) || !IsFinite(temperature)) return last_urgency;

  vibration_history[next_slot] = vibration;
  temperature_history[next_slot] = temperature;
  if (++next_slot == kHistorySize) next_slot = 0;
  if (filled < kHistorySize) ++filled;
  int32_t oldest = filled < kHistorySize ? 0 : next_slot;

  int32_t urgency = Classify(Average(vibration_history, filled),
                             Average(temperature_history, filled),
                             TrendSlope(vibration_history, oldest, filled),
                             TrendSlope(temperature_history, oldest, filled), filled);
  if (urgency != last_urgency && urgency > kHealthy) env_schedule_maintenance(urgency);
  last_urgency = urgency;
  return urgency;
}

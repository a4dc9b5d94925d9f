#!/usr/bin/env perl
# The version changes bench/delta.sh makes to each template's source, as a
# maintainer would make them (issue 16):
#   constant  a threshold or size constant;
#   log       a new log line (templates whose device has no `log` import: a
#             new call of an import they have, a retried reading);
#   function  a new function, kept out of line so the module gains a body;
#   loop      a loop rewritten (or, in the Rust skeleton, which has none, added).
#   perl bench/delta-changes.pl TEMPLATE LANG KIND FILE
# Each change is a list of (old, new) pairs of literal text; each old text must
# occur exactly once in FILE, so an edit that stops applying fails loudly.
use strict;
use warnings;

my ($template, $lang, $kind, $file) = @ARGV;
die "usage: delta-changes.pl TEMPLATE LANG KIND FILE\n" unless defined $file;

my %changes = (
  # ---- thermostat
  'thermostat/c/constant' => ['kHumidityFanThreshold = 60.0f', 'kHumidityFanThreshold = 65.0f'],
  'thermostat/c/log' => ["    env_set_hvac_mode(kHvacHeat);\n",
                         "    env_set_hvac_mode(kHvacHeat);\n    Log(\"heating\", 7);\n"],
  'thermostat/c/function' => [
    'void control_loop(void) {',
    "__attribute__((noinline)) static int HumidityFanOn(float humidity) {\n"
      . "  return humidity > kHumidityFanThreshold && humidity <= 100.0f;\n}\n\n"
      . 'void control_loop(void) {',
    'if (humidity > kHumidityFanThreshold)', 'if (HumidityFanOn(humidity))'],
  'thermostat/c/loop' => [
    "  for (; *text; ++text) {\n    if (*at >= limit) return 0;\n    out[(*at)++] = *text;\n  }",
    "  int32_t n = 0;\n  while (text[n] != 0) ++n;\n  if (n > limit - *at) return 0;\n"
      . "  for (int32_t i = 0; i < n; ++i) out[*at + i] = text[i];\n  *at += n;"],
  'thermostat/rust/constant' => ['HUMIDITY_FAN_THRESHOLD: f32 = 60.0', 'HUMIDITY_FAN_THRESHOLD: f32 = 65.0'],
  'thermostat/rust/log' => ["        set_hvac_mode(HvacMode::Heat);\n",
                            "        set_hvac_mode(HvacMode::Heat);\n        env::log(b\"heating\");\n"],
  'thermostat/rust/function' => [
    "#[no_mangle]\npub extern \"C\" fn control_loop",
    "#[inline(never)]\nfn humidity_fan_on(humidity: f32) -> bool {\n"
      . "    humidity > HUMIDITY_FAN_THRESHOLD && humidity <= 100.0\n}\n\n"
      . "#[no_mangle]\npub extern \"C\" fn control_loop",
    'if humidity > HUMIDITY_FAN_THRESHOLD {', 'if humidity_fan_on(humidity) {'],
  'thermostat/rust/loop' => [
    "        if value >= 10 {\n            self.push_decimal(value / 10)?;\n        }\n"
      . "        self.push(b'0' + (value % 10) as u8)",
    "        let mut digits = [0u8; 10];\n        let (mut n, mut rest) = (0, value);\n"
      . "        loop {\n            digits[n] = b'0' + (rest % 10) as u8;\n            n += 1;\n"
      . "            rest /= 10;\n            if rest == 0 {\n                break;\n            }\n        }\n"
      . "        digits[..n].iter().rev().try_for_each(|&digit| self.push(digit))"],

  # ---- sensor-node (no `log` import: a failed reading is retried once)
  'sensor-node/c/constant' => ['if (value < 0.0f || value > 50.0f)', 'if (value < 0.0f || value > 45.0f)'],
  'sensor-node/c/log' => ["    float value = env_read_sensor(id);\n",
                          "    float value = env_read_sensor(id);\n    if (!IsFinite(value)) value = env_read_sensor(id);\n"],
  'sensor-node/c/function' => [
    "// Status of one reading",
    "__attribute__((noinline)) static uint8_t ClassifyLevel(float value) {\n"
      . "  if (value < 0.0f || value > 100.0f) return kStatusError;\n"
      . "  return value < 5.0f || value > 95.0f ? kStatusWarning : kStatusOk;\n}\n\n"
      . "// Status of one reading",
    "    default:\n      return kStatusOk;",
    "    case 3:\n      return ClassifyLevel(value);\n    default:\n      return kStatusOk;"],
  'sensor-node/c/loop' => [
    "  for (int i = 0; i < 8; ++i) out[i] = (uint8_t)(value >> (8 * i));",
    "  PutU32(out, (uint32_t)value);\n  PutU32(out + 4, (uint32_t)(value >> 32));"],
  'sensor-node/rust/constant' => ['grade(value, -10.0..=60.0, 0.0..=50.0)', 'grade(value, -10.0..=60.0, 0.0..=45.0)'],
  'sensor-node/rust/log' => ["            let value = env::read_sensor(sensor_id);\n",
                             "            let mut value = env::read_sensor(sensor_id);\n"
                               . "            if !value.is_finite() {\n                value = env::read_sensor(sensor_id);\n            }\n"],
  'sensor-node/rust/function' => [
    "fn grade(",
    "#[inline(never)]\nfn level_status(value: f32) -> Status {\n"
      . "    grade(value, 0.0..=100.0, 5.0..=95.0)\n}\n\nfn grade(",
    "        _ => Status::Ok,", "        3 => level_status(value),\n        _ => Status::Ok,"],
  'sensor-node/rust/loop' => [
    "    record[0..8].copy_from_slice(&timestamp_ms.to_le_bytes());\n"
      . "    record[8..12].copy_from_slice(&sensor_id.to_le_bytes());\n"
      . "    record[12..16].copy_from_slice(&value.to_bits().to_le_bytes());\n",
    "    let fields = timestamp_ms.to_le_bytes().into_iter()\n"
      . "        .chain(sensor_id.to_le_bytes())\n        .chain(value.to_bits().to_le_bytes());\n"
      . "    for (at, byte) in record.iter_mut().zip(fields) {\n        *at = byte;\n    }\n"],

  # ---- predictive-maintenance (no `log` import: a failed reading is retried once)
  'predictive-maintenance/c/constant' => ['kTemperatureDegrading = 70.0f', 'kTemperatureDegrading = 72.0f'],
  'predictive-maintenance/c/log' => ["  float temperature = env_read_temperature();\n",
                                     "  float temperature = env_read_temperature();\n"
                                       . "  if (!IsFinite(temperature)) temperature = env_read_temperature();\n"],
  'predictive-maintenance/c/function' => [
    "// Urgency from the window statistics",
    "__attribute__((noinline)) static int TrendRising(float vibration_slope, float temperature_slope) {\n"
      . "  return vibration_slope > kVibrationSlopeDegrading ||\n"
      . "         temperature_slope > kTemperatureSlopeDegrading;\n}\n\n"
      . "// Urgency from the window statistics",
    "(vibration_slope > kVibrationSlopeDegrading ||\n"
      . "                                    temperature_slope > kTemperatureSlopeDegrading))",
    "TrendRising(vibration_slope, temperature_slope))"],
  'predictive-maintenance/c/loop' => [
    "  int32_t at = oldest;\n  for (int32_t i = 0; i < count; ++i) {\n"
      . "    sum_xy += ((float)i - centre) * ring[at];\n    if (++at == kHistorySize) at = 0;\n  }",
    "  for (int32_t i = 0; i < count; ++i)\n"
      . "    sum_xy += ((float)i - centre) * ring[(oldest + i) % kHistorySize];"],
  'predictive-maintenance/rust/constant' => ['TEMPERATURE_DEGRADING: f32 = 70.0', 'TEMPERATURE_DEGRADING: f32 = 72.0'],
  'predictive-maintenance/rust/log' => ["    let temperature = env::read_temperature();\n",
                                        "    let mut temperature = env::read_temperature();\n"
                                          . "    if !temperature.is_finite() {\n"
                                          . "        temperature = env::read_temperature();\n    }\n"],
  'predictive-maintenance/rust/function' => [
    "fn classify(summary: &Summary)",
    "#[inline(never)]\nfn trend_rising(summary: &Summary) -> bool {\n"
      . "    summary.vibration_slope > VIBRATION_SLOPE_DEGRADING\n"
      . "        || summary.temperature_slope > TEMPERATURE_SLOPE_DEGRADING\n}\n\n"
      . "fn classify(summary: &Summary)",
    "        && (summary.vibration_slope > VIBRATION_SLOPE_DEGRADING\n"
      . "            || summary.temperature_slope > TEMPERATURE_SLOPE_DEGRADING)\n",
    "        && trend_rising(summary)\n"],
  'predictive-maintenance/rust/loop' => [
    "    let (newer, older) = ring.split_at(oldest.min(ring.len()));\n"
      . "    let in_time_order = older.iter().chain(newer).take(count);\n"
      . "    let sum_xy: f32 = in_time_order\n        .zip(0..)\n"
      . "        .map(|(&y, i)| (i as f32 - centre) * y)\n        .sum();\n",
    "    let mut sum_xy = 0.0;\n    for i in 0..count {\n"
      . "        sum_xy += (i as f32 - centre) * ring[(oldest + i) % ring.len()];\n    }\n"],

  # ---- motion-detector
  'motion-detector/c/constant' => ['kPixelThreshold = 30,', 'kPixelThreshold = 25,',
                                   '(320x240, threshold 30,', '(320x240, threshold 25,'],
  'motion-detector/c/log' => ["    if (percent > kAlertPercent) env_trigger_alert(percent);\n",
                              "    if (percent > kAlertPercent) {\n      LogText(\"motion: alert raised\");\n"
                                . "      env_trigger_alert(percent);\n    }\n"],
  'motion-detector/c/function' => [
    "// ---- Device state",
    "__attribute__((noinline)) static int IsAlert(int32_t percent) {\n"
      . "  return percent > kAlertPercent && percent <= 100;\n}\n\n// ---- Device state",
    "if (percent > kAlertPercent)", "if (IsAlert(percent))"],
  'motion-detector/c/loop' => [
    "    for (int32_t col = x0; col < x1; ++col) {\n"
      . "      int32_t diff = (int32_t)ra[col] - (int32_t)rb[col];\n"
      . "      if (diff < 0) diff = -diff;\n      changed += diff > kPixelThreshold;\n    }",
    "    for (const uint8_t* end = ra + x1, *pa = ra + x0, *pb = rb + x0; pa < end; ++pa, ++pb) {\n"
      . "      int32_t diff = (int32_t)*pa - (int32_t)*pb;\n"
      . "      changed += diff > kPixelThreshold || diff < -kPixelThreshold;\n    }"],
  'motion-detector/rust/constant' => ['PIXEL_THRESHOLD: u8 = 30', 'PIXEL_THRESHOLD: u8 = 25',
                                      '(320x240, threshold 30,', '(320x240, threshold 25,'],
  'motion-detector/rust/log' => ["                env::trigger_alert(changed_percent);\n",
                                 "                env::log(b\"motion: alert raised\");\n"
                                   . "                env::trigger_alert(changed_percent);\n"],
  'motion-detector/rust/function' => [
    "fn percent(changed: u32, total: u32)",
    "#[inline(never)]\nfn is_alert(percent: i32) -> bool {\n"
      . "    percent > ALERT_PERCENT && percent <= 100\n}\n\nfn percent(changed: u32, total: u32)",
    "if changed_percent > ALERT_PERCENT {", "if is_alert(changed_percent) {"],
  'motion-detector/rust/loop' => [
    "    let changed = a\n        .iter()\n        .zip(b)\n"
      . "        .filter(|(&pixel_a, &pixel_b)| pixel_a.abs_diff(pixel_b) > PIXEL_THRESHOLD);\n"
      . "    changed.count() as u32 // at most WIDTH\n",
    "    let mut changed = 0; // at most WIDTH\n    for (pixel_a, pixel_b) in a.iter().zip(b) {\n"
      . "        if pixel_a.abs_diff(*pixel_b) > PIXEL_THRESHOLD {\n            changed += 1;\n        }\n    }\n"
      . "    changed\n"],

  # ---- gateway-plugin
  'gateway-plugin/c/constant' => ['kMessageCapacity = 128', 'kMessageCapacity = 160'],
  'gateway-plugin/c/log' => ["  LogText(\"gateway plugin ready\");\n",
                             "  LogText(\"gateway plugin ready\");\n  LogText(\"publishing every update\");\n"],
  'gateway-plugin/c/function' => [
    "void update(void) {",
    "__attribute__((noinline)) static int PublishFailed(int32_t status) { return status != 0; }\n\n"
      . "void update(void) {",
    "if (status != 0) {", "if (PublishFailed(status)) {"],
  'gateway-plugin/c/loop' => [
    "  for (; *text; ++text) {\n    if (*at >= limit) return 0;\n    out[(*at)++] = *text;\n  }",
    "  int32_t n = 0;\n  while (text[n] != 0) ++n;\n  if (n > limit - *at) return 0;\n"
      . "  for (int32_t i = 0; i < n; ++i) out[*at + i] = text[i];\n  *at += n;"],
  'gateway-plugin/rust/constant' => ['MESSAGE_CAPACITY: usize = 128', 'MESSAGE_CAPACITY: usize = 160'],
  'gateway-plugin/rust/log' => ["    env::log(b\"gateway plugin ready\");\n",
                                "    env::log(b\"gateway plugin ready\");\n    env::log(b\"publishing every update\");\n"],
  'gateway-plugin/rust/function' => [
    "#[no_mangle]\npub extern \"C\" fn update()",
    "#[inline(never)]\nfn publish_failed(status: i32) -> bool {\n    status != 0\n}\n\n"
      . "#[no_mangle]\npub extern \"C\" fn update()",
    "if status != 0 {", "if publish_failed(status) {"],
  'gateway-plugin/rust/loop' => [
    "        if value >= 10 || min_digits > 1 {\n"
      . "            self.push_unsigned(value / 10, min_digits.saturating_sub(1))?;\n        }\n"
      . "        self.push(b'0' + (value % 10) as u8)",
    "        let mut digits = [0u8; 20];\n        let (mut n, mut rest) = (0, value);\n"
      . "        loop {\n            digits[n] = b'0' + (rest % 10) as u8;\n            n += 1;\n"
      . "            rest /= 10;\n            if rest == 0 && n >= min_digits as usize {\n"
      . "                break;\n            }\n        }\n"
      . "        digits[..n].iter().rev().try_for_each(|&digit| self.push(digit))"],

  # ---- blank (the skeleton `wasmiot new` makes without a template)
  'blank/c/constant' => ['kThreshold = 50.0f', 'kThreshold = 55.0f'],
  'blank/c/log' => ["  LogText(\"ready\");\n", "  LogText(\"ready\");\n  LogText(\"threshold 55\");\n"],
  'blank/c/function' => [
    "// Called periodically",
    "__attribute__((noinline)) static int IsAbove(float value) {\n"
      . "  return value > kThreshold && value < 1000.0f;\n}\n\n// Called periodically",
    "int now_above = value > kThreshold;", "int now_above = IsAbove(value);"],
  'blank/c/loop' => ["  while (text[n]) ++n;\n", "  for (const char* at = text; *at != 0; ++at) ++n;\n"],
  'blank/rust/constant' => ['THRESHOLD: f32 = 50.0', 'THRESHOLD: f32 = 55.0'],
  'blank/rust/log' => ["    env::log(b\"ready\");\n", "    env::log(b\"ready\");\n    env::log(b\"threshold 55\");\n"],
  'blank/rust/function' => [
    "#[no_mangle]\npub extern \"C\" fn update()",
    "#[inline(never)]\nfn is_above(value: f32) -> bool {\n    value > THRESHOLD && value < 1000.0\n}\n\n"
      . "#[no_mangle]\npub extern \"C\" fn update()",
    "let now_above = value > THRESHOLD;", "let now_above = is_above(value);"],
  'blank/rust/loop' => ["    let value = env::read_sensor();\n",
                        "    let value = (0..3).map(|_| env::read_sensor()).sum::<f32>() / 3.0;\n"],
);

my $edits = $changes{"$template/$lang/$kind"} or die "delta-changes.pl: no change $template/$lang/$kind\n";
open(my $in, '<', $file) or die "delta-changes.pl: $file: $!\n";
my $text = do { local $/; <$in> };
close $in;
for (my $i = 0; $i < @$edits; $i += 2) {
  my ($old, $new) = @$edits[$i, $i + 1];
  my $count = () = $text =~ /\Q$old\E/g;
  die "delta-changes.pl: $template/$lang/$kind: expected one \"$old\" in $file, found $count\n" unless $count == 1;
  $text =~ s/\Q$old\E/$new/;
}
open(my $out, '>', $file) or die "delta-changes.pl: $file: $!\n";
print $out $text;
close $out or die "delta-changes.pl: $file: $!\n";

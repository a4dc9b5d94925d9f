//! Predictive maintenance module for the acme/pump-monitor-p2 device
//! (templates/predictive-maintenance/device.json), the Rust port of
//! predictive_maintenance.c.
//!
//! Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//!
//! Each call of analyze_equipment_health reads one vibration and one bearing
//! temperature sample into two 100-entry ring buffers, then classifies the pump
//! from the averages and linear-regression trends over the filled part:
//! 0 healthy, 1 degrading (maintenance soon), 2 failing (maintenance now).
//!
//! Corrected from the book chapter:
//!  - Statistics cover only the samples actually collected. The chapter averaged
//!    over all 100 slots, zeros included, so for the first 99 calls averages were
//!    too low and its "trend" saw a rise from zero to the real level.
//!  - The trend is a least-squares slope over the samples in time order. The
//!    chapter compared array halves, which stop being "older" and "newer" as
//!    soon as the ring index wraps.
//!  - It returns the urgency the manifest documents (0/1/2) as an i32, not a
//!    0..100 score.
//!  - schedule_maintenance is called only when the urgency changes to a
//!    non-zero level, not on every call while the pump stays unhealthy.
//!  - NaN or infinite readings are dropped instead of poisoning 100 samples.
//!  - The history is module state behind one exclusive borrow, not a
//!    `static mut`, and nothing is formatted (no `format!`, no heap).
#![no_std]

use core::cell::{Cell, UnsafeCell};

// ---- Host functions and exports (device.json) ------------------------------

// Generated from device.json by the build's gen step (`wasmiot gen guest --lang
// rust`): `env::raw` declares the imports exactly as the device does, `env::*`
// wraps them safely, and `exports::*` gives the signature the device calls each
// export with.
include!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs"));

// ---- Thresholds ------------------------------------------------------------

/// The pump's condition, and the urgency passed to schedule_maintenance.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
enum Health {
    Healthy = 0,
    Degrading = 1,
    Failing = 2,
}

const HISTORY_SIZE: usize = 100;

// Vibration severity, RMS velocity in mm/s, from the ISO 10816-3 evaluation
// zones for pumps above 15 kW with a separate driver (group 3) on a rigid
// foundation (the same values apply to groups 2 and 4 on flexible ones):
// above 4.5 is zone C ("unsatisfactory for long-term continuous operation":
// plan maintenance), above 7.1 is zone D ("severe enough to cause damage":
// act now).
const VIBRATION_DEGRADING: f32 = 4.5;
const VIBRATION_FAILING: f32 = 7.1;
// Bearing temperature, C: 80 is a common alarm setting for rolling-element
// bearing housings; 70 gives a 10 K early warning below it (grease life falls
// quickly above about 70 C).
const TEMPERATURE_DEGRADING: f32 = 70.0;
const TEMPERATURE_FAILING: f32 = 80.0;
// Trends, per sample: a rising vibration of 0.02 mm/s per sample is +2 mm/s
// over a full window, about the width of a whole ISO zone; a rising temperature
// of 0.1 K per sample is +10 K over the window. A slope from fewer than 20
// samples is too noisy to act on, so trends wait for 20 samples.
const VIBRATION_SLOPE_DEGRADING: f32 = 0.02;
const TEMPERATURE_SLOPE_DEGRADING: f32 = 0.1;
const MIN_TREND_SAMPLES: usize = 20;

// ---- Pure computation (no imports) -----------------------------------------

/// Mean of the first `count` entries (order does not matter); 0 when empty.
fn average(values: &[f32], count: usize) -> f32 {
    let sum: f32 = values.iter().take(count).sum();
    if count > 0 {
        sum / count as f32
    } else {
        0.0
    }
}

/// Least-squares slope, in units per sample, of the `count` ring entries that
/// start at index `oldest` (in time order, wrapping at the end of `ring`).
/// With the sample index centred, x_i = i - (n - 1) / 2, the slope is
/// sum(x_i * y_i) / sum(x_i^2), and sum(x_i^2) = n (n^2 - 1) / 12.
fn trend_slope(ring: &[f32], oldest: usize, count: usize) -> f32 {
    if count < 2 {
        return 0.0;
    }
    let centre = (count - 1) as f32 * 0.5;
    // ring[oldest..] holds the older samples, ring[..oldest] the newer ones.
    let (newer, older) = ring.split_at(oldest.min(ring.len()));
    let in_time_order = older.iter().chain(newer).take(count);
    let sum_xy: f32 = in_time_order
        .zip(0..)
        .map(|(&y, i)| (i as f32 - centre) * y)
        .sum();
    let n = count as f32;
    sum_xy / (n * (n * n - 1.0) / 12.0)
}

/// Statistics over the samples held.
struct Summary {
    vibration_average: f32,
    temperature_average: f32,
    vibration_slope: f32,
    temperature_slope: f32,
    samples: usize,
}

/// Urgency from the window statistics and the thresholds above.
fn classify(summary: &Summary) -> Health {
    if summary.vibration_average > VIBRATION_FAILING
        || summary.temperature_average > TEMPERATURE_FAILING
    {
        Health::Failing
    } else if summary.vibration_average > VIBRATION_DEGRADING
        || summary.temperature_average > TEMPERATURE_DEGRADING
    {
        Health::Degrading
    } else if summary.samples >= MIN_TREND_SAMPLES
        && (summary.vibration_slope > VIBRATION_SLOPE_DEGRADING
            || summary.temperature_slope > TEMPERATURE_SLOPE_DEGRADING)
    {
        Health::Degrading
    } else {
        Health::Healthy
    }
}

/// The last `HISTORY_SIZE` good readings, in two aligned rings, and the
/// urgency last reported.
struct Pump {
    vibration: [f32; HISTORY_SIZE],
    temperature: [f32; HISTORY_SIZE],
    next_slot: usize, // where the next sample goes, always below HISTORY_SIZE
    filled: usize,    // samples held, at most HISTORY_SIZE
    last_health: Health,
}

impl Pump {
    const fn new() -> Self {
        Self {
            vibration: [0.0; HISTORY_SIZE],
            temperature: [0.0; HISTORY_SIZE],
            next_slot: 0,
            filled: 0,
            last_health: Health::Healthy,
        }
    }

    fn record(&mut self, vibration: f32, temperature: f32) {
        // `% HISTORY_SIZE` never changes the slot; it lets the compiler see
        // the index is in bounds, so no panic path is linked in.
        let slot = self.next_slot % HISTORY_SIZE;
        self.vibration[slot] = vibration;
        self.temperature[slot] = temperature;
        self.next_slot = (slot + 1) % HISTORY_SIZE;
        self.filled = (self.filled + 1).min(HISTORY_SIZE);
    }

    fn summary(&self) -> Summary {
        let oldest = if self.filled < HISTORY_SIZE {
            0
        } else {
            self.next_slot
        };
        Summary {
            vibration_average: average(&self.vibration, self.filled),
            temperature_average: average(&self.temperature, self.filled),
            vibration_slope: trend_slope(&self.vibration, oldest, self.filled),
            temperature_slope: trend_slope(&self.temperature, oldest, self.filled),
            samples: self.filled,
        }
    }
}

// ---- Device state and entry point ------------------------------------------

/// A module-global value, lent out one exclusive borrow at a time.
struct Global<T> {
    value: UnsafeCell<T>,
    borrowed: Cell<bool>,
}

// SAFETY: without the atomics feature a wasm module has exactly one thread, so
// the value is never shared between threads (with atomics this does not compile).
#[cfg(not(target_feature = "atomics"))]
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    const fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
            borrowed: Cell::new(false),
        }
    }

    /// Runs `f` on the value. Traps if the value is already borrowed, which
    /// only the host calling an export from inside a host function could cause.
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        if self.borrowed.replace(true) {
            core::arch::wasm32::unreachable();
        }
        // SAFETY: the flag makes this the only reference until `f` returns.
        let result = f(unsafe { &mut *self.value.get() });
        self.borrowed.set(false);
        result
    }
}

static PUMP: Global<Pump> = Global::new(Pump::new());

/// 0 healthy, 1 degrading, 2 failing.
#[no_mangle]
pub extern "C" fn analyze_equipment_health() -> i32 {
    let vibration = env::read_vibration_sensor();
    let temperature = env::read_temperature();
    let health = PUMP.with(|pump| {
        // Keep the two series aligned: a bad reading on either drops the pair,
        // and the answer stays what the history already says.
        if !vibration.is_finite() || !temperature.is_finite() {
            return pump.last_health;
        }
        pump.record(vibration, temperature);
        let health = classify(&pump.summary());
        if health != pump.last_health && health != Health::Healthy {
            env::schedule_maintenance(health as i32);
        }
        pump.last_health = health;
        health
    });
    health as i32
}
const _: exports::analyze_equipment_health = analyze_equipment_health;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

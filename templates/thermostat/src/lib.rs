//! Thermostat control module for the acme/thermostat-t100 device
//! (templates/thermostat/device.json), the Rust port of thermostat.c.
//!
//! Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//!
//! Corrected from the book chapter: the configuration lives in the module's own
//! memory and is set through exports (init takes no host pointer), the fan
//! speed arithmetic stays in range, get_status formats without `format!` or a
//! heap into the buffer the host passes (no `static mut` for the host to read),
//! and every export has the signature the manifest gives (checked by the
//! compiler against the bindings generated from device.json).
#![no_std]

use core::cell::{Cell, UnsafeCell};

// ---- Host functions and exports (device.json) ------------------------------

// Generated from device.json by the build's gen step (`wasmiot gen guest --lang
// rust`): `env::raw` declares the imports exactly as the device does, `env::*`
// wraps them safely (buffers as slices), and `exports::*` gives the signature
// the device calls each export with.
include!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs"));

/// The mode as the number set_hvac_mode takes.
fn set_hvac_mode(mode: HvacMode) {
    env::set_hvac_mode(mode as i32)
}

// ---- Control constants -----------------------------------------------------

#[derive(Clone, Copy)]
#[repr(i32)]
enum HvacMode {
    Off = 0,
    Heat = 1,
    Cool = 2,
}

const DEFAULT_TARGET_CELSIUS: f32 = 22.0;
const MIN_TARGET_CELSIUS: f32 = 5.0;
const MAX_TARGET_CELSIUS: f32 = 35.0;
const HYSTERESIS: f32 = 0.5;
const HUMIDITY_FAN_THRESHOLD: f32 = 60.0;
const HUMIDITY_FAN_PERCENT: i32 = 50;

// ---- Pure computation (no imports) -----------------------------------------

/// Fan speed in percent for a temperature error of `difference` degrees:
/// 20% per degree, at least 30% and at most 100%.
fn fan_speed_for(difference: f32) -> i32 {
    (difference * 20.0).clamp(30.0, 100.0) as i32
}

/// Appends bytes to a buffer; every push fails (`None`) once the buffer is full.
struct Writer<'a> {
    buffer: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    fn new(buffer: &'a mut [u8]) -> Self {
        Self { buffer, len: 0 }
    }

    fn push(&mut self, byte: u8) -> Option<()> {
        *self.buffer.get_mut(self.len)? = byte;
        self.len += 1;
        Some(())
    }

    fn push_str(&mut self, text: &str) -> Option<()> {
        text.bytes().try_for_each(|byte| self.push(byte))
    }

    /// `value` in decimal, most significant digit first.
    fn push_decimal(&mut self, value: u32) -> Option<()> {
        if value >= 10 {
            self.push_decimal(value / 10)?;
        }
        self.push(b'0' + (value % 10) as u8)
    }

    /// `value` with one decimal, rounded half away from zero: 21.5, -3.0.
    fn push_tenths(&mut self, value: f32) -> Option<()> {
        let rounding = if value < 0.0 { -0.5 } else { 0.5 };
        let tenths = (value * 10.0 + rounding) as i32;
        if tenths < 0 {
            self.push(b'-')?;
        }
        let magnitude = tenths.unsigned_abs();
        self.push_decimal(magnitude / 10)?;
        self.push(b'.')?;
        self.push_decimal(magnitude % 10)
    }
}

// ---- Device state and entry points -----------------------------------------

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

static TARGET_CELSIUS: Global<f32> = Global::new(DEFAULT_TARGET_CELSIUS);

fn target_celsius() -> f32 {
    TARGET_CELSIUS.with(|target| *target)
}

#[no_mangle]
pub extern "C" fn init() {
    TARGET_CELSIUS.with(|target| *target = DEFAULT_TARGET_CELSIUS);
    env::log(b"thermostat ready");
}
const _: exports::init = init;

#[no_mangle]
pub extern "C" fn control_loop() {
    let celsius = env::read_temperature();
    let humidity = env::read_humidity();
    let target = target_celsius();
    if celsius < target - HYSTERESIS {
        set_hvac_mode(HvacMode::Heat);
        env::set_fan_speed(fan_speed_for(target - celsius));
    } else if celsius > target + HYSTERESIS {
        set_hvac_mode(HvacMode::Cool);
        env::set_fan_speed(fan_speed_for(celsius - target));
    } else {
        set_hvac_mode(HvacMode::Off);
    }
    if humidity > HUMIDITY_FAN_THRESHOLD {
        env::set_fan_speed(HUMIDITY_FAN_PERCENT);
    }
}
const _: exports::control_loop = control_loop;

/// Ignores targets outside 5..35 C (and NaN).
#[no_mangle]
pub extern "C" fn set_target_temperature(celsius: f32) {
    if (MIN_TARGET_CELSIUS..=MAX_TARGET_CELSIUS).contains(&celsius) {
        TARGET_CELSIUS.with(|target| *target = celsius);
    }
}
const _: exports::set_target_temperature = set_target_temperature;

/// Writes {"temp":21.5,"target":22.0} to `out`; returns the length, or 0 if
/// the `out_len` bytes are too few.
#[no_mangle]
pub extern "C" fn get_status(out: *mut u8, out_len: usize) -> i32 {
    // Address 0 is null to Rust, so it cannot be a buffer here. A length above
    // isize::MAX (a negative i32 from the host) is no slice either: no room.
    if out.is_null() || out_len > isize::MAX as usize {
        return 0;
    }
    // SAFETY: by the device contract (device.json: `out` is a writable buffer
    // of `out_len` bytes) the host passes free memory of this module, outside
    // its statics and stack, and lends it for the duration of the call.
    let out = unsafe { core::slice::from_raw_parts_mut(out, out_len) };
    // At most out_len, so at most isize::MAX: the length fits in an i32.
    write_status(out).map_or(0, |written| written as i32)
}
const _: exports::get_status = get_status;

/// The status object; None if it does not fit. The temperature is read only
/// once there is room to start it, as in thermostat.c.
fn write_status(out: &mut [u8]) -> Option<usize> {
    let mut status = Writer::new(out);
    status.push_str("{\"temp\":")?;
    status.push_tenths(env::read_temperature())?;
    status.push_str(",\"target\":")?;
    status.push_tenths(target_celsius())?;
    status.push_str("}")?;
    Some(status.len)
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

//! A blank module for the example/blank-device (templates/blank/device.json),
//! the Rust twin of blank.c: init() logs "ready"; each update() reads the
//! sensor and logs when the reading crosses a threshold.
//!
//! Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//! Check: wasmiot check blank.wasm --manifest device.json
//! Test:  wasmiot test tests --module-dir .  (tests/blank.scenario.json)
//!
//! no_std and no allocator: no `format!`, `String` or `Vec`. Keep state in
//! statics and write text into fixed buffers. Every host function and export
//! comes from device.json: add your device's functions and exports there
//! first, and the build generates their declarations (included below).
#![no_std]

use core::sync::atomic::{AtomicBool, Ordering};

// ---- Host functions and export types (device.json) -------------------------

// The build generates these from device.json (into build/gen/wasmiot_guest.rs):
// env::read_sensor() and env::log(b"...") (safe; a buffer is a slice),
// env::raw::* (the imports exactly as declared) and exports::* (the signature
// the device calls each export with). Add a host function to device.json, e.g.
// set_led with an i32 parameter, and env::set_led(1) is here on the next build.
include!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs"));

// ---- Your settings and state -----------------------------------------------

/// The reading above which the module reports; change it for your sensor.
const THRESHOLD: f32 = 50.0;

/// Whether the last reading was above THRESHOLD. A module has one thread, so
/// a relaxed atomic is a plain load or store: module state without `static mut`.
static ABOVE: AtomicBool = AtomicBool::new(false);

// ---- Exports (device.json, "exports") ---------------------------------------
// After each, `const _: exports::NAME = NAME;` makes the compiler check it has
// the signature device.json gives.

/// Called once at start-up: reset your state here.
#[no_mangle]
pub extern "C" fn init() {
    ABOVE.store(false, Ordering::Relaxed);
    env::log(b"ready");
}
const _: exports::init = init;

/// Called periodically by the firmware: put your logic here.
#[no_mangle]
pub extern "C" fn update() {
    let value = env::read_sensor();
    let now_above = value > THRESHOLD; // false for NaN: a failed read counts as below
    if ABOVE.swap(now_above, Ordering::Relaxed) != now_above {
        let message: &[u8] = if now_above {
            b"above threshold"
        } else {
            b"below threshold"
        };
        env::log(message);
    }
    // Add your logic here: filter the reading, drive an actuator, ...
}
const _: exports::update = update;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

//! A blank module for the example/blank-device (templates/blank/device.json),
//! the Rust twin of blank.c: init() logs "ready"; each update() reads the
//! sensor and logs when the reading crosses a threshold.
//!
//! Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//! Check: wasmiot check blank.wasm --manifest device.json
//! Test:  wasmiot test tests --module-dir .  (tests/blank.scenario.json)
//!
//! no_std and no allocator: no `format!`, `String` or `Vec`. Keep state in
//! statics and write text into fixed buffers. Every host function used here
//! must be declared in device.json, with the same signature; add your
//! device's functions there first, then declare them below.
#![no_std]

use core::sync::atomic::{AtomicBool, Ordering};

// ---- Host functions (device.json, "imports" -> "env") ----------------------

mod env {
    #[link(wasm_import_module = "env")]
    extern "C" {
        pub fn read_sensor() -> f32;
        pub fn log(message: *const u8, length: i32);
        // Declare more here: pub fn set_led(on: i32);
    }
}

// Safe wrappers. SAFETY: the host implements these functions as device.json
// declares them; `log` only reads the `length` bytes at `message` during the call.

fn read_sensor() -> f32 {
    unsafe { env::read_sensor() }
}

fn log(message: &str) {
    // Messages are short literals, so the length fits in an i32.
    unsafe { env::log(message.as_ptr(), message.len() as i32) }
}

// ---- Your settings and state -----------------------------------------------

/// The reading above which the module reports; change it for your sensor.
const THRESHOLD: f32 = 50.0;

/// Whether the last reading was above THRESHOLD. A module has one thread, so
/// a relaxed atomic is a plain load or store: module state without `static mut`.
static ABOVE: AtomicBool = AtomicBool::new(false);

// ---- Exports (device.json, "exports") ---------------------------------------

/// Called once at start-up: reset your state here.
#[no_mangle]
pub extern "C" fn init() {
    ABOVE.store(false, Ordering::Relaxed);
    log("ready");
}

/// Called periodically by the firmware: put your logic here.
#[no_mangle]
pub extern "C" fn update() {
    let value = read_sensor();
    let now_above = value > THRESHOLD; // false for NaN: a failed read counts as below
    if ABOVE.swap(now_above, Ordering::Relaxed) != now_above {
        log(if now_above { "above threshold" } else { "below threshold" });
    }
    // Add your logic here: filter the reading, drive an actuator, ...
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

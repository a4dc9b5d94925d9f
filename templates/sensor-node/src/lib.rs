//! Telemetry module for the acme/sensor-node-s4 device
//! (templates/sensor-node/device.json), the Rust port of sensor_node.c.
//!
//! Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//!
//! Telemetry packet, format version 1. All multi-byte fields little-endian,
//! no implicit padding; every byte is written explicitly. Total 8 + 20*count
//! bytes (88 for the four channels).
//!
//!   Header, 8 bytes:
//!     offset 0  u8   version       1
//!     offset 1  u8   count         number of readings that follow (4)
//!     offset 2  u16  record_size   bytes per reading (20)
//!     offset 4  u8   pad[4]        zero (keeps records 4-byte aligned in the packet)
//!   Reading i at offset 8 + 20*i, 20 bytes:
//!     +0   u64  timestamp_ms   get_timestamp() just before this channel was read
//!     +8   u32  sensor_id      0 temperature, 1 pressure, 2 flow, 3 level
//!     +12  f32  value          IEEE 754 binary32 bit pattern, as read
//!     +16  u8   status         0 ok, 1 warning, 2 error
//!     +17  u8   pad[3]         zero
//!
//! Status rules (strict comparisons, as in the chapter: -10 C itself is a warning):
//!   sensor 0, temperature (C): error if < -10 or > 60, warning if < 0 or > 50.
//!   sensor 1, pressure (nominal 1.0; the manifest gives no unit): error outside
//!     0.8..1.2, warning outside 0.9..1.1.
//!   sensors 2 and 3: ok. Any channel reading NaN or infinity: error.
//!
//! Corrected from the book chapter: the chapter sent a #[repr(C)] struct's raw
//! bytes (24 bytes per reading, 7 of them uninitialized padding, host-endian,
//! layout decided by the compiler) and passed a usize length where the host
//! expects a 32-bit one; a NaN reading classified as ok because every comparison
//! with NaN is false. Here each field is serialized with `to_le_bytes`, the
//! length is the packet slice's own (a usize in the generated binding: 32 bits
//! on wasm32, as the host expects), and the packet is a module-owned buffer lent
//! to the host only for the duration of send_telemetry (no `static mut` for it
//! to read).
#![no_std]

use core::cell::{Cell, UnsafeCell};
use core::ops::RangeInclusive;

// ---- Host functions and exports (device.json) ------------------------------

// Generated from device.json by the build's gen step (`wasmiot gen guest --lang
// rust`): `env::raw` declares the imports exactly as the device does, `env::*`
// wraps them safely (send_telemetry takes the packet as a slice and passes its
// length), and `exports::*` gives the signature the device calls each export with.
include!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs"));

// ---- Packet layout ---------------------------------------------------------

const FORMAT_VERSION: u8 = 1;
const SENSOR_COUNT: usize = 4;
const HEADER_SIZE: usize = 8;
const RECORD_SIZE: usize = 20;
const PACKET_SIZE: usize = HEADER_SIZE + RECORD_SIZE * SENSOR_COUNT;

const SENSOR_TEMPERATURE: i32 = 0;
const SENSOR_PRESSURE: i32 = 1;

#[derive(Clone, Copy)]
#[repr(u8)]
enum Status {
    Ok = 0,
    Warning = 1,
    Error = 2,
}

// ---- Pure computation (no imports) -----------------------------------------

/// Status of one reading from channel `sensor_id`, per the rules above.
fn classify_reading(sensor_id: i32, value: f32) -> Status {
    if !value.is_finite() {
        return Status::Error;
    }
    match sensor_id {
        SENSOR_TEMPERATURE => grade(value, -10.0..=60.0, 0.0..=50.0),
        SENSOR_PRESSURE => grade(value, 0.8..=1.2, 0.9..=1.1),
        _ => Status::Ok,
    }
}

/// Error outside `tolerated`, warning outside `normal`, ok inside both.
fn grade(value: f32, tolerated: RangeInclusive<f32>, normal: RangeInclusive<f32>) -> Status {
    if !tolerated.contains(&value) {
        Status::Error
    } else if !normal.contains(&value) {
        Status::Warning
    } else {
        Status::Ok
    }
}

/// The 8-byte header for `count` readings.
fn encode_header(count: u8) -> [u8; HEADER_SIZE] {
    let [size_low, size_high] = (RECORD_SIZE as u16).to_le_bytes();
    [FORMAT_VERSION, count, size_low, size_high, 0, 0, 0, 0]
}

/// One 20-byte reading record; the padding stays zero.
fn encode_record(
    timestamp_ms: u64,
    sensor_id: u32,
    value: f32,
    status: Status,
) -> [u8; RECORD_SIZE] {
    let mut record = [0; RECORD_SIZE];
    record[0..8].copy_from_slice(&timestamp_ms.to_le_bytes());
    record[8..12].copy_from_slice(&sensor_id.to_le_bytes());
    record[12..16].copy_from_slice(&value.to_bits().to_le_bytes());
    record[16] = status as u8;
    record
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

// In the module's static data (not on the stack), so the host reads a stable buffer.
static PACKET: Global<[u8; PACKET_SIZE]> = Global::new([0; PACKET_SIZE]);

#[no_mangle]
pub extern "C" fn collect_and_send() {
    PACKET.with(|packet| {
        let (header, records) = packet.split_at_mut(HEADER_SIZE);
        header.copy_from_slice(&encode_header(SENSOR_COUNT as u8));
        for (sensor_id, record) in (0..).zip(records.chunks_exact_mut(RECORD_SIZE)) {
            let timestamp_ms = env::get_timestamp() as u64;
            let value = env::read_sensor(sensor_id);
            let status = classify_reading(sensor_id, value);
            record.copy_from_slice(&encode_record(
                timestamp_ms,
                sensor_id as u32,
                value,
                status,
            ));
        }
        // The whole PACKET_SIZE-byte packet.
        env::send_telemetry(packet);
    });
}
const _: exports::collect_and_send = collect_and_send;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

//! Tenant plugin for the acme/gateway-g8 multi-tenant gateway
//! (templates/gateway-plugin/device.json), the Rust port of gateway_plugin.c.
//!
//! Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//!
//! Each update() reads sensors 0..2 and publishes one JSON message such as
//!   {"seq":7,"t_ms":123456,"sensors":[21.50,-3.25,null]}
//! Values carry two decimals; a NaN, infinite or out-of-range (|v| >= 1e7)
//! reading is published as null, since JSON has no NaN. If publish() reports
//! an error the plugin logs "publish failed: <status>".
//!
//! The chapter shows only the gateway's host side. This plugin is written for
//! the budget that side gives a tenant (2 KiB stack, one 64 KiB page): no heap
//! and no `format!` (core::fmt alone would take much of the 8 KiB module
//! budget), the message built in one module-owned 128-byte buffer that the host
//! sees only as publish()'s argument, and the stack limited with
//! -zstack-size=2048 (rustc's default is 1 MiB, which does not fit in the page).
#![no_std]

use core::cell::{Cell, UnsafeCell};

// ---- Host functions and exports (device.json) ------------------------------

// Generated from device.json by the build's gen step (`wasmiot gen guest --lang
// rust`): `env::raw` declares the imports exactly as the device does, `env::*`
// wraps them safely (`publish` and `log` take the bytes as a slice and pass
// its length), and `exports::*` gives the signature the device calls each
// export with.
include!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs"));

const SENSOR_COUNT: usize = 3;
const MESSAGE_CAPACITY: usize = 128;

// ---- Pure formatting (no imports) ------------------------------------------

/// Appends bytes to a buffer; every push fails (`None`) once the buffer is full.
struct Writer<'a> {
    buffer: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    fn new(buffer: &'a mut [u8]) -> Self {
        Self { buffer, len: 0 }
    }

    /// The bytes written so far.
    fn into_written(self) -> &'a [u8] {
        let Self { buffer, len } = self;
        // `len` never exceeds the buffer's length, so this is all of `buffer`
        // at worst; `get` keeps the panic path (and core::fmt) out of the module.
        buffer.get(..len).unwrap_or(&[])
    }

    fn push(&mut self, byte: u8) -> Option<()> {
        *self.buffer.get_mut(self.len)? = byte;
        self.len += 1;
        Some(())
    }

    fn push_str(&mut self, text: &str) -> Option<()> {
        text.bytes().try_for_each(|byte| self.push(byte))
    }

    /// `value` in decimal, zero-padded to at least `min_digits` digits.
    fn push_unsigned(&mut self, value: u64, min_digits: u32) -> Option<()> {
        if value >= 10 || min_digits > 1 {
            self.push_unsigned(value / 10, min_digits.saturating_sub(1))?;
        }
        self.push(b'0' + (value % 10) as u8)
    }

    fn push_signed(&mut self, value: i64) -> Option<()> {
        if value < 0 {
            self.push(b'-')?;
        }
        // unsigned_abs is also right for i64::MIN.
        self.push_unsigned(value.unsigned_abs(), 1)
    }

    /// `value` with two decimals, rounded half away from zero; null when it is
    /// not a finite number below 1e7 in magnitude (so the hundredths fit in 32 bits).
    fn push_hundredths(&mut self, value: f32) -> Option<()> {
        const LIMIT: f32 = 1e7;
        let in_range = value > -LIMIT && value < LIMIT; // false for NaN
        if !in_range {
            return self.push_str("null");
        }
        let rounding = if value < 0.0 { -0.5 } else { 0.5 };
        let hundredths = (value * 100.0 + rounding) as i32;
        if hundredths < 0 {
            self.push(b'-')?;
        }
        let magnitude = hundredths.unsigned_abs();
        self.push_unsigned((magnitude / 100).into(), 1)?;
        self.push(b'.')?;
        self.push_unsigned((magnitude % 100).into(), 2)
    }
}

/// {"seq":S,"t_ms":T,"sensors":[v0,v1,...]} in `out`; None if it does not fit.
fn format_message<'a>(out: &'a mut [u8], seq: u32, t_ms: i64, values: &[f32]) -> Option<&'a [u8]> {
    let mut message = Writer::new(out);
    message.push_str("{\"seq\":")?;
    message.push_unsigned(seq.into(), 1)?;
    message.push_str(",\"t_ms\":")?;
    message.push_signed(t_ms)?;
    message.push_str(",\"sensors\":[")?;
    for (i, &value) in values.iter().enumerate() {
        if i > 0 {
            message.push(b',')?;
        }
        message.push_hundredths(value)?;
    }
    message.push_str("]}")?;
    Some(message.into_written())
}

/// "publish failed: <status>" in `out`; None if it does not fit.
fn format_publish_failure(out: &mut [u8], status: i32) -> Option<&[u8]> {
    let mut line = Writer::new(out);
    line.push_str("publish failed: ")?;
    line.push_signed(status.into())?;
    Some(line.into_written())
}

// ---- Plugin state and entry points -----------------------------------------

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

struct Plugin {
    message: [u8; MESSAGE_CAPACITY],
    sequence: u32,
}

static PLUGIN: Global<Plugin> = Global::new(Plugin {
    message: [0; MESSAGE_CAPACITY],
    sequence: 0,
});

#[no_mangle]
pub extern "C" fn init() {
    PLUGIN.with(|plugin| plugin.sequence = 0);
    env::log(b"gateway plugin ready");
}
const _: exports::init = init;

#[no_mangle]
pub extern "C" fn update() {
    let values: [f32; SENSOR_COUNT] = core::array::from_fn(|id| env::read_sensor(id as i32));
    PLUGIN.with(|plugin| {
        let sequence = plugin.sequence;
        plugin.sequence = sequence.wrapping_add(1);
        let t_ms = env::get_time_ms();
        let message = match format_message(&mut plugin.message, sequence, t_ms, &values) {
            Some(message) => message,
            None => return env::log(b"message did not fit; not published"),
        };
        let status = env::publish(message); // 0 queued, negative on error
        if status != 0 {
            // Reuses the message buffer: the failed payload is not needed any more.
            if let Some(line) = format_publish_failure(&mut plugin.message, status) {
                env::log(line);
            }
        }
    });
}
const _: exports::update = update;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

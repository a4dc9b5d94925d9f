//! Motion detection module for the acme/camera-m320 device
//! (templates/motion-detector/device.json), the Rust port of motion_detector.c.
//!
//! Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//!
//! Corrected from the book chapter:
//!  - read_camera_frame gets the buffer's length, and its result (bytes written)
//!    is checked: a short or failed capture is logged and not compared.
//!  - The very first frame only primes the detector. The chapter compared it
//!    against an all-zero "previous frame" and raised a false alert at boot.
//!  - No 76800-byte copy per frame: the two frames are used alternately
//!    (ping-pong), so "previous" is just the other buffer.
//!  - analyze_region clamps the rectangle to the frame (negative or huge
//!    x, y, w, h are fine, and x + w cannot overflow), returns 0 for an empty
//!    rectangle instead of dividing by zero, and measures the percentage over
//!    the clamped area. The chapter also wrapped columns past the right edge
//!    into the next row, because it only bounds-checked the flat index.
//!  - The frames are module state behind one exclusive borrow, not a
//!    `static mut` the host reads by address, and nothing is formatted (no
//!    `format!`, no heap).
//!
//! Memory: two static 320x240 frames (150 KiB of .bss, no data segment) plus a
//! 16 KiB stack fit the device's 4-page (256 KiB) memory.
#![no_std]

use core::cell::{Cell, UnsafeCell};
use core::ops::Range;

// ---- Host functions and exports (device.json) ------------------------------

// Generated from device.json by the build's gen step (`wasmiot gen guest --lang
// rust`): `env::raw` declares the imports exactly as the device does, `env::*`
// wraps them safely (buffers as slices, so read_camera_frame gets the frame's
// length and the host writes at most that many bytes), and `exports::*` gives
// the signature the device calls each export with.
include!(concat!(env!("WASMIOT_GEN_DIR"), "/wasmiot_guest.rs"));

/// Captures one WIDTH x HEIGHT frame into `frame`; returns the bytes written.
fn read_camera_frame(frame: &mut Frame) -> i32 {
    env::read_camera_frame(frame, WIDTH as i32, HEIGHT as i32)
}

// ---- Frame geometry and thresholds ----------------------------------------

const WIDTH: usize = 320;
const HEIGHT: usize = 240;
const PIXELS: usize = WIDTH * HEIGHT;
/// A pixel "changed" if |current - previous| > 30.
const PIXEL_THRESHOLD: u8 = 30;
/// Alert when more than 5% of the pixels changed.
const ALERT_PERCENT: i32 = 5;

/// One 8-bit grayscale frame, row-major.
type Frame = [u8; PIXELS];

// ---- Pure computation (no imports) -----------------------------------------

/// Number of pixels in `rows` and `columns` whose absolute difference between
/// `a` and `b` exceeds PIXEL_THRESHOLD. The caller keeps both ranges inside
/// the frame (what lies outside counts nothing).
fn count_changed(a: &Frame, b: &Frame, columns: Range<usize>, rows: Range<usize>) -> u32 {
    frame_rows(a, rows.clone())
        .zip(frame_rows(b, rows))
        .map(
            |(row_a, row_b)| match (row_a.get(columns.clone()), row_b.get(columns.clone())) {
                (Some(span_a), Some(span_b)) => count_changed_pixels(span_a, span_b),
                _ => 0,
            },
        )
        .sum()
}

/// Number of positions where `a` and `b` differ by more than PIXEL_THRESHOLD.
fn count_changed_pixels(a: &[u8], b: &[u8]) -> u32 {
    let changed = a
        .iter()
        .zip(b)
        .filter(|(&pixel_a, &pixel_b)| pixel_a.abs_diff(pixel_b) > PIXEL_THRESHOLD);
    changed.count() as u32 // at most WIDTH
}

/// The rows of `frame` in `rows`, each WIDTH pixels.
fn frame_rows(frame: &Frame, rows: Range<usize>) -> impl Iterator<Item = &[u8]> {
    frame.chunks_exact(WIDTH).skip(rows.start).take(rows.len())
}

/// changed * 100 / total, rounded down; 0 when total is 0. At most
/// 76800 * 100, so the product fits in 32 bits.
fn percent(changed: u32, total: u32) -> i32 {
    if total == 0 {
        0
    } else {
        (changed * 100 / total) as i32
    }
}

/// [start, start + extent) clamped to [0, limit), without overflow; empty when
/// nothing of it is inside.
fn clamp_span(start: i32, extent: i32, limit: usize) -> Range<usize> {
    let first = i64::from(start);
    let end = (first + i64::from(extent.max(0))).min(limit as i64).max(0);
    let first = first.max(0).min(end);
    // Both are in 0..=limit now, so the casts are exact.
    first as usize..end as usize
}

/// `frames[index]` (index 0 or 1) and the other frame, borrowed together.
fn this_and_other(frames: &mut [Frame; 2], index: usize) -> (&mut Frame, &mut Frame) {
    let [first, second] = frames;
    if index == 0 {
        (first, second)
    } else {
        (second, first)
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

struct Detector {
    frames: [Frame; 2],
    latest: usize,     // index of the most recent good frame, 0 or 1
    have_latest: bool, // frames[latest] holds a good frame
    have_pair: bool,   // frames[1 - latest] holds the frame before it
}

impl Detector {
    const fn new() -> Self {
        Self {
            frames: [[0; PIXELS]; 2],
            latest: 0,
            have_latest: false,
            have_pair: false,
        }
    }

    fn reset(&mut self) {
        self.latest = 0;
        self.have_latest = false;
        self.have_pair = false;
    }

    fn detect_motion(&mut self) -> i32 {
        let next = 1 - self.latest; // overwrite the older of the two frames
        let (incoming, latest) = this_and_other(&mut self.frames, next);
        if read_camera_frame(incoming) != PIXELS as i32 {
            // frames[next] is now garbage, so there is no longer a valid pair.
            self.have_pair = false;
            env::log(b"camera frame capture failed or short; frame skipped");
            return 0;
        }
        let mut changed_percent = 0;
        if self.have_latest {
            let changed = count_changed(incoming, latest, 0..WIDTH, 0..HEIGHT);
            changed_percent = percent(changed, PIXELS as u32);
            if changed_percent > ALERT_PERCENT {
                env::trigger_alert(changed_percent);
            }
        }
        self.have_pair = self.have_latest;
        self.have_latest = true;
        self.latest = next;
        changed_percent
    }

    fn analyze_region(&mut self, x: i32, y: i32, w: i32, h: i32) -> i32 {
        if !self.have_pair {
            return 0;
        }
        let columns = clamp_span(x, w, WIDTH);
        let rows = clamp_span(y, h, HEIGHT);
        if columns.is_empty() || rows.is_empty() {
            return 0;
        }
        let area = (columns.len() * rows.len()) as u32; // at most PIXELS
        let (latest, previous) = this_and_other(&mut self.frames, self.latest);
        percent(count_changed(latest, previous, columns, rows), area)
    }
}

static DETECTOR: Global<Detector> = Global::new(Detector::new());

#[no_mangle]
pub extern "C" fn init() {
    DETECTOR.with(Detector::reset);
    env::log(b"motion detector ready (320x240, threshold 30, alert > 5%)");
}
const _: exports::init = init;

/// Captures a frame, compares it with the previous one, and returns the
/// percentage (0..100) of changed pixels; alerts when it exceeds 5%. Returns 0
/// for the priming frame and when the capture fails.
#[no_mangle]
pub extern "C" fn detect_motion() -> i32 {
    DETECTOR.with(Detector::detect_motion)
}
const _: exports::detect_motion = detect_motion;

/// Percentage (0..100) of changed pixels between the last two good frames
/// inside the rectangle at (x, y) of size w x h, clamped to the frame. Returns
/// 0 when the clamped rectangle is empty or there is no pair of frames yet.
#[no_mangle]
pub extern "C" fn analyze_region(x: i32, y: i32, w: i32, h: i32) -> i32 {
    DETECTOR.with(|detector| detector.analyze_region(x, y, w, h))
}
const _: exports::analyze_region = analyze_region;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

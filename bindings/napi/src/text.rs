//! `Text`: a JS string read as UTF-8 in one pass over it, for hot-path arguments such as an
//! evaluation request. napi-rs's `String` asks V8 for the UTF-8 length first (a second walk of
//! the string, ≈0.4 µs for a 3 KB request); the UTF-16 length is known without a walk, and no
//! UTF-16 unit takes more than 3 bytes of UTF-8, so one buffer of that size always fits.
#![allow(unsafe_code, reason = "napi's C string functions write into a buffer we size")]

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
use napi::{check_status, sys};
use std::ptr;

pub struct Text(pub String);

impl TypeName for Text {
    fn type_name() -> &'static str {
        "String"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ValidateNapiValue for Text {}

impl FromNapiValue for Text {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut units = 0;
        // SAFETY: with a null buffer napi only reports the string's length in UTF-16 units.
        check_status!(
            unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut units) },
            "Failed to convert a JavaScript value into a string"
        )?;
        let capacity = units * 3 + 1; // the UTF-8 and napi's terminating NUL
        let mut bytes = Vec::<u8>::with_capacity(capacity);
        let mut written = 0;
        // SAFETY: `bytes` has room for `capacity` bytes; napi writes at most that many (the text
        // and a NUL) and reports how many bytes of text it wrote.
        check_status!(
            unsafe { sys::napi_get_value_string_utf8(env, value, bytes.as_mut_ptr().cast(), capacity, &mut written) },
            "Failed to convert a JavaScript value into a string"
        )?;
        // SAFETY: the first `written` bytes were initialised by napi above.
        unsafe { bytes.set_len(written.min(capacity - 1)) };
        // V8 writes well-formed UTF-8 (lone surrogates become U+FFFD); checked anyway (a fast
        // ASCII scan next to V8's walk).
        String::from_utf8(bytes)
            .map(Text)
            .map_err(|e| napi::Error::new(napi::Status::InvalidArg, format!("a string argument is not UTF-8: {e}")))
    }
}

//! libFuzzer target: the same cases through the exported C functions (real
//! guard page after the opts, fake syscall), differentially against the
//! model.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bpflink_fuzz::check_ffi(data));

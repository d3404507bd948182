//! libFuzzer target: opts decoding and attr building of all six opts-taking
//! functions through bpflink's core, differentially against the model.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bpflink_fuzz::check_core(data));

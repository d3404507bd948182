//! libFuzzer target: the uprobe symbol resolver (bpflink-core `elf_sym`) on
//! arbitrary and mutated ELF files: no panic, no hang, only libbpf's
//! answers.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bpflink_fuzz::elf_check::elf_check(data));

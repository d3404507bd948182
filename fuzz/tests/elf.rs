//! The resolver check (`elf_check`) on this test program's own ELF file,
//! cut and mutated pseudo-randomly (what the libFuzzer target explores
//! further in `make fuzz`).
#![allow(clippy::indexing_slicing)]

#[test]
fn resolver_on_mutated_elf() {
    let exe = std::fs::read("/proc/self/exe").unwrap();
    let base = &exe[..exe.len().min(1 << 17)];
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for i in 0..400u32 {
        let mut d = vec![(i % 251) as u8];
        d.extend_from_slice(base);
        for _ in 0..(i % 16) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = 1 + (x as usize) % (d.len() - 1);
            d[at] = (x >> 40) as u8;
        }
        let cut = 1 + (x as usize >> 5) % d.len();
        bpflink_fuzz::elf_check::elf_check(&d[..cut.max(1)]);
        bpflink_fuzz::elf_check::elf_check(&d);
    }
    bpflink_fuzz::elf_check::elf_check(b"\x00\x7fELF\x02\x01\x01");
}

/// Inputs the libFuzzer target once stopped on, kept so that each stays
/// answered (`regressions/elf_resolve/`, one file per finding).
#[test]
fn resolver_on_past_findings() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions/elf_resolve");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        bpflink_fuzz::elf_check::elf_check(&std::fs::read(e.unwrap().path()).unwrap());
        n += 1;
    }
    assert!(n > 0, "no inputs in {dir}");
}

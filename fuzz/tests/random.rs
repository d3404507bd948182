//! Without libFuzzer: the seed corpus plus deterministic pseudo-random
//! cases through both checks (core and C entry points) against the model.

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

#[test]
fn random_cases_match_the_model() {
    let n: usize = std::env::var("FUZZ_RANDOM_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut failures = Vec::new();
    for i in 0..n {
        let len = (xorshift(&mut s) % 120) as usize;
        let mut data: Vec<u8> = (0..len).map(|_| xorshift(&mut s) as u8).collect();
        // Mostly-zero bodies reach the accept paths; random ones the rejects.
        if i % 2 == 0 {
            for b in data.iter_mut().skip(18) {
                if xorshift(&mut s) % 8 != 0 {
                    *b = 0;
                }
            }
        }
        for r in [
            bpflink_fuzz::compare_core(&data),
            bpflink_fuzz::compare_ffi(&data),
        ] {
            if let Err(e) = r {
                failures.push(format!("case {i} {data:02x?}:\n{e}"));
            }
        }
        if failures.len() >= 3 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn seed_corpus_matches_the_model() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/seeds");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = e.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Err(e) = bpflink_fuzz::compare_core(&data) {
            panic!("{}: {e}", path.display());
        }
        if let Err(e) = bpflink_fuzz::compare_ffi(&data) {
            panic!("{}: {e}", path.display());
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} seeds in {}", dir.display());
}

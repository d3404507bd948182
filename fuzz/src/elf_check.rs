//! The uprobe resolver on arbitrary bytes: `elf_sym`'s three lookups
//! (`find_func_offset` with plain and versioned names, patterns, explicit
//! symbols) must never panic or loop, and may only answer what libbpf's
//! rules can answer: a positive offset, or one of libbpf's errors.
//!
//! The input is the file; its first byte picks the names looked up among
//! the symbol names the file itself holds (so mutations of a real ELF file
//! keep finding symbols), the rest is the file.

use std::ffi::{CStr, CString};

use bpflink_core::attach_msg::Quiet;
use bpflink_core::elf_sym::{self, ElfFile, OffsetBuf};
use bpflink_core::errno::Errno;
use bpflink_core::sys::CBuf;

/// A few NUL-terminated strings of the file that look like names.
fn names_in(data: &[u8], pick: u8) -> Vec<CString> {
    let mut out = Vec::new();
    for w in data.split(|&b| b == 0).skip(pick as usize % 7) {
        if (2..64).contains(&w.len()) && w.iter().all(|b| b.is_ascii_graphic()) {
            if let Ok(c) = CString::new(w) {
                out.push(c);
            }
        }
        if out.len() == 4 {
            break;
        }
    }
    out.push(c"main".to_owned());
    out
}

const FORMAT: i64 = -(elf_sym::ERRNO_FORMAT.0 as i64);

/// Panics on an answer libbpf's rules cannot give.
pub fn elf_check(input: &[u8]) {
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let path = c"/fuzz";
    let file = ElfFile::parse(data);
    let names = names_in(data, pick);
    for n in &names {
        for name in [n.clone(), versioned(n, pick)] {
            let r = elf_sym::find_func_offset(&file, path, &name, &mut Quiet);
            // A positive offset, or libbpf's errors; an offset computed
            // from a crafted symbol (`st_value - sh_addr + sh_offset`, modulo
            // 2^64) can read as any negative value, -21 as well, and libbpf
            // returns it as it is: then it must be one of the file's offsets.
            assert!(
                r > 0
                    || r == -(libc::ENOENT as i64)
                    || r == -(libc::EINVAL as i64)
                    || r == FORMAT
                    || r < -4095
                    || is_symbol_offset(&file, r as u64),
                "find_func_offset({name:?}) = {r}"
            );
        }
        let mut out = CBuf::new();
        match elf_sym::resolve_pattern_offsets(&file, path, n, &mut out, &mut Quiet) {
            Ok(()) => assert!(!out.as_slice().is_empty()),
            Err(e) => assert!(
                [Errno::ENOENT, Errno::EINVAL, Errno::ENOMEM].contains(&e),
                "{e:?}"
            ),
        }
    }
    let list: Vec<&CStr> = names.iter().map(CString::as_c_str).collect();
    let (mut off, mut order) = (CBuf::new(), CBuf::new());
    match elf_sym::resolve_syms_offsets(
        &file,
        path,
        list.len(),
        &|i| list.get(i).copied().unwrap_or(c""),
        elf::abi::STT_FUNC,
        &mut off,
        &mut order,
        &mut Quiet,
    ) {
        Ok(()) => assert_eq!(off.as_slice().len(), list.len()),
        Err(e) => assert!(
            [
                Errno::ENOENT,
                Errno::EINVAL,
                Errno(libc::ESRCH),
                Errno::ENOMEM
            ]
            .contains(&e),
            "{e:?}"
        ),
    }
    let mut all = CBuf::new();
    let _ = elf_sym::resolve_pattern_offsets(&file, path, c"*", &mut all, &mut Quiet);
}

/// Whether some function symbol of the file (in `.symtab` or `.dynsym`)
/// has the file offset `off`.
fn is_symbol_offset(file: &ElfFile<'_>, off: u64) -> bool {
    [elf::abi::SHT_SYMTAB, elf::abi::SHT_DYNSYM]
        .into_iter()
        .any(|sh_type| {
            elf_sym::sym_iter(file, c"/fuzz", sh_type, elf::abi::STT_FUNC, &mut Quiet)
                .is_ok_and(|mut it| it.any(|sym| sym.offset() == off))
        })
}

fn versioned(n: &CStr, pick: u8) -> CString {
    let mut v = n.to_bytes().to_vec();
    v.extend_from_slice(if pick & 1 == 0 {
        b"@V1"
    } else {
        b"@@GLIBC_2.2.5"
    });
    CString::new(v).unwrap_or_default()
}

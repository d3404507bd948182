//! Function symbols of an ELF file, found the way libbpf 1.7.0's `elf.c`
//! finds them for uprobes (`elf_find_func_offset`,
//! `elf_resolve_syms_offsets`, `elf_resolve_pattern_offsets`), on the file's
//! bytes. The parsing is the `elf` crate's (no_std, no allocation, no
//! unsafe; docs/elf-reader.md); the search rules, their order, their quirks
//! and their messages are libbpf's, step by step:
//!
//! - `.dynsym` is searched before `.symtab` (by name; the other way round
//!   for patterns), the first section of each type only;
//! - `name@VERSION` / `name@@VERSION` match `.dynsym` entries through the
//!   version definitions, `.symtab` entries by their full name;
//! - one non-weak definition wins over weak ones; two non-weak ones at
//!   different offsets are ambiguous;
//! - an offset is the symbol's address turned into a file offset through
//!   its section (`st_value - sh_addr + sh_offset`).
//!
//! Where libelf's own checks answer (a section that lies outside the file,
//! an unterminated name), the same symbols are skipped or the same error
//! returned. Where libbpf would crash on a corrupt file (a symbol table
//! whose entry size is 0: a division by zero), the file is rejected instead.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use elf::ElfBytes;
use elf::abi;
use elf::endian::{AnyEndian, EndianParse};
use elf::section::SectionHeader;

use super::attach_msg::{AttachLog, Msg};
use super::errno::{Errno, Result};
use super::probe_text::glob_match;
use super::strerror::LIBBPF_ERRNO_START;

/// `-LIBBPF_ERRNO__FORMAT` (4001): "BPF object format invalid".
pub const ERRNO_FORMAT: Errno = Errno(LIBBPF_ERRNO_START + 1);

const STT_FUNC: u8 = abi::STT_FUNC;
const STB_WEAK: u8 = abi::STB_WEAK;
const VERSYM_HIDDEN: u16 = 0x8000;
const VERSYM_VERSION: u16 = 0x7fff;

/// Why the bytes are not an ELF file we can search (libelf's text is not
/// reproduced; these are ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotElf {
    /// No ELF magic, or a class/encoding this reader does not know: libelf
    /// opens such a file but has no ELF header to give.
    NoHeader,
    /// ELF magic, but the header or section table lies outside the file:
    /// libelf refuses to open it.
    Corrupt,
}

impl NotElf {
    /// The reason, where libbpf prints `elf_errmsg(-1)`.
    pub fn reason(self) -> &'static CStr {
        match self {
            NotElf::NoHeader => c"not an ELF file",
            NotElf::Corrupt => c"corrupt ELF header or section table",
        }
    }
}

/// An ELF file's bytes, or why they are not one.
pub struct ElfFile<'d> {
    parsed: core::result::Result<ElfBytes<'d, AnyEndian>, NotElf>,
}

impl<'d> ElfFile<'d> {
    /// Parses the file header and locates the section table.
    pub fn parse(data: &'d [u8]) -> ElfFile<'d> {
        let parsed = ElfBytes::<AnyEndian>::minimal_parse(data).map_err(|_| {
            if data.get(..4) == Some(b"\x7fELF".as_slice()) && data.len() >= 64 {
                NotElf::Corrupt
            } else {
                NotElf::NoHeader
            }
        });
        ElfFile { parsed }
    }

    /// libelf's `elf_begin` failed (only for a file it cannot even open as
    /// ELF data: a corrupt section table).
    pub fn open_error(&self) -> Option<NotElf> {
        match self.parsed {
            Err(NotElf::Corrupt) => Some(NotElf::Corrupt),
            _ => None,
        }
    }

    fn elf(&self) -> core::result::Result<&ElfBytes<'d, AnyEndian>, NotElf> {
        self.parsed.as_ref().map_err(|e| *e)
    }

    /// `e_type == ET_DYN`.
    pub fn is_shared_lib(&self) -> bool {
        self.elf().is_ok_and(|e| e.ehdr.e_type == abi::ET_DYN)
    }
}

/// `elf_getscn(idx)` + `gelf_getshdr`: any index below the section count,
/// including 0 (the null section, all zeros).
fn section(elf: &ElfBytes<'_, AnyEndian>, idx: usize) -> Option<SectionHeader> {
    elf.section_headers()?.get(idx).ok()
}

/// `elf_find_next_scn_by_type(elf, type, NULL)`: the first section (from
/// index 1) of that type.
fn first_section_of_type(elf: &ElfBytes<'_, AnyEndian>, sh_type: u32) -> Option<SectionHeader> {
    let shdrs = elf.section_headers()?;
    shdrs.iter().skip(1).find(|s| s.sh_type == sh_type)
}

/// `elf_getdata`: the section's bytes, `None` where libelf fails (data
/// outside the file). A `SHT_NOBITS` section has none.
fn section_data<'d>(elf: &ElfBytes<'d, AnyEndian>, s: &SectionHeader) -> Option<&'d [u8]> {
    elf.section_data(s).ok().map(|(d, _)| d)
}

/// `elf_strptr(elf, idx, off)`: a NUL-terminated string inside a
/// `SHT_STRTAB` section.
fn strptr<'d>(elf: &ElfBytes<'d, AnyEndian>, idx: usize, off: u32) -> Option<&'d CStr> {
    let s = section(elf, idx)?;
    if s.sh_type != abi::SHT_STRTAB {
        return None;
    }
    let data = section_data(elf, &s)?;
    CStr::from_bytes_until_nul(data.get(off as usize..)?).ok()
}

/// One symbol as `elf_sym_iter_next` yields it.
#[derive(Debug, Clone, Copy)]
pub struct Sym<'d> {
    pub name: &'d CStr,
    pub value: u64,
    pub bind: u8,
    /// The containing section's `sh_addr` and `sh_offset`.
    pub sh_addr: u64,
    pub sh_offset: u64,
    pub ver: u16,
    pub hidden: bool,
}

impl Sym<'_> {
    /// `elf_sym_offset`: address → file offset, modulo 2^64 like the C.
    pub fn offset(&self) -> u64 {
        self.value
            .wrapping_sub(self.sh_addr)
            .wrapping_add(self.sh_offset)
    }
}

/// `struct elf_sym_iter`.
pub struct SymIter<'a, 'd> {
    elf: &'a ElfBytes<'d, AnyEndian>,
    syms: &'d [u8],
    nr_syms: usize,
    strtabidx: usize,
    versyms: Option<&'d [u8]>,
    verdefs: Option<&'d [u8]>,
    verdef_strtabidx: usize,
    next: usize,
    st_type: u8,
}

/// `elf_sym_iter_new`: `ENOENT` when the file has no section of `sh_type`
/// (a debug message), `EINVAL` for unreadable tables (warnings).
pub fn sym_iter<'a, 'd>(
    file: &'a ElfFile<'d>,
    path: &CStr,
    sh_type: u32,
    st_type: u8,
    log: &mut dyn AttachLog,
) -> Result<SymIter<'a, 'd>> {
    let elf = match file.elf() {
        Ok(e) => e,
        Err(e) => {
            log.msg(Msg::ElfNoEhdr {
                path,
                reason: e.reason(),
            });
            return Err(Errno::EINVAL);
        }
    };
    let Some(sh) = first_section_of_type(elf, sh_type) else {
        log.msg(Msg::ElfNoSymtab { path });
        return Err(Errno::ENOENT);
    };
    let Some(syms) = section_data(elf, &sh) else {
        log.msg(Msg::ElfNoSymbols {
            path,
            reason: c"section data outside the file",
        });
        return Err(Errno::EINVAL);
    };
    if sh.sh_entsize == 0 {
        // libbpf divides by it (SIGFPE); bpflink rejects the table.
        log.msg(Msg::ElfNoSymbols {
            path,
            reason: c"symbol table entry size is 0",
        });
        return Err(Errno::EINVAL);
    }
    let mut it = SymIter {
        elf,
        syms,
        nr_syms: (syms.len() as u64 / sh.sh_entsize) as usize,
        strtabidx: sh.sh_link as usize,
        versyms: None,
        verdefs: None,
        verdef_strtabidx: 0,
        next: 0,
        st_type,
    };
    if sh_type != abi::SHT_DYNSYM {
        return Ok(it);
    }
    let Some(versym) = first_section_of_type(elf, abi::SHT_GNU_VERSYM) else {
        return Ok(it);
    };
    it.versyms = section_data(elf, &versym);
    let Some(verdef) = first_section_of_type(elf, abi::SHT_GNU_VERDEF) else {
        return Ok(it);
    };
    match section_data(elf, &verdef) {
        Some(d) => {
            it.verdefs = Some(d);
            it.verdef_strtabidx = verdef.sh_link as usize;
        }
        None => {
            log.msg(Msg::ElfNoVerdef { path });
            return Err(Errno::EINVAL);
        }
    }
    Ok(it)
}

impl<'d> SymIter<'_, 'd> {
    fn endian(&self) -> AnyEndian {
        self.elf.ehdr.endianness
    }

    /// `gelf_getsym(syms, idx)`: one record of the class's size, inside the
    /// data (whatever `sh_entsize` said).
    fn raw_sym(&self, idx: usize) -> Option<elf::symbol::Symbol> {
        let table = elf::symbol::SymbolTable::new(self.endian(), self.elf.ehdr.class, self.syms);
        table.get(idx).ok()
    }

    /// `gelf_getversym(versyms, idx)`.
    fn versym(&self, idx: usize) -> Option<u16> {
        let data = self.versyms?;
        let mut off = idx.checked_mul(2)?;
        self.endian().parse_u16_at(&mut off, data).ok()
    }

    /// `elf_get_vername(iter, ver)`: walks the version definitions for
    /// index `ver` (libbpf's `int` offset arithmetic included).
    pub fn vername(&self, ver: u16) -> Option<&'d CStr> {
        let data = self.verdefs?;
        let e = self.endian();
        let mut offset: i32 = 0;
        loop {
            if offset < 0 || (offset as usize).checked_add(20)? > data.len() {
                return None;
            }
            let base = offset as usize;
            let mut p = base + 4;
            let vd_ndx = e.parse_u16_at(&mut p, data).ok()?;
            let mut p = base + 12;
            let vd_aux = e.parse_u32_at(&mut p, data).ok()?;
            let vd_next = e.parse_u32_at(&mut p, data).ok()?;
            if vd_ndx != ver {
                if vd_next == 0 {
                    return None;
                }
                offset = offset.wrapping_add(vd_next as i32);
                continue;
            }
            let aux = offset.wrapping_add(vd_aux as i32);
            if aux < 0 || (aux as usize).checked_add(8)? > data.len() {
                return None;
            }
            let mut p = aux as usize;
            let vda_name = e.parse_u32_at(&mut p, data).ok()?;
            return strptr(self.elf, self.verdef_strtabidx, vda_name);
        }
    }
}

impl<'d> Iterator for SymIter<'_, 'd> {
    type Item = Sym<'d>;

    /// `elf_sym_iter_next`.
    fn next(&mut self) -> Option<Sym<'d>> {
        let mut idx = self.next;
        while idx < self.nr_syms {
            let here = idx;
            idx += 1;
            let Some(sym) = self.raw_sym(here) else {
                continue;
            };
            if sym.st_symtype() != self.st_type {
                continue;
            }
            let Some(name) = strptr(self.elf, self.strtabidx, sym.st_name) else {
                continue;
            };
            let Some(sh) = section(self.elf, sym.st_shndx as usize) else {
                continue;
            };
            self.next = here + 1;
            let mut out = Sym {
                name,
                value: sym.st_value,
                bind: sym.st_bind(),
                sh_addr: sh.sh_addr,
                sh_offset: sh.sh_offset,
                ver: 0,
                hidden: false,
            };
            if self.versyms.is_some() {
                let Some(v) = self.versym(here) else {
                    continue;
                };
                out.ver = v & VERSYM_VERSION;
                out.hidden = v & VERSYM_HIDDEN != 0;
            }
            return Some(out);
        }
        self.next = idx;
        None
    }
}

/// `symbol_match`: `name` (the part before `@`, `name_len` bytes of
/// `full`) matches `func`, `func@…`; with a version, a `.dynsym` entry's
/// version name must equal it, a `.symtab` entry's full name must equal
/// `full`.
fn symbol_match(
    iter: &SymIter<'_, '_>,
    sh_type: u32,
    sym: &Sym<'_>,
    full: &[u8],
    name_len: usize,
    lib_ver: Option<&[u8]>,
) -> bool {
    let s = sym.name.to_bytes();
    let want = full.get(..name_len).unwrap_or(full);
    if s.get(..name_len) != Some(want) {
        return false;
    }
    match s.get(name_len) {
        None | Some(b'@') => {}
        Some(_) => return false,
    }
    let Some(lib_ver) = lib_ver else {
        return true;
    };
    if sh_type == abi::SHT_DYNSYM {
        return iter
            .vername(sym.ver)
            .is_some_and(|v| v.to_bytes() == lib_ver);
    }
    s == full
}

/// `elf_find_func_offset`: the file offset of function `name` (`func`,
/// `func@VER` or `func@@VER`), libbpf's `long` result: positive on
/// success, else a negative errno (`-ENOENT` not found or 0,
/// `-LIBBPF_ERRNO__FORMAT` ambiguous or not ELF), with libbpf's messages.
/// An offset ≥ 2^63 comes out negative, as in C.
pub fn find_func_offset(
    file: &ElfFile<'_>,
    path: &CStr,
    name: &CStr,
    log: &mut dyn AttachLog,
) -> i64 {
    let elf = match file.elf() {
        Ok(e) => e,
        Err(e) => {
            log.msg(Msg::ElfNoEhdr {
                path,
                reason: e.reason(),
            });
            return ERRNO_FORMAT.negated().into();
        }
    };
    let is_shared_lib = elf.ehdr.e_type == abi::ET_DYN;
    let full = name.to_bytes();
    let (name_len, lib_ver) = match full.iter().position(|&b| b == b'@') {
        Some(at) => {
            let ver_start = if full.get(at + 1) == Some(&b'@') {
                at + 2
            } else {
                at + 1
            };
            (at, Some(full.get(ver_start..).unwrap_or(&[])))
        }
        None => (full.len(), None),
    };
    let mut ret: i64 = Errno::ENOENT.negated().into();
    for sh_type in [abi::SHT_DYNSYM, abi::SHT_SYMTAB] {
        let iter = match sym_iter(file, path, sh_type, STT_FUNC, log) {
            Ok(it) => {
                ret = 0;
                it
            }
            Err(Errno::ENOENT) => {
                ret = Errno::ENOENT.negated().into();
                continue;
            }
            Err(e) => return e.negated().into(),
        };
        let mut last_bind: Option<u8> = None;
        let mut walk = iter;
        while let Some(sym) = walk.next() {
            if !symbol_match(&walk, sh_type, &sym, full, name_len, lib_ver) {
                continue;
            }
            let cur_bind = sym.bind;
            if ret > 0 {
                if sym.offset() == ret as u64 {
                    continue;
                } else if last_bind != Some(STB_WEAK) && cur_bind != STB_WEAK {
                    log.msg(Msg::ElfAmbiguous {
                        sym: sym.name,
                        name,
                        path,
                    });
                    return ERRNO_FORMAT.negated().into();
                } else if cur_bind == STB_WEAK {
                    continue;
                }
            }
            ret = sym.offset() as i64;
            last_bind = Some(cur_bind);
        }
        if ret > 0 {
            break;
        }
    }
    if ret > 0 {
        log.msg(Msg::ElfMatch {
            name,
            path,
            offset: ret as u64,
        });
    } else if ret == 0 {
        log.msg(Msg::ElfZero {
            name,
            path,
            shared_lib: is_shared_lib,
        });
        ret = Errno::ENOENT.negated().into();
    } else {
        log.msg(Msg::ElfNotFound { name, path });
    }
    ret
}

/// A growable array of `unsigned long`s in the C library's memory (libc
/// `malloc`/`realloc` there, a `Vec` in Rust): what the resolvers fill.
pub trait OffsetBuf {
    /// Appends one value; `ENOMEM` when the memory cannot grow.
    fn push(&mut self, v: u64) -> Result<()>;
    fn as_slice(&self) -> &[u64];
    fn as_mut_slice(&mut self) -> &mut [u64];
}

/// `elf_resolve_pattern_offsets`: the offsets of every function whose name
/// matches the glob `pattern`, from `.symtab` or, if it has none, from
/// `.dynsym`; `ENOENT` (no message) when nothing matches.
pub fn resolve_pattern_offsets(
    file: &ElfFile<'_>,
    path: &CStr,
    pattern: &CStr,
    out: &mut dyn OffsetBuf,
    log: &mut dyn AttachLog,
) -> Result<()> {
    for sh_type in [abi::SHT_SYMTAB, abi::SHT_DYNSYM] {
        let iter = match sym_iter(file, path, sh_type, STT_FUNC, log) {
            Ok(it) => it,
            Err(Errno::ENOENT) => continue,
            Err(e) => return Err(e),
        };
        for sym in iter {
            if glob_match(sym.name.to_bytes(), pattern.to_bytes()) {
                out.push(sym.offset())?;
            }
        }
        if !out.as_slice().is_empty() {
            break;
        }
    }
    if out.as_slice().is_empty() {
        return Err(Errno::ENOENT);
    }
    Ok(())
}

/// Per requested symbol: the index of its name and the binding of the
/// definition found so far, packed in one `u64` (`idx | bind << 56`), so
/// that libbpf's `struct symbol` array is one more [`OffsetBuf`].
fn pack(idx: usize, bind: u8) -> u64 {
    idx as u64 | u64::from(bind) << 56
}

fn unpack(v: u64) -> (usize, u8) {
    ((v & ((1 << 56) - 1)) as usize, (v >> 56) as u8)
}

/// `elf_resolve_syms_offsets`: one offset per name `names(0..count)` (in order),
/// searched in `.dynsym` and then `.symtab` by exact name. `offsets` and
/// `order` come empty and receive `count` entries (libbpf's two
/// `calloc`s: `ENOMEM` if either fails). Two non-weak definitions at
/// different offsets are `ESRCH`; a name not found makes the whole call
/// `ENOENT` (no message), counted the way libbpf counts.
#[allow(clippy::too_many_arguments)]
pub fn resolve_syms_offsets<'n>(
    file: &ElfFile<'_>,
    path: &CStr,
    count: usize,
    names: &dyn Fn(usize) -> &'n CStr,
    st_type: u8,
    offsets: &mut dyn OffsetBuf,
    order: &mut dyn OffsetBuf,
    log: &mut dyn AttachLog,
) -> Result<()> {
    for i in 0..count {
        offsets.push(0)?;
        order.push(pack(i, 0))?;
    }
    let name_of = |v: u64| names(unpack(v).0);
    super::text::heap_sort_by(order.as_mut_slice(), |a, b| name_of(*a).cmp(name_of(*b)));
    let mut cnt_done = 0usize;
    for sh_type in [abi::SHT_DYNSYM, abi::SHT_SYMTAB] {
        let iter = match sym_iter(file, path, sh_type, st_type, log) {
            Ok(it) => it,
            Err(Errno::ENOENT) => continue,
            Err(e) => return Err(e),
        };
        for sym in iter {
            let sym_offset = sym.offset();
            let Ok(pos) = order
                .as_slice()
                .binary_search_by(|v| name_of(*v).cmp(sym.name))
            else {
                continue;
            };
            let Some(&entry) = order.as_slice().get(pos) else {
                continue;
            };
            let (idx, found_bind) = unpack(entry);
            let Some(&prev) = offsets.as_slice().get(idx) else {
                continue;
            };
            if prev > 0 {
                if prev == sym_offset {
                    continue;
                }
                if found_bind != STB_WEAK && sym.bind != STB_WEAK {
                    log.msg(Msg::ElfAmbiguousSym {
                        sym: sym.name,
                        offset: sym_offset,
                        path,
                        previous: prev,
                    });
                    return Err(Errno(libc::ESRCH));
                } else if sym.bind == STB_WEAK {
                    continue;
                }
            } else {
                cnt_done += 1;
            }
            if let Some(o) = offsets.as_mut_slice().get_mut(idx) {
                *o = sym_offset;
            }
            if let Some(e) = order.as_mut_slice().get_mut(pos) {
                *e = pack(idx, sym.bind);
            }
        }
    }
    if cnt_done != count {
        return Err(Errno::ENOENT);
    }
    Ok(())
}

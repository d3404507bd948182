//! The messages of the attach functions, one variant per libbpf 1.7.0
//! `pr_warn`/`pr_debug` on those paths (`libbpf.c`, `elf.c`, `features.c`),
//! with the values libbpf passes. The C library prints each with libbpf's
//! exact format string and level (`src/print.rs`).
//!
//! One deliberate difference: libbpf names the program (`prog '%s'`, from
//! its `struct bpf_program`); these functions get a program fd, so the
//! messages say `prog fd %d` instead (docs/attach.md).
#![forbid(unsafe_code)]

use core::ffi::CStr;

/// `WARN` or `DEBUG` (no attach message is `INFO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warn,
    Debug,
}

/// One message. `err` fields are negative errnos, printed with libbpf's
/// `errstr()` (`-ENOENT` style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg<'a> {
    // ---- bpf_program__attach_perf_event_opts
    /// `prog '%s': invalid perf event FD %d`
    InvalidPerfFd { prog: i32, pfd: i32 },
    /// `prog '%s': can't attach BPF program without FD (was it loaded?)`
    NoProgFd { prog: i32 },
    /// `prog '%s': failed to create BPF link for perf_event FD %d: %s`
    PerfLinkFailed { prog: i32, pfd: i32, err: i32 },
    /// `prog '%s': user context value is not supported`
    CookieUnsupported { prog: i32 },
    /// `prog '%s': failed to attach to perf_event FD %d: %s`
    SetBpfFailed { prog: i32, pfd: i32, err: i32 },
    /// `prog '%s': try add PERF_SAMPLE_CALLCHAIN to or remove
    /// exclude_callchain_[kernel|user] from pfd %d`
    SetBpfCallchain { prog: i32, pfd: i32 },
    /// `prog '%s': failed to enable perf_event FD %d: %s`
    EnableFailed { prog: i32, pfd: i32, err: i32 },
    /// `Detection of kernel %s support failed: %s`
    FeatureProbeFailed { feature: &'a CStr, err: i32 },

    // ---- parse_uint_from_file (DEBUG)
    /// `failed to open '%s': %s`
    OpenFileFailed { path: &'a CStr, err: i32 },
    /// `failed to parse '%s': %s`
    ParseFileFailed { path: &'a CStr, err: i32 },

    // ---- perf_event_open_probe
    /// `failed to determine %s perf type: %s` (`uprobe`/`kprobe`)
    PerfTypeFailed { uprobe: bool, err: i32 },
    /// `failed to determine %s retprobe bit: %s`
    RetprobeBitFailed { uprobe: bool, err: i32 },

    // ---- legacy probes
    /// `failed to add legacy kprobe event for '%s+0x%zx': %s` /
    /// `failed to add legacy uprobe event for %s:0x%zx: %s`
    LegacyAddFailed {
        uprobe: bool,
        target: &'a CStr,
        offset: usize,
        err: i32,
    },
    /// `failed to determine legacy kprobe event id for '%s+0x%zx': %s` /
    /// `failed to determine legacy uprobe event id for %s:0x%zx: %s`
    LegacyIdFailed {
        uprobe: bool,
        target: &'a CStr,
        offset: usize,
        err: i32,
    },
    /// `legacy kprobe perf_event_open() failed: %s` (or `uprobe`)
    LegacyOpenFailed { uprobe: bool, err: i32 },

    // ---- kprobe / uprobe attach
    /// `prog '%s': failed to create %s '%s+0x%zx' perf event: %s` (kprobe)
    /// / `… '%s:0x%zx' …` (uprobe)
    ProbeCreateFailed {
        prog: i32,
        uprobe: bool,
        retprobe: bool,
        target: &'a CStr,
        offset: usize,
        err: i32,
    },
    /// `prog '%s': failed to attach to %s '%s+0x%zx': %s` (kprobe) /
    /// `… '%s:0x%zx' …` (uprobe)
    ProbeAttachFailed {
        prog: i32,
        uprobe: bool,
        retprobe: bool,
        target: &'a CStr,
        offset: usize,
        err: i32,
    },

    // ---- kprobe_multi
    /// `failed to open %s: %s`
    OpenListFailed { path: &'a CStr, err: i32 },
    /// `failed to parse available_filter_functions entry: %d`
    FilterFunctionsEntry { ret: i32 },
    /// `failed to parse available_filter_functions_addrs entry: %d`
    FilterFunctionsAddrsEntry { ret: i32 },
    /// `failed to read kallsyms entry: %d`
    KallsymsEntry { ret: i32 },
    /// `prog '%s': failed to find a unique match for '%s' (%zu matches)`
    NotUnique {
        prog: i32,
        pattern: &'a CStr,
        matches: usize,
    },
    /// `prog '%s': failed to attach: %s`
    MultiAttachFailed { prog: i32, err: i32 },

    // ---- uprobe paths
    /// DEBUG `resolved '%s' to '%s'`
    Resolved { file: &'a CStr, path: &'a CStr },
    /// `prog '%s': failed to resolve full path for '%s': %s`
    ResolveFailed { prog: i32, file: &'a CStr, err: i32 },
    /// `prog '%s': failed to attach multi-uprobe: %s`
    UprobeMultiFailed { prog: i32, err: i32 },

    // ---- tracepoints
    /// DEBUG `tracepoint %s/%s path is too long`
    TracepointPathTooLong { category: &'a CStr, name: &'a CStr },
    /// `failed to determine tracepoint '%s/%s' perf event ID: %s`
    TracepointIdFailed {
        category: &'a CStr,
        name: &'a CStr,
        err: i32,
    },
    /// `tracepoint '%s/%s' perf_event_open() failed: %s`
    TracepointOpenFailed {
        category: &'a CStr,
        name: &'a CStr,
        err: i32,
    },
    /// `prog '%s': failed to create tracepoint '%s/%s' perf event: %s`
    TracepointCreateFailed {
        prog: i32,
        category: &'a CStr,
        name: &'a CStr,
        err: i32,
    },
    /// `prog '%s': failed to attach to tracepoint '%s/%s': %s`
    TracepointAttachFailed {
        prog: i32,
        category: &'a CStr,
        name: &'a CStr,
        err: i32,
    },

    // ---- elf.c
    /// `elf: failed to open %s: %s`
    ElfOpenFailed { path: &'a CStr, err: i32 },
    /// `elf: could not read elf from %s: %s`
    ElfReadFailed { path: &'a CStr, reason: &'a CStr },
    /// `elf: failed to get ehdr from %s: %s`
    ElfNoEhdr { path: &'a CStr, reason: &'a CStr },
    /// DEBUG `elf: failed to find symbol table ELF sections in '%s'`
    ElfNoSymtab { path: &'a CStr },
    /// `elf: failed to get symbols for symtab section in '%s': %s`
    ElfNoSymbols { path: &'a CStr, reason: &'a CStr },
    /// `elf: failed to get verdef ELF section in '%s'`
    ElfNoVerdef { path: &'a CStr },
    /// `elf: ambiguous match for '%s', '%s' in '%s'`
    ElfAmbiguous {
        sym: &'a CStr,
        name: &'a CStr,
        path: &'a CStr,
    },
    /// DEBUG `elf: symbol address match for '%s' in '%s': 0x%lx`
    ElfMatch {
        name: &'a CStr,
        path: &'a CStr,
        offset: u64,
    },
    /// `elf: '%s' is 0 in symtab for '%s': %s`
    ElfZero {
        name: &'a CStr,
        path: &'a CStr,
        shared_lib: bool,
    },
    /// `elf: failed to find symbol '%s' in '%s'`
    ElfNotFound { name: &'a CStr, path: &'a CStr },
    /// `elf: ambiguous match found '%s@%lu' in '%s' previous offset %lu`
    ElfAmbiguousSym {
        sym: &'a CStr,
        offset: u64,
        path: &'a CStr,
        previous: u64,
    },

    // ---- bpflink's own (no libbpf counterpart)
    /// `prog fd %d: %s: archive members ('!/' paths) are not supported`
    ArchiveUnsupported { prog: i32, path: &'a CStr },
}

impl Msg<'_> {
    /// libbpf's level for the message.
    pub fn level(&self) -> Level {
        match self {
            Msg::OpenFileFailed { .. }
            | Msg::ParseFileFailed { .. }
            | Msg::Resolved { .. }
            | Msg::TracepointPathTooLong { .. }
            | Msg::ElfNoSymtab { .. }
            | Msg::ElfMatch { .. } => Level::Debug,
            _ => Level::Warn,
        }
    }
}

/// Where the attach functions send their messages.
pub trait AttachLog {
    fn msg(&mut self, m: Msg<'_>);
}

/// Drops every message (the Rust crate reports through its errors).
pub struct Quiet;

impl AttachLog for Quiet {
    fn msg(&mut self, _m: Msg<'_>) {}
}

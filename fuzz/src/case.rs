//! One fuzz case, decoded from libFuzzer's bytes.
//!
//! The decoding is total (every byte string is a case; missing bytes read as
//! 0) and keeps the interesting dimensions one mutation apart: which
//! function, NULL opts, the attach type, the `sz` the caller claims (small,
//! exact, past the mapped bytes, "negative", huge), the caller's struct
//! bytes, and what the scripted kernel answers.

/// The exported functions that take an opts struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    LinkCreate,
    LinkUpdate,
    GetFdByIdOpts,
    RawTpOpenOpts,
    ObjPinOpts,
    ObjGetOpts,
}

pub const FUNCS: [Func; 6] = [
    Func::LinkCreate,
    Func::LinkUpdate,
    Func::GetFdByIdOpts,
    Func::RawTpOpenOpts,
    Func::ObjPinOpts,
    Func::ObjGetOpts,
];

impl Func {
    /// `sizeof(struct ...)` in libbpf 1.7.0 on x86-64
    /// (docs/libbpf-behaviour.md#the-opts-layouts): how much of the caller's
    /// struct a well-behaved caller has mapped at least.
    pub fn struct_size(self) -> usize {
        match self {
            Func::LinkCreate => 80,
            Func::LinkUpdate => 24,
            Func::GetFdByIdOpts => 16,
            Func::RawTpOpenOpts => 24,
            Func::ObjPinOpts | Func::ObjGetOpts => 16,
        }
    }
}

/// What the scripted kernel answers to one `bpf()` call: the syscall's
/// return value, or `-1` with this errno.
pub type KAnswer = Result<i32, i32>;

/// Largest caller struct we map (bytes past it are unmapped).
pub const MAX_BUF: usize = 4096;

#[derive(Debug, Clone)]
pub struct Case {
    pub func: Func,
    pub opts_null: bool,
    /// `attach_type` (bpf_link_create only).
    pub attach_type: u32,
    /// prog_fd (link_create, raw_tp), link_fd (update), id (get_fd_by_id),
    /// fd (obj_pin).
    pub a: i32,
    /// target_fd (link_create), new_prog_fd (update).
    pub b: i32,
    /// The pathname pointer value (obj_pin / obj_get; never dereferenced by
    /// the fake kernel).
    pub path_addr: u64,
    /// `opts->sz`, also stored in `buf[0..8]`.
    pub sz: usize,
    /// The caller's mapped bytes; everything after them is unmapped. Always
    /// at least `max(8, min(sz, sizeof))` long (what libbpf's contract
    /// requires the caller to have mapped).
    pub buf: Vec<u8>,
    /// Answers to the first and second `bpf()` call (the second one is the
    /// `BPF_RAW_TRACEPOINT_OPEN` fallback of link_create).
    pub answers: [KAnswer; 2],
    /// What `fcntl(fd, F_DUPFD_CLOEXEC, 3)` answers.
    pub dup: KAnswer,
}

struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | (u64::from(self.u32()) << 32)
    }
}

/// fd values a kernel may hand out: the three stdio slots exercise the fd
/// hygiene (dup above 2, close the low one).
const FDS: [i32; 10] = [0, 1, 2, 3, 4, 7, 100, 1000, 65_535, i32::MAX];

/// errnos a kernel may answer; EINVAL is over-represented because it is the
/// one that triggers link_create's fallback.
pub const ERRNOS: [i32; 16] = [
    libc::EINVAL,
    libc::EINVAL,
    libc::EINVAL,
    libc::EINVAL,
    libc::EPERM,
    libc::EBADF,
    libc::ENOENT,
    libc::E2BIG,
    libc::EFAULT,
    libc::EOPNOTSUPP,
    libc::ENOSPC,
    libc::EACCES,
    libc::EBUSY,
    libc::EEXIST,
    libc::ENODEV,
    libc::EMFILE,
];

fn answer(b: u8) -> KAnswer {
    if b & 0x80 != 0 {
        Err(ERRNOS[usize::from(b & 0x0f)])
    } else {
        Ok(FDS[usize::from(b) % FDS.len()])
    }
}

impl Case {
    pub fn decode(data: &[u8]) -> Case {
        let mut r = Reader { data };
        let func = FUNCS[usize::from(r.u8()) % FUNCS.len()];
        let opts_null = r.u8() & 0x0f == 0x0f;
        let t = r.u8();
        let attach_type = if t < 0xc0 { u32::from(t) % 64 } else { r.u32() };
        let a = i32::from(r.u8() as i8);
        let b = i32::from(r.u8() as i8);
        let p = r.u8();
        let path_addr = u64::from(p) << 12;
        let mode = r.u8();
        let param = r.u8();
        let raw_sz = r.u64();
        let answers = [answer(r.u8()), answer(r.u8())];
        let d = r.u8();
        let dup = if d & 0x80 != 0 {
            Err(ERRNOS[usize::from(d & 0x0f)])
        } else {
            Ok(3 + i32::from(d))
        };
        let mut buf: Vec<u8> = r.data.iter().copied().take(MAX_BUF).collect();
        let param = usize::from(param);
        let sz = match mode % 10 {
            0 => func.struct_size(),
            1 => param % 16,
            2 => param,
            3 => buf.len(),
            4 => buf.len() + param,
            5 => usize::MAX - param,
            6 => (1usize << 63) + param,
            7 => (1usize << 63) - param,
            8 => 1usize << (param % 64),
            _ => raw_sz as usize,
        };
        let need = sz.min(func.struct_size()).max(8);
        if buf.len() < need {
            buf.resize(need, 0);
        }
        buf[..8].copy_from_slice(&sz.to_le_bytes());
        Case {
            func,
            opts_null,
            attach_type,
            a,
            b,
            path_addr,
            sz,
            buf,
            answers,
            dup,
        }
    }

    /// The inverse of [`Case::decode`] for the seed corpus: bytes that
    /// decode to (an equivalent of) this case. `sz_mode`/`sz_param` are
    /// given explicitly.
    pub fn encode(
        func: Func,
        opts_null: bool,
        attach_type: u32,
        ab: (i8, i8),
        sz_mode: u8,
        sz_param: u8,
        answers: [u8; 2],
        dup: u8,
        body: &[u8],
    ) -> Vec<u8> {
        let mut v = vec![
            FUNCS.iter().position(|&f| f == func).unwrap_or(0) as u8,
            if opts_null { 0x0f } else { 0 },
        ];
        if attach_type < 0xc0 && attach_type < 64 {
            v.push(attach_type as u8);
        } else {
            v.push(0xff);
            v.extend_from_slice(&attach_type.to_le_bytes());
        }
        v.extend_from_slice(&[ab.0 as u8, ab.1 as u8, 0x42, sz_mode, sz_param]);
        v.extend_from_slice(&[0u8; 8]);
        v.extend_from_slice(&[answers[0], answers[1], dup]);
        v.extend_from_slice(body);
        v
    }

    /// The FFI harness cannot let the library dup/close real stdio fds, so
    /// fds 0–2 the fake kernel would hand out become 1000–1002 there.
    pub fn without_low_fds(&self) -> Case {
        let mut c = self.clone();
        for a in c.answers.iter_mut() {
            if let Ok(v) = a {
                if (0..3).contains(v) {
                    *v += 1000;
                }
            }
        }
        c
    }
}
